// OAuth connect links for Meta, Google Ads, TikTok and the Shopify app install. `authorize` answers the
// platform's consent URL with a state that is signed (HMAC with a key derived from
// the credentials key), expires in 15 minutes, is bound to one agency's client and
// account, and can be redeemed once. `callback` exchanges the code for tokens
// (Meta: short- then long-lived; Google: a refresh token, offline access; TikTok:
// an access token; Shopify: an offline Admin API token, after checking the hmac
// Shopify signs its redirect with) and connects the account through the same path as the CLI.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Config } from '../config.ts';
import { rememberSecret, redact } from '../crypto/redact.ts';
import type { Db } from '../db/client.ts';
import { connectAccount, shopDomain } from '../domain/connections.ts';
import { AppError } from '../errors.ts';
import type { Platform } from '../generated/prisma/enums.ts';
import { requestJson } from './http.ts';

export const OAUTH_PLATFORMS = ['meta', 'google', 'tiktok', 'shopify'] as const;
export type OAuthPlatform = (typeof OAUTH_PLATFORMS)[number];
const STATE_TTL_MS = 15 * 60_000;

const signer = (key: Buffer) => createHmac('sha256', key).update('adbrain oauth state v1').digest();
const sign = (key: Buffer, nonce: string) => createHmac('sha256', signer(key)).update(nonce).digest('base64url');

export const redirectUri = (sources: Config['sources'], platform: OAuthPlatform) => `${sources.oauth.publicUrl}/oauth/${platform}/callback`;

/** The shop's own admin host, or SHOPIFY_API_URL when set (tests, proxies). */
const shopBase = (sources: Config['sources'], shop: string) => (sources.shopify.apiUrl ?? `https://${shop}`).replace(/\/+$/, '');

function consentUrl(sources: Config['sources'], platform: OAuthPlatform, state: string, accountId: string): string {
  const o = sources.oauth;
  if (platform === 'shopify') {
    if (!sources.shopify.clientId) throw new AppError('config', 'set SHOPIFY_CLIENT_ID and SHOPIFY_CLIENT_SECRET (the app\'s credentials) to install on a shop through a link');
    const u = new URL(`${shopBase(sources, accountId)}/admin/oauth/authorize`);
    // No grant_options[]=per-user: an offline token, which keeps working when the person leaves.
    u.search = new URLSearchParams({ client_id: sources.shopify.clientId, scope: sources.shopify.scopes, redirect_uri: redirectUri(sources, platform), state }).toString();
    return u.toString();
  }
  if (platform === 'meta') {
    if (!o.meta.appId) throw new AppError('config', 'set META_APP_ID and META_APP_SECRET to connect Meta accounts through a link');
    const u = new URL(`${o.meta.consentUrl.replace(/\/+$/, '')}/${sources.meta.version}/dialog/oauth`);
    u.search = new URLSearchParams({ client_id: o.meta.appId, redirect_uri: redirectUri(sources, platform), state, scope: 'ads_read', response_type: 'code' }).toString();
    return u.toString();
  }
  if (platform === 'google') {
    if (!sources.google.clientId) throw new AppError('config', 'set GOOGLE_ADS_CLIENT_ID, GOOGLE_ADS_CLIENT_SECRET and GOOGLE_ADS_DEVELOPER_TOKEN to connect Google Ads accounts');
    const u = new URL(o.google.consentUrl);
    // Offline access with a forced consent screen: the answer carries a refresh token.
    u.search = new URLSearchParams({ client_id: sources.google.clientId, redirect_uri: redirectUri(sources, platform), response_type: 'code', scope: 'https://www.googleapis.com/auth/adwords', access_type: 'offline', prompt: 'consent', state }).toString();
    return u.toString();
  }
  if (!o.tiktok.appId) throw new AppError('config', 'set TIKTOK_APP_ID and TIKTOK_APP_SECRET to connect TikTok accounts through a link');
  const u = new URL(o.tiktok.consentUrl);
  u.search = new URLSearchParams({ app_id: o.tiktok.appId, redirect_uri: redirectUri(sources, platform), state }).toString();
  return u.toString();
}

/** A consent URL for one account of one client, and its one-time state. */
export async function authorize(db: Db, key: Buffer, sources: Config['sources'], input: { clientId: string; platform: OAuthPlatform; accountId: string; settings?: Record<string, unknown> }, now: Date) {
  if (!input.accountId.trim()) throw new AppError('invalid_input', 'accountId: the account to connect is required', [{ path: 'query.accountId', message: 'required' }]);
  if (input.platform === 'shopify') {
    const shop = shopDomain(input.accountId);
    if (!shop) throw new AppError('invalid_input', `accountId: "${input.accountId}" is not a Shopify shop (the-shop or the-shop.myshopify.com)`, [{ path: 'query.accountId', message: 'not a shop' }]);
    input = { ...input, accountId: shop };
  }
  const nonce = randomBytes(18).toString('base64url');
  const state = `${nonce}.${sign(key, nonce)}`;
  const url = consentUrl(sources, input.platform, state, input.accountId.trim());
  const expiresAt = new Date(now.getTime() + STATE_TTL_MS);
  await db.prisma.oAuthState.create({ data: { nonce, clientId: input.clientId, platform: input.platform as Platform, accountId: input.accountId.trim(), settings: (input.settings ?? {}) as object, expiresAt } });
  return { url, state, expiresAt: expiresAt.toISOString(), redirectUri: redirectUri(sources, input.platform) };
}

/** Checks the signature, then redeems the state once (concurrent callbacks: one wins). */
async function redeem(db: Db, key: Buffer, platform: OAuthPlatform, state: string, now: Date) {
  const [nonce, sig] = state.split('.');
  const good = nonce && sig && sig.length === sign(key, nonce).length && timingSafeEqual(Buffer.from(sig), Buffer.from(sign(key, nonce)));
  if (!good) throw new AppError('invalid_input', 'this connect link is not one adbrain issued (bad state)');
  const [row] = await db.sql.query<{ client_id: string; account_id: string; settings: Record<string, unknown>; platform: string; expired: boolean }>(
    `UPDATE oauth_state SET used_at = $2 WHERE nonce = $1 AND used_at IS NULL
     RETURNING client_id::text, account_id, settings, platform::text, expires_at < $2 AS expired`,
    [nonce, now],
  );
  if (!row) throw new AppError('invalid_input', 'this connect link was already used; ask for a new one');
  if (row.expired) throw new AppError('invalid_input', 'this connect link expired (15 minutes); ask for a new one');
  if (row.platform !== platform) throw new AppError('invalid_input', `this connect link is for ${row.platform}, not ${platform}`);
  return row;
}

async function exchange(sources: Config['sources'], platform: OAuthPlatform, code: string, now: Date, shop: string): Promise<{ accessToken?: string; refreshToken?: string; expiresAt?: string }> {
  const http = { platform, timeoutMs: sources.http.timeoutMs };
  const fail = (what: string, res: { status: number; body: unknown }) => {
    const b = (res.body ?? {}) as { error?: { message?: string } | string; error_description?: string; message?: string };
    const why = typeof b.error === 'object' ? b.error?.message : b.error_description ?? b.error ?? b.message;
    return new AppError('invalid_input', `${platform}: ${what} was refused (${why ?? `HTTP ${res.status}`})`);
  };
  if (platform === 'meta') {
    const o = sources.oauth.meta;
    if (!o.appId || !o.appSecret) throw new AppError('config', 'set META_APP_ID and META_APP_SECRET');
    const graph = `${sources.meta.baseUrl.replace(/\/+$/, '')}/${sources.meta.version}/oauth/access_token`;
    const short = await requestJson(`${graph}?${new URLSearchParams({ client_id: o.appId, client_secret: o.appSecret, redirect_uri: redirectUri(sources, platform), code })}`, { method: 'GET' }, http);
    const st = short.body as { access_token?: string };
    if (short.status >= 400 || !st?.access_token) throw fail('exchanging the code', short);
    rememberSecret(st.access_token);
    // The short-lived token lasts hours; the long-lived one about 60 days.
    const long = await requestJson(`${graph}?${new URLSearchParams({ grant_type: 'fb_exchange_token', client_id: o.appId, client_secret: o.appSecret, fb_exchange_token: st.access_token })}`, { method: 'GET' }, http);
    const lt = long.body as { access_token?: string; expires_in?: number };
    if (long.status >= 400 || !lt?.access_token) throw fail('getting a long-lived token', long);
    return { accessToken: lt.access_token, expiresAt: lt.expires_in ? new Date(now.getTime() + lt.expires_in * 1000).toISOString() : undefined };
  }
  if (platform === 'google') {
    const g = sources.google;
    if (!g.clientId || !g.clientSecret) throw new AppError('config', 'set GOOGLE_ADS_CLIENT_ID and GOOGLE_ADS_CLIENT_SECRET');
    const res = await requestJson(g.tokenUrl, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, client_id: g.clientId, client_secret: g.clientSecret, redirect_uri: redirectUri(sources, platform) }),
    }, http);
    const b = res.body as { refresh_token?: string };
    if (res.status >= 400) throw fail('exchanging the code', res);
    if (!b?.refresh_token) throw new AppError('invalid_input', 'google: the answer had no refresh token (the consent screen must grant offline access; remove adbrain from the Google account\'s third-party access and connect again)');
    return { refreshToken: b.refresh_token };
  }
  if (platform === 'shopify') {
    const a = sources.shopify;
    if (!a.clientId || !a.clientSecret) throw new AppError('config', 'set SHOPIFY_CLIENT_ID and SHOPIFY_CLIENT_SECRET');
    const res = await requestJson(`${shopBase(sources, shop)}/admin/oauth/access_token`, {
      method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ client_id: a.clientId, client_secret: a.clientSecret, code }),
    }, http);
    const b = res.body as { access_token?: string };
    if (res.status >= 400 || !b?.access_token) throw fail('exchanging the code', res);
    return { accessToken: b.access_token };
  }
  const t = sources.oauth.tiktok;
  if (!t.appId || !t.appSecret) throw new AppError('config', 'set TIKTOK_APP_ID and TIKTOK_APP_SECRET');
  const res = await requestJson(`${sources.tiktok.apiUrl.replace(/\/+$/, '')}/open_api/v1.3/oauth2/access_token/`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ app_id: t.appId, secret: t.appSecret, auth_code: code }),
  }, http);
  const b = res.body as { code?: number; message?: string; data?: { access_token?: string } };
  if (res.status >= 400 || b?.code !== 0 || !b.data?.access_token) throw fail('exchanging the code', { status: res.status, body: { message: b?.message } });
  return { accessToken: b.data.access_token };
}

/** Shopify's redirect hmac: HMAC-SHA256 (hex, app secret) of the other query parameters, sorted. */
export function shopifyHmac(secret: string, q: Record<string, string | undefined>): string {
  const message = Object.keys(q).filter((k) => k !== 'hmac' && k !== 'signature' && q[k] !== undefined).sort().map((k) => `${k}=${q[k]}`).join('&');
  return createHmac('sha256', secret).update(message).digest('hex');
}

function checkShopifyHmac(sources: Config['sources'], q: Record<string, string | undefined>) {
  const secret = sources.shopify.clientSecret;
  if (!secret) throw new AppError('config', 'set SHOPIFY_CLIENT_SECRET to check Shopify install redirects');
  const want = Buffer.from(shopifyHmac(secret, q));
  const got = Buffer.from(String(q.hmac ?? ''));
  if (got.length !== want.length || !timingSafeEqual(got, want)) throw new AppError('invalid_input', 'this install redirect is not signed by Shopify (bad hmac)');
}

/** The callback: redeem the state, exchange the code, connect the account. */
export async function callback(db: Db, key: Buffer, sources: Config['sources'], platform: OAuthPlatform, q: Record<string, string | undefined>, now: Date) {
  if (q.error) throw new AppError('invalid_input', `${platform}: consent was not given (${q.error_description ?? q.error})`);
  if (!q.state) throw new AppError('invalid_input', 'state is missing', [{ path: 'query.state', message: 'required' }]);
  if (!q.code) throw new AppError('invalid_input', 'code is missing', [{ path: 'query.code', message: 'required' }]);
  // Shopify signs its redirect: a forged or altered one is refused before the state is spent.
  if (platform === 'shopify') checkShopifyHmac(sources, q);
  const s = await redeem(db, key, platform, q.state, now);
  if (platform === 'shopify' && shopDomain(q.shop ?? '') !== s.account_id) throw new AppError('invalid_input', `this connect link is for ${s.account_id}, not ${q.shop ?? 'an unnamed shop'}`);
  let tokens: Awaited<ReturnType<typeof exchange>>;
  try {
    tokens = await exchange(sources, platform, q.code, now, s.account_id);
  } catch (err) {
    throw err instanceof AppError ? err : new AppError('provider_error', redact(`${platform}: the token endpoint failed: ${(err as Error).message}`));
  }
  rememberSecret(tokens.accessToken, tokens.refreshToken);
  const settings = s.settings as { loginCustomerId?: string; actionType?: string };
  const conn = await connectAccount(db, key, sources, { clientId: s.client_id, platform: platform as Platform, accountId: s.account_id, ...tokens, loginCustomerId: settings.loginCustomerId, actionType: settings.actionType }, { now });
  if (tokens.expiresAt) {
    await db.prisma.connection.update({ where: { id: conn.id }, data: { settings: { ...(conn.settings as object), tokenExpiresAt: tokens.expiresAt } } });
  }
  return conn;
}
