// The agency roll-up across three currencies: each client day converted at that
// day's ECB rate (Friday's on a weekend), checked against totals converted here by
// hand from the same CSV; the rate and its date shown; a missing rate refused by
// name, never taken as 1; rates from a file or a provider URL; sent once.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { InngestTestEngine } from '@inngest/test';
import { Inngest } from 'inngest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { createRollupSweepFunction } from '../src/functions/orchestration.ts';
import { patchBrand } from '../src/branding/store.ts';
import { parseBrandPatch } from '../src/branding/settings.ts';
import { addAgency } from '../src/domain/agencies.ts';
import { addClient } from '../src/domain/clients.ts';
import { parseEcbCsv } from '../src/fx/ecb.ts';
import { fetchEcbRates } from '../src/fx/fetch.ts';
import { storeRates } from '../src/fx/rates.ts';
import { importCsv } from '../src/import/import-csv.ts';
import { buildAgencyRollup } from '../src/reports/agency-rollup.ts';
import { deliverAgencyRollup, renderAgencyRollup, rollupPeriod } from '../src/reports/agency-report.ts';
import { resendSender } from '../src/reports/senders.ts';
import { addDays } from '../src/time.ts';
import { freshDb, type TestDb } from './helpers/db.ts';
import { startFakeResend, type FakeResend } from './fakes/resend-server.ts';

// The ECB history format: newest first, business days only, a trailing comma, N/A where a currency had none.
const ECB = [
  'Date,USD,JPY,GBP,',
  '2026-11-30,1.0561,158.47,N/A,',
  '2026-11-27,1.0543,157.92,0.8321,',
  '2026-11-26,1.0527,158.10,0.8315,',
  '2026-11-25,1.0498,157.66,0.8302,',
  '2026-11-24,1.0512,157.31,0.8298,',
  '2026-11-23,1.0476,156.98,0.8290,',
  '2026-11-20,1.0455,156.40,0.8281,',
  '2026-11-19,1.0449,156.22,0.8279,',
  '2026-11-18,1.0460,156.31,0.8285,',
  '2026-11-17,1.0471,156.55,0.8287,',
  '2026-11-16,1.0480,156.70,0.8290,',
].join('\n');

/** USD (or JPY) per EUR on a day as the test reads the CSV: the latest business day on or before it. */
function perEur(currency: string, day: string): number {
  if (currency === 'EUR') return 1;
  const [head, ...rows] = ECB.split('\n').map((l) => l.split(','));
  const col = head!.indexOf(currency);
  const row = rows.filter((r) => r[0]! <= day).sort((a, b) => (a[0]! < b[0]! ? 1 : -1))[0]!;
  return Number(row[col]);
}
const DIGITS: Record<string, number> = { USD: 2, EUR: 2, JPY: 0 };
const toUsdCents = (minor: number, currency: string, day: string) => Math.round(minor * (perEur('USD', day) / perEur(currency, day)) * 10 ** (2 - DIGITS[currency]!));

const HEADER = 'date,platform,account,campaign,ad,spend,impressions,clicks,conversions,revenue';
type Row = { date: string; spend: number; revenue: number };
/** Days of one campaign, amounts in the client's minor units (yen are whole). */
function days(from: string, to: string, seed: number, currency: string): Row[] {
  const out: Row[] = [];
  let s = seed;
  const rnd = () => ((s = (s * 16807) % 2147483647) / 2147483647);
  const scale = currency === 'JPY' ? 150 : 1;
  for (let d = from; d <= to; d = addDays(d, 1)) {
    const spend = Math.round((5000 + rnd() * 40000) * scale / (currency === 'JPY' ? 100 : 1));
    out.push({ date: d, spend, revenue: Math.round(spend * (0.5 + rnd() * 2)) });
  }
  return out;
}
const csv = (rs: Row[], currency: string) => [HEADER, ...rs.map((r) => {
  const f = (m: number) => (currency === 'JPY' ? String(m) : (m / 100).toFixed(2));
  return `${r.date},meta,Acc,Camp,Ad,${f(r.spend)},1000,20,2,${f(r.revenue)}`;
})].join('\n');

describe('the agency roll-up in three currencies', () => {
  let db: TestDb;
  let fake: FakeResend;
  let agencyId: string;
  const data: Record<string, { currency: string; rows: Row[] }> = {
    'us-shop': { currency: 'USD', rows: days('2026-11-16', '2026-11-29', 3, 'USD') },
    'de-shop': { currency: 'EUR', rows: days('2026-11-16', '2026-11-29', 5, 'EUR') },
    'jp-shop': { currency: 'JPY', rows: days('2026-11-16', '2026-11-29', 7, 'JPY') },
  };

  beforeAll(async () => {
    db = await freshDb('pglite');
    fake = await startFakeResend();
    agencyId = (await addAgency(db.prisma, { slug: 'trio', name: 'Trio Agency', currency: 'USD', timezone: 'UTC' })).id;
    for (const [slug, d] of Object.entries(data)) {
      await addClient(db.prisma, { slug, name: slug, agency: 'trio', currency: d.currency, timezone: 'UTC' });
      await importCsv(db, Buffer.from(csv(d.rows, d.currency)), `${slug}.csv`, { clientSlug: slug, now: new Date('2026-11-30T08:00:00Z') });
    }
  }, 120_000);
  afterAll(async () => {
    await fake?.close();
    await db?.destroy();
  });

  it('refuses while a rate is missing, naming the currency and the day; nothing is taken as 1', async () => {
    await expect(buildAgencyRollup(db, agencyId, rollupPeriod('weekly', '2026-11-29'))).rejects.toThrow(/no EUR→(JPY|USD) reference rate on 2026-11-\d\d or the 7 days before: load the ECB rates/);
  });

  it('converts each client day at that day\'s rate (Friday\'s on the weekend), as converted by hand', async () => {
    const loaded = await storeRates(db, parseEcbCsv(ECB), 'test');
    expect(loaded).toMatchObject({ rows: 32, from: '2026-11-16', to: '2026-11-30', currencies: ['GBP', 'JPY', 'USD'] });
    const period = rollupPeriod('weekly', '2026-11-29');
    expect(period).toMatchObject({ from: '2026-11-23', to: '2026-11-29', previous: { from: '2026-11-16', to: '2026-11-22' } });
    const r = await buildAgencyRollup(db, agencyId, period);
    let spend = 0, revenue = 0, prevSpend = 0;
    for (const [slug, d] of Object.entries(data)) {
      const inWeek = d.rows.filter((x) => x.date >= period.from && x.date <= period.to);
      const want = { spend: inWeek.reduce((a, x) => a + toUsdCents(x.spend, d.currency, x.date), 0), revenue: inWeek.reduce((a, x) => a + toUsdCents(x.revenue, d.currency, x.date), 0) };
      const got = r.clients.find((c) => c.slug === slug)!;
      expect(got.kpis.spendCents, slug).toBe(want.spend);
      expect(got.kpis.revenueCents, slug).toBe(want.revenue);
      expect(got.own.spendCents, `${slug} in its own currency`).toBe(inWeek.reduce((a, x) => a + x.spend, 0));
      spend += want.spend;
      revenue += want.revenue;
      prevSpend += d.rows.filter((x) => x.date >= period.previous.from && x.date <= period.previous.to).reduce((a, x) => a + toUsdCents(x.spend, d.currency, x.date), 0);
    }
    expect(r.total).toMatchObject({ spendCents: spend, revenueCents: revenue, profitCents: revenue - spend });
    expect(r.previousTotal.spendCents).toBe(prevSpend);
    expect(r.change.vsPrevious.spendCents).toBeCloseTo((spend - prevSpend) / prevSpend, 12);
    expect(r.lastYearTotal).toBeNull();
    // The rates at the week's end (Sunday): Friday's, and they say so.
    expect(r.rates).toEqual([
      { currency: 'EUR', rate: 1.0543, day: '2026-11-27' },
      { currency: 'JPY', rate: expect.closeTo(1.0543 / 157.92, 12), day: '2026-11-27' },
    ]);
    const text = (await renderAgencyRollup(db, agencyId, period)).text.replace(/\s+/g, ' ');
    expect(text).toContain(`At 2026-11-29: 1 EUR = 1.05430 USD (rate of 2026-11-27); 1 JPY = ${(1.0543 / 157.92).toPrecision(6)} USD (rate of 2026-11-27).`);
    expect(text).toContain(`All clients $${(spend / 100).toLocaleString('en-US', { minimumFractionDigits: 2 })}`);
  });

  it('a rate older than a week is refused, not carried on', async () => {
    const far = rollupPeriod('daily', '2026-12-09');
    await addClient(db.prisma, { slug: 'late', agency: 'trio', currency: 'EUR', timezone: 'UTC' });
    await importCsv(db, Buffer.from(csv([{ date: '2026-12-09', spend: 1000, revenue: 2000 }], 'EUR')), 'late.csv', { clientSlug: 'late', now: new Date('2026-12-10T08:00:00Z') });
    await expect(buildAgencyRollup(db, agencyId, far)).rejects.toThrow(/no EUR→USD reference rate on 2026-12-09 or the 7 days before \(the latest is of 2026-11-30\)/);
    await db.prisma.client.delete({ where: { slug: 'late' } });
  });

  it('is sent once per period to the agency\'s addresses, under its brand', async () => {
    const period = rollupPeriod('weekly', '2026-11-29');
    const sender = resendSender({ apiKey: 're_test', baseURL: fake.url, retries: 1, minTimeoutMs: 5 });
    await expect(deliverAgencyRollup(db, agencyId, period, { sender, from: 'reports@trio.example', now: new Date('2026-11-30T09:00:00Z') })).rejects.toThrow(/agencies notify trio/);
    await db.prisma.agency.update({ where: { id: agencyId }, data: { notifyEmails: ['boss@trio.example'] } });
    await patchBrand(db, { agencyId }, parseBrandPatch({ name: 'Trio Growth' }));
    const first = await deliverAgencyRollup(db, agencyId, period, { sender, from: 'reports@trio.example', now: new Date('2026-11-30T09:00:00Z') });
    const again = await deliverAgencyRollup(db, agencyId, period, { sender, from: 'reports@trio.example', now: new Date('2026-11-30T10:00:00Z') });
    expect([first.status, again.status]).toEqual(['delivered', 'already-delivered']);
    expect(fake.sent.size).toBe(1);
    const mail = [...fake.sent.values()][0]!.body;
    expect(mail.to).toEqual(['boss@trio.example']);
    expect(mail.subject).toMatch(/^Trio Agency: \$[\d,.]+ profit on \$[\d,.]+ of spend across 3 clients, 23 – 29 November 2026/);
    expect(`${mail.subject}${mail.html}${mail.text}${mail.from}`).not.toMatch(/adbrain/i);
    expect(mail.attachments.map((a: { filename: string }) => a.filename)).toEqual(['rollup-weekly.pdf']);
  });
});

describe('scheduled roll-ups', () => {
  let db: TestDb;
  let fake: FakeResend;
  const inngest = new Inngest({ id: 'adbrain-test', isDev: true });
  beforeAll(async () => {
    db = await freshDb('pglite');
    fake = await startFakeResend();
    await addAgency(db.prisma, { slug: 'sched', name: 'Sched Agency', currency: 'USD', timezone: 'Europe/Berlin' });
    await addClient(db.prisma, { slug: 'eu', agency: 'sched', currency: 'EUR', timezone: 'Europe/Berlin' });
    await importCsv(db, Buffer.from(csv(days('2026-11-16', '2026-11-29', 9, 'EUR'), 'EUR')), 'eu.csv', { clientSlug: 'eu', now: new Date('2026-11-30T08:00:00Z') });
    await storeRates(db, parseEcbCsv(ECB), 'test');
    await db.prisma.agency.update({ where: { slug: 'sched' }, data: { rollupSchedules: ['daily', 'weekly:mon'], rollupHour: 9, notifyEmails: ['boss@sched.example'] } });
  }, 120_000);
  afterAll(async () => {
    await fake?.close();
    await db?.destroy();
  });

  it('the hourly sweep sends an agency\'s due roll-ups at its hour (its time zone), each period once', async () => {
    const config = { ...loadConfig({}), email: { resend: { apiKey: 're_test', baseURL: fake.url, retries: 1, minTimeoutMs: 5 }, from: 'r@sched.example' } };
    const sweep = (at: string) => new InngestTestEngine({ function: createRollupSweepFunction(inngest, async () => ({ db, config, now: () => new Date(at) })), events: [{ name: 'inngest/scheduled.timer', data: { cron: 'TZ=UTC 5 * * * *' } }] }).execute();
    // 07:05 UTC is 08:05 in Berlin: not its hour.
    expect(((await sweep('2026-11-30T07:05:00Z')).result as { agencies: number }).agencies).toBe(0);
    // Monday 30 November, 09:05 Berlin: the day of the 29th and the week of 23–29 November.
    const first = (await sweep('2026-11-30T08:05:00Z')).result as { runs: { kind: string; from: string; to: string; result: { status: string } }[] };
    expect(first.runs.map((r) => [r.kind, r.from, r.to, r.result.status])).toEqual([['daily', '2026-11-29', '2026-11-29', 'delivered'], ['weekly', '2026-11-23', '2026-11-29', 'delivered']]);
    const again = (await sweep('2026-11-30T08:35:00Z')).result as { runs: { result: { status: string } }[] };
    expect(again.runs.map((r) => r.result.status)).toEqual(['already-delivered', 'already-delivered']);
    expect(fake.sent.size).toBe(2);
    // Periods whose rates are missing fail by themselves, saying why; nothing is sent for them.
    const { sendDueRollups } = await import('../src/reports/rollup-schedule.ts');
    const late = await sendDueRollups(db, (await db.prisma.agency.findUniqueOrThrow({ where: { slug: 'sched' } })).id, { sender: resendSender({ apiKey: 're_test', baseURL: fake.url, retries: 1, minTimeoutMs: 5 }), from: 'r@sched.example', now: new Date('2026-12-20T08:05:00Z') });
    expect(late.map((r) => [r.kind, r.from])).toEqual([['daily', '2026-12-19'], ['weekly', '2026-12-07']]);
    for (const r of late) expect(r.result).toEqual({ status: 'failed', error: expect.stringMatching(/no EUR→USD reference rate on 2026-12-1\d or the 7 days before \(the latest is of 2026-11-30\)/) });
    expect(fake.sent.size).toBe(2);
  });
});

describe('reference rates', () => {
  it('reads the ECB daily file too, skips N/A, and names a bad cell by line and currency', () => {
    expect(parseEcbCsv('Date, USD, JPY, \n4 December 2026, 1.0550, 158.20, \n')).toEqual([
      { day: '2026-12-04', currency: 'USD', perEur: '1.0550' },
      { day: '2026-12-04', currency: 'JPY', perEur: '158.20' },
    ]);
    expect(parseEcbCsv(ECB).filter((r) => r.currency === 'GBP').map((r) => r.day)).not.toContain('2026-11-30');
    expect(() => parseEcbCsv('Date,USD,\n2026-11-30,abc,\n')).toThrow(/line 2, USD: "abc" is not a rate/);
    expect(() => parseEcbCsv('Date,USD,\n2026-11-31,1.05,\n')).toThrow(/line 2: "2026-11-31" is not a date/);
    expect(() => parseEcbCsv('Date,USD,\n2026-11-30,-1,\n')).toThrow(/is not a rate/);
    expect(() => parseEcbCsv('day;usd\n')).toThrow(/not the ECB's reference-rate CSV/);
  });

  it('fetches from a provider URL: a 503 is retried, a 404 is refused saying so', async () => {
    let calls = 0;
    const server = http.createServer((req, res) => {
      calls++;
      if (req.url === '/missing') return res.writeHead(404).end('no');
      if (calls === 1) return res.writeHead(503).end('busy');
      res.writeHead(200, { 'content-type': 'text/csv' }).end(ECB);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const rates = await fetchEcbRates(`${base}/eurofxref-hist.csv`, { retries: 2, minTimeoutMs: 5 });
      expect(rates).toHaveLength(32);
      expect(calls).toBe(2);
      await expect(fetchEcbRates(`${base}/missing`, { retries: 2, minTimeoutMs: 5 })).rejects.toThrow(/refused: HTTP 404/);
      expect(calls).toBe(3);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
