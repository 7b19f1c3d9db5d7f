// The Google Ads connector through real HTTP against loopback fakes of the Google
// Ads REST API and Google's OAuth2 token endpoint: exact micros, Performance Max
// rows, the manager header, token caching and renewal, rate limits and the
// daily quota — and no secret in any log or error.
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { addClient } from '../src/domain/clients.ts';
import { connectAccount } from '../src/domain/connections.ts';
import { microsToMinor } from '../src/sources/google-ads.ts';
import { syncConnection, type SyncOptions } from '../src/sources/sync.ts';
import { addDays } from '../src/time.ts';
import { startFakeGoogleAds, type FakeGoogleAds } from './fakes/google-ads-server.ts';
import { dbKinds, freshDb, type TestDb } from './helpers/db.ts';
import { testSources } from './helpers/sources.ts';

const LAST = '2026-11-20';
const DAYS = Array.from({ length: 40 }, (_, i) => addDays(LAST, i - 39));
const NOW = new Date('2026-11-20T15:00:00Z'); // 16:00 in Berlin
const ADS = Array.from({ length: 6 }, (_, i) => ({
  id: `7000${i}`, name: `RSA ${i}`, adGroup: { id: `600${i % 2}`, name: `Group ${i % 2}` }, campaign: { id: `500${i % 3}`, name: `Search ${i % 3}` },
  finalUrl: i < 3 ? `https://shop.example/p/${i}` : undefined,
}));

describe('micros to minor units', () => {
  it.each([
    ['12345678', 2, 1235], ['12344999', 2, 1234], ['0', 2, 0], ['999', 2, 0], ['5000', 2, 1], ['1500000000', 0, 1500], ['1499999', 0, 1], ['-2500000', 2, -250],
  ] as const)('%s micros at exponent %i = %i', (m, e, v) => expect(microsToMinor(m, e)).toBe(v));
});

describe.each(dbKinds)('Google Ads connector on %s', (kind) => {
  let db: TestDb;
  let g: FakeGoogleAds;
  let seq = 0;
  let clientId: string;
  const key = randomBytes(32);
  const logs: string[] = [];
  const sources = () => testSources({ google: g });
  const opts = (o: Partial<SyncOptions> = {}): SyncOptions => ({ key, sources: sources(), now: NOW, log: (l) => logs.push(l), ...o });
  const connect = () => connectAccount(db, key, sources(), { clientId, platform: 'google', accountId: '123-456-7890', loginCustomerId: '987-654-3210', refreshToken: g.refreshToken }, { now: NOW });
  const stored = async () =>
    (await db.sql.query<{ spend: number; conv: number; rev: number; days: number }>(
      `SELECT coalesce(sum(spend_cents),0)::float8 AS spend, coalesce(sum(conversions),0)::float8 AS conv, coalesce(sum(revenue_cents),0)::float8 AS rev, count(DISTINCT date)::int AS days
         FROM daily_metric m JOIN entity e ON e.id = m.entity_id WHERE e.client_id = $1::uuid AND m.source = 'google-api'`,
      [clientId],
    ))[0]!;
  const expected = (from = DAYS[0]!, to = LAST) => {
    let spend = 0, conv = 0, rev = 0;
    for (const days of [...g.data.values(), g.pmax.days]) for (const [d, v] of days) if (d >= from && d <= to) {
      spend += microsToMinor(v.costMicros, 2);
      conv += v.conversions;
      rev += Math.round(v.conversionsValue * 100);
    }
    return { spend, conv, rev };
  };

  beforeAll(async () => {
    db = await freshDb(kind);
  });
  afterAll(async () => db?.destroy());
  beforeEach(async () => {
    g = await startFakeGoogleAds({ ads: ADS, days: DAYS });
    clientId = (await addClient(db.prisma, { slug: `outdoor-${++seq}`, timezone: 'Europe/Berlin', currency: 'USD' })).id;
    logs.length = 0;
  });
  afterEach(async () => {
    for (const l of logs) for (const secret of [g.refreshToken, g.clientSecret, g.developerToken, 'ya29.']) expect(l).not.toContain(secret);
    await g.close();
  });

  it('connects through a manager account; a bad customer id or a revoked refresh token is refused before anything is stored', async () => {
    const conn = await connect();
    expect(conn.settings).toMatchObject({ accountId: '1234567890', loginCustomerId: '9876543210', accountName: 'Fake Outdoor Co', currency: 'USD', timezone: 'Europe/Berlin' });
    expect(g.searches[0]!.headers).toMatchObject({ 'developer-token': g.developerToken, 'login-customer-id': '9876543210' });
    await expect(connectAccount(db, key, sources(), { clientId, platform: 'google', accountId: '123-456', refreshToken: 'x' })).rejects.toThrow(/not a Google Ads customer id/);
    g.refreshFails = true;
    const other = (await addClient(db.prisma, { slug: `o-${seq}`, timezone: 'UTC', currency: 'USD' })).id;
    await expect(connectAccount(db, key, sources(), { clientId: other, platform: 'google', accountId: '1234567890', loginCustomerId: '9876543210', refreshToken: 'revoked' })).rejects.toThrow(/refresh token was revoked or expired/);
    expect(await db.prisma.connection.count({ where: { clientId: other } })).toBe(0);
  });

  it('syncs 40 days: cost_micros to exact cents, Performance Max campaign rows included, final URLs as links, one token for every call', async () => {
    const conn = await connect();
    const r = await syncConnection(db, conn.id, opts({ range: { from: DAYS[0]!, to: LAST } }));
    expect(r).toMatchObject({ status: 'succeeded', rowsFetched: 40 * 7 });
    const s = await stored();
    const e = expected();
    expect(s.spend).toBe(e.spend);
    expect(s.rev).toBe(e.rev);
    expect(s.conv).toBeCloseTo(e.conv, 6);
    expect(s.days).toBe(40);
    const pmax = await db.prisma.entity.findFirstOrThrow({ where: { clientId, kind: 'campaign', externalId: g.pmax.id } });
    expect(pmax.name).toBe('PMax - All products');
    expect((await db.prisma.entity.findMany({ where: { clientId, kind: 'link' } })).map((l) => l.externalId).sort()).toEqual(['https://shop.example/p/0', 'https://shop.example/p/1', 'https://shop.example/p/2']);
    // The access token is cached: one exchange for the connect, one for this sync's connector.
    expect(g.tokenRequests).toBe(2);
    // The daily re-sync (30 days back) changes nothing.
    const again = await syncConnection(db, conn.id, opts());
    expect(again).toMatchObject({ status: 'succeeded', range: { from: addDays(LAST, -30), to: LAST }, inserted: 0, updated: 0 });
  });

  it('a revoked access token is renewed once; a revoked refresh token marks the connection needs_reauth', async () => {
    const conn = await connect();
    g.revoke();
    const r = await syncConnection(db, conn.id, opts({ range: { from: addDays(LAST, -3), to: LAST } }));
    expect(r.status).toBe('succeeded');
    g.revoke();
    g.refreshFails = true;
    const bad = await syncConnection(db, conn.id, opts({ range: { from: addDays(LAST, -3), to: LAST } }));
    expect(bad).toMatchObject({ status: 'needs_reauth', error: expect.stringMatching(/refresh token was revoked or expired\. Reconnect the account/) });
    expect(await db.prisma.insight.count({ where: { clientId, type: 'connection_reauth', status: 'PENDING' } })).toBe(1);
  });

  it('RESOURCE_EXHAUSTED waits the retry delay; a daily-quota delay pauses the connection until it resets, without calling again', async () => {
    const conn = await connect();
    g.failNext([{ status: 429, grpc: 'RESOURCE_EXHAUSTED', errorCode: { quotaError: 'RESOURCE_EXHAUSTED' }, message: 'Too many requests.', retryDelay: '0.05s' }]);
    expect((await syncConnection(db, conn.id, opts({ range: { from: addDays(LAST, -3), to: LAST } }))).status).toBe('succeeded');
    expect(logs.some((l) => /searchStream|reading .*: rate limited — waiting/.test(l))).toBe(true);
    g.failNext([{ status: 429, grpc: 'RESOURCE_EXHAUSTED', errorCode: { quotaError: 'RESOURCE_EXHAUSTED' }, message: 'Number of operations for basic access exceeded.', retryDelay: '43200s' }]);
    const q = await syncConnection(db, conn.id, opts({ range: { from: addDays(LAST, -3), to: LAST } }));
    expect(q).toMatchObject({ status: 'failed', error: expect.stringMatching(/basic access exceeded\. \(RESOURCE_EXHAUSTED\); the quota resets in 720 min/) });
    const calls = g.searches.length;
    const later = await syncConnection(db, conn.id, opts({ now: new Date(NOW.getTime() + 3_600_000) }));
    expect(later).toMatchObject({ status: 'failed', error: expect.stringMatching(/daily API quota is spent; syncing again after 2026-11-21T03:00:00/) });
    expect(g.searches.length).toBe(calls);
    expect((await syncConnection(db, conn.id, opts({ now: new Date(NOW.getTime() + 13 * 3_600_000) }))).status).toBe('succeeded');
  });
});
