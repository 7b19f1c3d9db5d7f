// CLI: reference exchange rates (fx load / fetch / show) and the agency roll-up
// across clients in the agency's currency (agencies rollup).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { AppError } from '../../errors.ts';
import { DEFAULT_FROM } from '../../config.ts';
import { withContext } from '../context.ts';
import { day, int, json } from '../options.ts';
import { printJson, table } from '../output.ts';
import type { Group } from './index.ts';

export function register(program: Command, group: Group) {
  const fx = group('fx');
  fx.command('load <file>')
    .description('load ECB reference rates from its CSV (eurofxref-hist.csv or eurofxref.csv); a rate already loaded for its day is replaced')
    .addOption(json())
    .action(async (file: string, o: { json?: boolean }) => {
      const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
        throw new AppError('invalid_input', `cannot read ${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
      });
      const { parseEcbCsv } = await import('../../fx/ecb.ts');
      const rates = parseEcbCsv(text, path.basename(file));
      await withContext(async ({ db, audit }) => {
        const { storeRates } = await import('../../fx/rates.ts');
        const r = await storeRates(db, rates, `file ${path.basename(file)}`);
        await audit({ action: 'fx.load', entityType: 'fx_rate', after: r });
        if (o.json) return printJson(r);
        console.log(`loaded ${r.rows.toLocaleString('en-US')} rates of ${r.currencies.length} currencies, ${r.from} to ${r.to}`);
      });
    });
  fx.command('fetch')
    .description('fetch the rates from ADBRAIN_FX_URL (a URL serving the ECB CSV format) and load them')
    .addOption(json())
    .action(async (o: { json?: boolean }) => {
      await withContext(async ({ db, config, audit }) => {
        if (!config.fx.url) throw new AppError('config', 'set ADBRAIN_FX_URL to a URL serving the ECB reference rates as CSV, or load a file: adbrain fx load eurofxref-hist.csv');
        const [{ fetchEcbRates }, { storeRates }] = await Promise.all([import('../../fx/fetch.ts'), import('../../fx/rates.ts')]);
        const r = await storeRates(db, await fetchEcbRates(config.fx.url), `url ${new URL(config.fx.url).host}`);
        await audit({ action: 'fx.load', entityType: 'fx_rate', after: r });
        if (o.json) return printJson(r);
        console.log(`fetched ${r.rows.toLocaleString('en-US')} rates of ${r.currencies.length} currencies, ${r.from} to ${r.to}`);
      });
    });
  fx.command('show')
    .description('the rate between two currencies on a day, as the roll-up uses it')
    .requiredOption('--from <code>')
    .requiredOption('--to <code>')
    .option('--date <YYYY-MM-DD>', 'the day (default: today, UTC)', day)
    .addOption(json())
    .action(async (o: { from: string; to: string; date?: string; json?: boolean }) => {
      await withContext(async ({ db, config }) => {
        const { converterFor } = await import('../../fx/rates.ts');
        const d = o.date ?? config.now().toISOString().slice(0, 10);
        const [from, to] = [o.from.toUpperCase(), o.to.toUpperCase()];
        const r = (await converterFor(db, [from, to], { from: d, to: d })).rate(from, to, d);
        if (o.json) return printJson({ from, to, date: d, ...r });
        console.log(`1 ${from} = ${r.rate.toPrecision(6)} ${to} on ${d} (rate of ${r.day})`);
      });
    });

  group('agencies')
    .command('rollup <slug>')
    .description('the agency across its clients in its currency: spend, revenue, profit, ROAS per client, the clients most at risk, open critical insights; sent once per period to the agency\'s notify list')
    .addOption(new Option('--period <kind>', 'the day, or the week / last complete month up to --date').choices(['daily', 'weekly', 'monthly']).default('daily'))
    .option('--date <YYYY-MM-DD>', 'the last day (default: yesterday, UTC)', day)
    .option('--send', 'send it (Resend, or the outbox without it), once per period')
    .option('--schedule <list>', 'send it by itself: daily, weekly:<mon…sun>, monthly:<1…28>, comma-separated ("none" to stop); at --hour in the agency\'s time zone')
    .option('--hour <0-23>', 'the local hour scheduled roll-ups go out (default 9)', int)
    .option('--out <dir>', 'write rollup.html, rollup.txt and rollup.pdf to look at instead')
    .addOption(json())
    .action(async (slug: string, o: { period: 'daily' | 'weekly' | 'monthly'; date?: string; send?: boolean; out?: string; schedule?: string; hour?: number; json?: boolean }) => {
      await withContext(async (ctx) => {
        const { getAgencyBySlug } = await import('../../domain/agencies.ts');
        const { rollupPeriod, renderAgencyRollup, deliverAgencyRollup } = await import('../../reports/agency-report.ts');
        const agency = await getAgencyBySlug(ctx.db.prisma, slug);
        if (o.schedule !== undefined || o.hour !== undefined) {
          const { schedulesSchema } = await import('../../reports/periods.ts');
          const list = o.schedule === undefined ? agency.rollupSchedules : o.schedule === 'none' ? [] : o.schedule.split(',').map((x) => x.trim()).filter(Boolean);
          const parsed = schedulesSchema.safeParse(list);
          if (!parsed.success) throw new AppError('invalid_input', `--schedule: ${parsed.error.issues.map((i) => `${i.path.length ? `value ${Number(i.path[0]) + 1}: ` : ''}${i.message}`).join('; ')}`);
          if (o.hour !== undefined && (o.hour < 0 || o.hour > 23)) throw new AppError('invalid_input', '--hour: 0 to 23');
          const u = await ctx.db.prisma.agency.update({ where: { id: agency.id }, data: { rollupSchedules: parsed.data, ...(o.hour !== undefined && { rollupHour: o.hour }) } });
          await ctx.audit({ action: 'agency.update', entityType: 'agency', entityId: agency.id, agencyId: agency.id, before: { rollupSchedules: agency.rollupSchedules, rollupHour: agency.rollupHour }, after: { rollupSchedules: u.rollupSchedules, rollupHour: u.rollupHour } });
          if (o.json) return printJson({ agency: slug, rollupSchedules: u.rollupSchedules, rollupHour: u.rollupHour });
          return console.log(u.rollupSchedules.length ? `${slug}: roll-ups ${u.rollupSchedules.join(', ')} at ${u.rollupHour}:00 (${u.timezone}) to ${u.notifyEmails.join(', ') || 'nobody yet: adbrain agencies notify'}` : `${slug}: no scheduled roll-ups`);
        }
        const date = o.date ?? new Date(ctx.config.now().getTime() - 86_400_000).toISOString().slice(0, 10);
        const period = rollupPeriod(o.period, date);
        if (o.send) {
          const { senderFor } = await import('../../reports/senders.ts');
          const r = await deliverAgencyRollup(ctx.db, agency.id, period, { sender: senderFor(ctx.config.email, ctx.config.outboxDir), from: ctx.config.email.from ?? DEFAULT_FROM, now: ctx.config.now() });
          if (o.json) return printJson({ agency: slug, period, ...r });
          return console.log(`${slug} roll-up ${period.from} – ${period.to}: ${r.status === 'already-delivered' ? `already delivered (${r.location}); not sent again` : r.provider === 'resend' ? `sent via Resend (${r.location})` : `written to ${r.location}`}`);
        }
        const r = await renderAgencyRollup(ctx.db, agency.id, period);
        if (o.out) {
          const { inlineImages, logoParts } = await import('../../branding/email.ts');
          await mkdir(o.out, { recursive: true });
          await Promise.all([writeFile(path.join(o.out, 'rollup.html'), inlineImages(r.html, logoParts(r.brand))), writeFile(path.join(o.out, 'rollup.txt'), r.text), writeFile(path.join(o.out, 'rollup.pdf'), r.pdf)]);
        }
        if (o.json) return printJson(r.rollup);
        const cur = r.rollup.agency.currency;
        const { money, ratio } = await import('../../reports/format.ts');
        console.log(`${r.view.headline}\n`);
        console.log(table([['CLIENT', 'CURRENCY', `SPEND ${cur}`, `REVENUE ${cur}`, `PROFIT ${cur}`, 'ROAS', 'BURNING', 'CRITICAL'], ...r.rollup.clients.map((c) => [c.slug, c.currency, money(c.kpis.spendCents, cur), money(c.kpis.revenueCents, cur), money(c.kpis.profitCents, cur), ratio(c.kpis.roas), c.burning ? money(c.burning.spendCents, cur) : '—', String(c.critical.length)])]));
        for (const x of r.rollup.rates) console.log(`1 ${x.currency} = ${x.rate.toPrecision(6)} ${cur} (rate of ${x.day})`);
        if (o.out) console.log(`\nwritten to ${o.out}/rollup.html, rollup.txt, rollup.pdf`);
      });
    });
}
