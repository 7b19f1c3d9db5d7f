// CLI: a client's rules that propose (or make) changes on the ad platforms, and
// their replay over the client's history before they may act on their own.
import { Option, type Command } from 'commander';
import { AppError } from '../../errors.ts';
import { withContext } from '../context.ts';
import { int, json } from '../options.ts';
import { printJson, table } from '../output.ts';
import type { Group } from './index.ts';

const pctOf = (raw: string) => {
  const m = /^([+\-−]?\d+(?:\.\d+)?)\s*%?$/.exec(raw.trim());
  if (!m) throw new AppError('invalid_input', `--scale: "${raw}" is not a percentage like +20%`);
  return Number(m[1]!.replace('−', '-'));
};

export function register(program: Command, group: Group) {
  const rules = group('rules');
  rules
    .command('add')
    .description('a rule: when the brain is this sure a link or ad burns (or wins), propose the pause (or the budget step)')
    .requiredOption('--client <slug>')
    .requiredOption('--name <name>')
    .addOption(new Option('--when <verdict>', 'burning: pause it; winner: raise its budget').choices(['burning', 'winner']).makeOptionMandatory())
    .requiredOption('--min-probability <p>', 'how sure the brain must be (0.5–0.999, e.g. 0.95)', Number)
    .option('--min-spend <amount>', 'spent at least this since the change the verdict dates from (the client\'s currency)', '0')
    .option('--scale <percent>', 'winner: the budget step, at most ±30% ("+20%")')
    .option('--cooldown <days>', 'at most once every this many days per link or ad', int, 3)
    .option('--allow-provisional', 'act on verdicts resting only on days the platform may still restate')
    .addOption(json())
    .action(async (o) => {
      await withContext(async (ctx) => {
        const [{ getClientBySlug }, { toMinorUnits }, { ruleInputSchema }] = await Promise.all([import('../../domain/clients.ts'), import('../../domain/currency.ts'), import('../../ad-actions/rules.ts')]);
        const c = await getClientBySlug(ctx.db.prisma, o.client);
        const parsed = ruleInputSchema.safeParse({
          name: o.name, kind: o.when === 'burning' ? 'pause_burning' : 'scale_winner', minProbability: o.minProbability, minSpendCents: toMinorUnits(o.minSpend, c.currency, '--min-spend'),
          ...(o.scale !== undefined ? { percent: pctOf(o.scale) } : {}), cooldownDays: o.cooldown, allowProvisional: Boolean(o.allowProvisional),
        });
        const flag: Record<string, string> = { percent: 'scale', minProbability: 'min-probability', minSpendCents: 'min-spend', cooldownDays: 'cooldown', name: 'name' };
        if (!parsed.success) throw new AppError('invalid_input', parsed.error.issues.map((i) => `--${flag[String(i.path[0])] ?? String(i.path[0] ?? 'rule')}: ${i.message}`).join('; '));
        const { minSpendCents, ...rest } = parsed.data;
        const r = await ctx.db.prisma.actionRule.create({ data: { clientId: c.id, ...rest, minSpendCents: BigInt(minSpendCents) } }).catch((err: { code?: string }) => {
          if (err.code === 'P2002') throw new AppError('conflict', `${c.slug} already has a rule named "${o.name}"`);
          throw err;
        });
        await ctx.audit({ action: 'action_rule.create', entityType: 'action_rule', entityId: r.id, clientId: c.id, after: r });
        if (o.json) return printJson({ ...r, minSpendCents: Number(r.minSpendCents) });
        console.log(`rule "${r.name}" added in propose mode; see what it would have done: adbrain rules replay "${r.name}" --client ${c.slug}`);
      });
    });
  rules
    .command('list')
    .requiredOption('--client <slug>')
    .addOption(json())
    .action(async (o) => {
      await withContext(async (ctx) => {
        const { getClientBySlug } = await import('../../domain/clients.ts');
        const c = await getClientBySlug(ctx.db.prisma, o.client);
        const rows = await ctx.db.prisma.actionRule.findMany({ where: { clientId: c.id }, orderBy: { createdAt: 'asc' } });
        if (o.json) return printJson(rows.map((r) => ({ ...r, minSpendCents: Number(r.minSpendCents) })));
        if (rows.length === 0) return console.log('no rules');
        const { formatMoney } = await import('../../domain/currency.ts');
        console.log(table([['NAME', 'WHEN', 'SURE', 'MIN SPEND', 'STEP', 'MODE', 'REPLAYED'], ...rows.map((r) => [r.name, r.kind === 'pause_burning' ? 'burning → pause' : 'winner → budget', `${Math.round(r.minProbability * 100)}%`, formatMoney(Number(r.minSpendCents), c.currency), r.percent === null ? '' : `${r.percent > 0 ? '+' : ''}${r.percent}%`, r.enabled ? r.mode : 'off', r.replayedAt?.toISOString().slice(0, 10) ?? 'never'])]));
      });
    });
  rules
    .command('replay <name>')
    .description('what the rule would have done over the client\'s settled history — each day judged with nothing after it — and what that would have saved or cost')
    .requiredOption('--client <slug>')
    .option('--days <n>', 'days back from the last complete day', int, 90)
    .addOption(json())
    .action(async (name: string, o) => {
      await withContext(async (ctx) => {
        const [{ getClientBySlug }, { replayRule }, { formatMoney }, { lastCompleteDay }] = await Promise.all([import('../../domain/clients.ts'), import('../../ad-actions/rules.ts'), import('../../domain/currency.ts'), import('../../time.ts')]);
        const c = await getClientBySlug(ctx.db.prisma, o.client);
        const rule = await ctx.db.prisma.actionRule.findUnique({ where: { clientId_name: { clientId: c.id, name } } });
        if (!rule) throw new AppError('not_found', `${c.slug} has no rule named "${name}"`);
        if (o.days < 7 || o.days > 365) throw new AppError('invalid_input', '--days: 7 to 365');
        const r = await replayRule(ctx.db, c, rule, lastCompleteDay(c.timezone, ctx.config.now()), o.days);
        const summary = { fires: r.fires, netCents: r.netCents, right: r.right, wrong: r.wrong, from: r.from, to: r.to };
        await ctx.db.prisma.actionRule.update({ where: { id: rule.id }, data: { replayedAt: ctx.config.now(), replay: summary } });
        if (o.json) return printJson(r);
        const $ = (v: number | null) => (v === null ? '—' : formatMoney(v, c.currency));
        process.stderr.write(`${c.slug}: rule "${rule.name}" over ${r.from} → ${r.to}\n`);
        if (r.lines.length) console.log(table([['DAY', 'WHAT', 'SURE', 'SINCE', 'SPENT SINCE', 'PROFIT AFTER', rule.kind === 'pause_burning' ? 'SAVED' : 'GAINED'], ...r.lines.map((l) => [l.day, `${l.kind} ${l.name}`, `${Math.round(l.probability * 100)}%`, l.since, $(l.spendSinceCents), $(l.profitAfterCents), $(l.outcomeCents)])]));
        console.log(`${r.fires} time(s); ${r.right} right, ${r.wrong} wrong; net ${r.netCents >= 0 ? 'saved' : 'cost'} ${$(Math.abs(r.netCents))}${rule.kind === 'scale_winner' ? ' (estimated: the same ROI on the added budget)' : ''}`);
      });
    });
  rules
    .command('mode <name> <mode>')
    .description('propose (a person approves each change) or auto (after a replay; needs ADBRAIN_ACTIONS=auto to act), or off')
    .requiredOption('--client <slug>')
    .addOption(json())
    .action(async (name: string, mode: string, o) => {
      await withContext(async (ctx) => {
        if (!['propose', 'auto', 'off'].includes(mode)) throw new AppError('invalid_input', `mode: "${mode}" is not propose, auto or off`);
        const [{ getClientBySlug }, { checkAutoAllowed }] = await Promise.all([import('../../domain/clients.ts'), import('../../ad-actions/rules.ts')]);
        const c = await getClientBySlug(ctx.db.prisma, o.client);
        const rule = await ctx.db.prisma.actionRule.findUnique({ where: { clientId_name: { clientId: c.id, name } } });
        if (!rule) throw new AppError('not_found', `${c.slug} has no rule named "${name}"`);
        if (mode === 'auto') checkAutoAllowed(rule, ctx.config.now());
        const u = await ctx.db.prisma.actionRule.update({ where: { id: rule.id }, data: mode === 'off' ? { enabled: false } : { enabled: true, mode } });
        await ctx.audit({ action: 'action_rule.mode', entityType: 'action_rule', entityId: rule.id, clientId: c.id, before: { mode: rule.mode, enabled: rule.enabled }, after: { mode: u.mode, enabled: u.enabled } });
        if (o.json) return printJson({ name: u.name, mode: u.mode, enabled: u.enabled });
        console.log(`rule "${u.name}": ${u.enabled ? u.mode : 'off'}${u.mode === 'auto' && ctx.config.actions !== 'auto' ? ' (it proposes until ADBRAIN_ACTIONS=auto)' : ''}`);
      });
    });
}
