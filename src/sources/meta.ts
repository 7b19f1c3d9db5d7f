// Meta Marketing API: ad-level daily insights of one ad account.
// - Short ranges read `act_<id>/insights` directly; longer ones run as an async
//   report job (POST → report_run_id → poll async_status → read its pages). A
//   failed or stuck job is retried on halves of its range.
// - Pages follow paging.cursors.after with our own URL: Meta's `next` links carry
//   the access token, which is sent in the Authorization header instead.
// - Conversions and revenue come from ONE action type per connection: Meta's
//   purchase types overlap (pixel ⊂ omni) and must never be summed.
// - Rate limits (codes 4, 17, 32, 613, 80000–80014) wait as long as Meta says;
//   usage headers at 90 % and more pause before Meta has to refuse.
import { parseCents } from '../import/values.ts';
import { currencyExponent } from '../domain/currency.ts';
import { requestJson, withRetries, type HttpOptions, type JsonResponse } from './http.ts';
import { SourceError, type AccountInfo, type Connector, type DayRange, type SourceRow } from './types.ts';
import { addDays, daysBetween } from '../time.ts';

export const META_DEFAULT_VERSION = 'v25.0';
/** Preference when the connection does not name its action type. */
export const META_ACTION_TYPES = ['offsite_conversion.fb_pixel_purchase', 'omni_purchase', 'purchase'];

export interface MetaOptions {
  baseUrl: string;
  version: string;
  /** With or without "act_". */
  accountId: string;
  accessToken: string;
  /** The one action type counted as conversions (and its value as revenue); default: the first of META_ACTION_TYPES the account reports. */
  actionType?: string;
  http: HttpOptions;
  pageSize?: number;
  /** Ranges longer than this run as async jobs. */
  syncMaxDays?: number;
  pollMs?: number;
  jobTimeoutMs?: number;
  /** Usage (percent) at which calls pause until the window resets. */
  throttleAt?: number;
}

const FIELDS = [
  'date_start', 'date_stop', 'account_id', 'campaign_id', 'campaign_name', 'adset_id', 'adset_name', 'ad_id', 'ad_name',
  'spend', 'impressions', 'clicks', 'inline_link_clicks', 'reach', 'frequency', 'actions', 'action_values',
].join(',');

interface GraphError {
  message?: string;
  code?: number;
  error_subcode?: number;
  error_user_msg?: string;
  type?: string;
}

interface InsightRow {
  date_start?: string;
  campaign_id?: string;
  campaign_name?: string;
  adset_id?: string;
  adset_name?: string;
  ad_id?: string;
  ad_name?: string;
  spend?: string;
  impressions?: string;
  clicks?: string;
  inline_link_clicks?: string;
  reach?: string;
  frequency?: string;
  actions?: { action_type: string; value: string }[];
  action_values?: { action_type: string; value: string }[];
}

const RATE_LIMIT_CODES = new Set([4, 17, 32, 613]);
const AUTH_SUBCODES: Record<number, string> = { 458: 'the app was removed from the account', 460: 'the password was changed', 463: 'the token expired', 464: 'the user is unconfirmed', 467: 'the token is invalid' };

export const stripAct = (id: string) => id.trim().replace(/^act_/i, '');

export function metaConnector(o: MetaOptions): Connector & { actionType(): string | null } {
  const account = stripAct(o.accountId);
  const base = `${o.baseUrl.replace(/\/+$/, '')}/${o.version}`;
  const pageSize = o.pageSize ?? 500;
  const http = o.http;
  let info: AccountInfo | null = null;
  let actionType: string | null = o.actionType ?? null;
  let links: Map<string, string> | null = null;

  const call = async (method: 'GET' | 'POST', path: string, params: Record<string, string>, what: string): Promise<Record<string, unknown>> =>
    withRetries(what, http, async () => {
      const q = new URLSearchParams(params).toString();
      const url = `${base}/${path}${q ? `?${q}` : ''}`;
      const res = await requestJson(url, { method, headers: { authorization: `Bearer ${o.accessToken}`, accept: 'application/json' } }, http);
      check(res, what);
      await throttle(res, what);
      if (!res.body || typeof res.body !== 'object') throw new SourceError('fatal', `Meta: ${what}: an empty answer`, { platform: 'meta', status: res.status });
      return res.body as Record<string, unknown>;
    });

  function check(res: JsonResponse, what: string) {
    const err = (res.body as { error?: GraphError } | null)?.error;
    if (res.status < 400 && !err) return;
    const code = err?.code;
    const sub = err?.error_subcode;
    const msg = `Meta: ${what} (account ${account}): ${err?.error_user_msg ?? err?.message ?? `HTTP ${res.status}`}${code !== undefined ? ` (code ${code}${sub ? `/${sub}` : ''})` : ''}`;
    const details = { platform: 'meta', status: res.status, code, subcode: sub };
    if (code === 190 || code === 102) {
      const why = (sub && AUTH_SUBCODES[sub]) ?? 'the token is no longer valid';
      throw new SourceError('auth', `Meta: the access token for account ${account} stopped working: ${why}. Reconnect the account (adbrain connections add … or the connect link).`, details);
    }
    if (/reduce the amount of data/i.test(err?.message ?? '')) throw new SourceError('too_much_data', msg, details);
    if ((code !== undefined && RATE_LIMIT_CODES.has(code)) || (code !== undefined && code >= 80000 && code <= 80014)) {
      throw new SourceError('rate_limit', msg, { ...details, retryAfterMs: regainMs(res.headers) });
    }
    if (code === 1 || code === 2 || (code === 100 && sub === 33) || res.status >= 500) throw new SourceError('transient', msg, details);
    throw new SourceError('fatal', msg, details);
  }

  /** Pauses when a usage header says the account or app is near its limit. */
  async function throttle(res: JsonResponse, what: string) {
    const pct = usagePercent(res.headers);
    if (pct < (o.throttleAt ?? 90)) return;
    const wait = regainMs(res.headers) ?? 60_000;
    if (wait > http.maxWaitMs) throw new SourceError('rate_limit', `Meta: ${what}: usage at ${pct}% of the limit; waiting ${Math.round(wait / 1000)} s would exceed the sync's wait budget`, { platform: 'meta', retryAfterMs: wait });
    http.onWait?.(`Meta: usage at ${pct}%`, wait);
    await new Promise((r) => setTimeout(r, wait));
  }

  async function accountInfo(): Promise<AccountInfo> {
    if (info) return info;
    const b = await call('GET', `act_${account}`, { fields: 'name,currency,timezone_name,account_status' }, 'reading the ad account');
    if (typeof b.currency !== 'string' || typeof b.timezone_name !== 'string') throw new SourceError('fatal', `Meta: the ad account ${account} answered without currency or time zone`, { platform: 'meta' });
    info = { id: account, name: typeof b.name === 'string' ? b.name : `act_${account}`, currency: b.currency.toUpperCase(), timezone: b.timezone_name };
    return info;
  }

  /** Ad id → destination URL, from the ads' creatives (one listing per sync). */
  async function adLinks(): Promise<Map<string, string>> {
    if (links) return links;
    const out = new Map<string, string>();
    let after: string | undefined;
    do {
      const b = await call('GET', `act_${account}/ads`, { fields: 'id,creative{object_story_spec,link_url,object_url}', limit: String(pageSize), ...(after ? { after } : {}) }, 'listing the ads');
      for (const ad of asArray(b.data, 'ads')) {
        const link = linkOf(ad as { id?: string; creative?: Record<string, unknown> });
        if (link && typeof (ad as { id?: unknown }).id === 'string') out.set((ad as { id: string }).id, link);
      }
      after = nextCursor(b);
    } while (after);
    return (links = out);
  }

  async function* pages(path: string, params: Record<string, string>, what: string): AsyncGenerator<InsightRow[]> {
    let after: string | undefined;
    do {
      const b = await call('GET', path, { ...params, limit: String(pageSize), ...(after ? { after } : {}) }, what);
      yield asArray(b.data, 'insights') as InsightRow[];
      after = nextCursor(b);
    } while (after);
  }

  const insightParams = (r: DayRange) => ({
    level: 'ad', time_increment: '1', fields: FIELDS, time_range: JSON.stringify({ since: r.from, until: r.to }),
    action_attribution_windows: JSON.stringify(['7d_click', '1d_view']),
  });

  /** An async report job for a long range; resolves to its report_run_id once completed. */
  async function runJob(r: DayRange): Promise<string> {
    const created = await call('POST', `act_${account}/insights`, insightParams(r), `starting a report for ${r.from}…${r.to}`);
    const id = created.report_run_id;
    if (typeof id !== 'string' && typeof id !== 'number') throw new SourceError('fatal', 'Meta: the report job answered without report_run_id', { platform: 'meta' });
    const started = Date.now();
    let poll = o.pollMs ?? 2_000;
    for (;;) {
      const s = await call('GET', String(id), { fields: 'async_status,async_percent_completion' }, `checking report ${id}`);
      const status = String(s.async_status ?? '');
      if (status === 'Job Completed') return String(id);
      if (status === 'Job Failed' || status === 'Job Skipped') throw new SourceError('too_much_data', `Meta: report job for ${r.from}…${r.to} ended "${status}"`, { platform: 'meta' });
      if (Date.now() - started > (o.jobTimeoutMs ?? 10 * 60_000)) throw new SourceError('too_much_data', `Meta: report job for ${r.from}…${r.to} still "${status}" (${s.async_percent_completion ?? 0}%) after ${Math.round((Date.now() - started) / 1000)} s`, { platform: 'meta' });
      await new Promise((res) => setTimeout(res, poll));
      poll = Math.min(poll * 1.5, 30_000);
    }
  }

  async function* fetchRange(r: DayRange): AsyncGenerator<InsightRow[]> {
    const days = daysBetween(r.from, r.to) + 1;
    try {
      if (days <= (o.syncMaxDays ?? 7)) {
        yield* pages(`act_${account}/insights`, insightParams(r), `reading insights ${r.from}…${r.to}`);
      } else {
        const id = await runJob(r);
        yield* pages(`${id}/insights`, {}, `reading report ${id}`);
      }
    } catch (err) {
      // Too much at once (or a failed / stuck job): the two halves, down to single days.
      if (err instanceof SourceError && err.kind === 'too_much_data' && days > 1) {
        const mid = addDays(r.from, Math.floor(days / 2) - 1);
        http.onWait?.(`Meta: ${err.message}; splitting ${r.from}…${r.to}`, 0);
        yield* fetchRange({ from: r.from, to: mid });
        yield* fetchRange({ from: addDays(mid, 1), to: r.to });
        return;
      }
      throw err;
    }
  }

  return {
    platform: 'meta',
    source: 'meta-api',
    accountInfo,
    actionType: () => actionType,
    async *fetchDaily(range: DayRange) {
      const acct = await accountInfo();
      const exp = currencyExponent(acct.currency);
      const linkOfAd = await adLinks();
      for await (const page of fetchRange(range)) {
        // The first page with purchases decides the connection's action type; it never changes within a sync.
        actionType ??= chooseActionType(page);
        yield page.map((row) => toRow(row, actionType, exp, linkOfAd));
      }
    },
  };
}

function chooseActionType(rows: InsightRow[]): string | null {
  for (const t of META_ACTION_TYPES) if (rows.some((r) => r.actions?.some((a) => a.action_type === t))) return t;
  return null;
}

const asArray = (v: unknown, what: string): unknown[] => {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new SourceError('fatal', `Meta: the ${what} answer has no data list`, { platform: 'meta' });
  return v;
};

function nextCursor(b: Record<string, unknown>): string | undefined {
  const p = b.paging as { cursors?: { after?: string }; next?: string } | undefined;
  // A last page may still carry an `after` cursor; only `next` says another page exists.
  return p?.next && p.cursors?.after ? p.cursors.after : undefined;
}

function linkOf(ad: { creative?: Record<string, unknown> }): string | undefined {
  const c = ad.creative ?? {};
  const spec = c.object_story_spec as { link_data?: { link?: string }; video_data?: { call_to_action?: { value?: { link?: string } } } } | undefined;
  const url = spec?.link_data?.link ?? spec?.video_data?.call_to_action?.value?.link ?? (c.link_url as string | undefined) ?? (c.object_url as string | undefined);
  return typeof url === 'string' && /^https?:\/\//i.test(url) ? url : undefined;
}

function count(v: string | undefined, field: string): number | null {
  if (v === undefined || v === '') return null;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new SourceError('fatal', `Meta: ${field} "${v}" is not a count`, { platform: 'meta' });
  return n;
}

function toRow(r: InsightRow, actionType: string | null, exp: number, linkOfAd: Map<string, string>): SourceRow {
  if (!r.date_start || !/^\d{4}-\d{2}-\d{2}$/.test(r.date_start) || !r.campaign_id || !r.ad_id) {
    throw new SourceError('fatal', `Meta: an insights row without date, campaign or ad (${JSON.stringify(r).slice(0, 120)})`, { platform: 'meta' });
  }
  const spend = r.spend === undefined ? { ok: true as const, value: 0 } : parseCents(r.spend, false, exp);
  if (!spend.ok) throw new SourceError('fatal', `Meta: spend "${r.spend}" of ad ${r.ad_id} on ${r.date_start} ${spend.reason}`, { platform: 'meta' });
  // Meta leaves out actions an ad did not have: absent = 0, for the chosen type only.
  const conv = actionType ? Number(r.actions?.find((a) => a.action_type === actionType)?.value ?? 0) : 0;
  const value = actionType ? r.action_values?.find((a) => a.action_type === actionType)?.value : undefined;
  const revenue = value === undefined ? { ok: true as const, value: 0 } : parseCents(value, false, exp);
  if (!revenue.ok || !Number.isFinite(conv)) throw new SourceError('fatal', `Meta: ${actionType} of ad ${r.ad_id} on ${r.date_start} is not a number`, { platform: 'meta' });
  const link = linkOfAd.get(r.ad_id);
  return {
    date: r.date_start,
    campaign: { id: r.campaign_id, name: r.campaign_name ?? r.campaign_id },
    adset: r.adset_id ? { id: r.adset_id, name: r.adset_name ?? r.adset_id } : undefined,
    ad: { id: r.ad_id, name: r.ad_name ?? r.ad_id },
    link,
    spendCents: spend.value,
    impressions: count(r.impressions, 'impressions'),
    // Link clicks are the clicks that reach the landing page (what CTR and CPC mean here).
    clicks: count(r.inline_link_clicks ?? r.clicks, 'clicks'),
    conversions: conv,
    revenueCents: revenue.value,
    reach: count(r.reach, 'reach'),
    frequency: r.frequency === undefined ? null : Number(r.frequency),
  };
}

/** Highest usage percent in Meta's rate-limit headers. */
export function usagePercent(h: Headers): number {
  let max = 0;
  for (const name of ['x-business-use-case-usage', 'x-ad-account-usage', 'x-fb-ads-insights-throttle', 'x-app-usage']) {
    const raw = h.get(name);
    if (!raw) continue;
    try {
      walk(JSON.parse(raw), (k, v) => {
        if (typeof v === 'number' && /call_count|total_cputime|total_time|util_pct/.test(k)) max = Math.max(max, v);
      });
    } catch {
      // A malformed header is no reason to fail a sync.
    }
  }
  return max;
}

/** How long until access is regained, from the usage headers (ms), if Meta says. */
export function regainMs(h: Headers): number | undefined {
  let ms: number | undefined;
  for (const name of ['x-business-use-case-usage', 'x-ad-account-usage']) {
    const raw = h.get(name);
    if (!raw) continue;
    try {
      walk(JSON.parse(raw), (k, v) => {
        if (typeof v !== 'number') return;
        // estimated_time_to_regain_access is in minutes; reset_time_duration in seconds.
        const t = k === 'estimated_time_to_regain_access' ? v * 60_000 : k === 'reset_time_duration' ? v * 1000 : undefined;
        if (t !== undefined && t > 0) ms = Math.max(ms ?? 0, t);
      });
    } catch {
      // ignore
    }
  }
  return ms;
}

function walk(v: unknown, f: (k: string, v: unknown) => void, key = '') {
  if (Array.isArray(v)) for (const x of v) walk(x, f, key);
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, f, k);
  else f(key, v);
}
