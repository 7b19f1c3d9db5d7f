// First-party tracking through the API: campaigns with codes and a tree, the
// tracking link (302 with utm_campaign, a session cookie, bots and prefetches not
// counted, unknown / inactive codes to the fallback), and conversions — once per
// order id even when sent ten times at once, attributed by last touch in a rolling
// 30-day window, with the customer's first campaign kept.
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import { apiDeps } from '../src/api/server.ts';
import { loadConfig } from '../src/config.ts';
import { addAgency } from '../src/domain/agencies.ts';
import { createApiKey } from '../src/domain/api-keys.ts';
import { addClient } from '../src/domain/clients.ts';
import { dbKinds, freshDb, type TestDb } from './helpers/db.ts';

const BROWSER = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
const DAY = 86_400_000;

describe.each(dbKinds)('first-party tracking (%s)', (kind) => {
  let db: TestDb;
  let app: ReturnType<typeof createApp>;
  let clock = new Date('2026-11-01T10:00:00Z');
  let member = '';
  let admin = '';
  let rival = '';
  let clientId = '';
  let rivalClientId = '';

  beforeAll(async () => {
    db = await freshDb(kind);
    await mkdtemp(path.join(tmpdir(), 'adbrain-track-'));
    await addAgency(db.prisma, { slug: 'shopco', name: 'Shop Co' });
    const c = await addClient(db.prisma, { slug: 'dress-shop', agency: 'shopco', currency: 'EUR', timezone: 'Europe/Berlin' });
    clientId = c.id;
    await db.prisma.client.update({ where: { id: c.id }, data: { trackFallbackUrl: 'https://dress.example/' } });
    member = (await createApiKey(db.prisma, c.agencyId, { role: 'member', name: 'shop server' })).key;
    admin = (await createApiKey(db.prisma, c.agencyId, { role: 'admin', name: 'owner' })).key;
    const o = await addAgency(db.prisma, { slug: 'rival', name: 'Rival' });
    rival = (await createApiKey(db.prisma, o.id, { role: 'admin' })).key;
    rivalClientId = (await addClient(db.prisma, { slug: 'rival-shop', agency: 'rival', currency: 'EUR' })).id;
    app = createApp(apiDeps(db, { ...loadConfig({}), tracking: { fallbackUrl: null, geoHeader: 'cf-ipcountry', salt: 'test-salt-0123456789', clickLimit: 100_000 } }, () => clock), { rateLimit: 100_000, authFailureLimit: 100_000 });
  });
  afterAll(async () => db?.destroy());

  const api = async (method: string, url: string, body?: unknown, key = member) => {
    const res = await app.request(url, { method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, json: await res.json().catch(() => null) as any };
  };
  const click = async (url: string, headers: Record<string, string> = {}, method = 'GET') => {
    const u = new URL(url);
    const res = await app.request(`${u.pathname}${u.search}`, { method, headers: { 'user-agent': BROWSER, ...headers } });
    return { status: res.status, location: res.headers.get('location'), cookie: res.headers.get('set-cookie') };
  };
  const sidOf = (cookie: string | null) => /adb_sid=([^;]+)/.exec(cookie ?? '')?.[1];
  let A: any, B: any, parent: any;

  it('creates campaigns with generated codes, a tree without cycles, and answers the tracking URL', async () => {
    parent = (await api('POST', `/v1/clients/${clientId}/tracking-campaigns`, { name: 'Summer 2024 Sale', platform: 'multi', type: 'campaign', destinationUrl: 'https://dress.example/sale' })).json;
    expect(parent.code).toBe('MULTI_SUMMER_2024_SALE_01');
    const a = await api('POST', `/v1/clients/${clientId}/tracking-campaigns`, { name: 'Summer dress', platform: 'instagram', type: 'reel', destinationUrl: 'https://dress.example/p/dress?color=red', parentId: parent.id, costCents: 20_000 });
    expect(a.status).toBe(201);
    A = a.json;
    expect(A.code).toBe('INSTA_SUMMER_DRESS_01');
    expect(A.trackingUrl).toMatch(/\/t\/INSTA_SUMMER_DRESS_01\?s=site_[A-Za-z0-9_-]+$/);
    B = (await api('POST', `/v1/clients/${clientId}/tracking-campaigns`, { name: 'Summer dress', platform: 'instagram', type: 'story', destinationUrl: 'https://dress.example/p/dress', parentId: parent.id })).json;
    expect(B.code).toBe('INSTA_SUMMER_DRESS_02');
    expect((await api('POST', `/v1/clients/${clientId}/tracking-campaigns`, { name: 'x', code: 'INSTA_SUMMER_DRESS_01', destinationUrl: 'https://dress.example/' })).status).toBe(409);
    const cycle = await api('PATCH', `/v1/tracking-campaigns/${parent.id}`, { parentId: A.id });
    expect(cycle.status).toBe(422);
    expect(cycle.json.error.message).toMatch(/parentId/);
    expect((await api('POST', `/v1/clients/${clientId}/tracking-campaigns`, { name: 'x', destinationUrl: 'javascript:alert(1)' })).status).toBe(422);
    expect((await api('GET', `/v1/tracking-campaigns/${parent.id}/children`)).json.data.map((c: { code: string }) => c.code)).toEqual([A.code, B.code]);
    // Another agency sees none of it.
    expect((await api('GET', `/v1/tracking-campaigns/${A.id}`, undefined, rival)).status).toBe(404);
    expect((await api('POST', `/v1/clients/${clientId}/tracking-campaigns`, { name: 'x', destinationUrl: 'https://x.example/' }, rival)).status).toBe(404);
  });

  it('the link redirects with utm_campaign and the session, sets the cookie, counts people only', async () => {
    const r = await click(A.trackingUrl, { 'cf-ipcountry': 'de', 'x-forwarded-for': '203.0.113.9' });
    expect(r.status).toBe(302);
    const to = new URL(r.location!);
    expect(`${to.origin}${to.pathname}`).toBe('https://dress.example/p/dress');
    expect(to.searchParams.get('color')).toBe('red');
    expect(to.searchParams.get('utm_campaign')).toBe(A.code);
    const sid = sidOf(r.cookie);
    expect(sid).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    expect(to.searchParams.get('adb_sid')).toBe(sid);
    expect(r.cookie).toMatch(/HttpOnly/i);
    // Bots, unfurlers, HEAD and prefetches go on but are not counted.
    for (const [h, m] of [[{ 'user-agent': 'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)' }, 'GET'], [{ 'user-agent': 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)' }, 'GET'], [{}, 'HEAD'], [{ 'sec-purpose': 'prefetch' }, 'GET'], [{ 'user-agent': '' }, 'GET']] as const) {
      const b = await click(A.trackingUrl, h, m);
      expect(b.status).toBe(302);
      expect(b.cookie).toBeNull();
    }
    await api('POST', '/v1/track/conversion', { clientId, orderId: 'flush-only', revenueCents: 0, currency: 'EUR' });
    const visits = await db.prisma.visit.findMany({ where: { clientId } });
    expect(visits).toHaveLength(1);
    expect(visits[0]).toMatchObject({ campaignId: A.id, sessionId: sid, kind: 'click', device: 'mobile', browser: 'Mobile Safari', os: 'iOS', country: 'DE' });
    expect(visits[0]!.ipHash).not.toContain('203.0.113.9');
    // Unknown or inactive: the client's fallback, never an error page.
    expect((await click(A.trackingUrl.replace(A.code, 'NOPE_01'))).location).toBe('https://dress.example/');
    await api('POST', `/v1/tracking-campaigns/${B.id}/deactivate`);
    expect((await click(B.trackingUrl)).location).toBe('https://dress.example/');
    await api('POST', `/v1/tracking-campaigns/${B.id}/activate`);
    const anon = await app.request('/t/NOPE_01');
    expect(anon.status).toBe(404);
  });

  it('conversions: last touch in a rolling 30-day window, once per order id, the customer\'s first campaign kept', async () => {
    clock = new Date('2026-11-02T10:00:00Z');
    const first = await click(A.trackingUrl);
    const sid = sidOf(first.cookie)!;
    clock = new Date('2026-11-03T10:00:00Z');
    await click(B.trackingUrl, { cookie: `adb_sid=${sid}` });
    clock = new Date('2026-11-04T10:00:00Z');
    const order = { clientId, orderId: '#1001', revenueCents: 8_900, currency: 'EUR', sessionId: sid, customerId: 'cust-7' };
    const r = await api('POST', '/v1/track/conversion', order);
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({ campaignId: B.id, duplicate: false, revenueCents: 8_900 });
    // Ten retries at once of a new order: one row, one 201.
    const burst = await Promise.all(Array.from({ length: 10 }, () => api('POST', '/v1/track/conversion', { ...order, orderId: '#1002', revenueCents: 1_000 })));
    expect(burst.filter((x) => x.status === 201)).toHaveLength(1);
    expect(burst.filter((x) => x.status === 200 && x.json.duplicate)).toHaveLength(9);
    expect(await db.prisma.conversion.count({ where: { clientId, orderId: '#1002' } })).toBe(1);
    expect((await api('POST', '/v1/track/conversion', order)).json).toMatchObject({ duplicate: true, campaignId: B.id });
    expect((await db.prisma.visit.findFirstOrThrow({ where: { sessionId: sid, campaignId: B.id } })).converted).toBe(true);
    expect(await db.prisma.trackCustomer.findUnique({ where: { clientId_customerId: { clientId, customerId: 'cust-7' } } })).toMatchObject({ acquisitionCampaignId: B.id });

    // Clicking A again makes A the last touch; the customer keeps B as where they came from.
    clock = new Date('2026-11-05T10:00:00Z');
    await click(A.trackingUrl, { cookie: `adb_sid=${sid}` });
    expect((await api('POST', '/v1/track/conversion', { ...order, orderId: '#1003' })).json.campaignId).toBe(A.id);
    expect((await db.prisma.trackCustomer.findFirstOrThrow({ where: { customerId: 'cust-7' } })).acquisitionCampaignId).toBe(B.id);

    // 31 days without activity: the touches expired.
    clock = new Date(new Date('2026-11-05T10:00:00Z').getTime() + 31 * DAY);
    const late = await api('POST', '/v1/track/conversion', { ...order, orderId: '#1004' });
    expect(late.status).toBe(201);
    expect(late.json.campaignId).toBeNull();
    // No session at all: unattributed, still counted.
    expect((await api('POST', '/v1/track/conversion', { clientId, orderId: '#1005', revenueCents: 100, currency: 'EUR' })).json).toMatchObject({ campaignId: null, duplicate: false });
  });

  it('the beacons: the client\'s origins only, 204 or 4xx fast, never 5xx; a code is a touch, a landing through the link is a page view', async () => {
    const settings = await api('PATCH', `/v1/clients/${clientId}/tracking`, { origins: ['https://dress.example/'] }, admin);
    expect(settings.status).toBe(200);
    expect(settings.json.snippet).toMatch(/<script src="[^"]+\/t\.js" data-site="site_[^"]+" defer><\/script>/);
    const site = settings.json.siteKey;
    const beacon = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      app.request(path, { method: 'POST', headers: { 'content-type': 'text/plain;charset=UTF-8', origin: 'https://dress.example', 'user-agent': BROWSER, ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
    const sid = 'beacon-session-0000000001';
    const before = await db.prisma.visit.count();
    const ok = await beacon('/v1/track/visit', { k: site, s: sid, c: A.code, u: 'https://dress.example/p/dress?utm_campaign=' + A.code });
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://dress.example');
    expect((await beacon('/v1/track/activity', { k: site, s: sid, u: 'https://dress.example/cart' })).status).toBe(204);
    // Unknown code: the same 204 (nothing tells whether a code exists), recorded as a page view.
    expect((await beacon('/v1/track/visit', { k: site, s: sid, c: 'NOPE_99', u: 'https://dress.example/' })).status).toBe(204);
    // Through our link (?adb_sid=): the click was counted; the landing is a page view.
    expect((await beacon('/v1/track/visit', { k: site, s: sid, c: B.code, via: true })).status).toBe(204);
    for (const [body, headers, status] of [
      ['{"k":', {}, 400], ['[]', {}, 400], [{ k: site, s: 'short' }, {}, 400], [{ k: 'site_nope', s: sid }, {}, 400],
      [{ k: site, s: sid }, { origin: 'https://evil.example' }, 403], [{ k: site, s: sid, u: 'x'.repeat(5000) }, {}, 413],
    ] as const) {
      const r = await beacon('/v1/track/visit', body, headers as Record<string, string>);
      expect(r.status, JSON.stringify(body).slice(0, 40)).toBe(status);
      expect(((await r.json()) as { error: { code: string } }).error.code).toEqual(expect.any(String));
    }
    // Garbage of every shape: a 4xx, never a 5xx.
    const junk = [() => randomBytes(1 + Math.floor(Math.random() * 200)).toString('latin1'), () => JSON.stringify({ k: site, s: sid, c: { $gt: '' } }), () => JSON.stringify({ k: [site], s: 5 }), () => 'null', () => '"x"', () => JSON.stringify({ k: site, s: sid, u: 42, r: false })];
    for (let i = 0; i < 60; i++) {
      const r = await beacon(i % 2 ? '/v1/track/visit' : '/v1/track/activity', junk[i % junk.length]!());
      expect(r.status, `junk ${i}`).toBeGreaterThanOrEqual(400);
      expect(r.status, `junk ${i}`).toBeLessThan(500);
    }
    await api('POST', '/v1/track/conversion', { clientId, orderId: 'flush-2', revenueCents: 0, currency: 'EUR' });
    const got = await db.prisma.visit.findMany({ where: { sessionId: sid }, orderBy: { id: 'asc' } });
    expect(got.map((v) => [v.kind, v.campaignId, v.path])).toEqual([['click', A.id, '/p/dress'], ['view', null, '/cart'], ['view', null, '/'], ['view', null, null]]);
    expect(await db.prisma.visit.count()).toBe(before + 4);
    // DNT / GPC honoured when the client asks for it.
    await api('PATCH', `/v1/clients/${clientId}/tracking`, { honorDnt: true }, admin);
    const fresh = createApp(apiDeps(db, loadConfig({}), () => clock), { beaconLimit: 3 });
    const post = (h: Record<string, string> = {}) => fresh.request('/v1/track/activity', { method: 'POST', headers: { origin: 'https://dress.example', 'user-agent': BROWSER, ...h }, body: JSON.stringify({ k: site, s: 'dnt-session-000000000001' }) });
    expect((await post({ 'sec-gpc': '1' })).status).toBe(204);
    expect((await post()).status).toBe(204);
    expect((await post()).status).toBe(204);
    expect((await post()).status).toBe(429);
    await fresh.request('/v1/track/conversion', { method: 'POST', headers: { authorization: `Bearer ${member}`, 'content-type': 'application/json' }, body: JSON.stringify({ clientId, orderId: 'flush-3', revenueCents: 0, currency: 'EUR' }) });
    expect(await db.prisma.visit.count({ where: { sessionId: 'dnt-session-000000000001' } })).toBe(2);
    await api('PATCH', `/v1/clients/${clientId}/tracking`, { honorDnt: false }, admin);
    const js = await app.request('/t.js');
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect((await js.text()).length).toBeLessThan(2_000);
  });

  it('a split test\'s link sends each session to a variant by weight and keeps it there', async () => {
    const r = await api('POST', `/v1/clients/${clientId}/split-tests`, { name: 'Dress hook', metric: 'conversion_rate', link: 'DRESS_SPLIT', variants: [{ entity: A.code, weight: 1 }, { entity: B.code, weight: 3 }] });
    expect(r.status, JSON.stringify(r.json)).toBe(201);
    expect(r.json.link).toBe('DRESS_SPLIT');
    expect((await api('POST', `/v1/clients/${clientId}/split-tests`, { name: 'Clash', metric: 'roi', link: A.code, variants: [{ entity: A.code }, { entity: B.code }] })).status).toBe(409);
    expect((await api('POST', `/v1/clients/${clientId}/split-tests`, { name: 'Not campaigns', metric: 'roi', link: 'OTHER_SPLIT', variants: [{ entity: 'nope' }, { entity: B.code }] })).status).toBe(422);
    const site = A.trackingUrl.split('?s=')[1];
    const seen = { [A.code]: 0, [B.code]: 0 } as Record<string, number>;
    const sticky: string[] = [];
    for (let i = 0; i < 200; i++) {
      const sid = `split-session-${String(i).padStart(6, '0')}`;
      const first = await click(`http://x/t/DRESS_SPLIT?s=${site}`, { cookie: `adb_sid=${sid}` });
      const code = new URL(first.location!).searchParams.get('utm_campaign')!;
      seen[code] = (seen[code] ?? 0) + 1;
      if (i < 10) {
        const again = await click(`http://x/t/DRESS_SPLIT?s=${site}`, { cookie: `adb_sid=${sid}` });
        sticky.push(`${code}=${new URL(again.location!).searchParams.get('utm_campaign')}`);
      }
    }
    expect(sticky.every((x) => x.split('=')[0] === x.split('=')[1])).toBe(true);
    // 1 : 3 — within what chance allows for 200 sessions (B's share 0.75 ± 4 standard errors).
    expect(seen[B.code]! / 200).toBeGreaterThan(0.75 - 4 * Math.sqrt(0.75 * 0.25 / 200));
    expect(seen[B.code]! / 200).toBeLessThan(0.75 + 4 * Math.sqrt(0.75 * 0.25 / 200));
    await api('POST', '/v1/track/conversion', { clientId, orderId: 'flush-split', revenueCents: 0, currency: 'EUR' });
    const recorded = await db.prisma.visit.groupBy({ by: ['campaignId'], where: { sessionId: { startsWith: 'split-session-' } }, _count: true });
    expect(Object.fromEntries(recorded.map((x) => [x.campaignId, x._count]))).toEqual({ [A.id]: seen[A.code]! + sticky.filter((x) => x.startsWith(`${A.code}=`)).length, [B.id]: seen[B.code]! + sticky.filter((x) => x.startsWith(`${B.code}=`)).length });
    // Stopped: the link is unknown (the fallback), never an error page.
    await api('POST', `/v1/split-tests/${r.json.id}/stop`);
    expect((await click(`http://x/t/DRESS_SPLIT?s=${site}`)).location).toBe('https://dress.example/');
  });

  it('bad input is a 4xx naming the field; another agency\'s client is a 404', async () => {
    const wrong = await api('POST', '/v1/track/conversion', { clientId, orderId: 'x', revenueCents: 100, currency: 'USD' });
    expect(wrong.status).toBe(422);
    expect(wrong.json.error.message).toMatch(/currency/);
    expect((await api('POST', '/v1/track/conversion', { clientId, orderId: 'x', revenueCents: -5, currency: 'EUR' })).status).toBe(422);
    expect((await api('POST', '/v1/track/conversion', { clientId: rivalClientId, orderId: 'x', revenueCents: 100, currency: 'EUR' })).status).toBe(404);
    expect((await api('POST', '/v1/track/events', { clientId: rivalClientId, events: [{ type: 'visit', sessionId: 'session-x1', timestamp: '2026-10-01T00:00:00Z' }] })).status).toBe(404);
    expect((await api('GET', `/v1/clients/${rivalClientId}/tracking/leaderboard`)).status).toBe(404);
    expect((await api('GET', `/v1/clients/${clientId}/tracking`, undefined, rival)).status).toBe(404);
    const raw = await app.request('/v1/track/conversion', { method: 'POST', headers: { authorization: `Bearer ${member}`, 'content-type': 'application/json' }, body: '{"clientId":' });
    expect(raw.status).toBeLessThan(500);
    expect(raw.status).toBeGreaterThanOrEqual(400);
  });
});
