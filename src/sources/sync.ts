// One connection's sync: the settling window by default (the platforms restate
// conversions for weeks), or an explicit range for a backfill. The range runs in
// chunks; each chunk is fetched whole, then written in one transaction together
// with the connection's cursor, so a sync killed half-way continues at the first
// chunk it did not commit — no day lost, none written twice.
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import { dropRowsNotIn, writeBatch } from '../db/metrics-write.ts';
import { emitEvent } from '../webhooks/events.ts';
import { readCredentials } from '../domain/connection-secrets.ts';
import { AppError } from '../errors.ts';
import { addDays, daysBetween, localDate } from '../time.ts';
import { redact, rememberSecret } from '../crypto/redact.ts';
import { resolveEncryptionKey } from '../crypto/secrets.ts';
import type { HttpOptions } from './http.ts';
import { metaConnector, META_DEFAULT_VERSION } from './meta.ts';
import { googleAdsConnector } from './google-ads.ts';
import { tiktokConnector } from './tiktok.ts';
import { redtrackConnector } from './redtrack.ts';
import { shopifyClient } from './shopify.ts';
import { syncOrders } from './shopify-sync.ts';
import { withLease } from '../db/lease.ts';
import { rowsToBatch } from './to-batch.ts';
import { SourceError, type Connector, type DayRange, type SourceRow } from './types.ts';

/** Days re-read by every daily sync, per platform (a connection's settings.settleDays overrides). */
// RedTrack: offers approve or decline conversions for weeks. Shopify: orders are
// read by update time (the first sync reads 60 days); refunds mostly come within two
// weeks, so those days are the provisional ones.
export const SETTLE_DAYS: Record<string, number> = { meta: 28, google: 30, tiktok: 7, redtrack: 30, shopify: 14 };
/** Days per committed chunk. */
export const CHUNK_DAYS: Record<string, number> = { meta: 7, google: 30, tiktok: 30, redtrack: 7 };
/** Platforms whose rows are revenue (src/db/revenue-join.ts) and whose re-read days replace what was there. */
const REPLACES_DAYS = new Set(['redtrack']);

export interface ConnectionSettings {
  accountId?: string;
  /** Google Ads: the manager account access goes through. */
  loginCustomerId?: string;
  actionType?: string;
  settleDays?: number;
  accountName?: string;
  currency?: string;
  timezone?: string;
  testedAt?: string;
  /** When the stored token stops working (Meta long-lived tokens), if the platform said. */
  tokenExpiresAt?: string;
}

interface Cursor {
  /** The platform's daily quota is spent: no calls before this time (ISO). */
  pausedUntil?: string;
  /** A range being synced: everything up to doneThrough is committed. */
  pending?: { from: string; to: string; doneThrough: string | null };
  lastRange?: DayRange;
}

export interface SyncOptions {
  key: Buffer;
  sources: Config['sources'];
  now: Date;
  /** Explicit days (a backfill); default: the pending range, else the settling window. */
  range?: DayRange;
  /** The 30-minute sync: today and yesterday only (the daily sync re-reads the settling window). */
  intraday?: boolean;
  chunkDays?: number;
  onProgress?: (p: { chunk: DayRange; daysDone: number; daysTotal: number; rows: number }) => void;
  log?: (line: string) => void;
  /** Test hook: shorter waits. */
  http?: Partial<HttpOptions>;
}

export interface SyncResult {
  connectionId: string;
  platform: string;
  account: string | null;
  status: 'succeeded' | 'failed' | 'needs_reauth';
  syncRunId: string | null;
  range: DayRange | null;
  rowsFetched: number;
  inserted: number;
  updated: number;
  unchanged: number;
  error?: string;
  /** Succeeded, but not everything asked could be read (the SyncRun is partial and says why). */
  warning?: string;
}

type ConnectionRow = NonNullable<Awaited<ReturnType<Db['prisma']['connection']['findUnique']>>>;

export function settingsOf(conn: { settings: unknown }): ConnectionSettings {
  return (conn.settings && typeof conn.settings === 'object' ? conn.settings : {}) as ConnectionSettings;
}

/** The platform connector for a stored connection (credentials decrypted here, held in memory only). */
type AnyConnector = Connector & { actionType?: () => string | null; shopify?: ReturnType<typeof shopifyClient> };

export function connectorFor(conn: ConnectionRow, opts: Pick<SyncOptions, 'key' | 'sources' | 'log' | 'http'>): AnyConnector {
  const creds = readCredentials(opts.key, conn) as Credentials;
  // Whatever a platform echoes back (an error quoting the key) is redacted from logs and errors.
  rememberSecret(...Object.values(creds).filter((v): v is string => typeof v === 'string'));
  return connectorOf(conn.platform, conn.id, creds, settingsOf(conn), opts);
}

export interface Credentials {
  accessToken?: string;
  refreshToken?: string;
  /** RedTrack. */
  apiKey?: string;
  /** Shopify: a custom app's client id and secret, exchanged for short-lived tokens. */
  appClientId?: string;
  appClientSecret?: string;
}

/** A connector from credentials and settings (stored, or about to be: `connections add` probes first). */
export function connectorOf(platform: string, id: string, creds: Credentials, settings: ConnectionSettings, opts: Pick<SyncOptions, 'sources' | 'log' | 'http'>): AnyConnector {
  const conn = { id, platform };
  const http: HttpOptions = {
    platform: conn.platform,
    ...opts.sources.http,
    onWait: (what, ms) => opts.log?.(redact(`${what}${ms > 0 ? ` — waiting ${Math.round(ms / 100) / 10} s` : ''}`)),
    ...opts.http,
  };
  if (conn.platform === 'meta') {
    if (!creds.accessToken) throw new AppError('invalid_input', `connection ${conn.id}: no access token stored`);
    if (!settings.accountId) throw new AppError('invalid_input', `connection ${conn.id}: no ad account id stored; connect it again with --account`);
    return metaConnector({
      baseUrl: opts.sources.meta.baseUrl,
      version: opts.sources.meta.version || META_DEFAULT_VERSION,
      accountId: settings.accountId ?? '',
      accessToken: creds.accessToken,
      actionType: settings.actionType,
      pollMs: opts.sources.meta.pollMs,
      http,
    });
  }
  if (conn.platform === 'google') {
    const g = opts.sources.google;
    if (!g.developerToken || !g.clientId || !g.clientSecret) {
      throw new AppError('config', 'Google Ads needs GOOGLE_ADS_DEVELOPER_TOKEN, GOOGLE_ADS_CLIENT_ID and GOOGLE_ADS_CLIENT_SECRET');
    }
    if (!creds.refreshToken) throw new AppError('invalid_input', `connection ${conn.id}: no refresh token stored`);
    if (!settings.accountId) throw new AppError('invalid_input', `connection ${conn.id}: no customer id stored; connect it again with --account`);
    return googleAdsConnector({
      apiUrl: g.apiUrl, tokenUrl: g.tokenUrl, version: g.version, customerId: settings.accountId, loginCustomerId: settings.loginCustomerId,
      developerToken: g.developerToken, clientId: g.clientId, clientSecret: g.clientSecret, refreshToken: creds.refreshToken, http,
    });
  }
  if (conn.platform === 'tiktok') {
    if (!creds.accessToken) throw new AppError('invalid_input', `connection ${conn.id}: no access token stored`);
    if (!settings.accountId) throw new AppError('invalid_input', `connection ${conn.id}: no advertiser id stored; connect it again with --account`);
    return tiktokConnector({ apiUrl: opts.sources.tiktok.apiUrl, advertiserId: settings.accountId, accessToken: creds.accessToken, http });
  }
  if (conn.platform === 'shopify') {
    const sh = opts.sources.shopify;
    const shop = settings.accountId;
    if (!shop) throw new AppError('invalid_input', `connection ${conn.id}: no shop stored; connect it again with --account <shop>`);
    const auth = creds.accessToken ? { accessToken: creds.accessToken } : creds.appClientId && creds.appClientSecret ? { clientId: creds.appClientId, clientSecret: creds.appClientSecret } : null;
    if (!auth) throw new AppError('invalid_input', `connection ${conn.id}: no Shopify token or app credentials stored`);
    const client = shopifyClient({ shop, apiUrl: sh.apiUrl, version: sh.version, auth, http });
    return {
      platform: 'shopify', source: 'shopify-api', accountInfo: client.accountInfo, shopify: client,
      // Orders are read by update time (shopify-sync.ts), not by day.
      fetchDaily: () => { throw new AppError('invalid_input', 'Shopify orders sync by update time'); },
    };
  }
  if (conn.platform === 'redtrack') {
    if (!creds.apiKey) throw new AppError('invalid_input', `connection ${conn.id}: no API key stored`);
    const r = opts.sources.redtrack;
    return redtrackConnector({ apiUrl: r.apiUrl, apiKey: creds.apiKey, http, limit: { calls: r.reportRpm, intervalMs: r.intervalMs ?? 60_000 } });
  }
  throw new AppError('invalid_input', `${conn.platform} connections are not supported (supported: meta, google, tiktok, redtrack, shopify)`);
}

const daysOf = (r: DayRange) => Array.from({ length: daysBetween(r.from, r.to) + 1 }, (_, i) => addDays(r.from, i));

function chunks(r: DayRange, size: number): DayRange[] {
  const out: DayRange[] = [];
  for (let from = r.from; from <= r.to; from = addDays(from, size)) {
    const to = addDays(from, size - 1);
    out.push({ from, to: to < r.to ? to : r.to });
  }
  return out;
}


/**
 * Syncs one connection while holding its lease: a CLI `sync` and an Inngest
 * connection-sync of the same connection never run at once (the second answers
 * that one is running; Inngest retries it later). The lease (src/db/lease.ts) is on
 * the database's clock, so it holds however the caller's clock is set.
 */
export async function syncConnection(db: Db, connectionId: string, opts: SyncOptions): Promise<SyncResult> {
  try {
    return await withLease(db.sql, `sync:${connectionId}`, { waitMs: 0, what: `the sync of connection ${connectionId}` }, () => syncHeld(db, connectionId, opts));
  } catch (err) {
    const lease = err instanceof AppError && err.code === 'conflict' ? (err.details as { lease?: string; until?: Date | null } | undefined) : undefined;
    if (lease?.lease !== `sync:${connectionId}`) throw err;
    const conn = await db.prisma.connection.findUnique({ where: { id: connectionId } });
    if (!conn) throw new AppError('not_found', `connection ${connectionId} not found`);
    return {
      connectionId, platform: conn.platform, account: settingsOf(conn).accountId ?? null, status: 'failed', syncRunId: null, range: null, rowsFetched: 0, inserted: 0, updated: 0, unchanged: 0,
      error: `another sync of this ${conn.platform} connection is running (held until ${lease.until?.toISOString()}); it was not started twice`,
    };
  }
}

async function syncHeld(db: Db, connectionId: string, opts: SyncOptions): Promise<SyncResult> {
  const conn = await db.prisma.connection.findUnique({ where: { id: connectionId }, include: { client: true } });
  if (!conn) throw new AppError('not_found', `connection ${connectionId} not found`);
  const settings = settingsOf(conn);
  const base: SyncResult = { connectionId, platform: conn.platform, account: settings.accountId ?? null, status: 'failed', syncRunId: null, range: null, rowsFetched: 0, inserted: 0, updated: 0, unchanged: 0 };
  let syncRunId: string | null = null;
  const source = `${conn.platform}-api`;
  const paused = ((conn.cursor ?? {}) as Cursor).pausedUntil;
  if (paused && Date.parse(paused) > opts.now.getTime()) {
    return { ...base, error: `${conn.platform}: the daily API quota is spent; syncing again after ${paused}` };
  }
  try {
    const connector = connectorFor(conn, opts);
    const info = await connector.accountInfo();
    if (info.currency !== conn.client.currency) {
      throw new SourceError('fatal', `${conn.platform} account ${info.id} reports in ${info.currency}, but client ${conn.client.slug} is in ${conn.client.currency}: amounts would be wrong, so nothing was synced (change the client's currency or connect the account of this client)`, { platform: conn.platform });
    }
    let finalCursor: object;
    let warning: string | undefined;
    if (connector.shopify) {
      // Orders by update time: a cursor of its own (shopify-sync.ts).
      const run = await db.prisma.syncRun.create({ data: { clientId: conn.clientId, connectionId, source: connector.source } });
      syncRunId = run.id;
      base.syncRunId = run.id;
      const o = await syncOrders(db, { ...conn, settings }, connector.shopify, info, { now: opts.now, range: opts.range, syncRunId: run.id });
      Object.assign(base, { range: o.range, rowsFetched: o.rowsFetched, inserted: o.inserted, updated: o.updated, unchanged: o.unchanged });
      await db.prisma.syncRun.update({ where: { id: run.id }, data: { dateFrom: new Date(`${o.range.from}T00:00:00Z`), dateTo: new Date(`${o.range.to}T00:00:00Z`) } });
      finalCursor = o.cursor;
      warning = o.warning;
    } else {
      const cursor = (conn.cursor ?? {}) as Cursor;
      // "Today" is the account's own day: that is how the platform dates its rows.
      const today = localDate(info.timezone, opts.now);
      const settle = settings.settleDays ?? SETTLE_DAYS[conn.platform] ?? 7;
      const range = opts.range ?? (cursor.pending ? { from: cursor.pending.from, to: cursor.pending.to } : { from: addDays(today, opts.intraday ? -1 : -settle), to: today });
      if (range.to > today) range.to = today;
      if (range.from > range.to) throw new AppError('invalid_input', `nothing to sync: ${range.from} is after ${range.to} (the account's today)`);
      // A killed sync of the same range continues after its last committed chunk.
      const resumeAfter = cursor.pending && cursor.pending.from === range.from && cursor.pending.to === range.to ? cursor.pending.doneThrough : null;
      const start = resumeAfter ? addDays(resumeAfter, 1) : range.from;
      base.range = range;
      const run = await db.prisma.syncRun.create({
        data: { clientId: conn.clientId, connectionId, source: connector.source, dateFrom: new Date(`${range.from}T00:00:00Z`), dateTo: new Date(`${range.to}T00:00:00Z`) },
      });
      syncRunId = run.id;
      base.syncRunId = run.id;
      if (!resumeAfter) await saveCursor(db, connectionId, { ...cursor, pending: { from: range.from, to: range.to, doneThrough: null } });
      const daysTotal = daysBetween(range.from, range.to) + 1;
      // Every chunk names the same ads: write each entity once per sync, not once per chunk.
      const entityCache = new Map<string, { id: string; sig: string }>();
      const plan = start <= range.to ? chunks({ from: start, to: range.to }, opts.chunkDays ?? CHUNK_DAYS[conn.platform] ?? 7) : [];
      const fetchChunk = async (c: DayRange) => {
        const rows: SourceRow[] = [];
        for await (const page of connector.fetchDaily(c)) rows.push(...page);
        return rows;
      };
      // The next chunk downloads while this one commits (network and database overlap);
      // the cursor still advances only after each commit, in order.
      let next: Promise<SourceRow[]> | null = plan.length ? fetchChunk(plan[0]!) : null;
      for (let k = 0; k < plan.length; k++) {
        const chunk = plan[k]!;
        const rows = await next!;
        next = k + 1 < plan.length ? fetchChunk(plan[k + 1]!) : null;
        // A failure of the prefetch surfaces when it is awaited; a failed commit ends the sync first.
        next?.catch(() => {});
        const batch = rowsToBatch(conn.platform, info, rows);
        const written = await db.sql.tx(async (sql) => {
          const w = await writeBatch(sql, batch, { clientId: conn.clientId, source: connector.source, syncRunId: run.id, entityCache });
          // A tracker's re-read day is the whole truth of that day: what it no longer reports goes.
          const dropped = REPLACES_DAYS.has(conn.platform) ? await dropRowsNotIn(sql, conn.clientId, connector.source, daysOf(chunk), batch.metrics.map((m) => [entityCache.get(m.entityKey)!.id, m.date])) : 0;
          await sql.query(
            `UPDATE sync_run SET rows_fetched = rows_fetched + $2, rows_upserted = rows_upserted + $3 WHERE id = $1::uuid`,
            [run.id, rows.length, w.inserted + w.updated + dropped],
          );
          await sql.query(`UPDATE connection SET cursor = $2::jsonb WHERE id = $1::uuid`, [connectionId, JSON.stringify({ ...cursor, pausedUntil: undefined, pending: { from: range.from, to: range.to, doneThrough: chunk.to } })]);
          // A dropped row is a change to the day, counted with the updates.
          return { ...w, updated: w.updated + dropped };
        });
        base.rowsFetched += rows.length;
        base.inserted += written.inserted;
        base.updated += written.updated;
        base.unchanged += written.unchanged;
        opts.onProgress?.({ chunk, daysDone: daysBetween(range.from, chunk.to) + 1, daysTotal, rows: base.rowsFetched });
      }
      finalCursor = { lastRange: range };
    }
    const learnt: ConnectionSettings = { ...settings, accountName: info.name, currency: info.currency, timezone: info.timezone };
    const chosen = connector.actionType?.();
    if (chosen && !settings.actionType) learnt.actionType = chosen;
    await db.prisma.$transaction([
      // A sync that could not read everything asked says so: partial, with the reason.
      db.prisma.syncRun.update({ where: { id: syncRunId! }, data: { status: warning ? 'partial' : 'succeeded', error: warning ?? null, finishedAt: new Date() } }),
      db.prisma.connection.update({ where: { id: connectionId }, data: { status: 'active', lastError: warning ?? null, lastSyncAt: opts.now, settings: learnt as object, cursor: finalCursor } }),
      // A connection that works again closes its "reconnect" insight.
      db.prisma.insight.updateMany({ where: { clientId: conn.clientId, fingerprint: reauthKey(connectionId), status: { in: ['PENDING', 'IN_PROGRESS'] } }, data: { status: 'RESOLVED', resolvedAt: opts.now } }),
    ]);
    await warnOfExpiry(db, conn, settings, opts.now);
    return { ...base, status: 'succeeded', ...(warning && { warning }) };
  } catch (err) {
    const message = redact(err instanceof Error ? err.message : String(err));
    const where = base.range ? ` (${base.range.from}…${base.range.to})` : '';
    const error = `${message}${where}`;
    if (syncRunId) await db.prisma.syncRun.update({ where: { id: syncRunId }, data: { status: 'failed', error, finishedAt: new Date() } });
    else await db.prisma.syncRun.create({ data: { clientId: conn.clientId, connectionId, source, status: 'failed', error, finishedAt: new Date() } });
    const auth = err instanceof SourceError && err.kind === 'auth';
    if (err instanceof SourceError && err.kind === 'quota') {
      // Retrying would only burn tomorrow's quota: this connection rests until it resets.
      const until = new Date(opts.now.getTime() + (err.details.retryAfterMs ?? 3_600_000)).toISOString();
      const cur = ((await db.prisma.connection.findUniqueOrThrow({ where: { id: connectionId } })).cursor ?? {}) as Cursor;
      await saveCursor(db, connectionId, { ...cur, pausedUntil: until });
    }
    await db.prisma.connection.update({ where: { id: connectionId }, data: { status: auth ? 'needs_reauth' : conn.status === 'needs_reauth' ? 'needs_reauth' : 'active', lastError: error } });
    if (auth) await tellAgency(db, conn, { type: 'connection_reauth', fingerprint: reauthKey(conn.id), title: `Reconnect the ${conn.platform} account ${settingsOf(conn).accountName ?? settingsOf(conn).accountId ?? ''}: its numbers have stopped syncing`, body: error }, opts.now);
    await emitEvent(db, { clientId: conn.clientId, type: auth ? 'connection.needs_reauth' : 'sync.failed', now: opts.now, data: { connectionId, platform: conn.platform, account: settingsOf(conn).accountId ?? null, syncRunId, error } });
    if (!(err instanceof SourceError) && !(err instanceof AppError)) throw err;
    return { ...base, status: auth ? 'needs_reauth' : 'failed', error };
  }
}

async function saveCursor(db: Db, connectionId: string, cursor: Cursor) {
  await db.prisma.connection.update({ where: { id: connectionId }, data: { cursor: cursor as object } });
}

export const reauthKey = (connectionId: string) => `connection_reauth:${connectionId}`;

/** Days before a token's expiry that the agency is told to reconnect. */
export const EXPIRY_WARNING_DAYS = 7;

/** A token that expires soon (Meta's long-lived tokens last about 60 days) is one inbox item, a week ahead. */
async function warnOfExpiry(db: Db, conn: ConnectionRow, settings: ConnectionSettings, now: Date) {
  if (!settings.tokenExpiresAt) return;
  const left = Date.parse(settings.tokenExpiresAt) - now.getTime();
  if (!(left < EXPIRY_WARNING_DAYS * 86_400_000)) {
    // Reconnected with a fresh token: earlier warnings are done with.
    await db.prisma.insight.updateMany({ where: { clientId: conn.clientId, type: 'connection_expiring', fingerprint: { startsWith: `connection_expiring:${conn.id}:` }, status: { in: ['PENDING', 'IN_PROGRESS'] } }, data: { status: 'RESOLVED', resolvedAt: now } });
    return;
  }
  const day = settings.tokenExpiresAt.slice(0, 10);
  await tellAgency(db, conn, {
    type: 'connection_expiring', fingerprint: `connection_expiring:${conn.id}:${day}`,
    title: `The ${conn.platform} token for ${settings.accountName ?? settings.accountId ?? 'an account'} expires on ${day}: reconnect it before then`,
    body: `Open a new connect link (GET /v1/clients/{id}/connections/${conn.platform}/authorize) or run adbrain connections add again.`,
  }, now);
}

/** One open inbox item per connection problem (the inbox is what the agency reads every morning). */
async function tellAgency(db: Db, conn: ConnectionRow, item: { type: string; fingerprint: string; title: string; body: string }, now: Date) {
  const { fingerprint, body: error } = item;
  const title = item.title.replace(/\s+/g, ' ');
  const existing = await db.prisma.insight.findUnique({ where: { clientId_fingerprint: { clientId: conn.clientId, fingerprint } } });
  if (existing) {
    // Broken again after it was fixed: the same item comes back to the inbox.
    const back = existing.status === 'RESOLVED';
    await db.prisma.insight.update({ where: { id: existing.id }, data: { lastSeen: now, body: error, title, ...(back && { status: 'PENDING', resolvedAt: null }) } });
    if (back) await db.prisma.insightEvent.create({ data: { insightId: existing.id, actor: 'adbrain', fromStatus: 'RESOLVED', toStatus: 'PENDING', note: 'connection broke again', at: now } });
    return;
  }
  const created = await db.prisma.insight.create({
    data: { clientId: conn.clientId, type: item.type, severity: item.type === 'connection_reauth' ? 'critical' : 'high', title, body: error, fingerprint, payload: { connectionId: conn.id, platform: conn.platform, error } as object, since: new Date(`${now.toISOString().slice(0, 10)}T00:00:00Z`), firstSeen: now, lastSeen: now },
  });
  await db.prisma.insightEvent.create({ data: { insightId: created.id, actor: 'adbrain', toStatus: 'PENDING', note: item.type === 'connection_reauth' ? 'connection needs re-authorisation' : 'token expires soon', at: now } });
}

/** The key that opens stored credentials, or undefined when none is configured (then nothing can sync). */
export function credentialKey(config: Pick<Config, 'encryptionKey' | 'databaseUrl' | 'dataDir'>): Buffer | undefined {
  try {
    return resolveEncryptionKey(config).key;
  } catch {
    return undefined;
  }
}

/**
 * Per platform, the first day whose numbers may still change: the connection's
 * settling window, ending at the account's today. Rows on or after it are provisional.
 */
export async function provisionalFrom(db: Db, clientId: string, now: Date): Promise<Record<string, string>> {
  const conns = await db.prisma.connection.findMany({ where: { clientId, status: { in: ['active', 'error'] } }, select: { platform: true, settings: true } });
  const out: Record<string, string> = {};
  for (const c of conns) {
    const s = settingsOf(c);
    if (!s.timezone) continue;
    const from = addDays(localDate(s.timezone, now), -(s.settleDays ?? SETTLE_DAYS[c.platform] ?? 7));
    if (!out[c.platform] || from < out[c.platform]!) out[c.platform] = from;
  }
  return out;
}
