// The TikTok connector through real HTTP against a loopback fake: 30-day request
// windows, page_info paging, ad lookups in batches, "-" as not reported, errors
// as HTTP 200 with a code (rate limit backs off, an invalid token → needs_reauth).
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { addClient } from '../src/domain/clients.ts';
import { connectAccount } from '../src/domain/connections.ts';
import { syncConnection, type SyncOptions } from '../src/sources/sync.ts';
import { addDays } from '../src/time.ts';
import { startFakeTikTok, type FakeTikTok } from './fakes/tiktok-server.ts';
import { dbKinds, freshDb, type TestDb } from './helpers/db.ts';
import { testSources } from './helpers/sources.ts';

const LAST = '2026-11-20';
const DAYS = Array.from({ length: 45 }, (_, i) => addDays(LAST, i - 44));
const NOW = new Date('2026-11-20T20:00:00Z'); // noon in Los Angeles
const ADS = Array.from({ length: 150 }, (_, i) => ({ id: `17${String(i).padStart(5, '0')}`, name: `Spark ${i}`, adgroup: { id: `16${i % 4}`, name: `AG ${i % 4}` }, campaign: { id: `15${i % 2}`, name: i % 2 ? 'CashApp-3175-SC12-tiktok' : 'ApplePay-1639-SC5-tiktok' }, link: i % 10 === 0 ? `https://trk.example/tt/${i}` : undefined }));

describe.each(dbKinds)('TikTok connector on %s', (kind) => {
  let db: TestDb;
  let tt: FakeTikTok;
  let seq = 0;
  let clientId: string;
  const key = randomBytes(32);
  const logs: string[] = [];
  const sources = () => testSources({ tiktok: tt.url });
  const opts = (o: Partial<SyncOptions> = {}): SyncOptions => ({ key, sources: sources(), now: NOW, log: (l) => logs.push(l), ...o });

  beforeAll(async () => {
    db = await freshDb(kind);
  });
  afterAll(async () => db?.destroy());
  beforeEach(async () => {
    tt = await startFakeTikTok({ ads: ADS, days: DAYS, pageSize: 1000 });
    clientId = (await addClient(db.prisma, { slug: `tt-${++seq}`, timezone: 'America/Los_Angeles', currency: 'USD' })).id;
    logs.length = 0;
  });
  afterEach(async () => {
    for (const l of logs) expect(l).not.toContain(tt.token);
    await tt.close();
  });

  it('backfills 45 days in 30-day windows and 1,000-row pages; names from ad/get in batches of 100; "-" stays unknown', async () => {
    const conn = await connectAccount(db, key, sources(), { clientId, platform: 'tiktok', accountId: tt.advertiser, accessToken: tt.token }, { now: NOW });
    expect(conn.settings).toMatchObject({ accountName: 'Fake TikTok Shop', timezone: 'America/Los_Angeles' });
    const r = await syncConnection(db, conn.id, opts({ range: { from: DAYS[0]!, to: LAST }, chunkDays: 45 }));
    expect(r).toMatchObject({ status: 'succeeded', rowsFetched: 150 * 45 });
    const reports = tt.requests.filter((q) => q.path.endsWith('report/integrated/get/'));
    expect(reports.map((q) => [q.query.get('start_date'), q.query.get('end_date'), q.query.get('page')])).toEqual([
      [DAYS[0], DAYS[29], '1'], [DAYS[0], DAYS[29], '2'], [DAYS[0], DAYS[29], '3'], [DAYS[0], DAYS[29], '4'], [DAYS[0], DAYS[29], '5'],
      [DAYS[30], LAST, '1'], [DAYS[30], LAST, '2'], [DAYS[30], LAST, '3'],
    ]);
    // Each ad is looked up once, at most 100 ids a request.
    const looked = tt.requests.filter((q) => q.path.endsWith('ad/get/')).map((q) => (JSON.parse(q.query.get('filtering')!) as { ad_ids: string[] }).ad_ids);
    expect(Math.max(...looked.map((ids) => ids.length))).toBeLessThanOrEqual(100);
    expect(looked.flat().sort()).toEqual(ADS.map((a) => a.id).sort());
    let spend = 0, conv = 0, rev = 0;
    for (const m of tt.data.values()) for (const v of m.values()) {
      spend += Math.round(Number(v.spend) * 100);
      conv += Number(v.complete_payment);
      rev += Math.round(Number(v.total_complete_payment_rate) * 100);
    }
    const [s] = await db.sql.query<{ spend: number; conv: number; rev: number; reach: number }>(
      `SELECT sum(spend_cents)::float8 AS spend, sum(conversions)::float8 AS conv, sum(revenue_cents)::float8 AS rev, count(reach)::int AS reach
         FROM daily_metric m JOIN entity e ON e.id = m.entity_id WHERE e.client_id = $1::uuid AND m.source = 'tiktok-api'`,
      [clientId],
    );
    expect(s).toEqual({ spend, conv, rev, reach: 0 });
    expect(await db.prisma.entity.count({ where: { clientId, kind: 'link' } })).toBe(15);
    expect(await db.prisma.entity.count({ where: { clientId, kind: 'spark_code' } })).toBe(2);
  });

  it('backs off on 40100 (too many requests) and 50000; an invalid token (40105) → needs_reauth', async () => {
    const conn = await connectAccount(db, key, sources(), { clientId, platform: 'tiktok', accountId: tt.advertiser, accessToken: tt.token }, { now: NOW });
    tt.failNext([{ code: 40100, message: 'Requests made too frequently.' }, { code: 50000, message: 'System error' }]);
    expect((await syncConnection(db, conn.id, opts({ range: { from: addDays(LAST, -2), to: LAST } }))).status).toBe('succeeded');
    expect(logs.some((l) => /rate limited — waiting/.test(l))).toBe(true);
    tt.failNext([{ code: 40105, message: 'The access token is invalid or has been revoked.' }]);
    const r = await syncConnection(db, conn.id, opts({ range: { from: addDays(LAST, -2), to: LAST } }));
    expect(r).toMatchObject({ status: 'needs_reauth', error: expect.stringMatching(/access token for advertiser 7012345678901234567 stopped working/) });
    // The daily window: 7 days for TikTok.
    expect((await syncConnection(db, conn.id, opts())).range).toEqual({ from: addDays(LAST, -7), to: LAST });
  });
});
