// A first-party campaign linked to ad spend: its cost is the ad entity's reported
// spend (its subtree, one source per entity and day), it is judged on it, and the
// client's totals do not count that spend (or its orders) a second time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import { apiDeps } from '../src/api/server.ts';
import { loadConfig } from '../src/config.ts';
import { writeBatch } from '../src/db/metrics-write.ts';
import { addAgency } from '../src/domain/agencies.ts';
import { createApiKey } from '../src/domain/api-keys.ts';
import { addClient } from '../src/domain/clients.ts';
import { addEntity, newBatch } from '../src/ingest/batch.ts';
import { loadReportModel } from '../src/reports/load-model.ts';
import { syncStep } from '../src/run/day.ts';
import { dbKinds, freshDb, type TestDb } from './helpers/db.ts';
import { requester } from './helpers/request.ts';

describe.each(dbKinds)('campaign cost linked to ad spend (%s)', (kind) => {
  let db: TestDb;
  let app: ReturnType<typeof createApp>;
  let key = '';
  let clientId = '';
  const ids: Record<string, string> = {};
  const api = requester(() => app, { key: () => key });
  const day = (d: number) => `2026-10-${String(d).padStart(2, '0')}`;

  beforeAll(async () => {
    db = await freshDb(kind);
    await addAgency(db.prisma, { slug: 'ag', name: 'Ag' });
    const c = await addClient(db.prisma, { slug: 'shop', agency: 'ag', currency: 'USD', timezone: 'UTC' });
    clientId = c.id;
    key = (await createApiKey(db.prisma, c.agencyId, { role: 'member' })).key;
    app = createApp(apiDeps(db, loadConfig({}), () => new Date('2026-10-11T12:00:00Z')));
    // A Meta campaign with two ads: $10 + $5 a day from the API, days 1–10; a CSV
    // of ad 1 on days 1–10 says $99 (the connector wins: not counted).
    const b = newBatch();
    const acct = addEntity(b, { platform: 'meta', kind: 'account', externalId: 'act_1', name: 'Meta' });
    const camp = addEntity(b, { platform: 'meta', kind: 'campaign', externalId: 'c1', name: 'Reels push', parentKey: acct });
    const ad1 = addEntity(b, { platform: 'meta', kind: 'ad', externalId: 'a1', name: 'Ad one', parentKey: camp });
    const ad2 = addEntity(b, { platform: 'meta', kind: 'ad', externalId: 'a2', name: 'Ad two', parentKey: camp });
    for (let d = 1; d <= 10; d++) {
      b.metrics.push({ entityKey: ad1, date: day(d), spendCents: 1_000, impressions: 1_000, clicks: 20, conversions: 1, revenueCents: 3_000, reach: null, frequency: null });
      b.metrics.push({ entityKey: ad2, date: day(d), spendCents: 500, impressions: 500, clicks: 10, conversions: 0, revenueCents: 0, reach: null, frequency: null });
    }
    await writeBatch(db.sql, b, { clientId, source: 'meta-api' });
    const csv = newBatch();
    const a1csv = addEntity(csv, { platform: 'meta', kind: 'ad', externalId: 'a1', name: 'Ad one' });
    for (let d = 1; d <= 10; d++) csv.metrics.push({ entityKey: a1csv, date: day(d), spendCents: 9_900, impressions: 1, clicks: 1, conversions: 0, revenueCents: 0, reach: null, frequency: null });
    await writeBatch(db.sql, csv, { clientId, source: 'csv' });
    for (const e of await db.prisma.entity.findMany({ where: { clientId } })) ids[e.externalId] = e.id;
  });
  afterAll(async () => db?.destroy());

  it('links only to an ad platform\'s campaign, ad set, ad or link of the same client', async () => {
    const mk = (adEntityId: string) => api('POST', `/v1/clients/${clientId}/tracking-campaigns`, { body: { name: 'Bad', destinationUrl: 'https://shop.example/', adEntityId } });
    const unknown = await mk('00000000-0000-4000-8000-000000000000');
    expect(unknown.status).toBe(422);
    expect(unknown.json.error.message).toMatch(/adEntityId: no entity/);
    const account = await mk(ids.act_1!);
    expect(account.status).toBe(422);
    expect(account.json.error.message).toMatch(/adEntityId: .* is a meta account/);
    expect(await db.prisma.trackingCampaign.count({ where: { clientId } })).toBe(0);
  });

  it('its cost is the linked campaign\'s spend per day; the totals count that spend once', async () => {
    const linked = await api('POST', `/v1/clients/${clientId}/tracking-campaigns`, { body: { name: 'Reels push link', code: 'LINKED', destinationUrl: 'https://shop.example/', adEntityId: ids.c1, costCents: 123_456 } });
    expect(linked.status, linked.text).toBe(201);
    expect(linked.json.adEntityId).toBe(ids.c1);
    const own = await api('POST', `/v1/clients/${clientId}/tracking-campaigns`, { body: { name: 'Influencer', code: 'OWN', destinationUrl: 'https://shop.example/', costCents: 10_000, startsAt: '2026-10-01T00:00:00Z', endsAt: '2026-10-10T23:59:59Z' } });
    expect(own.status).toBe(201);
    const ev = await api('POST', '/v1/track/events', { body: { clientId, events: [
      { type: 'visit', sessionId: 'sess-linked-1', timestamp: '2026-10-03T10:00:00Z', code: 'LINKED' },
      { type: 'visit', sessionId: 'sess-own-1', timestamp: '2026-10-04T10:00:00Z', code: 'OWN' },
    ] } });
    expect(ev.status).toBe(201);
    for (const [o, s] of [['o1', 'sess-linked-1'], ['o2', 'sess-own-1']]) {
      expect((await api('POST', '/v1/track/conversion', { body: { clientId, orderId: o, sessionId: s, revenueCents: 2_000, currency: 'USD', timestamp: '2026-10-05T10:00:00Z' } })).status).toBe(201);
    }
    // Analytics: the ad campaign's two ads over the range (15 $/day × 3 days); the other one spread.
    const a = await api('GET', `/v1/tracking-campaigns/${linked.json.id}/analytics?from=2026-10-02&to=2026-10-04`);
    expect(a.status, a.text).toBe(200);
    expect(a.json.costCents).toBe(4_500);
    const board = await api('GET', `/v1/clients/${clientId}/tracking/leaderboard?by=revenue&from=2026-10-01&to=2026-10-10`);
    expect(board.status, board.text).toBe(200);
    const cost = Object.fromEntries(board.json.data.map((r: { code: string; costCents: number }) => [r.code, r.costCents]));
    expect(cost).toEqual({ LINKED: 15_000, OWN: 10_000 });

    // Into the brain: the linked campaign's rows carry the ad spend, under the mirror account.
    const client = await db.prisma.client.findUniqueOrThrow({ where: { id: clientId } });
    await syncStep.run({ db, client, asOf: day(10), now: new Date('2026-10-11T08:00:00Z'), outboxDir: '/tmp' } as never, {});
    const rows = await db.sql.query<{ ext: string; parent: string; spend: string }>(
      `SELECT e.external_id AS ext, p.external_id AS parent, sum(m.spend_cents)::text AS spend FROM daily_metric m JOIN entity e ON e.id = m.entity_id JOIN entity p ON p.id = e.parent_id
       WHERE e.client_id = $1::uuid AND m.source = 'tracking' GROUP BY 1, 2 ORDER BY 1`, [clientId]);
    expect(rows.map((r) => [r.ext, r.parent, r.spend])).toEqual([
      [`tc:${linked.json.id}`, 'first-party-linked', '15000'],
      [`tc:${own.json.id}`, 'first-party', '10000'],
    ].sort((x, y) => (x[0]! < y[0]! ? -1 : 1)));

    // The report's day: Meta's $15 + the influencer's $10 share ($1) — not the linked campaign's $15 again.
    const model = await loadReportModel(db, client, day(5), new Date('2026-10-06T08:00:00Z'));
    expect(model.day.spendCents).toBe(1_500 + 1_000);
    // Revenue: Meta's pixel $30 + the unlinked campaign's order $20; the linked one's order is the pixel's.
    expect(model.day.revenueCents).toBe(3_000 + 2_000);

    // Unlinked again: back to its own cost spread over its days, under the first-party account.
    const un = await api('PATCH', `/v1/tracking-campaigns/${linked.json.id}`, { body: { adEntityId: null, startsAt: '2026-10-01T00:00:00Z', endsAt: '2026-10-10T23:59:59Z' } });
    expect(un.status, un.text).toBe(200);
    await syncStep.run({ db, client, asOf: day(10), now: new Date('2026-10-11T08:00:00Z'), outboxDir: '/tmp' } as never, {});
    const after = await db.sql.query<{ parent: string; spend: string }>(
      `SELECT p.external_id AS parent, sum(m.spend_cents)::text AS spend FROM daily_metric m JOIN entity e ON e.id = m.entity_id JOIN entity p ON p.id = e.parent_id
       WHERE e.external_id = $1 AND m.source = 'tracking' GROUP BY 1`, [`tc:${linked.json.id}`]);
    expect(after).toEqual([{ parent: 'first-party', spend: '123456' }]);
    const again = await loadReportModel(db, client, day(5), new Date('2026-10-06T08:00:00Z'));
    expect(again.day.spendCents).toBeGreaterThan(1_500 + 1_000);
  }, 60_000);

  it('a campaign\'s days are the client\'s local days (a Berlin start at midnight is that Berlin day)', async () => {
    const berlin = await addClient(db.prisma, { slug: 'berlin-shop', agency: 'ag', currency: 'EUR', timezone: 'Europe/Berlin' });
    const c = await api('POST', `/v1/clients/${berlin.id}/tracking-campaigns`, { body: {
      name: 'Berlin reel', destinationUrl: 'https://shop.example/', costCents: 10_000, startsAt: '2026-10-01T00:00:00+02:00', endsAt: '2026-10-10T23:59:59+02:00',
    } });
    expect(c.status, c.text).toBe(201);
    const cost = async (from: string, to: string) => (await api('GET', `/v1/tracking-campaigns/${c.json.id}/analytics?from=${from}&to=${to}`)).json.costCents;
    // Ten Berlin days, $100 spread exactly over them; nothing on the UTC day the start instant falls on.
    expect(await cost('2026-09-30', '2026-09-30')).toBe(0);
    expect(await cost('2026-10-01', '2026-10-01')).toBe(1_000);
    expect(await cost('2026-10-01', '2026-10-10')).toBe(10_000);
    expect(await cost('2026-10-11', '2026-10-11')).toBe(0);
  });
});
