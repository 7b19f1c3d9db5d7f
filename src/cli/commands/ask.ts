// CLI: `adbrain ask "…" --client acme` — the configured LLM answers over adbrain's
// read-only tools; every number in the answer is checked (src/ask/).
import type { Command } from 'commander';
import { json } from '../options.ts';
import { printJson } from '../output.ts';
import { cliActor, withContext } from '../context.ts';
import { summaryOf } from './index.ts';
import { int } from '../options.ts';

export function register(program: Command) {
  program
    .command('ask <question>')
    .description(summaryOf('ask'))
    .option('--client <slug>', 'the client the question is about (its agency is the one asked about)')
    .option('--agency <slug>', 'the agency, when no client is given')
    .option('--max-tool-calls <n>', 'at most this many tool calls (default 8)', int)
    .addOption(json())
    .action(async (question: string, o) => {
      await withContext(async (ctx) => {
        const { AppError } = await import('../../errors.ts');
        const { askInputSchema } = await import('../../ask/ask.ts');
        const { askAs } = await import('../../ask/run.ts');
        const parsed = askInputSchema.safeParse({ question, client: o.client, maxToolCalls: o.maxToolCalls });
        if (!parsed.success) throw new AppError('invalid_input', parsed.error.issues.map((i) => `${i.path.join('.') || 'question'}: ${i.message}`).join('; '));
        let agencyId: string;
        if (o.client) {
          const { getClientBySlug } = await import('../../domain/clients.ts');
          agencyId = (await getClientBySlug(ctx.db.prisma, o.client)).agencyId;
        } else if (o.agency) {
          const { getAgencyBySlug } = await import('../../domain/agencies.ts');
          agencyId = (await getAgencyBySlug(ctx.db.prisma, o.agency)).id;
        } else {
          throw new AppError('invalid_input', 'give --client <slug> (or --agency <slug>) so adbrain knows whose data to read');
        }
        // The CLI user reads as a viewer: `ask` offers only tools that read.
        const actor = cliActor();
        const key = { keyId: 'cli', keyName: actor.name, prefix: 'cli', agencyId, role: 'viewer' as const };
        const r = await askAs({ db: ctx.db, config: ctx.config, now: () => ctx.config.now() }, key, parsed.data, { transport: 'stdio' });
        if (o.json) return printJson(r);
        console.log(r.answer);
        ctx.log(`adbrain: ${r.toolCalls.length} tool call(s), ${r.requests} LLM request(s)${r.source === 'cache' ? ' (cached answer)' : ''}; ${r.verified ? 'every number verified' : 'some numbers could not be verified (marked)'}`);
      });
    });
}
