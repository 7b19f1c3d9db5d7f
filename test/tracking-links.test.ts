// The tracking link under stress: while the database cannot be reached a click
// still reaches its destination and its visit waits to be written; a flood from one
// address is sent on but not counted; the bare /t/<code> stays with the campaign
// that took the code first when another agency registers the same code.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import { apiDeps } from '../src/api/server.ts';
import { loadConfig, type Config } from '../src/config.ts';
import type { Db } from '../src/db/client.ts';
import { addAgency } from '../src/domain/agencies.ts';
import { addClient } from '../src/domain/clients.ts';
import { createCampaign, siteKeyOf } from '../src/tracking/campaigns.ts';
import { LinkResolver } from '../src/tracking/link-resolver.ts';
import { VisitWriter, type VisitRow } from '../src/tracking/visits.ts';
import { dbKinds, freshDb, type TestDb } from './helpers/db.ts';

const BROWSER = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36';
const NOW = new Date('2026-11-20T12:00:00Z');

/** The database as a client sees it when the server is gone: every query refused. */
function cuttable(db: Db) {
  const state = { down: false, refused: 0 };
  const refused = () => {
    state.refused++;
    return Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }));
  };
  const sql = { ...db.sql, query: ((text: string, params?: unknown[]) => (state.down ? refused() : db.sql.query(text, params))) as Db['sql']['query'] };
  return { db: { ...db, sql } as Db, state };
}

describe.each(dbKinds)('tracking links (%s)', (kind) => {
  let db: TestDb;
  let clientId = '';
  let otherClientId = '';
  const config = (over: Partial<Config['tracking']> = {}): Config => {
    const c = loadConfig({});
    return { ...c, tracking: { ...c.tracking, fallbackUrl: null, salt: 'test-salt-0123456789', clickLimit: 100_000, ...over } };
  };
  const visitsOf = async (campaignId: string) => (await db.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM visit WHERE campaign_id = $1::uuid', [campaignId]))[0]!.n;
  const clickOn = (app: ReturnType<typeof createApp>, pathAndQuery: string, address = '198.51.100.20') =>
    Promise.resolve(app.request(pathAndQuery, { headers: { 'user-agent': BROWSER } }, { incoming: { socket: { remoteAddress: address } } }));

  beforeAll(async () => {
    db = await freshDb(kind);
    await addAgency(db.prisma, { slug: 'first', name: 'First' });
    await addAgency(db.prisma, { slug: 'second', name: 'Second' });
    clientId = (await addClient(db.prisma, { slug: 'shop-one', agency: 'first', timezone: 'UTC' })).id;
    otherClientId = (await addClient(db.prisma, { slug: 'shop-two', agency: 'second', timezone: 'UTC' })).id;
  });
  afterAll(async () => db?.destroy());

  it('while the database is unreachable a click still reaches its destination, and its visit is written when it is back', async () => {
    const t = await createCampaign(db.prisma, clientId, { name: 'Outage', platform: 'instagram', type: 'reel', destinationUrl: 'https://one.example/p/outage', code: 'OUTAGE' });
    const site = await siteKeyOf(db.prisma, clientId);
    const { db: flaky, state } = cuttable(db);
    const visits = new VisitWriter(flaky, { maxDelayMs: 5 });
    const app = createApp(apiDeps(flaky, config(), () => NOW), { visits });
    const up = await clickOn(app, `/t/OUTAGE?s=${site}`);
    expect(up.status).toBe(302);
    await visits.flush();
    expect(await visitsOf(t.id)).toBe(1);

    state.down = true;
    const during = await Promise.all(Array.from({ length: 30 }, (_, i) => clickOn(app, `/t/OUTAGE?s=${site}`, `198.51.100.${30 + i}`)));
    expect(during.map((r) => r.status)).toEqual(Array(30).fill(302));
    for (const r of during) expect(new URL(r.headers.get('location')!).pathname).toBe('/p/outage');
    // Every one went to the database first (a deactivated link takes effect at once when it can be asked).
    expect(state.refused).toBeGreaterThanOrEqual(30);
    await visits.flush();
    expect(visits.waiting).toBe(30);
    // A link this process never saw cannot be resolved: a clear 503, or the configured fallback.
    const unknown = await clickOn(app, `/t/NEVER_SEEN?s=${site}`);
    expect(unknown.status).toBe(503);
    expect(unknown.headers.get('retry-after')).toBe('5');
    expect(await unknown.text()).toMatch(/briefly unavailable/);
    const withFallback = createApp(apiDeps(flaky, config({ fallbackUrl: 'https://agency.example/' }), () => NOW), { visits });
    expect((await clickOn(withFallback, `/t/NEVER_SEEN?s=${site}`)).headers.get('location')).toBe('https://agency.example/');

    state.down = false;
    await visits.flush();
    expect(visits.waiting).toBe(0);
    expect(await visitsOf(t.id)).toBe(31);
    expect(visits.stats).toMatchObject({ written: 31, lost: 0 });
    // Back up: the database decides again — a deactivated link goes to the fallback at once.
    await db.prisma.trackingCampaign.update({ where: { id: t.id }, data: { active: false } });
    expect((await clickOn(app, `/t/OUTAGE?s=${site}`)).status).toBe(404);
  });

  it('made-up codes never push a real link out of memory: it still redirects during an outage after a scan of random codes', async () => {
    await createCampaign(db.prisma, clientId, { name: 'Kept', platform: 'instagram', type: 'reel', destinationUrl: 'https://one.example/p/kept', code: 'KEPT' });
    const site = await siteKeyOf(db.prisma, clientId);
    const { db: flaky, state } = cuttable(db);
    const links = new LinkResolver(flaky, { maxEntries: 2 });
    expect((await links.resolve('KEPT', site)).resolved?.kind).toBe('campaign');
    for (let i = 0; i < 50; i++) expect((await links.resolve(`SCAN_${i}`, site)).resolved?.kind).toBe('none');
    state.down = true;
    const during = await links.resolve('KEPT', site);
    expect(during).toMatchObject({ stale: true, resolved: { kind: 'campaign', link: { destinationUrl: 'https://one.example/p/kept' } } });
    expect((await links.resolve('SCAN_3', site)).resolved).toBeNull();
  });

  it('an outage longer than the writer can hold drops the oldest visits and counts them', async () => {
    const t = await createCampaign(db.prisma, clientId, { name: 'Long outage', platform: 'instagram', type: 'reel', destinationUrl: 'https://one.example/p/long', code: 'LONG' });
    const { db: flaky, state } = cuttable(db);
    const lost: number[] = [];
    const visits = new VisitWriter(flaky, { maxBatch: 4, maxHeld: 10, onError: (_e, n) => lost.push(n) });
    const row = (i: number): VisitRow => ({ clientId, campaignId: t.id, sessionId: `session-long-${String(i).padStart(4, '0')}`, kind: 'click', at: NOW, ipHash: null, device: null, browser: null, os: null, country: null, referrer: null, path: null });
    state.down = true;
    for (let i = 0; i < 25; i++) visits.add(row(i));
    await visits.flush();
    expect(visits.waiting).toBe(10);
    expect(visits.stats.lost).toBe(15);
    expect(lost.reduce((a, b) => a + b, 0)).toBe(15);
    state.down = false;
    await visits.flush();
    const kept = await db.sql.query<{ s: string }>('SELECT session_id AS s FROM visit WHERE campaign_id = $1::uuid ORDER BY session_id', [t.id]);
    // The newest ten are kept, each once.
    expect(kept.map((r) => r.s)).toEqual(Array.from({ length: 10 }, (_, i) => `session-long-${String(15 + i).padStart(4, '0')}`));
  });

  it('beyond the per-address click limit the visitor is sent on but not counted; other addresses are counted', async () => {
    const t = await createCampaign(db.prisma, clientId, { name: 'Flood', platform: 'tiktok', type: 'video', destinationUrl: 'https://one.example/p/flood', code: 'FLOOD' });
    const site = await siteKeyOf(db.prisma, clientId);
    const visits = new VisitWriter(db, { maxDelayMs: 5 });
    const app = createApp(apiDeps(db, config({ clickLimit: 5 }), () => NOW), { visits });
    const flood = [];
    for (let i = 0; i < 40; i++) flood.push((await clickOn(app, `/t/FLOOD?s=${site}`, '203.0.113.66')).status);
    expect(flood).toEqual(Array(40).fill(302));
    // Rotating X-Forwarded-For from a socket that is not a configured proxy changes nothing.
    const spoofed = await Promise.resolve(app.request(`/t/FLOOD?s=${site}`, { headers: { 'user-agent': BROWSER, 'x-forwarded-for': '192.0.2.1' } }, { incoming: { socket: { remoteAddress: '203.0.113.66' } } }));
    expect(spoofed.status).toBe(302);
    // A code the flood has not resolved before is refused, not looked up.
    const probe = await clickOn(app, `/t/GUESS_${Date.now()}?s=${site}`, '203.0.113.66');
    expect(probe.status).toBe(429);
    for (let i = 0; i < 3; i++) expect((await clickOn(app, `/t/FLOOD?s=${site}`, `203.0.113.${70 + i}`)).status).toBe(302);
    await visits.flush();
    expect(await visitsOf(t.id)).toBe(5 + 3);
  });

  it('another agency taking the same code does not take the bare link: the first keeps /t/<code>, the second gets its ?s= link', async () => {
    const first = await createCampaign(db.prisma, clientId, { name: 'Summer', platform: 'instagram', type: 'reel', destinationUrl: 'https://one.example/summer', code: 'SUMMER' });
    const second = await createCampaign(db.prisma, otherClientId, { name: 'Summer', platform: 'instagram', type: 'reel', destinationUrl: 'https://two.example/summer', code: 'SUMMER' });
    const visits = new VisitWriter(db, { maxDelayMs: 5 });
    const app = createApp(apiDeps(db, config(), () => NOW), { visits });
    const bare = await clickOn(app, '/t/SUMMER');
    expect(bare.status).toBe(302);
    expect(new URL(bare.headers.get('location')!).origin).toBe('https://one.example');
    const own = await clickOn(app, `/t/SUMMER?s=${await siteKeyOf(db.prisma, otherClientId)}`);
    expect(new URL(own.headers.get('location')!).origin).toBe('https://two.example');
    await visits.flush();
    expect([await visitsOf(first.id), await visitsOf(second.id)]).toEqual([1, 1]);
  });
});
