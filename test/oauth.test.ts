// OAuth connect links end to end through the REST app and loopback fakes of the
// three platforms' token endpoints: the consent URL, the callback exchanging the
// code, a one-time, expiring, signed state bound to the agency's client.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import { apiDeps } from '../src/api/server.ts';
import { loadConfig } from '../src/config.ts';
import { addAgency } from '../src/domain/agencies.ts';
import { createApiKey } from '../src/domain/api-keys.ts';
import { addClient } from '../src/domain/clients.ts';
import { startFakeGoogleAds, type FakeGoogleAds } from './fakes/google-ads-server.ts';
import { startFakeMeta, type FakeMeta } from './fakes/meta-server.ts';
import { startFakeTikTok, type FakeTikTok } from './fakes/tiktok-server.ts';
import { startFakeShopify, type FakeShopify } from './fakes/shopify-server.ts';
import { startFakeRedTrack, type FakeRedTrack } from './fakes/redtrack-server.ts';
import { shopifyHmac } from '../src/sources/oauth.ts';
import { freshDb, type TestDb } from './helpers/db.ts';
import { testSources } from './helpers/sources.ts';

describe('OAuth connect links', () => {
  let db: TestDb;
  let meta: FakeMeta;
  let google: FakeGoogleAds;
  let tiktok: FakeTikTok;
  let shop: FakeShopify;
  let rt: FakeRedTrack;
  let app: ReturnType<typeof createApp>;
  let now = new Date('2026-11-20T12:00:00Z');
  let admin: string, member: string, otherAdmin: string, clientId: string;

  beforeAll(async () => {
    db = await freshDb('pglite');
    meta = await startFakeMeta({ ads: [], days: [] });
    google = await startFakeGoogleAds({ ads: [], days: [] });
    tiktok = await startFakeTikTok({ ads: [], days: [] });
    shop = await startFakeShopify({ currency: 'USD', timezone: 'America/Chicago' });
    rt = await startFakeRedTrack({});
    const agency = await addAgency(db.prisma, { slug: 'acme-agency', name: 'Acme' });
    clientId = (await addClient(db.prisma, { slug: 'shop', agency: 'acme-agency', currency: 'USD' })).id;
    admin = (await createApiKey(db.prisma, agency.id, { role: 'admin' })).key;
    member = (await createApiKey(db.prisma, agency.id, { role: 'member' })).key;
    const other = await addAgency(db.prisma, { slug: 'rival', name: 'Rival' });
    otherAdmin = (await createApiKey(db.prisma, other.id, { role: 'admin' })).key;
    const config = { ...loadConfig({}), encryptionKey: randomBytes(32).toString('hex'), sources: testSources({ meta: meta.url, google, tiktok: tiktok.url, shopify: shop.url, shopifyApp: { clientId: 'app-client-1', clientSecret: 'app-secret-1' }, redtrack: rt.url }) };
    app = createApp(apiDeps(db, config, () => now), { rateLimit: 100_000, authFailureLimit: 100_000 });
  });
  afterAll(async () => {
    await Promise.all([meta?.close(), google?.close(), tiktok?.close(), shop?.close(), rt?.close()]);
    await db?.destroy();
  });

  const get = async (url: string, key?: string) => {
    const res = await app.request(url, { headers: key ? { authorization: `Bearer ${key}` } : {} });
    const text = await res.text();
    return { status: res.status, text, json: res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : null };
  };
  const link = (platform: string, accountId: string, extra = '') => get(`/v1/clients/${clientId}/connections/${platform}/authorize?accountId=${accountId}${extra}`, admin);

  it('Meta: consent URL with ads_read and a signed state; the callback trades the code for a long-lived token and connects the account; the state works once', async () => {
    const r = await link('meta', 'act_1234567890');
    expect(r.status).toBe(200);
    const url = new URL(r.json.url);
    expect(url.pathname).toBe('/v25.0/dialog/oauth');
    expect(url.searchParams.get('scope')).toBe('ads_read');
    expect(url.searchParams.get('redirect_uri')).toBe('http://127.0.0.1:3999/oauth/meta/callback');
    const state = url.searchParams.get('state')!;
    expect(state).toBe(r.json.state);
    const cb = await get(`/oauth/meta/callback?code=good-code&state=${encodeURIComponent(state)}`);
    expect(cb.status).toBe(200);
    expect(cb.text).toContain('Fake Shop Ads is connected to adbrain');
    const conn = await db.prisma.connection.findFirstOrThrow({ where: { clientId, platform: 'meta' } });
    expect(conn.settings).toMatchObject({ accountId: '1234567890', accountName: 'Fake Shop Ads', tokenExpiresAt: expect.stringMatching(/^2027-01-19/) });
    expect(conn.credentials).not.toContain(meta.token);
    const again = await get(`/oauth/meta/callback?code=good-code&state=${encodeURIComponent(state)}`);
    expect(again.status).toBe(400);
    expect(again.text).toContain('this connect link was already used');
  });

  it('Google: offline access with a forced consent screen; the refresh token is stored through the manager account', async () => {
    const r = await link('google', '123-456-7890', '&loginCustomerId=987-654-3210');
    const url = new URL(r.json.url);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({ access_type: 'offline', prompt: 'consent', scope: 'https://www.googleapis.com/auth/adwords', response_type: 'code' });
    const cb = await get(`/oauth/google/callback?code=good-code&state=${encodeURIComponent(r.json.state)}`);
    expect(cb.status).toBe(200);
    expect(cb.text).toContain('Fake Outdoor Co is connected');
    expect((await db.prisma.connection.findFirstOrThrow({ where: { clientId, platform: 'google' } })).settings).toMatchObject({ accountId: '1234567890', loginCustomerId: '9876543210' });
  });

  it('TikTok: the auth code becomes an access token and the advertiser is connected', async () => {
    const r = await link('tiktok', tiktok.advertiser);
    expect(new URL(r.json.url).searchParams.get('app_id')).toBe('tt-app');
    const cb = await get(`/oauth/tiktok/callback?auth_code=ignored&code=good-code&state=${encodeURIComponent(r.json.state)}`);
    expect(cb.status).toBe(200);
    expect(cb.text).toContain('Fake TikTok Shop is connected');
  });

  it('Shopify: the install link asks for read_orders and read_all_orders; a callback signed by Shopify trades the code for an offline token; an unsigned or altered one is refused', async () => {
    const r = await link('shopify', 'northwind');
    expect(r.status).toBe(200);
    const url = new URL(r.json.url);
    expect(url.pathname).toBe('/admin/oauth/authorize');
    expect(Object.fromEntries(url.searchParams)).toMatchObject({ client_id: 'app-client-1', scope: 'read_orders,read_all_orders', redirect_uri: 'http://127.0.0.1:3999/oauth/shopify/callback' });
    const q = { code: 'good-code', host: 'bm9ydGh3aW5k', shop: 'northwind.myshopify.com', state: r.json.state, timestamp: '1795000000' };
    const signed = (extra: Record<string, string> = {}) => {
      const all = { ...q, ...extra };
      return new URLSearchParams({ ...all, hmac: shopifyHmac('app-secret-1', all) }).toString();
    };
    // Altered after signing (another shop), and not signed at all: refused before the state is spent.
    const forged = new URLSearchParams({ ...q, hmac: shopifyHmac('app-secret-1', q), shop: 'evil.myshopify.com' }).toString();
    expect((await get(`/oauth/shopify/callback?${forged}`)).text).toContain('not signed by Shopify (bad hmac)');
    expect((await get(`/oauth/shopify/callback?${new URLSearchParams(q)}`)).text).toContain('bad hmac');
    const cb = await get(`/oauth/shopify/callback?${signed()}`);
    expect(cb.status).toBe(200);
    expect(cb.text).toContain('Northwind Outfitters is connected');
    const conn = await db.prisma.connection.findFirstOrThrow({ where: { clientId, platform: 'shopify' } });
    expect(conn.settings).toMatchObject({ accountId: 'northwind.myshopify.com', currency: 'USD', timezone: 'America/Chicago' });
    expect(conn.credentials).not.toContain(shop.token);
    expect(shop.requests.some((x) => x.kind === 'token:code')).toBe(true);
    // A signed redirect for a shop the link was not made for.
    const other = await link('shopify', 'northwind');
    const wrongShop = await get(`/oauth/shopify/callback?${new URLSearchParams({ ...q, state: other.json.state, shop: 'elsewhere.myshopify.com', hmac: shopifyHmac('app-secret-1', { ...q, state: other.json.state, shop: 'elsewhere.myshopify.com' }) })}`);
    expect(wrongShop.text).toContain('this connect link is for northwind.myshopify.com, not elsewhere.myshopify.com');
    expect((await link('shopify', 'not a shop!')).status).toBe(422);
  });

  it('REST: a RedTrack connection is made with its API key (no account id), which is never returned', async () => {
    const res = await app.request(`/v1/clients/${clientId}/connections`, { method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: JSON.stringify({ platform: 'redtrack', apiKey: rt.apiKey }) });
    const text = await res.text();
    expect(res.status).toBe(201);
    expect(JSON.parse(text)).toMatchObject({ platform: 'redtrack', accountId: 'acc-1', accountName: 'lumen-affiliates', status: 'active' });
    expect(text).not.toContain(rt.apiKey);
    const refused = await app.request(`/v1/clients/${clientId}/connections`, { method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: JSON.stringify({ platform: 'redtrack', apiKey: 'wrong' }) });
    expect(refused.status).toBe(422);
    expect(await refused.text()).toMatch(/refused the API key/);
    const noAccount = await app.request(`/v1/clients/${clientId}/connections`, { method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: JSON.stringify({ platform: 'meta', accessToken: 'x' }) });
    expect(noAccount.status).toBe(422);
    expect(await noAccount.text()).toMatch(/accountId/);
  });

  it('refuses forged, expired, refused and cross-platform states with a page that says why; only admins of the agency get links', async () => {
    const r = await link('meta', '1234567890');
    const [nonce] = r.json.state.split('.');
    expect((await get(`/oauth/meta/callback?code=good-code&state=${nonce}.AAAA`)).text).toContain('not one adbrain issued');
    expect((await get(`/oauth/google/callback?code=good-code&state=${encodeURIComponent(r.json.state)}`)).text).toContain('this connect link is for meta, not google');
    const fresh = await link('meta', '1234567890');
    now = new Date(now.getTime() + 16 * 60_000);
    expect((await get(`/oauth/meta/callback?code=good-code&state=${encodeURIComponent(fresh.json.state)}`)).text).toContain('expired (15 minutes)');
    const bad = await link('meta', '1234567890');
    const refused = await get(`/oauth/meta/callback?code=bad-code&state=${encodeURIComponent(bad.json.state)}`);
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('meta: exchanging the code was refused (Invalid verification code format.)');
    expect((await get('/oauth/meta/callback?error=access_denied&error_description=The+user+denied')).text).toContain('consent was not given (The user denied)');
    expect((await get('/oauth/myspace/callback?code=x&state=y')).status).toBe(400);
    expect((await get(`/v1/clients/${clientId}/connections/meta/authorize?accountId=1`, member)).status).toBe(403);
    expect((await get(`/v1/clients/${clientId}/connections/meta/authorize?accountId=1`, otherAdmin)).status).toBe(404);
    expect((await get(`/v1/clients/${clientId}/connections/meta/authorize`, admin)).status).toBe(422);
    for (const t of [meta.token, google.refreshToken, tiktok.token]) expect(refused.text + r.text).not.toContain(t);
  });

  it('without the app credentials a connect link is a 503 naming the variables to set, never a 500', async () => {
    const bare = createApp(apiDeps(db, { ...loadConfig({}), encryptionKey: randomBytes(32).toString('hex') }, () => now), { rateLimit: 100_000, authFailureLimit: 100_000 });
    const want = { meta: /META_APP_ID and META_APP_SECRET/, google: /GOOGLE_ADS_CLIENT_ID, GOOGLE_ADS_CLIENT_SECRET and GOOGLE_ADS_DEVELOPER_TOKEN/, tiktok: /TIKTOK_APP_ID and TIKTOK_APP_SECRET/, shopify: /SHOPIFY_CLIENT_ID and SHOPIFY_CLIENT_SECRET/ };
    for (const [platform, names] of Object.entries(want)) {
      const res = await bare.request(`/v1/clients/${clientId}/connections/${platform}/authorize?accountId=${platform === 'shopify' ? 'the-shop' : '123'}`, { headers: { authorization: `Bearer ${admin}` } });
      expect(res.status, platform).toBe(503);
      const body = await res.json() as { error: { code: string; message: string } };
      expect(body.error.code).toBe('not_configured');
      expect(body.error.message).toMatch(names);
    }
    // On a database server without an encryption key nothing can be kept: the same answer, naming it.
    const keyless = createApp(apiDeps(db, { ...loadConfig({ META_APP_ID: '1', META_APP_SECRET: 's' }), databaseUrl: 'postgres://db.invalid/x', encryptionKey: null }, () => now), { rateLimit: 100_000, authFailureLimit: 100_000 });
    const res = await keyless.request(`/v1/clients/${clientId}/connections/meta/authorize?accountId=123`, { headers: { authorization: `Bearer ${admin}` } });
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/ADBRAIN_ENCRYPTION_KEY/);
  });
});
