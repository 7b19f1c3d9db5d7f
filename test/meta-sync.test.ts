// The Meta connector through real HTTP against a loopback fake of the Graph API:
// paging, async report jobs, the settling window, rate limits, an expired token,
// "reduce the amount of data", a killed-and-resumed backfill — and no token in
// any log line or error.
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { addClient } from '../src/domain/clients.ts';
import { connectAccount, testConnection } from '../src/domain/connections.ts';
import { syncConnection, type SyncOptions } from '../src/sources/sync.ts';
import { runBrain } from '../src/run/brain-run.ts';
import { checkAlerts } from '../src/alerts/check.ts';
import { loadReportModel } from '../src/reports/load-model.ts';
import { renderDailyReport } from '../src/reports/daily-report.ts';
import { addDays } from '../src/time.ts';
import { startFakeMeta, type FakeAd, type FakeMeta } from './fakes/meta-server.ts';
import { dbKinds, freshDb, type TestDb } from './helpers/db.ts';
import { testSources } from './helpers/sources.ts';

const LAST = '2026-11-20';
const DAYS = Array.from({ length: 60 }, (_, i) => addDays(LAST, i - 59));
const NOW = new Date('2026-11-20T20:00:00Z'); // 15:00 in New York: the account's today is LAST
const ADS: FakeAd[] = Array.from({ length: 10 }, (_, i) => ({
  id: `23850000000${i}`,
  name: `Ad ${i}`,
  adset: { id: `2384000000${i % 3}`, name: `Set ${i % 3}` },
  campaign: { id: `238300000${i % 2}`, name: i % 2 ? 'ApplePay-1639-SC5-facebook' : 'Prospecting' },
  link: i < 6 ? `https://trk.example/go/${i}` : undefined,
}));

describe.each(dbKinds)('Meta connector on %s', (kind) => {
  let db: TestDb;
  let meta: FakeMeta;
  let seq = 0;
  let clientId: string;
  const key = randomBytes(32);
  const logs: string[] = [];
  const sources = () => testSources({ meta: meta.url });
  const opts = (o: Partial<SyncOptions> = {}): SyncOptions => ({ key, sources: sources(), now: NOW, log: (l) => logs.push(l), ...o });
  const connect = () => connectAccount(db, key, sources(), { clientId, platform: 'meta', accountId: `act_${meta.account}`, accessToken: meta.token }, { now: NOW });
  const stored = async () =>
    (await db.sql.query<{ spend: number; conv: number; rev: number; rows: number; days: number }>(
      `SELECT coalesce(sum(spend_cents),0)::float8 AS spend, coalesce(sum(conversions),0)::float8 AS conv, coalesce(sum(revenue_cents),0)::float8 AS rev,
              count(*)::int AS rows, count(DISTINCT date)::int AS days
         FROM daily_metric m JOIN entity e ON e.id = m.entity_id WHERE e.client_id = $1::uuid AND m.source = 'meta-api'`,
      [clientId],
    ))[0]!;
  const expected = (from = DAYS[0]!, to = LAST) => {
    let spend = 0, conv = 0, rev = 0;
    for (const m of meta.data.values()) for (const [d, v] of m) if (d >= from && d <= to) {
      spend += Math.round(Number(v.spend) * 100);
      conv += v.purchases;
      rev += Math.round(Number(v.value) * 100);
    }
    return { spend, conv, rev };
  };

  beforeAll(async () => {
    db = await freshDb(kind);
  });
  afterAll(async () => db?.destroy());
  beforeEach(async () => {
    meta = await startFakeMeta({ ads: ADS, days: DAYS, pageSize: 100 });
    const c = await addClient(db.prisma, { slug: `shop-${++seq}`, timezone: 'America/New_York', currency: 'USD' });
    clientId = c.id;
    logs.length = 0;
  });
  afterEach(async () => {
    // Whatever happened, the token never reached a log line.
    for (const l of logs) expect(l).not.toContain(meta.token);
    await meta.close();
  });

  it('connects an account (with or without act_), learns its name, currency and time zone; another currency is refused', async () => {
    const conn = await connect();
    expect(conn.settings).toMatchObject({ accountId: meta.account, accountName: 'Fake Shop Ads', currency: 'USD', timezone: 'America/New_York' });
    expect(conn.credentials).not.toContain(meta.token);
    expect(meta.requests.every((r) => r.auth === `Bearer ${meta.token}` && !r.query.has('access_token'))).toBe(true);
    meta.currency = 'EUR';
    expect((await testConnection(db, key, sources(), conn.id, { now: NOW })).problem).toBe('reports in EUR, but the client is in USD');
    const other = await addClient(db.prisma, { slug: `eur-${seq}`, timezone: 'UTC', currency: 'USD' });
    await expect(connectAccount(db, key, sources(), { clientId: other.id, platform: 'meta', accountId: meta.account, accessToken: meta.token })).rejects.toThrow(/reports in EUR, but client eur-\d+ is in USD; nothing was connected/);
    expect(await db.prisma.connection.count({ where: { clientId: other.id } })).toBe(0);
    await expect(connectAccount(db, key, sources(), { clientId: other.id, platform: 'meta', accountId: 'act_12x', accessToken: 't' })).rejects.toThrow(/not a Meta ad account id/);
  });

  it('backfills 60 days through async report jobs and paging: exact totals, one action type (never pixel + omni), links as entities', async () => {
    const conn = await connect();
    const r = await syncConnection(db, conn.id, opts({ range: { from: DAYS[0]!, to: LAST }, chunkDays: 30 }));
    expect(r).toMatchObject({ status: 'succeeded', rowsFetched: 600, inserted: expect.any(Number) });
    const polls = meta.requests.filter((q) => /^\/v25\.0\/\d+$/.test(q.path));
    expect(polls.length).toBeGreaterThanOrEqual(2 * 3); // two jobs, each Started → Running → Completed
    expect(meta.requests.filter((q) => q.path.endsWith('/insights') && q.method === 'GET').length).toBeGreaterThan(2); // pages
    expect(await stored()).toMatchObject({ ...expected(), days: 60 });
    const c = await db.prisma.connection.findUniqueOrThrow({ where: { id: conn.id } });
    expect(c.settings).toMatchObject({ actionType: 'offsite_conversion.fb_pixel_purchase' });
    const links = await db.prisma.entity.findMany({ where: { clientId, kind: 'link' }, select: { externalId: true } });
    expect(links.map((l) => l.externalId).sort()).toEqual(ADS.filter((a) => a.link).map((a) => a.link).sort());
    const campaign = await db.prisma.entity.findFirstOrThrow({ where: { clientId, kind: 'campaign', externalId: '2383000001' } });
    expect(campaign.attributes).toMatchObject({ offer: 'ApplePay', sparkCode: 'SC5' });
    const run = await db.prisma.syncRun.findUniqueOrThrow({ where: { id: r.syncRunId! } });
    expect(run).toMatchObject({ status: 'succeeded', rowsFetched: 600, source: 'meta-api' });
  });

  it('the daily sync re-reads the settling window: a restated conversion updates its day, unchanged rows are not rewritten', async () => {
    const conn = await connect();
    await syncConnection(db, conn.id, opts({ range: { from: DAYS[0]!, to: LAST } }));
    const day = addDays(LAST, -10);
    const v = meta.data.get(ADS[7]!.id)!.get(day)!;
    meta.data.get(ADS[7]!.id)!.set(day, { ...v, purchases: v.purchases + 2, value: (Number(v.value) + 50).toFixed(2) });
    const r = await syncConnection(db, conn.id, opts());
    // The window: the account's today and the 28 days before.
    expect(r.range).toEqual({ from: addDays(LAST, -28), to: LAST });
    expect(r).toMatchObject({ status: 'succeeded', updated: 1, inserted: 0, unchanged: 29 * 10 - 1 });
    expect(await stored()).toMatchObject(expected());
  });

  it('waits out a rate limit (code 17, x-business-use-case-usage) and pauses at 90 % usage; then finishes', async () => {
    const conn = await connect();
    const usage = JSON.stringify({ [meta.account]: [{ type: 'ads_insights', call_count: 100, total_cputime: 40, total_time: 40, estimated_time_to_regain_access: 0 }] });
    meta.failNext('/insights', [{ status: 400, code: 17, message: 'User request limit reached', headers: { 'x-business-use-case-usage': usage, 'x-ad-account-usage': JSON.stringify({ acc_id_util_pct: 100, reset_time_duration: 0.05 }) } }]);
    meta.usageHeaders = { 'x-fb-ads-insights-throttle': JSON.stringify({ app_id_util_pct: 95, acc_id_util_pct: 10 }), 'x-ad-account-usage': JSON.stringify({ acc_id_util_pct: 95, reset_time_duration: 0.01 }) };
    const r = await syncConnection(db, conn.id, opts({ range: { from: addDays(LAST, -6), to: LAST } }));
    expect(r.status).toBe('succeeded');
    expect(logs.some((l) => /rate limited — waiting/.test(l))).toBe(true);
    expect(logs.some((l) => /usage at 95%/.test(l))).toBe(true);
    expect(await stored()).toMatchObject(expected(addDays(LAST, -6)));
  });

  it('a rate limit longer than the wait budget ends the sync with the platform\'s message; the next sync picks up', async () => {
    const conn = await connect();
    meta.failNext('/insights', [{ status: 400, code: 80000, message: 'There have been too many calls from this ad-account', headers: { 'x-business-use-case-usage': JSON.stringify({ [meta.account]: [{ call_count: 100, estimated_time_to_regain_access: 30 }] }) } }]);
    const r = await syncConnection(db, conn.id, opts({ range: { from: addDays(LAST, -6), to: LAST } }));
    expect(r).toMatchObject({ status: 'failed', error: expect.stringMatching(/too many calls from this ad-account \(code 80000\)/) });
    expect((await syncConnection(db, conn.id, opts({ range: { from: addDays(LAST, -6), to: LAST } }))).status).toBe('succeeded');
  });

  it('an expired token (190/463) marks the connection needs_reauth and tells the agency, once, without a retry storm', async () => {
    const conn = await connect();
    meta.failNext('/insights', [{ status: 400, code: 190, subcode: 463, message: 'Error validating access token: Session has expired' }]);
    const before = meta.requests.length;
    const r = await syncConnection(db, conn.id, opts({ range: { from: addDays(LAST, -6), to: LAST } }));
    expect(r).toMatchObject({ status: 'needs_reauth', error: expect.stringMatching(/the token expired\. Reconnect the account/) });
    // account info, ad listing, the one refused insights call: nothing retried.
    expect(meta.requests.length - before).toBe(3);
    expect(await db.prisma.connection.findUniqueOrThrow({ where: { id: conn.id } })).toMatchObject({ status: 'needs_reauth' });
    const inbox = await db.prisma.insight.findMany({ where: { clientId, type: 'connection_reauth' } });
    expect(inbox).toHaveLength(1);
    expect(inbox[0]).toMatchObject({ severity: 'critical', status: 'PENDING', title: expect.stringMatching(/^Reconnect the meta account Fake Shop Ads/) });
    meta.failNext('/insights', [{ status: 400, code: 190, subcode: 463 }]);
    await syncConnection(db, conn.id, opts({ range: { from: addDays(LAST, -6), to: LAST } }));
    expect(await db.prisma.insight.count({ where: { clientId, type: 'connection_reauth' } })).toBe(1);
    // Reconnected and synced: the item resolves.
    expect((await syncConnection(db, conn.id, opts({ range: { from: addDays(LAST, -6), to: LAST } }))).status).toBe('succeeded');
    expect(await db.prisma.insight.findFirstOrThrow({ where: { clientId, type: 'connection_reauth' } })).toMatchObject({ status: 'RESOLVED' });
    expect(await db.prisma.connection.findUniqueOrThrow({ where: { id: conn.id } })).toMatchObject({ status: 'active', lastError: null });
  });

  it('"Please reduce the amount of data" and failed report jobs split the range; the totals are still exact', async () => {
    const conn = await connect();
    meta.failNext('/insights', [{ status: 500, code: 1, message: 'Please reduce the amount of data you\'re asking for, then retry your request' }]);
    meta.failJobsLongerThan = 10;
    const r = await syncConnection(db, conn.id, opts({ range: { from: DAYS[0]!, to: LAST }, chunkDays: 30 }));
    expect(r.status).toBe('succeeded');
    expect(logs.some((l) => /splitting/.test(l))).toBe(true);
    expect(meta.requests.some((q) => q.path.match(/^\/v25\.0\/\d+$/))).toBe(true);
    expect(await stored()).toMatchObject({ ...expected(), days: 60 });
  });

  it('transient failures (code 2, HTTP 503, bad JSON) are retried; a killed backfill resumes at its first uncommitted chunk', async () => {
    const conn = await connect();
    meta.failNext('/insights', [{ status: 500, code: 2, message: 'Service temporarily unavailable' }, { status: 503, code: 2 }]);
    // The third chunk (days 15–21) fails for good: the sync stops there.
    meta.failRangeFrom.set(DAYS[14]!, { status: 400, code: 100, message: 'Invalid parameter' });
    const first = await syncConnection(db, conn.id, opts({ range: { from: DAYS[0]!, to: LAST } }));
    expect(first).toMatchObject({ status: 'failed', error: expect.stringMatching(/Invalid parameter \(code 100\)/) });
    expect((await stored()).days).toBe(14);
    const c = await db.prisma.connection.findUniqueOrThrow({ where: { id: conn.id } });
    expect(c.cursor).toMatchObject({ pending: { from: DAYS[0], to: LAST, doneThrough: DAYS[13] } });
    // The next sync (even without a range) continues the pending backfill from day 15.
    const calls = meta.requests.length;
    const second = await syncConnection(db, conn.id, opts());
    expect(second).toMatchObject({ status: 'succeeded', range: { from: DAYS[0], to: LAST } });
    const ranges = meta.requests.slice(calls).filter((q) => q.path.endsWith(`act_${meta.account}/insights`)).map((q) => JSON.parse(q.query.get('time_range')!).since);
    expect(ranges[0]).toBe(DAYS[14]);
    expect(await stored()).toMatchObject({ ...expected(), days: 60 });
    const failedRun = await db.prisma.syncRun.findUniqueOrThrow({ where: { id: first.syncRunId! } });
    expect(failedRun.error).toMatch(/^Meta: reading insights .* \(account 1234567890\): Invalid parameter/);
    expect(failedRun.error).not.toContain(meta.token);
  });

  it('days inside the settling window are provisional: a verdict resting on them says so, the report marks them', async () => {
    await meta.close();
    // Ad 0 spends $80 a day for nothing; the rest pay back.
    meta = await startFakeMeta({ ads: ADS, days: DAYS, seed: (ad, _d, k) => (ad.id === ADS[0]!.id
      ? { spend: '80.00', impressions: 4000, clicks: 60, purchases: 0, value: '0.00' }
      : { spend: '10.00', impressions: 1000, clicks: 20, purchases: 1 + (k % 2), value: '45.00' }) });
    const conn = await connect();
    await syncConnection(db, conn.id, opts({ range: { from: DAYS[0]!, to: LAST } }));
    const client = await db.prisma.client.findUniqueOrThrow({ where: { id: clientId } });
    const r = await runBrain(db, client, addDays(LAST, -1), { now: NOW });
    const burning = r.output.oracle.findings.filter((f) => f.type === 'burning');
    expect(burning.map((f) => f.entity!.name)).toEqual([ADS[0]!.link]);
    expect(burning[0]!.title).toMatch(/\(conversions for these days may still be restated\)$/);
    expect(burning[0]!.facts.provisionalFrom).toBe(addDays(LAST, -28));
    // A day before the window: settled, said plainly.
    const old = await runBrain(db, client, addDays(LAST, -35), { now: NOW });
    expect(old.output.oracle.findings.find((f) => f.type === 'burning')!.title).not.toMatch(/restated/);
    const model = await loadReportModel(db, client, addDays(LAST, -1), NOW);
    expect(model.provisional).toEqual([{ platform: 'meta', from: addDays(LAST, -28) }]);
    const out = await renderDailyReport(model);
    expect(out.text).toMatch(/Provisional: Meta from \d+ \w+ — the platforms restate conversions for weeks/);
    expect(out.view.burning!.rows[0]!.name).toBe(`${ADS[0]!.link} *`);
    expect(out.view.burning!.more).toMatch(/\* rests on conversions the platform may still restate/);
    // The alert email says it too (its window is always recent).
    const sent: { text: string }[] = [];
    const capture = { name: 'outbox' as const, send: async (m: { text: string }) => (sent.push(m), { provider: 'outbox', id: `m${sent.length}` }) };
    const check = await checkAlerts(db, { ...client, recipients: ['ops@x.test'] }, { now: NOW, sender: capture as never, from: 'a@x.test' });
    expect(check.sent.map((x) => x.rule)).toContain('burning');
    expect(sent[0]!.text).toMatch(/Conversions from \d{4}-\d{2}-\d{2} on are provisional: meta may still restate them\./);
  });

  it('a token that expires within 7 days puts one "reconnect before" item in the inbox; a fresh token resolves it', async () => {
    const conn = await connect();
    const set = (days: number) => db.prisma.connection.update({ where: { id: conn.id }, data: { settings: { ...(conn.settings as object), tokenExpiresAt: new Date(NOW.getTime() + days * 86_400_000).toISOString() } } });
    await set(5);
    await syncConnection(db, conn.id, opts({ range: { from: addDays(LAST, -1), to: LAST } }));
    await syncConnection(db, conn.id, opts({ range: { from: addDays(LAST, -1), to: LAST } }));
    const items = await db.prisma.insight.findMany({ where: { clientId, type: 'connection_expiring' } });
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ status: 'PENDING', severity: 'high', title: `The meta token for Fake Shop Ads expires on ${addDays(LAST, 5)}: reconnect it before then` });
    await set(50);
    await syncConnection(db, conn.id, opts({ range: { from: addDays(LAST, -1), to: LAST } }));
    expect(await db.prisma.insight.findFirstOrThrow({ where: { clientId, type: 'connection_expiring' } })).toMatchObject({ status: 'RESOLVED' });
  });
});
