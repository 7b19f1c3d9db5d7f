// CLI: changes on the ad platforms — propose (with a preview read from the
// platform), approve (executes), undo, cancel, list.
import { Option, type Command } from 'commander';
import { AppError } from '../../errors.ts';
import { withContext, cliActor, type Ctx } from '../context.ts';
import { json } from '../options.ts';
import { printJson, table } from '../output.ts';
import type { Group } from './index.ts';

async function depsOf(ctx: Ctx) {
  const { credentialKey } = await import('../../sources/sync.ts');
  const key = credentialKey(ctx.config);
  if (!key) throw new AppError('config', 'no encryption key: the connections\' credentials cannot be opened (set ADBRAIN_ENCRYPTION_KEY)');
  return { db: ctx.db, config: ctx.config, key, now: ctx.config.now() };
}
const callerOf = (ctx: Ctx) => ({ by: cliActor().name, audit: ctx.audit });

type View = Awaited<ReturnType<typeof import('../../ad-actions/service.ts')['viewAction']>>;
const line = (a: View) => `${a.id.slice(0, 8)} ${a.state}: ${a.kind} ${a.object.level} ${a.object.name ?? a.object.id} — ${a.field} ${a.from} → ${a.to}${a.moneyPerDay ? ` (${a.moneyPerDay}/day)` : ''}${a.error ? ` — ${a.error}` : ''}`;

export function register(program: Command, group: Group) {
  const actions = group('actions');
  actions
    .command('propose <entity>')
    .description('propose pausing / resuming an ad (a link: its ad), ad set or campaign, or a daily budget change; the preview is read from the platform, nothing changes until approved')
    .requiredOption('--client <slug>')
    .addOption(new Option('--pause', 'pause it').conflicts(['resume', 'budget']))
    .addOption(new Option('--resume', 'resume it').conflicts(['budget']))
    .option('--budget <change>', 'the daily budget: "+20%", "-30%" or an amount ("45.50")')
    .option('--insight <id>', 'the insight this acts on')
    .addOption(json())
    .action(async (ref: string, o) => {
      await withContext(async (ctx) => {
        const [{ getClientBySlug }, { findEntity }, { toMinorUnits }, { proposeFor }, { findInsight }] = await Promise.all([
          import('../../domain/clients.ts'), import('../../domain/entities.ts'), import('../../domain/currency.ts'), import('../../ad-actions/service.ts'), import('../../insights/inbox.ts'),
        ]);
        const c = await getClientBySlug(ctx.db.prisma, o.client);
        const kind = o.pause ? 'pause' : o.resume ? 'resume' : o.budget !== undefined ? 'budget' : null;
        if (!kind) throw new AppError('invalid_input', 'say what to do: --pause, --resume or --budget <change>');
        let percent: number | undefined, toMinor: number | undefined;
        if (kind === 'budget') {
          const m = /^([+\-−]?\d+(?:\.\d+)?)\s*%$/.exec(String(o.budget).trim());
          if (m) percent = Number(m[1]!.replace('−', '-'));
          else toMinor = toMinorUnits(String(o.budget), c.currency, '--budget');
        }
        const e = await findEntity(ctx.db.prisma, c.id, ref);
        const insight = o.insight ? await findInsight(ctx.db.prisma, o.insight, { clientId: c.id }) : null;
        const r = await proposeFor(await depsOf(ctx), { entityId: e.id, kind, percent, toMinor, insightId: insight?.id }, callerOf(ctx));
        if (o.json) return printJson(r.action);
        console.log(`${r.created ? 'proposed' : 'already proposed'}: ${line(r.action)}`);
        process.stderr.write(`approve with: adbrain actions approve ${r.action.id.slice(0, 8)}\n`);
      });
    });
  for (const what of ['approve', 'undo', 'cancel'] as const) {
    actions
      .command(`${what} <id>`)
      .description(what === 'approve' ? 'approve and run it: the object is read again and written only if it still is what the preview showed' : what === 'undo' ? 'restore the value it replaced' : 'cancel a proposed or approved action')
      .addOption(json())
      .action(async (ref: string, o) => {
        await withContext(async (ctx) => {
          const { decideFor } = await import('../../ad-actions/service.ts');
          const id = await actionId(ctx, ref);
          const a = await decideFor(await depsOf(ctx), id, what, callerOf(ctx));
          if (o.json) return printJson(a);
          console.log(line(a));
          if (a.state === 'failed') process.exitCode = 1;
        });
      });
  }
  actions
    .command('list')
    .description('the client\'s changes on the ad platforms, newest first')
    .requiredOption('--client <slug>')
    .option('--state <state>', 'proposed, approved, done, failed, undone, cancelled')
    .addOption(json())
    .action(async (o) => {
      await withContext(async (ctx) => {
        const [{ getClientBySlug }, { listFor }] = await Promise.all([import('../../domain/clients.ts'), import('../../ad-actions/service.ts')]);
        const c = await getClientBySlug(ctx.db.prisma, o.client);
        const rows = await listFor(ctx.db, c.id, { state: o.state });
        if (o.json) return printJson(rows);
        if (rows.length === 0) return console.log('no actions');
        console.log(table([['ID', 'STATE', 'KIND', 'OBJECT', 'FIELD', 'FROM', 'TO', 'PER DAY', 'BY'], ...rows.map((a) => [a.id.slice(0, 8), a.state, a.kind, `${a.object.level} ${a.object.name ?? a.object.id}`, a.field, a.from, a.to, a.moneyPerDay ?? '', a.approvedBy ?? a.proposedBy])]));
      });
    });
}

/** An action id from its full id or a unique prefix of 8+ characters. */
async function actionId(ctx: Ctx, ref: string): Promise<string> {
  const r = ref.trim().toLowerCase();
  if (!/^[0-9a-f-]{8,36}$/.test(r)) throw new AppError('invalid_input', `"${ref}" is not an action id (at least 8 characters of it)`);
  const rows = await ctx.db.sql.query<{ id: string }>('SELECT id::text FROM ad_action WHERE id::text LIKE $1 LIMIT 2', [`${r}%`]);
  if (rows.length === 0) throw new AppError('not_found', `action ${ref} not found`);
  if (rows.length > 1) throw new AppError('invalid_input', `"${ref}" matches several actions; give more of the id`);
  return rows[0]!.id;
}
