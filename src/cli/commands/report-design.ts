// CLI: what a client's reports show. `report layout` reads or stores the layout;
// `report preview` writes the report as it would go out (HTML, text, PDF) to look
// at — with a layout file being tried, before it is stored. Nothing is sent.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { AppError } from '../../errors.ts';
import { lastCompleteDay } from '../../time.ts';
import { withContext } from '../context.ts';
import { printJson } from '../output.ts';
import type { Group } from './index.ts';

async function layoutFile(file: string) {
  const { parseLayout } = await import('../../reports/layout.ts');
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new AppError('invalid_input', `cannot read ${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new AppError('invalid_input', `${file} is not JSON: ${(err as Error).message}`);
  }
  return parseLayout(parsed, file);
}

export function register(program: Command, _group: Group) {
  const report = program.commands.find((c) => c.name() === 'report');
  if (!report) throw new Error('the report command registers first');

  report
    .command('layout')
    .description('which sections a client\'s reports show and in what order (report layout --client <slug>): shows it, --set <file.json> stores one, --reset goes back to all')
    .option('--set <file>', 'a layout file: {"sections": ["summary", "kpis", …], "kpis": ["spend", "revenue", …]}')
    .option('--reset', 'every section, in the default order')
    .action(async (_o: unknown, cmd: Command) => {
      // --client, --date and --json are the report command's own: commander hands them to it.
      const o = cmd.optsWithGlobals<{ client: string; set?: string; reset?: boolean; json?: boolean }>();
      await withContext(async (ctx) => {
        const { getClientBySlug } = await import('../../domain/clients.ts');
        const { storedLayout, saveLayout, SECTIONS, KPIS } = await import('../../reports/layout.ts');
        const c = await getClientBySlug(ctx.db.prisma, o.client);
        if (o.set && o.reset) throw new AppError('invalid_input', 'choose one of --set and --reset');
        if (o.set || o.reset) {
          const next = o.set ? await layoutFile(o.set) : null;
          await saveLayout(ctx.db.prisma, c.id, next);
          await ctx.audit({ action: 'client.report_layout', entityType: 'client', entityId: c.id, clientId: c.id, before: c.reportLayout, after: next });
        }
        const fresh = await getClientBySlug(ctx.db.prisma, o.client);
        const layout = storedLayout(fresh.reportLayout);
        if (o.json) return printJson({ client: c.slug, custom: fresh.reportLayout !== null, layout });
        console.log(`${c.slug}: ${fresh.reportLayout === null ? 'every section (the default)' : 'its own layout'}`);
        console.log(`  sections: ${layout.sections.join(', ')}`);
        const hidden = SECTIONS.filter((s) => !layout.sections.includes(s));
        if (hidden.length) console.log(`  hidden:   ${hidden.join(', ')}`);
        console.log(`  kpis:     ${layout.kpis?.join(', ') ?? `by the objective (of ${KPIS.join(', ')})`}`);
      });
    });

  report
    .command('preview')
    .description('write a client\'s report as it would go out (HTML, text, PDF) to look at (report preview --client <slug> [--date D]); sends and records nothing')
    .option('--layout <file>', 'try this layout instead of the client\'s')
    .addOption(new Option('--as <kind>', 'preview the weekly report (7 days up to --date) or the monthly one (the last month complete by --date)').choices(['daily', 'weekly', 'monthly']).default('daily'))
    .option('--out <dir>', 'where to write preview.html, preview.txt and preview.pdf', 'preview')
    .action(async (_o: unknown, cmd: Command) => {
      const o = cmd.optsWithGlobals<{ client: string; date?: string; layout?: string; out: string; as: 'daily' | 'weekly' | 'monthly'; json?: boolean }>();
      const layout = o.layout ? await layoutFile(o.layout) : undefined;
      await withContext(async (ctx) => {
        const { getClientBySlug } = await import('../../domain/clients.ts');
        const { previewDailyReport, previewPeriodReport } = await import('../../reports/preview.ts');
        const c = await getClientBySlug(ctx.db.prisma, o.client);
        const date = o.date ?? lastCompleteDay(c.timezone, ctx.config.now());
        const p = o.as === 'daily' ? await previewDailyReport(ctx.db, c, date, ctx.config.now(), layout) : await previewPeriodReport(ctx.db, c, (await import('../../reports/periods.ts')).periodEndingBy(o.as, date), ctx.config.now(), layout);
        await mkdir(o.out, { recursive: true });
        const files = { html: path.join(o.out, 'preview.html'), text: path.join(o.out, 'preview.txt'), pdf: path.join(o.out, 'preview.pdf') };
        await Promise.all([writeFile(files.html, p.html), writeFile(files.text, p.text), writeFile(files.pdf, p.pdf)]);
        if (o.json) return printJson({ client: c.slug, date, subject: p.subject, files });
        console.log(`${c.slug} ${date}: ${p.subject}\n  ${files.html}\n  ${files.text}\n  ${files.pdf}`);
      });
    });
}
