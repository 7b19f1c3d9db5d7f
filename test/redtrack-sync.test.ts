// The RedTrack connector through real HTTP against a loopback fake: report pages
// grouped by sub9/sub1/sub20/campaign per day, conversion-level revenue deduplicated
// by click id + type (declined out, pending in), the report's rate limit kept by the
// client-side limiter, a 429 waited out, a refused key → needs_reauth, and re-read
// days replacing what the tracker no longer reports.
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { addClient } from '../src/domain/clients.ts';
import { connectAccount } from '../src/domain/connections.ts';
import { syncConnection, type SyncOptions } from '../src/sources/sync.ts';
import { addDays } from '../src/time.ts';
import { startFakeRedTrack, type FakeRedTrack, type FakeRedTrackConversion, type FakeRedTrackRow } from './fakes/redtrack-server.ts';
import { dbKinds, freshDb, type TestDb } from './helpers/db.ts';
import { testSources } from './helpers/sources.ts';

const LAST = '2026-11-20';
const DAYS = Array.from({ length: 14 }, (_, i) => addDays(LAST, i - 13));
const NOW = new Date('2026-11-20T20:00:00Z'); // 15:00 in New York
const SLUGS = Array.from({ length: 80 }, (_, i) => `L${String(i).padStart(3, '0')}`);

function reportRows(): FakeRedTrackRow[] {
  const out: FakeRedTrackRow[] = [];
  DAYS.forEach((date, d) => SLUGS.forEach((slug, s) => {
    // Two rows per link and day (two spark codes): the connector sums them.
    for (const sub1 of ['SC5', 'SC12']) out.push({ date, sub9: slug, sub1, sub20: s % 2 ? 'TikTok' : 'Facebook', campaign: `Offer ${s % 3}`, campaign_id: `c${s % 3}`, clicks: 10 + ((d + s) % 7), cost: 3.5 });
  }));
  return out;
}

/** Local New York noon of a day, as RedTrack's UTC time. */
const at = (day: string) => `${day}T17:00:00Z`;

function conversions(): FakeRedTrackConversion[] {
  const out: FakeRedTrackConversion[] = [];
  DAYS.forEach((date, d) => SLUGS.slice(0, 20).forEach((slug, s) => {
    const base = { sub9: slug, campaign: `Offer ${s % 3}`, campaign_id: `c${s % 3}`, created_at: at(date), payout: 12.5 };
    out.push({ ...base, clickid: `ck-${d}-${s}`, type: 'lead', status: 'APPROVED' });
    // The same postback twice: counted once.
    out.push({ ...base, clickid: `ck-${d}-${s}`, type: 'lead', status: 'APPROVED' });
    // Another event type on the same click: counted.
    out.push({ ...base, clickid: `ck-${d}-${s}`, type: 'upsell', status: 'PENDING', payout: 5 });
    // Declined: not counted.
    out.push({ ...base, clickid: `ck-x-${d}-${s}`, type: 'lead', status: 'DECLINED', payout: 40 });
  }));
  return out;
}

describe.each(dbKinds)('RedTrack connector on %s', (kind) => {
  let db: TestDb;
  let rt: FakeRedTrack;
  let seq = 0;
  let clientId: string;
  const key = randomBytes(32);
  const logs: string[] = [];
  const sources = (limit?: { calls: number; intervalMs: number }) => testSources({ redtrack: rt.url, redtrackLimit: limit });
  const opts = (o: Partial<SyncOptions> = {}): SyncOptions => ({ key, sources: sources(), now: NOW, log: (l) => logs.push(l), ...o });
  const sums = async () => (await db.sql.query<{ slug: string; date: string; clicks: number; conv: number; rev: number; spend: number }>(
    `SELECT e.external_id AS slug, m.date::text AS date, m.clicks::float8 AS clicks, m.conversions::float8 AS conv, m.revenue_cents::float8 AS rev, m.spend_cents::float8 AS spend
       FROM daily_metric m JOIN entity e ON e.id = m.entity_id WHERE e.client_id = $1::uuid AND m.source = 'redtrack-api' ORDER BY 1, 2`,
    [clientId],
  ));

  beforeAll(async () => {
    db = await freshDb(kind);
  });
  afterAll(async () => db?.destroy());
  beforeEach(async () => {
    rt = await startFakeRedTrack({ report: reportRows(), conversions: conversions() });
    clientId = (await addClient(db.prisma, { slug: `rt-${++seq}`, timezone: 'America/New_York', currency: 'USD' })).id;
    logs.length = 0;
  });
  afterEach(async () => {
    for (const l of logs) expect(l).not.toContain(rt.apiKey);
    await rt.close();
  });

  it('lands clicks, deduplicated conversions and their revenue on one link entity per sub9 slug and day', async () => {
    const conn = await connectAccount(db, key, sources(), { clientId, platform: 'redtrack', apiKey: rt.apiKey }, { now: NOW });
    expect(conn.settings).toMatchObject({ accountId: 'acc-1', accountName: 'lumen-affiliates', currency: 'USD', timezone: 'America/New_York' });
    const r = await syncConnection(db, conn.id, opts({ range: { from: DAYS[0]!, to: LAST } }));
    expect(r).toMatchObject({ status: 'succeeded', rowsFetched: SLUGS.length * DAYS.length });
    // 2 × 7-day chunks; the report asks for every grouping the issue names, 1,000 rows a page.
    const reports = rt.requests.filter((q) => q.path === '/report');
    expect(reports.every((q) => q.query.get('group') === 'date,sub9,sub1,sub20,campaign' && q.query.get('per') === '1000' && q.query.get('timezone') === 'America/New_York')).toBe(true);
    expect(reports.map((q) => q.query.get('page'))).toEqual(['1', '2', '1', '2']);
    expect(rt.requests.filter((q) => q.path === '/conversions').every((q) => q.query.get('per') === '10000')).toBe(true);
    const rows = await sums();
    expect(rows).toHaveLength(SLUGS.length * DAYS.length);
    const l0 = rows.filter((x) => x.slug === 'l000');
    // 2 rows of (10 + d % 7) clicks a day; 1 approved lead ($12.50) + 1 pending upsell ($5) a day; the declined $40 and the repeat are out.
    expect(l0.map((x) => x.clicks)).toEqual(DAYS.map((_, d) => 2 * (10 + (d % 7))));
    expect(l0.every((x) => x.conv === 2 && x.rev === 1750)).toBe(true);
    // The report's own (repeat-counting) conversion column is not used.
    expect(rows.filter((x) => x.slug === 'l050').every((x) => x.conv === 0 && x.rev === 0)).toBe(true);
    // RedTrack's cost is stored (used only for clients without ad-platform data).
    expect(l0[0]!.spend).toBe(700);
    const link = await db.prisma.entity.findFirstOrThrow({ where: { clientId, platform: 'redtrack', kind: 'link', externalId: 'l001' } });
    expect(link.attributes).toMatchObject({ slug: 'l001', trafficSource: 'tiktok', sparkCode: 'SC5' });
  });

  it('amounts as RedTrack writes them: a chargeback\'s negative payout lowers its day, tiny and string payouts are read exactly', async () => {
    const day = LAST;
    rt.conversions.push(
      { clickid: 'cb-1', type: 'chargeback', status: 'APPROVED', payout: -12.5, created_at: at(day), sub9: 'L001', campaign: 'Offer 1', campaign_id: 'c1' },
      { clickid: 'tiny-1', type: 'click_payout', status: 'APPROVED', payout: 1e-7, created_at: at(day), sub9: 'L001', campaign: 'Offer 1', campaign_id: 'c1' },
      { clickid: 'str-1', type: 'sale', status: 'APPROVED', payout: '3.455' as unknown as number, created_at: at(day), sub9: 'L001', campaign: 'Offer 1', campaign_id: 'c1' },
    );
    const conn = await connectAccount(db, key, sources(), { clientId, platform: 'redtrack', apiKey: rt.apiKey }, { now: NOW });
    expect((await syncConnection(db, conn.id, opts({ range: { from: day, to: day } }))).status).toBe('succeeded');
    const l1 = (await sums()).find((x) => x.slug === 'l001' && x.date === day)!;
    // 1,250 + 500 (the usual lead and upsell) − 1,250 (chargeback, not a conversion) + 0 (1e-7) + 346 (3.455 rounded half up).
    expect(l1).toMatchObject({ conv: 4, rev: 1250 + 500 - 1250 + 0 + 346 });
  });

  it('keeps under the report rate limit with its limiter, and waits out a 429 it is sent anyway', async () => {
    await rt.close();
    rt = await startFakeRedTrack({ report: reportRows(), conversions: conversions(), limit: { calls: 2, windowMs: 600 } });
    const conn = await connectAccount(db, key, sources(), { clientId, platform: 'redtrack', apiKey: rt.apiKey }, { now: NOW });
    const limited = opts({ sources: sources({ calls: 2, intervalMs: 650 }), range: { from: DAYS[0]!, to: LAST } });
    expect((await syncConnection(db, conn.id, limited)).status).toBe('succeeded');
    expect(rt.limited).toBe(0);
    // Without the limiter the fake answers 429 (Retry-After: 1): the sync waits and still completes.
    const unlimited = opts({ sources: sources({ calls: 1000, intervalMs: 1000 }), range: { from: DAYS[0]!, to: LAST } });
    expect((await syncConnection(db, conn.id, unlimited)).status).toBe('succeeded');
    expect(rt.limited).toBeGreaterThan(0);
    expect(logs.some((l) => /rate limited — waiting 1 s/.test(l))).toBe(true);
  });

  it('a declined conversion and a link gone from the report change the re-read days; nothing else moves', async () => {
    const conn = await connectAccount(db, key, sources(), { clientId, platform: 'redtrack', apiKey: rt.apiKey }, { now: NOW });
    await syncConnection(db, conn.id, opts({ range: { from: DAYS[0]!, to: LAST } }));
    const before = await sums();
    // The offer declines yesterday's lead of L000; L079 vanishes from the report for the last 7 days.
    for (const c of rt.conversions) if (c.clickid === `ck-12-0` && c.type === 'lead') c.status = 'DECLINED';
    rt.report = rt.report.filter((x) => !(x.sub9 === 'L079' && x.date > addDays(LAST, -7)));
    const r = await syncConnection(db, conn.id, opts({ range: { from: addDays(LAST, -6), to: LAST } }));
    expect(r).toMatchObject({ status: 'succeeded', updated: 1 + 7 });
    const after = await sums();
    expect(after.find((x) => x.slug === 'l000' && x.date === DAYS[12])).toMatchObject({ conv: 1, rev: 500 });
    expect(after.filter((x) => x.slug === 'l079').map((x) => x.date)).toEqual(DAYS.slice(0, 7));
    expect(after.length).toBe(before.length - 7);
  });

  it('a refused API key marks the connection needs_reauth and tells the agency; a 500 is retried', async () => {
    const conn = await connectAccount(db, key, sources(), { clientId, platform: 'redtrack', apiKey: rt.apiKey }, { now: NOW });
    rt.failNext([500, 503]);
    expect((await syncConnection(db, conn.id, opts({ range: { from: addDays(LAST, -1), to: LAST } }))).status).toBe('succeeded');
    rt.revoke();
    const r = await syncConnection(db, conn.id, opts({ range: { from: addDays(LAST, -1), to: LAST } }));
    expect(r).toMatchObject({ status: 'needs_reauth', error: expect.stringMatching(/RedTrack refused the API key \(HTTP 401/) });
    expect(await db.prisma.connection.findUniqueOrThrow({ where: { id: conn.id } })).toMatchObject({ status: 'needs_reauth' });
    const item = await db.prisma.insight.findFirstOrThrow({ where: { clientId, type: 'connection_reauth' } });
    expect(item).toMatchObject({ status: 'PENDING', severity: 'critical' });
    expect(JSON.stringify([item.title, item.body, item.payload])).not.toContain(rt.apiKey);
    const run = await db.prisma.syncRun.findFirstOrThrow({ where: { connectionId: conn.id, status: 'failed' } });
    expect(run.error).not.toContain(rt.apiKey);
  });

  it('two syncs of one connection at once: one runs, the other says so; a lease left by a killed sync expires', async () => {
    const conn = await connectAccount(db, key, sources(), { clientId, platform: 'redtrack', apiKey: rt.apiKey }, { now: NOW });
    const range = { from: addDays(LAST, -3), to: LAST };
    const [a, b] = await Promise.all([syncConnection(db, conn.id, opts({ range })), syncConnection(db, conn.id, opts({ range }))]);
    expect([a.status, b.status].sort()).toEqual(['failed', 'succeeded']);
    expect([a, b].find((r) => r.status === 'failed')!.error).toMatch(/another sync of this redtrack connection is running/);
    const lease = `sync:${conn.id}`;
    expect(await db.sql.query('SELECT 1 FROM lease WHERE name = $1', [lease])).toHaveLength(0);
    // A sync killed mid-way leaves its lease; once it has expired the next sync runs.
    await db.sql.query(`INSERT INTO lease (name, holder, until) VALUES ($1, 'dead', now() - interval '1 minute')`, [lease]);
    expect((await syncConnection(db, conn.id, opts({ range }))).status).toBe('succeeded');
    await db.sql.query(`INSERT INTO lease (name, holder, until) VALUES ($1, 'alive', now() + interval '10 minutes')`, [lease]);
    const held = await syncConnection(db, conn.id, opts({ range }));
    expect(held).toMatchObject({ status: 'failed', error: expect.stringMatching(/another sync of this redtrack connection is running \(held until \d{4}-\d\d-\d\dT[\d:.]+Z\)/) });
  });

  it('one RedTrack account per client: the same account again rotates its key, another is refused', async () => {
    await connectAccount(db, key, sources(), { clientId, platform: 'redtrack', apiKey: rt.apiKey }, { now: NOW });
    await connectAccount(db, key, sources(), { clientId, platform: 'redtrack', apiKey: rt.apiKey }, { now: NOW });
    expect(await db.prisma.connection.count({ where: { clientId, platform: 'redtrack' } })).toBe(1);
    await expect(connectAccount(db, key, sources(), { clientId, platform: 'redtrack', apiKey: rt.apiKey, label: 'second' }, { now: NOW })).rejects.toMatchObject({ code: 'conflict', message: expect.stringMatching(/one RedTrack account per client/) });
  });

  it('a key refused at connect time stores nothing and says why', async () => {
    await expect(connectAccount(db, key, sources(), { clientId, platform: 'redtrack', apiKey: 'wrong-key' }, { now: NOW })).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/refused the API key/) });
    expect(await db.prisma.connection.count({ where: { clientId } })).toBe(0);
  });
});
