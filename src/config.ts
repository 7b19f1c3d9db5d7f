import { randomBytes } from 'node:crypto';
// The one place that reads the environment. Everything else receives a Config.
import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { rememberSecret } from './crypto/redact.ts';

const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const envSchema = z.object({
  DATABASE_URL: optionalString.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
      .optional(),
  ),
  ADBRAIN_DATA_DIR: optionalString,
  ADBRAIN_OUTBOX_DIR: optionalString,
  ADBRAIN_ENCRYPTION_KEY: optionalString,
  ADBRAIN_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  ADBRAIN_DEBUG: optionalString,
  // Providers used by later stages; optional, each one turns an integration on.
  LLM_PROVIDER: z.enum(['anthropic', 'openai', 'none']).optional(),
  ANTHROPIC_API_KEY: optionalString,
  ANTHROPIC_BASE_URL: optionalString,
  ANTHROPIC_MODEL: optionalString,
  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: optionalString,
  OPENAI_MODEL: optionalString,
  LLM_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  LLM_MAX_RETRIES: z.coerce.number().int().min(0).max(5).default(2),
  LLM_DAILY_TOKEN_BUDGET: z.coerce.number().int().min(0).default(200_000),
  RESEND_API_KEY: optionalString,
  RESEND_BASE_URL: optionalString,
  RESEND_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(4),
  RESEND_RETRY_MIN_MS: z.coerce.number().int().min(1).max(60_000).default(1_000),
  ADBRAIN_EMAIL_FROM: optionalString,
  TWILIO_ACCOUNT_SID: optionalString,
  TWILIO_AUTH_TOKEN: optionalString,
  /** The sending number (E.164) or a Messaging Service SID (MG…). */
  TWILIO_FROM: optionalString,
  TWILIO_API_URL: optionalString,
  INNGEST_EVENT_KEY: optionalString,
  INNGEST_SIGNING_KEY: optionalString,
  INNGEST_BASE_URL: optionalString,
  INNGEST_DEV: optionalString,
  PORT: z.coerce.number().int().min(1).max(65535).optional(),
  META_GRAPH_URL: z.url().default('https://graph.facebook.com'),
  META_API_VERSION: z.string().regex(/^v\d+\.\d+$/, 'like v25.0').default('v25.0'),
  META_ACCESS_TOKEN: optionalString,
  META_JOB_POLL_MS: z.coerce.number().int().min(1).max(60_000).default(2_000),
  GOOGLE_ADS_API_URL: z.url().default('https://googleads.googleapis.com'),
  GOOGLE_OAUTH_TOKEN_URL: z.url().default('https://oauth2.googleapis.com/token'),
  GOOGLE_ADS_API_VERSION: z.string().regex(/^v\d+$/, 'like v24').default('v24'),
  GOOGLE_ADS_DEVELOPER_TOKEN: optionalString,
  GOOGLE_ADS_CLIENT_ID: optionalString,
  GOOGLE_ADS_CLIENT_SECRET: optionalString,
  TIKTOK_API_URL: z.url().default('https://business-api.tiktok.com'),
  ADBRAIN_PUBLIC_URL: z.url().optional(),
  META_APP_ID: optionalString,
  META_APP_SECRET: optionalString,
  META_OAUTH_URL: z.url().default('https://www.facebook.com'),
  GOOGLE_OAUTH_AUTH_URL: z.url().default('https://accounts.google.com/o/oauth2/v2/auth'),
  TIKTOK_APP_ID: optionalString,
  TIKTOK_APP_SECRET: optionalString,
  TIKTOK_AUTH_URL: z.url().default('https://business-api.tiktok.com/portal/auth'),
  REDTRACK_API_URL: z.url().default('https://api.redtrack.io'),
  // RedTrack allows about 20 report requests a minute per key; the limiter stays under it.
  REDTRACK_REPORT_RPM: z.coerce.number().int().min(1).max(100_000).default(18),
  // Shopify: the shop's own URL (https://<shop>.myshopify.com) unless this overrides it (tests, proxies).
  SHOPIFY_API_URL: z.url().optional(),
  SHOPIFY_API_VERSION: z.string().regex(/^\d{4}-\d{2}$|^unstable$/).default('2025-10'),
  SHOPIFY_CLIENT_ID: optionalString,
  SHOPIFY_CLIENT_SECRET: optionalString,
  SHOPIFY_SCOPES: z.string().default('read_orders,read_all_orders'),
  ADBRAIN_WEBHOOKS_ALLOW_PRIVATE: z.enum(['0', '1']).optional(),
  ADBRAIN_TRACK_FALLBACK_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** Where `adbrain fx fetch` gets reference rates in the ECB's CSV format (its history file, or a mirror of it). */
  ADBRAIN_FX_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** As curl's --resolve ("go.brand.com:443:203.0.113.7,…"): where the tracking-domain check connects for a host. */
  ADBRAIN_RESOLVE: z.string().max(2000).regex(/^([^:,]+:\d+:[^,]+)(,[^:,]+:\d+:[^,]+)*$/, 'host:port:address, comma-separated').optional(),
  ADBRAIN_GEO_HEADER: z.string().regex(/^[A-Za-z0-9-]+$/, 'a header name, or off').optional(),
  ADBRAIN_TRACK_SALT: z.string().min(16, 'at least 16 characters').optional(),
  ADBRAIN_TRUSTED_PROXIES: z.string().optional().refine((v) => !v || v.split(',').every((a) => proxyEntry(a.trim()) !== null), 'addresses or CIDR ranges of your reverse proxies, comma-separated (127.0.0.1,10.0.0.0/8)'),
  ADBRAIN_CLICK_LIMIT: z.coerce.number().int().min(1).max(1_000_000).default(120),
  ADBRAIN_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  ADBRAIN_SYNC_RETRIES: z.coerce.number().int().min(0).max(10).default(4),
  ADBRAIN_SYNC_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(60_000),
  ADBRAIN_SYNC_BACKOFF_MS: z.coerce.number().int().min(1).max(60_000).default(1_000),
  ADBRAIN_SYNC_MAX_WAIT_MS: z.coerce.number().int().min(0).max(3_600_000).default(300_000),
  ADBRAIN_DB_RETRIES: z.coerce.number().int().min(0).max(10).default(4),
  ADBRAIN_DB_RETRY_MIN_MS: z.coerce.number().int().min(1).max(60_000).default(500),
  // Inngest's intraday sync (and the alerts and rules after it): every 15, 30 or 60 minutes.
  ADBRAIN_INTRADAY_MINUTES: z.enum(['15', '30', '60'], { message: '15, 30 or 60' }).default('30'),
  // Changes on the ad platforms: off (never), propose (default: approved by a person), auto (rules may act).
  ADBRAIN_ACTIONS: z.enum(['off', 'propose', 'auto'], { message: 'off, propose or auto' }).default('propose'),
  // Run as if it were this moment (replaying a day, tests): the clock starts there and runs on.
  ADBRAIN_NOW: optionalString.pipe(z.iso.datetime({ offset: true, message: 'an ISO date-time like 2026-12-03T08:40:00Z' }).optional()),
});

export interface Config {
  /** Postgres server URL, or null for the embedded PGlite database. */
  databaseUrl: string | null;
  dataDir: string;
  outboxDir: string;
  /** Raw key material from ADBRAIN_ENCRYPTION_KEY, if set (see src/crypto/secrets.ts). */
  encryptionKey: string | null;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  debug: boolean;
  /** The one clock of a process: the real time, or ADBRAIN_NOW running on from when the process read it. */
  now: () => Date;
  /** ADBRAIN_ACTIONS: whether adbrain may change anything on the ad platforms. */
  actions: 'off' | 'propose' | 'auto';
  /** Minutes between Inngest's intraday syncs (each followed by the alert and rule checks). */
  intradayMinutes: 15 | 30 | 60;
  llm: {
    provider: 'anthropic' | 'openai' | 'none';
    anthropic: { apiKey: string; baseURL?: string; model: string } | null;
    openai: { apiKey: string; baseURL?: string; model: string } | null;
    /** Per request; 429/5xx/timeouts are retried maxRetries times, each with this timeout. */
    timeoutMs: number;
    maxRetries: number;
    /** Tokens per agency and day unless the agency sets its own. */
    dailyTokenBudget: number;
  };
  email: {
    resend: { apiKey: string; baseURL?: string; retries: number; minTimeoutMs: number } | null;
    from: string;
  };
  /** Critical alerts by SMS (Twilio's Messages API); null: no texts are sent. */
  sms: { twilio: { accountSid: string; authToken: string; from: string; baseUrl: string } | null };
  inngest: { eventKey?: string; signingKey?: string; baseUrl?: string; isDev: boolean };
  port: number;
  /** Lost or refused database connections: retries of a day step or an import, first backoff (doubling). */
  dbRetry: { retries: number; minTimeoutMs: number };
  /** Outbound webhooks: whether private / loopback receivers are allowed (development), the per-attempt timeout. */
  webhooks: { allowPrivate: boolean; timeoutMs: number };
  /** Reference exchange rates (src/fx/): the URL of an ECB-format CSV; null: load a file instead. */
  fx: { url: string | null };
  /** ADBRAIN_RESOLVE: host-to-address overrides for the tracking-domain check. */
  resolve?: string;
  /** First-party tracking: where a link nobody knows goes, the header with the visitor's country, the salt of IP hashes. */
  tracking: {
    fallbackUrl: string | null; geoHeader: string | null; salt: string;
    /** Clicks per minute counted from one address on /t/<code>; beyond, the visitor is still sent on, uncounted. */
    clickLimit: number;
  };
  /** Reverse proxies whose X-Forwarded-For is believed (addresses and CIDR ranges); none by default. */
  trustedProxies: string[];
  /** Ad platform APIs (base URLs from env so tests and replays point at loopback) and the retry policy. */
  sources: {
    /** pollMs: first wait between async report job checks (grows 1.5× up to 30 s). */
    meta: { baseUrl: string; version: string; accessToken: string | null; pollMs: number };
    google: { apiUrl: string; tokenUrl: string; version: string; developerToken: string | null; clientId: string | null; clientSecret: string | null };
    tiktok: { apiUrl: string };
    /** reportRpm calls per intervalMs (a minute unless a test says otherwise). */
    redtrack: { apiUrl: string; reportRpm: number; intervalMs?: number };
    /** apiUrl: null = the shop's own https://<shop>.myshopify.com. clientId/secret: the app (OAuth install, client-credentials grant). */
    shopify: { apiUrl: string | null; version: string; clientId: string | null; clientSecret: string | null; scopes: string };
    /** OAuth connect links: the consent pages, the app credentials, where the callback is served. */
    oauth: {
      publicUrl: string;
      /** Whether ADBRAIN_PUBLIC_URL set it (else links and callbacks point at this machine). */
      publicUrlSet: boolean;
      meta: { consentUrl: string; appId: string | null; appSecret: string | null };
      google: { consentUrl: string };
      tiktok: { consentUrl: string; appId: string | null; appSecret: string | null };
    };
    http: { retries: number; timeoutMs: number; minBackoffMs: number; maxWaitMs: number };
  };
}

export const DEFAULT_FROM = 'adbrain <reports@adbrain.local>';

export class ConfigError extends Error {}

/** One entry of ADBRAIN_TRUSTED_PROXIES: an address or a CIDR range; null when it is neither. */
export function proxyEntry(s: string): { address: string; prefix: number | null; family: 'ipv4' | 'ipv6' } | null {
  const [address = '', bits, extra] = s.split('/');
  const v = isIP(address);
  if (!v || extra !== undefined) return null;
  const family = v === 4 ? 'ipv4' : 'ipv6';
  if (bits === undefined) return { address, prefix: null, family };
  const prefix = /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
  return prefix >= 0 && prefix <= (v === 4 ? 32 : 128) ? { address, prefix, family } : null;
}

const processSalt = randomBytes(16).toString('hex');

/** A clock that starts at `start` (ISO) and runs on in real time; the real clock without it. */
export function clockFrom(start: string | undefined): () => Date {
  if (!start) return () => new Date();
  const offset = Date.parse(start) - Date.now();
  return () => new Date(Date.now() + offset);
}

export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  cwd: string = process.cwd(),
): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid environment:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data;
  rememberSecret(e.META_APP_SECRET, e.TIKTOK_APP_SECRET, e.SHOPIFY_CLIENT_SECRET, e.GOOGLE_ADS_DEVELOPER_TOKEN, e.GOOGLE_ADS_CLIENT_SECRET, e.META_ACCESS_TOKEN, e.ANTHROPIC_API_KEY, e.OPENAI_API_KEY, e.RESEND_API_KEY, e.TWILIO_AUTH_TOKEN, e.INNGEST_SIGNING_KEY, e.INNGEST_EVENT_KEY, e.ADBRAIN_ENCRYPTION_KEY);
  if (e.DATABASE_URL) rememberSecret(decodeURIComponent(/\/\/[^:@/]+:([^@/]*)@/.exec(e.DATABASE_URL)?.[1] ?? ''));
  const dataDir = path.resolve(cwd, e.ADBRAIN_DATA_DIR ?? 'data');
  const anthropic = e.ANTHROPIC_API_KEY
    ? { apiKey: e.ANTHROPIC_API_KEY, baseURL: e.ANTHROPIC_BASE_URL, model: e.ANTHROPIC_MODEL ?? 'claude-sonnet-4-6' }
    : null;
  const openai = e.OPENAI_API_KEY
    ? { apiKey: e.OPENAI_API_KEY, baseURL: e.OPENAI_BASE_URL, model: e.OPENAI_MODEL ?? 'gpt-4.1-mini' }
    : null;
  const provider = e.LLM_PROVIDER ?? (anthropic ? 'anthropic' : openai ? 'openai' : 'none');
  return {
    databaseUrl: e.DATABASE_URL ?? null,
    dataDir,
    outboxDir: path.resolve(cwd, e.ADBRAIN_OUTBOX_DIR ?? 'outbox'),
    encryptionKey: e.ADBRAIN_ENCRYPTION_KEY ?? null,
    logLevel: e.ADBRAIN_LOG_LEVEL,
    debug: Boolean(e.ADBRAIN_DEBUG && e.ADBRAIN_DEBUG !== '0'),
    now: clockFrom(e.ADBRAIN_NOW),
    actions: e.ADBRAIN_ACTIONS,
    intradayMinutes: Number(e.ADBRAIN_INTRADAY_MINUTES) as 15 | 30 | 60,
    llm: { provider, anthropic, openai, timeoutMs: e.LLM_TIMEOUT_MS, maxRetries: e.LLM_MAX_RETRIES, dailyTokenBudget: e.LLM_DAILY_TOKEN_BUDGET },
    email: {
      resend: e.RESEND_API_KEY ? { apiKey: e.RESEND_API_KEY, baseURL: e.RESEND_BASE_URL, retries: e.RESEND_MAX_RETRIES, minTimeoutMs: e.RESEND_RETRY_MIN_MS } : null,
      from: e.ADBRAIN_EMAIL_FROM ?? DEFAULT_FROM,
    },
    sms: {
      twilio: e.TWILIO_ACCOUNT_SID && e.TWILIO_AUTH_TOKEN && e.TWILIO_FROM
        ? { accountSid: e.TWILIO_ACCOUNT_SID, authToken: e.TWILIO_AUTH_TOKEN, from: e.TWILIO_FROM, baseUrl: (e.TWILIO_API_URL ?? 'https://api.twilio.com').replace(/\/+$/, '') }
        : null,
    },
    inngest: {
      eventKey: e.INNGEST_EVENT_KEY,
      signingKey: e.INNGEST_SIGNING_KEY,
      baseUrl: e.INNGEST_BASE_URL,
      // Dev mode (unsigned) only when asked for, and never alongside a signing key.
      isDev: !e.INNGEST_SIGNING_KEY && Boolean(e.INNGEST_DEV && e.INNGEST_DEV !== '0'),
    },
    port: e.PORT ?? 3000,
    dbRetry: { retries: e.ADBRAIN_DB_RETRIES, minTimeoutMs: e.ADBRAIN_DB_RETRY_MIN_MS },
    webhooks: { allowPrivate: e.ADBRAIN_WEBHOOKS_ALLOW_PRIVATE === '1', timeoutMs: e.ADBRAIN_WEBHOOK_TIMEOUT_MS },
    // Without ADBRAIN_TRACK_SALT the salt lives as long as the process: hashes then never link visits across restarts.
    fx: { url: e.ADBRAIN_FX_URL ?? null },
    resolve: e.ADBRAIN_RESOLVE,
    tracking: { fallbackUrl: e.ADBRAIN_TRACK_FALLBACK_URL ?? null, geoHeader: e.ADBRAIN_GEO_HEADER === 'off' ? null : (e.ADBRAIN_GEO_HEADER ?? 'cf-ipcountry').toLowerCase(), salt: e.ADBRAIN_TRACK_SALT ?? processSalt, clickLimit: e.ADBRAIN_CLICK_LIMIT },
    trustedProxies: (e.ADBRAIN_TRUSTED_PROXIES ?? '').split(',').map((a) => a.trim()).filter(Boolean),
    sources: {
      meta: { baseUrl: e.META_GRAPH_URL, version: e.META_API_VERSION, accessToken: e.META_ACCESS_TOKEN ?? null, pollMs: e.META_JOB_POLL_MS },
      google: {
        apiUrl: e.GOOGLE_ADS_API_URL, tokenUrl: e.GOOGLE_OAUTH_TOKEN_URL, version: e.GOOGLE_ADS_API_VERSION,
        developerToken: e.GOOGLE_ADS_DEVELOPER_TOKEN ?? null, clientId: e.GOOGLE_ADS_CLIENT_ID ?? null, clientSecret: e.GOOGLE_ADS_CLIENT_SECRET ?? null,
      },
      tiktok: { apiUrl: e.TIKTOK_API_URL },
      redtrack: { apiUrl: e.REDTRACK_API_URL, reportRpm: e.REDTRACK_REPORT_RPM },
      shopify: { apiUrl: e.SHOPIFY_API_URL ?? null, version: e.SHOPIFY_API_VERSION, clientId: e.SHOPIFY_CLIENT_ID ?? null, clientSecret: e.SHOPIFY_CLIENT_SECRET ?? null, scopes: e.SHOPIFY_SCOPES },
      oauth: {
        publicUrl: (e.ADBRAIN_PUBLIC_URL ?? `http://127.0.0.1:${e.PORT ?? 3000}`).replace(/\/+$/, ''),
        publicUrlSet: Boolean(e.ADBRAIN_PUBLIC_URL),
        meta: { consentUrl: e.META_OAUTH_URL, appId: e.META_APP_ID ?? null, appSecret: e.META_APP_SECRET ?? null },
        google: { consentUrl: e.GOOGLE_OAUTH_AUTH_URL },
        tiktok: { consentUrl: e.TIKTOK_AUTH_URL, appId: e.TIKTOK_APP_ID ?? null, appSecret: e.TIKTOK_APP_SECRET ?? null },
      },
      http: { retries: e.ADBRAIN_SYNC_RETRIES, timeoutMs: e.ADBRAIN_SYNC_TIMEOUT_MS, minBackoffMs: e.ADBRAIN_SYNC_BACKOFF_MS, maxWaitMs: e.ADBRAIN_SYNC_MAX_WAIT_MS },
    },
  };
}
