import { setExitCode } from '../remote-context.ts';
import { actionLinkSignerOf } from '../../actions/key.ts';
import { smsSenderOf } from '../../sms/twilio.ts';
import { type Command } from 'commander';
import { day, int, json } from '../options.ts';
import { credentialKey } from '../../sources/sync.ts';
import { getClientBySlug, listClients } from '../../domain/clients.ts';
import { AppError } from '../../errors.ts';
import { printJson } from '../output.ts';
import { withContext, type Ctx } from '../context.ts';
import type { DayResult } from '../../run/day.ts';
import { lastCompleteDay } from '../../time.ts';
import { summaryOf, type Group } from './index.ts';
import { brainProgress } from '../progress.ts';

export function register(program: Command, group: Group) {
  // ---- demo, run, start ------------------------------------------------------------
  program
    .command('demo')
    .description(summaryOf('demo'))
    .option('--seed <n>', 'simulator seed', int, 42)
    .option('--days <n>', 'days of history', int, 150)
    .option('--end <date>', "last simulated day of every client (default: each client's last complete day in its timezone)", day)
    .addOption(json())
    .action(async (o) => {
      await withContext(async (ctx) => {
        const s = await demo(ctx, o);
        if (o.json) printJson(s);
      });
    });


  program
    .command('run')
    .description(summaryOf('run'))
    .option('--client <slug>')
    .option('--as-of <date>', 'last complete day to use (default: yesterday in each client\'s timezone)', day)
    .addOption(json())
    .action(async (o) => {
      await withContext(async (ctx) => {
        const results = await runDays(ctx, { ...o, checkAsOf: true });
        if (o.json) printJson({ results });
        if (results.some((r) => !r.ok)) setExitCode(1);
      });
    });


  program
    .command('start')
    .description(summaryOf('start'))
    .addOption(json())
    .action(async (o) => {
      await withContext(async (ctx) => {
        const t0 = performance.now();
        const d = await demo(ctx, { seed: 42, days: 150, json: o.json });
        // Each client on its own last complete day (what the demo simulated through).
        const ends = new Map(d.clients.map((c) => [c.slug, c.to]));
        const results = await runDays(ctx, { agency: d.agency, json: o.json, asOfOf: (slug) => ends.get(slug) });
        if (o.json) printJson({ demo: d, results });
        else ctx.log(`done in ${((performance.now() - t0) / 1000).toFixed(1)} s — reports are in ${ctx.config.outboxDir}`);
        if (results.some((r) => !r.ok)) setExitCode(1);
      });
    });
}

async function demo(ctx: Ctx, o: { seed: number; days: number; end?: string; json?: boolean }) {
  const { runDemo } = await import('../../demo/demo.ts');
  const now = ctx.config.now();
  // Each client's data ends on its own last complete day, the day its run judges:
  // a Los Angeles client is not shown a day that has not ended there.
  const end = o.end ?? ((tz: string) => lastCompleteDay(tz, now));
  const t0 = performance.now();
  const { simulation: _sim, ...s } = await runDemo(ctx.db, { endDate: end, seed: o.seed, days: o.days, dataDir: ctx.config.dataDir });
  const agency = await ctx.db.prisma.agency.findUnique({ where: { slug: s.agency } });
  await ctx.audit({ action: 'demo.create', entityType: 'agency', entityId: agency?.id, agencyId: agency?.id, after: { seed: s.seed, from: s.from, to: s.to, clients: s.clients.map((c) => c.slug) } });
  if (!o.json) {
    // What was made is the command's result (stdout); `start` goes on with the runs' progress on stderr.
    console.log(`demo agency ready: ${s.clients.length} clients, ${s.from} → ${s.to}, seed ${s.seed} (${Math.round(performance.now() - t0)} ms)`);
    for (const c of s.clients) console.log(`  ${c.slug.padEnd(15)} ${c.name.padEnd(22)} ${c.entities} entities, ${c.metricRows} daily rows through ${c.to} (${c.timezone})`);
    console.log(`  ground truth: ${s.groundTruthFile} (${s.events} events)`);
  }
  return s;
}

async function runDays(ctx: Ctx, o: { client?: string; asOf?: string; asOfOf?: (slug: string) => string | undefined; json?: boolean; agency?: string; checkAsOf?: boolean }): Promise<DayResult[]> {
  const now = ctx.config.now();
  const targets = o.client ? [await getClientBySlug(ctx.db.prisma, o.client)] : await listClients(ctx.db.prisma, { agency: o.agency });
  if (targets.length === 0) throw new AppError('not_found', 'no clients to run: add one with `adbrain clients add <slug>` or run `adbrain demo`');
  const results: DayResult[] = [];
  const live = !o.json;
  // A day the user names must make sense for every client before any of them runs.
  const { runClientDay } = await import('../../run/day.ts');
  const { checkAsOf } = await import('../../analysis/as-of.ts');
  if (o.asOf && o.checkAsOf) for (const c of targets) await checkAsOf(ctx.db, c, o.asOf, now, { field: '--as-of', requireData: false });
  for (const c of targets) {
    const asOf = o.asOf ?? o.asOfOf?.(c.slug) ?? lastCompleteDay(c.timezone, now);
    if (live) ctx.log(`▸ ${c.slug} — ${asOf}`);
    const progress = live ? brainProgress(`  … ${c.slug}`) : { onProgress: undefined, end: () => undefined };
    const r = await runClientDay(
      {
        db: ctx.db, client: c, asOf, now, outboxDir: ctx.config.outboxDir, llm: ctx.config.llm, email: ctx.config.email, dbRetry: ctx.config.dbRetry, actionLinks: actionLinkSignerOf(ctx.config), sms: smsSenderOf(ctx.config),
        sources: ctx.config.sources, encryptionKey: credentialKey(ctx.config), actions: ctx.config.actions, onLog: (line) => ctx.log(`  … ${line}`), onBrainProgress: progress.onProgress,
        onRetry: (step, attempt, message) => ctx.log(`  … ${step}: ${message} — retry ${attempt} of ${ctx.config.dbRetry.retries}`),
      },
      {
        onStep: (name, s) => {
          progress.end();
          if (live) ctx.log(`  ${s.status === 'failed' ? '✗' : s.status === 'ok' ? '✓' : '·'} ${name.padEnd(8)} ${s.detail} (${s.ms} ms)`);
        },
      },
    );
    results.push(r);
  }
  // Agency roll-ups whose day it is, once each (a run of one client leaves them to the full run).
  if (!o.client) {
    const { sendDueRollups } = await import('../../reports/rollup-schedule.ts');
    const { senderFor } = await import('../../reports/senders.ts');
    for (const agencyId of new Set(targets.map((c) => c.agencyId))) {
      for (const x of await sendDueRollups(ctx.db, agencyId, { sender: senderFor(ctx.config.email, ctx.config.outboxDir), from: ctx.config.email.from, now })) {
        if (live) ctx.log(`${x.result.status === 'failed' ? '✗' : '✓'} roll-up ${x.agency} ${x.kind} ${x.from} – ${x.to}: ${x.result.status === 'failed' ? x.result.error : x.result.status === 'delivered' ? `sent (${x.result.location})` : 'already delivered'}`);
      }
    }
  }
  return results;
}
