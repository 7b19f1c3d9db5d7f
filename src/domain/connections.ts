import type { Config } from '../config.ts';
import { redact } from '../crypto/redact.ts';
import type { Db } from '../db/client.ts';
import { AppError } from '../errors.ts';
import type { Platform, PrismaClient } from '../generated/prisma/client.ts';
import type { HttpOptions } from '../sources/http.ts';
import { bareCustomerId } from '../sources/google-ads.ts';
import { stripAct } from '../sources/meta.ts';
import { connectorOf, SETTLE_DAYS, settingsOf, type ConnectionSettings, type Credentials } from '../sources/sync.ts';
import { SourceError } from '../sources/types.ts';

import { readCredentials, saveConnection } from './connection-secrets.ts';

export { readCredentials, saveConnection };

/**
 * Connects an ad account: calls the platform's cheapest authenticated endpoint
 * with the credentials first and keeps the account's name, currency and time
 * zone; then stores the credentials encrypted. An account in another currency
 * than the client's is refused (nothing stored).
 */
export async function connectAccount(
  db: Db,
  key: Buffer,
  sources: Config['sources'],
  input: {
    clientId: string; platform: Platform; accountId?: string; accessToken?: string; refreshToken?: string; loginCustomerId?: string; label?: string; actionType?: string; settleDays?: number;
    /** RedTrack. */
    apiKey?: string;
    /** Shopify custom app credentials for the client-credentials grant (instead of an access token). */
    appClientId?: string; appClientSecret?: string;
  },
  opts: { now: Date; http?: Partial<HttpOptions> } = { now: new Date() },
) {
  let accountId: string;
  let credentials: Credentials;
  if (input.platform === 'redtrack') {
    if (!input.apiKey) throw new AppError('invalid_input', 'a RedTrack connection needs an API key');

    credentials = { apiKey: input.apiKey };
    accountId = '';
  } else if (input.platform === 'shopify') {
    accountId = shopDomain(input.accountId ?? '');
    if (!accountId) throw new AppError('invalid_input', `--account: "${input.accountId ?? ''}" is not a Shopify shop (the-shop or the-shop.myshopify.com)`);
    if (input.accessToken) credentials = { accessToken: input.accessToken };
    else if (input.appClientId && input.appClientSecret) credentials = { appClientId: input.appClientId, appClientSecret: input.appClientSecret };
    else throw new AppError('invalid_input', 'a Shopify connection needs an Admin API access token, or the app\'s client id and secret (client-credentials grant)');
  } else if (!input.accountId) {
    throw new AppError('invalid_input', `a ${input.platform} connection needs the account id (--account, accountId)`, [{ path: 'body.accountId', message: 'required' }]);
  } else if (input.platform === 'meta') {
    accountId = stripAct(input.accountId);
    if (!/^\d{1,30}$/.test(accountId)) throw new AppError('invalid_input', `--account: "${input.accountId}" is not a Meta ad account id (digits, with or without act_)`);
    if (!input.accessToken) throw new AppError('invalid_input', 'a Meta connection needs an access token');
    credentials = { accessToken: input.accessToken };
  } else if (input.platform === 'google') {
    accountId = bareCustomerId(input.accountId);
    if (!/^\d{10}$/.test(accountId)) throw new AppError('invalid_input', `--account: "${input.accountId}" is not a Google Ads customer id (10 digits, dashes allowed)`);
    if (input.loginCustomerId && !/^\d{10}$/.test(bareCustomerId(input.loginCustomerId))) throw new AppError('invalid_input', `--login-customer: "${input.loginCustomerId}" is not a customer id`);
    if (!input.refreshToken) throw new AppError('invalid_input', 'a Google Ads connection needs a refresh token');
    credentials = { refreshToken: input.refreshToken };
  } else if (input.platform === 'tiktok') {
    accountId = input.accountId.trim();
    if (!/^\d{6,30}$/.test(accountId)) throw new AppError('invalid_input', `--account: "${input.accountId}" is not a TikTok advertiser id (digits)`);
    if (!input.accessToken) throw new AppError('invalid_input', 'a TikTok connection needs an access token');
    credentials = { accessToken: input.accessToken };
  } else throw new AppError('invalid_input', `${input.platform} connections are not supported (supported: meta, google, tiktok, redtrack, shopify)`);
  const client = await db.prisma.client.findUniqueOrThrow({ where: { id: input.clientId } });
  const settings: ConnectionSettings = {
    accountId, actionType: input.actionType, settleDays: input.settleDays,
    ...(input.loginCustomerId && { loginCustomerId: bareCustomerId(input.loginCustomerId) }),
  };
  const info = await probe(input.platform, credentials, settings, sources, opts);
  if (!accountId) settings.accountId = accountId = info.id;
  if (input.platform === 'redtrack') {
    // Links are keyed by slug per client: two trackers would write the same links' days over each other.
    const other = await db.prisma.connection.findFirst({ where: { clientId: input.clientId, platform: 'redtrack', label: { not: input.label ?? accountId } } });
    if (other) throw new AppError('conflict', `this client already has a RedTrack connection (${other.label}); one RedTrack account per client — remove that one first (adbrain connections remove ${other.id.slice(0, 8)} --client …)`);
  }
  if (info.currency !== client.currency) {
    throw new AppError('invalid_input', `the ${input.platform} account ${accountId} (${info.name}) reports in ${info.currency}, but client ${client.slug} is in ${client.currency}; nothing was connected`);
  }
  const conn = await saveConnection(db.prisma, key, { clientId: input.clientId, platform: input.platform, label: input.label ?? accountId, credentials: { ...credentials } });
  return db.prisma.connection.update({
    where: { id: conn.id },
    data: { settings: { ...settings, accountName: info.name, currency: info.currency, timezone: info.timezone, testedAt: opts.now.toISOString() } as object, status: 'active', lastError: null },
  });
}

async function probe(platform: Platform, creds: Credentials, settings: ConnectionSettings, sources: Config['sources'], opts: { http?: Partial<HttpOptions> }) {
  const connector = connectorOf(platform, 'new', creds, settings, { sources, http: opts.http });
  try {
    return await connector.accountInfo();
  } catch (err) {
    // The platform refusing the token is bad input (422), not a failed adbrain sign-in (401).
    if (err instanceof SourceError) throw new AppError(err.kind === 'auth' || err.kind === 'fatal' ? 'invalid_input' : 'provider_error', redact(err.message), { platformFailure: err.kind });
    throw err;
  }
}

/** "the-shop", "the-shop.myshopify.com" or its admin URL → "the-shop.myshopify.com"; "" when it is none of them. */
export function shopDomain(raw: string): string {
  const s = raw.trim().toLowerCase().replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  const name = s.endsWith('.myshopify.com') ? s.slice(0, -'.myshopify.com'.length) : s;
  return /^[a-z0-9][a-z0-9-]{0,60}$/.test(name) ? `${name}.myshopify.com` : '';
}

/** Calls the platform again with the stored token and refreshes what it knows of the account. */
export async function testConnection(db: Db, key: Buffer, sources: Config['sources'], connectionId: string, opts: { now: Date; http?: Partial<HttpOptions> } = { now: new Date() }) {
  const conn = await db.prisma.connection.findUniqueOrThrow({ where: { id: connectionId }, include: { client: true } });
  const settings = settingsOf(conn);
  const creds = readCredentials(key, conn) as Credentials;
  try {
    const info = await probe(conn.platform, creds, settings, sources, opts);
    const problem = info.currency !== conn.client.currency ? `reports in ${info.currency}, but the client is in ${conn.client.currency}` : null;
    const updated = await db.prisma.connection.update({
      where: { id: conn.id },
      data: { settings: { ...settings, accountName: info.name, currency: info.currency, timezone: info.timezone, testedAt: opts.now.toISOString() } as object, status: problem ? 'error' : 'active', lastError: problem },
    });
    return { ok: !problem, connection: updated, account: info, problem };
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    const auth = (err.details as { platformFailure?: string } | undefined)?.platformFailure === 'auth';
    const updated = await db.prisma.connection.update({ where: { id: conn.id }, data: { status: auth ? 'needs_reauth' : conn.status, lastError: err.message } });
    return { ok: false, connection: updated, account: null, problem: err.message };
  }
}

/** A client's connection by id, id prefix, label or platform (when it has one of that platform). */
export async function findConnection(prisma: PrismaClient, clientId: string, ref: string) {
  const rows = await prisma.connection.findMany({ where: { clientId }, orderBy: { createdAt: 'asc' } });
  const hits = rows.filter((c) => c.id === ref || (ref.length >= 8 && c.id.startsWith(ref)) || c.label === ref || c.platform === ref);
  if (hits.length === 0) throw new AppError('not_found', `no connection "${ref}" for this client (adbrain connections list --client …)`);
  if (hits.length > 1) throw new AppError('invalid_input', `"${ref}" matches ${hits.length} connections; give the id: ${hits.map((c) => c.id).join(', ')}`);
  return hits[0]!;
}

/** What the CLI and the API show of a connection: never its credentials. */
export function connectionOut(c: { id: string; platform: string; label: string; status: string; settings: unknown; lastSyncAt: Date | null; lastError: string | null; createdAt: Date }) {
  const s = settingsOf(c);
  return {
    id: c.id, platform: c.platform, label: c.label, status: c.status, accountId: s.accountId ?? null, accountName: s.accountName ?? null,
    currency: s.currency ?? null, timezone: s.timezone ?? null, actionType: s.actionType ?? null, settleDays: s.settleDays ?? SETTLE_DAYS[c.platform] ?? null,
    lastSyncAt: c.lastSyncAt?.toISOString() ?? null, lastError: c.lastError, createdAt: c.createdAt.toISOString(),
  };
}
