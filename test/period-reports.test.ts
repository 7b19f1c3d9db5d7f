// Weekly and monthly reports: the periods (local days, across a DST change and a
// month end), their totals against sums of the imported rows made here by hand,
// the comparison with a year earlier only where data exists, and each period sent
// exactly once across repeated runs of the day.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import { apiDeps } from '../src/api/server.ts';
import { loadConfig } from '../src/config.ts';
import { createApiKey } from '../src/domain/api-keys.ts';
import { addClient, updateClient } from '../src/domain/clients.ts';
import { importCsv } from '../src/import/import-csv.ts';
import { loadPeriodSummary } from '../src/reports/period-report.ts';
import { duePeriods, latestPeriod, periodEndingBy, periodLabel } from '../src/reports/periods.ts';
import { resendSender } from '../src/reports/senders.ts';
import { periodReportsStep, reportStep, runClientDay, type DayContext } from '../src/run/day.ts';
import { addDays } from '../src/time.ts';
import { freshDb, type TestDb } from './helpers/db.ts';
import { requester } from './helpers/request.ts';
import { startFakeResend, type FakeResend } from './fakes/resend-server.ts';

describe('periods', () => {
  it('weekly: the 7 local days before the weekday it is sent on; a missed run catches up within 6 days', () => {
    expect(latestPeriod('weekly:mon', '2026-10-26')).toMatchObject({ from: '2026-10-19', to: '2026-10-25', due: '2026-10-26', previous: { from: '2026-10-12', to: '2026-10-18' }, lastYear: { from: '2025-10-20', to: '2025-10-26' } });
    // The last-year week is 364 days back: the same weekdays (Monday 20 Oct 2025).
    expect(new Date('2025-10-20T00:00:00Z').getUTCDay()).toBe(1);
    expect(latestPeriod('weekly:fri', '2026-10-29')).toMatchObject({ from: '2026-10-16', to: '2026-10-22', due: '2026-10-23' });
    expect(duePeriods(['weekly:mon'], '2026-11-01')).toHaveLength(1); // today Mon 2 Nov: due today
    expect(duePeriods(['weekly:mon'], '2026-11-07')).toHaveLength(1); // Sun 8 Nov: 6 days late, still sent
    expect(duePeriods(['weekly:tue'], '2026-11-02')).toEqual([expect.objectContaining({ due: '2026-11-03', from: '2026-10-27' })]);
  });

  it('monthly: the previous calendar month, across year ends and February', () => {
    expect(latestPeriod('monthly:1', '2026-01-01')).toMatchObject({ from: '2025-12-01', to: '2025-12-31', previous: { from: '2025-11-01', to: '2025-11-30' }, lastYear: { from: '2024-12-01', to: '2024-12-31' } });
    expect(latestPeriod('monthly:1', '2028-03-01')).toMatchObject({ from: '2028-02-01', to: '2028-02-29' });
    expect(latestPeriod('monthly:5', '2026-03-04')).toMatchObject({ due: '2026-02-05', from: '2026-01-01', to: '2026-01-31' });
    expect(duePeriods(['monthly:1'], '2026-11-30')).toEqual([expect.objectContaining({ from: '2026-11-01', to: '2026-11-30', due: '2026-12-01' })]);
    // A week after its day the period is no longer sent (turning a schedule on does not send old months).
    expect(duePeriods(['monthly:1'], '2026-12-07')).toEqual([]);
    expect(periodEndingBy('monthly', '2026-12-07')).toMatchObject({ from: '2026-11-01', to: '2026-11-30' });
    expect(periodEndingBy('weekly', '2026-12-07')).toMatchObject({ from: '2026-12-01', to: '2026-12-07' });
    expect(periodLabel({ kind: 'weekly', from: '2026-03-26', to: '2026-04-01' })).toBe('26 March – 1 April 2026');
  });
});

// Berlin leaves summer time on Sunday 25 October 2026 (a 25-hour day) and the month
// ends on Saturday 31 October: one weekly period holds the change, the monthly one the month end.
const TZ = 'Europe/Berlin';
const HEADER = 'date,platform,account,campaign,ad,spend,impressions,clicks,conversions,revenue';

type Row = { date: string; campaign: string; spend: number; revenue: number; conversions: number };

/** Rows with varied amounts (cents-exact), two campaigns, from `from` to `to`. */
function rows(from: string, to: string, seed: number): Row[] {
  const out: Row[] = [];
  let s = seed;
  const rnd = () => ((s = (s * 48271) % 2147483647) / 2147483647);
  for (let d = from; d <= to; d = addDays(d, 1)) {
    for (const campaign of ['Brand', 'Prospecting']) {
      const spend = Math.round(2000 + rnd() * 30000);
      out.push({ date: d, campaign, spend, revenue: Math.round(spend * (0.4 + rnd() * 2.2)), conversions: Math.floor(rnd() * 12) });
    }
  }
  return out;
}

const csv = (rs: Row[]) => [HEADER, ...rs.map((r) => `${r.date},meta,Acc,${r.campaign},${r.campaign} ad,${(r.spend / 100).toFixed(2)},1000,50,${r.conversions},${(r.revenue / 100).toFixed(2)}`)].join('\n');

/** The independent sum: rows whose local date is inside the range. */
const sum = (rs: Row[], from: string, to: string) => {
  const inside = rs.filter((r) => r.date >= from && r.date <= to);
  return { spend: inside.reduce((a, r) => a + r.spend, 0), revenue: inside.reduce((a, r) => a + r.revenue, 0), conversions: inside.reduce((a, r) => a + r.conversions, 0) };
};

describe('weekly and monthly reports', () => {
  let db: TestDb;
  let fake: FakeResend;
  const thisYear = rows('2026-09-01', '2026-11-01', 11);
  // A year earlier: only October 2025 (the monthly comparison); no week of 2025 near 19–25 Oct is missing it.
  const lastYear = rows('2025-10-01', '2025-10-31', 29);

  beforeAll(async () => {
    db = await freshDb('pglite');
    fake = await startFakeResend();
    await addClient(db.prisma, { slug: 'berlin', name: 'Berlin Shop', timezone: TZ, currency: 'EUR', recipients: ['owner@shop.example'] });
    await importCsv(db, Buffer.from(csv([...lastYear, ...thisYear])), 'ads.csv', { clientSlug: 'berlin', now: new Date('2026-11-02T08:00:00Z') });
  }, 120_000);
  afterAll(async () => {
    await fake?.close();
    await db?.destroy();
  });

  const ctx = async (asOf: string, now: string): Promise<DayContext> => ({
    db, client: await db.prisma.client.findUniqueOrThrow({ where: { slug: 'berlin' } }), asOf, now: new Date(now), outboxDir: '/nonexistent',
    email: { resend: { apiKey: 're_test', baseURL: fake.url, retries: 1, minTimeoutMs: 5 }, from: 'reports@shop.example' },
  });

  it('the totals are the rows\' own sums, against the previous period and a year ago where data exists', async () => {
    const client = await db.prisma.client.findUniqueOrThrow({ where: { slug: 'berlin' } });
    const october = await loadPeriodSummary(db, client.id, latestPeriod('monthly:1', '2026-11-01')!);
    const want = sum(thisYear, '2026-10-01', '2026-10-31');
    expect(october.current).toMatchObject({ spendCents: want.spend, revenueCents: want.revenue, conversions: want.conversions, profitCents: want.revenue - want.spend });
    const sept = sum(thisYear, '2026-09-01', '2026-09-30');
    expect(october.previous).toMatchObject({ spendCents: sept.spend, revenueCents: sept.revenue });
    const ly = sum(lastYear, '2025-10-01', '2025-10-31');
    expect(october.lastYear).toMatchObject({ spendCents: ly.spend, revenueCents: ly.revenue });
    expect(october.change.vsLastYear!.spendCents).toBeCloseTo((want.spend - ly.spend) / ly.spend, 12);
    expect(october.days).toHaveLength(31);
    // The week holding the DST change: 7 days, its own sums; no data a year earlier → no comparison (not zero).
    const week = await loadPeriodSummary(db, client.id, latestPeriod('weekly:mon', '2026-10-26')!);
    const w = sum(thisYear, '2026-10-19', '2026-10-25');
    expect(week.days.map((d) => d.date)).toEqual(['2026-10-19', '2026-10-20', '2026-10-21', '2026-10-22', '2026-10-23', '2026-10-24', '2026-10-25']);
    expect(week.current).toMatchObject({ spendCents: w.spend, revenueCents: w.revenue });
    expect(week.lastYear).toMatchObject({ spendCents: sum(lastYear, '2025-10-20', '2025-10-26').spend });
    const early = await loadPeriodSummary(db, client.id, latestPeriod('weekly:mon', '2026-09-14')!);
    expect(early.lastYear).toBeNull();
    expect(early.change.vsLastYear).toBeNull();
  });

  it('each period is sent exactly once across two runs of the day; the daily report only when scheduled', async () => {
    const client = await db.prisma.client.findUniqueOrThrow({ where: { slug: 'berlin' } });
    await updateClient(db.prisma, client.id, { reportSchedules: ['weekly:mon', 'monthly:1'] });
    // The run of Sunday 1 November (09:00 Berlin, after the clocks went back): October is due today; the week of 19–25 Oct was due Monday and not sent yet.
    const steps = [reportStep, periodReportsStep];
    const first = await runClientDay(await ctx('2026-10-31', '2026-11-01T08:00:00Z'), { steps });
    expect(first.steps.map((s) => [s.name, s.status])).toEqual([['report', 'skipped'], ['period-reports', 'ok']]);
    expect(first.steps[0]!.detail).toBe('no daily report (reports: weekly:mon, monthly:1)');
    const mails = () => [...fake.sent.values()].map((x) => x.body);
    expect(mails().map((m) => m.subject)).toEqual([
      expect.stringMatching(/^Berlin Shop — Berlin Shop made €[\d,.]+ profit on €[\d,.]+ of spend the week of 19 – 25 October 2026/),
      expect.stringMatching(/^Berlin Shop — Berlin Shop made €[\d,.]+ profit on €[\d,.]+ of spend in October 2026/),
    ]);
    const monthly = mails()[1]!;
    expect(monthly.text).toContain('adbrain monthly report for Berlin Shop · 2026-10-01 to 2026-10-31 (Europe/Berlin) · amounts in EUR');
    const want = sum(thisYear, '2026-10-01', '2026-10-31');
    expect(monthly.text).toContain(`Spend was €${(want.spend / 100).toLocaleString('en-US', { minimumFractionDigits: 2 })}`);
    expect(monthly.text.replace(/\s+/g, ' ')).toMatch(/\(\S+ vs the previous month, \S+ vs the same month last year\)/);
    expect(monthly.text.split('\n')[0]).toBe('adbrain monthly report — Berlin Shop');
    expect(monthly.attachments.map((a: { filename: string }) => a.filename)).toEqual(['monthly-report.pdf']);

    // The same day again (an Inngest retry, a second `adbrain run`): nothing new.
    const again = await runClientDay(await ctx('2026-10-31', '2026-11-01T09:30:00Z'), { steps });
    expect(again.steps[1]).toMatchObject({ status: 'skipped', detail: expect.stringMatching(/weekly 2026-10-19 – 2026-10-25: already delivered; monthly 2026-10-01 – 2026-10-31: already delivered/) });
    expect(fake.sent.size).toBe(2);

    // Monday 2 November: the week of 26 Oct – 1 Nov (over the month end); October is not sent again.
    const monday = await runClientDay(await ctx('2026-11-01', '2026-11-02T08:00:00Z'), { steps });
    expect(monday.steps[1]!.detail).toMatch(/^weekly 2026-10-26 – 2026-11-01: sent via Resend; monthly 2026-10-01 – 2026-10-31: already delivered$/);
    expect(fake.sent.size).toBe(3);
    const week = mails()[2]!;
    const w = sum(thisYear, '2026-10-26', '2026-11-01');
    expect(week.subject).toContain(`€${((w.revenue - w.spend) / 100).toLocaleString('en-US', { minimumFractionDigits: 2 })} profit`);
    expect(week.subject).toContain('the week of 26 October – 1 November 2026');

    // The report log lists them with the periods they cover.
    const admin = (await createApiKey(db.prisma, client.agencyId, { role: 'viewer' })).key;
    const call = requester(() => createApp(apiDeps(db, loadConfig({}), () => new Date('2026-11-02T09:00:00Z'))), { key: () => admin });
    const log = (await call('GET', `/v1/clients/${client.id}/reports`)).json.data;
    expect(log.map((r: { kind: string; from: string; to: string; status: string }) => [r.kind, r.from, r.to, r.status]).sort()).toEqual([
      ['monthly', '2026-10-01', '2026-10-31', 'sent'],
      ['weekly', '2026-10-19', '2026-10-25', 'sent'],
      ['weekly', '2026-10-26', '2026-11-01', 'sent'],
    ]);
    expect((await call('GET', `/v1/clients/${client.id}`)).json.reportSchedules).toEqual(['weekly:mon', 'monthly:1']);
  }, 120_000);

  it('schedules are checked: a wrong one is refused naming it', async () => {
    const client = await db.prisma.client.findUniqueOrThrow({ where: { slug: 'berlin' } });
    const refused = async (reportSchedules: string[]) => updateClient(db.prisma, client.id, { reportSchedules }).then(() => null, (err: { details?: unknown }) => err.details);
    expect(await refused(['weekly:monday'])).toEqual([expect.objectContaining({ path: 'reportSchedules.0', message: expect.stringContaining('daily, weekly:<mon…sun> or monthly:<1…28>') })]);
    expect(await refused(['monthly:31'])).toEqual([expect.objectContaining({ path: 'reportSchedules.0' })]);
    expect(await refused(['weekly:mon', 'weekly:fri'])).toEqual([expect.objectContaining({ message: 'one weekly schedule at most' })]);
    expect((await db.prisma.client.findUniqueOrThrow({ where: { id: client.id } })).reportSchedules).toEqual(['weekly:mon', 'monthly:1']);
  });
});
