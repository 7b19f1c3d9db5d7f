// CLI: the report on demand, alert checks and the kill list.
import { actionLinkSignerOf } from '../../actions/key.ts';
import { smsSenderOf } from '../../sms/twilio.ts';
import { checkAsOf } from '../../analysis/as-of.ts';
import { Option, type Command } from 'commander';
import { DEFAULT_FROM } from '../../config.ts';
import { getClientBySlug, listClients } from '../../domain/clients.ts';
import { findEntity, killEntity, restoreEntity } from '../../domain/entities.ts';
import { AppError } from '../../errors.ts';
// The report renderer, the alerts and the senders load only when a command needs them (start-up).
import { addDays, lastCompleteDay } from '../../time.ts';
import { money } from '../../reports/format.ts';
import { LINK_SORTS } from '../../reports/link-table.ts';
import { withContext, type Ctx } from '../context.ts';
import { day, int, json } from '../options.ts';
import { printJson, table } from '../output.ts';
import { summaryOf, type Group } from './index.ts';

async function chooseSender(ctx: Ctx, o: { send?: boolean; outbox?: boolean }) {
  const { outboxSender, resendSender, senderFor } = await import('../../reports/senders.ts');
  if (o.send && o.outbox) throw new AppError('invalid_input', 'choose one of --send and --outbox');
  if (o.send) {
    if (!ctx.config.email.resend) throw new AppError('config', '--send needs RESEND_API_KEY');
    return resendSender(ctx.config.email.resend);
  }
  if (o.outbox) return outboxSender(ctx.config.outboxDir);
  return senderFor(ctx.config.email, ctx.config.outboxDir);
}

export function register(program: Command, group: Group) {
  program
    .command('report')
    .description(summaryOf('report'))
    .requiredOption('--client <slug>')
    .option('--date <YYYY-MM-DD>', 'the report day (default: yesterday in the client\'s timezone)', day)
    .option('--send', 'send through Resend (needs RESEND_API_KEY)')
    .option('--outbox', 'write to the outbox folder instead of sending')
    .option('--rerender', 'make the day\'s report again from today\'s data and settings, into the outbox, as a correction (the report log keeps both)')
    .option('--send-correction', 'make it again and email it once more, marked as a correction, under its own idempotency key (needs RESEND_API_KEY)')
    .addOption(new Option('--period <kind>', 'a weekly report (the 7 days up to --date) or a monthly one (the last month complete by --date), once per period').choices(['weekly', 'monthly']))
    .addOption(json())
    .action(async (o) => {
      await withContext(async (ctx) => {
        const c = await getClientBySlug(ctx.db.prisma, o.client);
        if (o.date) await checkAsOf(ctx.db, c, o.date, ctx.config.now(), { field: '--date', requireData: false });
        const date = o.date ?? lastCompleteDay(c.timezone, ctx.config.now());
        if (o.period) {
          if (o.rerender || o.sendCorrection) throw new AppError('invalid_input', '--period sends a weekly or monthly report once; --rerender and --send-correction are for daily reports');
          const [{ periodEndingBy }, { deliverPeriodReport }] = await Promise.all([import('../../reports/periods.ts'), import('../../reports/period-report.ts')]);
          const period = periodEndingBy(o.period, date);
          const r = await deliverPeriodReport(ctx.db, c, period, { sender: await chooseSender(ctx, o), from: ctx.config.email.from ?? DEFAULT_FROM, now: ctx.config.now(), links: actionLinkSignerOf(ctx.config) });
          if (o.json) return printJson({ client: c.slug, ...r });
          return console.log(`${c.slug} ${o.period} ${r.from} – ${r.to}: ${r.status === 'already-delivered' ? `already delivered (${r.provider}: ${r.location}); not sent again` : r.provider === 'resend' ? `sent via Resend (${r.location})` : `written to ${r.location}`}`);
        }
        if (o.rerender || o.sendCorrection) {
          if (o.rerender && o.sendCorrection) throw new AppError('invalid_input', 'choose one of --rerender and --send-correction');
          if (o.send || o.outbox) throw new AppError('invalid_input', '--rerender writes to the outbox and --send-correction sends: leave out --send and --outbox');
          const { remakeDailyReport } = await import('../../reports/daily-report.ts');
          const sender = await chooseSender(ctx, o.sendCorrection ? { send: true } : { outbox: true });
          const r = await remakeDailyReport(ctx.db, c, date, { sender, from: ctx.config.email.from ?? DEFAULT_FROM, now: ctx.config.now(), links: actionLinkSignerOf(ctx.config) });
          if (o.json) return printJson({ client: c.slug, date, correction: r.correction, provider: r.provider, location: r.location, reportId: r.reportId });
          return console.log(`${c.slug} ${date}: correction ${r.correction} ${r.provider === 'resend' ? `sent via Resend (${r.location})` : `written to ${r.location}`}`);
        }
        const { deliverDailyReport } = await import('../../reports/daily-report.ts');
        const r = await deliverDailyReport(ctx.db, c, date, {
          sender: await chooseSender(ctx, o),
          from: ctx.config.email.from ?? DEFAULT_FROM,
          now: ctx.config.now(),
          links: actionLinkSignerOf(ctx.config),
        });
        if (o.json) printJson({ client: c.slug, date, status: r.status, provider: r.provider, location: r.location, reportId: r.reportId });
        else if (r.status === 'already-delivered') console.log(`${c.slug} ${date}: already delivered (${r.provider}: ${r.location}); not sent again — --rerender makes it again from today's data, --send-correction emails that as a correction`);
        else console.log(`${c.slug} ${date}: ${r.provider === 'resend' ? `sent via Resend (${r.location})` : `written to ${r.location}`}`);
      });
    });

  const alerts = group('alerts');
  alerts
    .command('check')
    .description('evaluate the alert rules now and send what is due (cooldown and escalation apply)')
    .option('--client <slug>', 'one client (default: all)')
    .addOption(json())
    .action(async (o) => {
      await withContext(async (ctx) => {
        const targets = o.client ? [await getClientBySlug(ctx.db.prisma, o.client)] : await listClients(ctx.db.prisma);
        const { senderFor } = await import('../../reports/senders.ts');
        const { checkAlerts } = await import('../../alerts/check.ts');
        const sender = senderFor(ctx.config.email, ctx.config.outboxDir);
        const results = [];
        for (const c of targets) {
          results.push(await checkAlerts(ctx.db, c, { now: ctx.config.now(), sender, from: ctx.config.email.from, links: actionLinkSignerOf(ctx.config), sms: smsSenderOf(ctx.config), onWait: (m) => process.stderr.write(`adbrain: ${m}\n`) }));
        }
        if (o.json) return printJson({ results });
        for (const r of results) {
          console.log(`${r.client} (today so far, ${r.window.to}): ${r.sent.length} sent, ${r.suppressed.length} held back`);
          for (const s of r.sent) console.log(`  ✉ ${s.rule} ${s.entity} (level ${s.level}, ${s.why})`);
          for (const s of r.suppressed) console.log(`  · ${s.rule} ${s.entity} (level ${s.level}, ${s.why})`);
        }
      });
    });

  const links = group('links');
  for (const action of ['kill', 'restore'] as const) {
    links
      .command(`${action} <entity>`)
      .description(action === 'kill' ? 'mark a link or ad as killed (its history stays)' : 'take a link or ad off the kill list')
      .requiredOption('--client <slug>')
      .option('--reason <text>')
      .addOption(json())
      .action(async (ref, o) => {
        await withContext(async ({ db, audit, config }) => {
          const c = await getClientBySlug(db.prisma, o.client);
          const e = await findEntity(db.prisma, c.id, ref);
          const u = action === 'kill' ? await killEntity(db.prisma, e.id, { reason: o.reason }) : await restoreEntity(db.prisma, e.id);
          await audit({ action: `entity.${action}`, entityType: e.kind, entityId: e.id, clientId: c.id, before: { status: e.status, killedReason: e.killedReason }, after: { status: u.status, killedReason: u.killedReason } });
          if (o.json) printJson({ id: u.id, kind: u.kind, name: u.name, status: u.status, killedAt: u.killedAt, killedReason: u.killedReason });
          else console.log(`${u.kind} ${u.name}: ${u.status}${u.killedReason ? ` (${u.killedReason})` : ''}`);
          // Killing stops adbrain's alerts, not the spend: offer the pause on the platform when its account is connected.
          if (action === 'kill' && config.actions !== 'off') {
            const { resolveEntity } = await import('../../ad-actions/targets.ts');
            const pausable = await resolveEntity(db.prisma, u.id).then(() => true, () => false);
            if (pausable) process.stderr.write(`adbrain: it still runs on ${u.platform}; to pause it there: adbrain actions propose ${u.id.slice(0, 8)} --client ${o.client} --pause\n`);
          }
        });
      });
  }
  links
    .command('list')
    .description('every link and ad of a client with its last 7 days: spend, revenue, profit, ROI and the brain’s verdict (how sure, since when; worst profit first with --sort profit)')
    .requiredOption('--client <slug>')
    .option('--as-of <date>', 'last day of the 7 (default: yesterday in the client timezone)', day)
    .addOption(new Option('--sort <by>', 'spend and revenue: most first; profit and ROI: worst first').choices(LINK_SORTS).default('spend'))
    .option('--killed', 'only the kill list')
    .option('--live', 'only those not killed')
    .addOption(json())
    .action(async (o) => {
      await withContext(async ({ db, config }) => {
        const { linkTable } = await import('../../reports/link-table.ts');
        const c = await getClientBySlug(db.prisma, o.client);
        const asOf = o.asOf ?? lastCompleteDay(c.timezone, config.now());
        const rows = await linkTable(db, c, asOf, { sort: o.sort, killed: o.killed ? true : o.live ? false : undefined });
        if (o.json) return printJson({ client: c.slug, from: addDays(asOf, -6), to: asOf, currency: c.currency, links: rows });
        if (rows.length === 0) return console.log(o.killed ? 'no killed links or ads' : 'no links or ads yet');
        const $ = (v: number | null) => (v === null ? '—' : money(v, c.currency));
        const pct = (v: number | null) => (v === null ? '—' : `${Math.round(v * 100)}%`);
        process.stderr.write(`${c.slug}, ${addDays(asOf, -6)} → ${asOf} (${c.currency})\n`);
        console.log(table([['KIND', 'NAME', 'SPEND', 'REVENUE', 'PROFIT', 'ROI', 'VERDICT', 'UNDER', 'ID'], ...rows.map((l) => [
          l.kind, l.name, $(l.spendCents), $(l.revenueCents), $(l.profitCents), pct(l.roi), l.killed ? 'killed' : l.verdict ? `${l.verdict} ${pct(l.probability)} since ${l.since}` : '', l.path, l.id.slice(0, 8),
        ])]));
      });
    });
}
