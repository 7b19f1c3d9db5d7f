// RedTrack: clicks per tracking link from the report endpoint, conversions and
// revenue from the conversions endpoint (conversion-level, with status), day by
// day in the account's time zone.
// - GET /me/settings: the account's currency and time zone (the cheapest call).
// - GET /report?group=date,sub9,sub1,sub20,campaign: sub9 is the link slug the ads
//   carry, sub1 the spark code, sub20 the traffic source; `per` ≤ 1000, `page` from 1.
//   About 20 requests a minute are allowed: every call goes through one p-throttle
//   limiter per API key (strict: no window ever holds more), and a 429 waits.
// - GET /conversions: `per` ≤ 10,000. A conversion counts once per click id + type
//   (postbacks repeat); approved and pending count, declined do not.
// The report's own conversion columns are not used: they count repeats and
// declined conversions. The API key travels as the api_key query parameter, so
// URLs are never logged (pathOf drops the query).
import { createHash } from 'node:crypto';
import pThrottle from 'p-throttle';
import { currencyExponent } from '../domain/currency.ts';
import { trafficPlatform } from '../domain/links.ts';
import { parseCents } from '../import/values.ts';
import { localDate } from '../time.ts';
import { requestJson, withRetries, type HttpOptions } from './http.ts';
import { SourceError, type AccountInfo, type Connector, type DayRange, type SourceRow } from './types.ts';

export interface RedTrackOptions {
  apiUrl: string;
  apiKey: string;
  http: HttpOptions;
  /** Calls per interval for one API key (RedTrack: about 20 a minute). */
  limit: { calls: number; intervalMs: number };
  reportPageSize?: number;
  conversionPageSize?: number;
}

/** Conversion statuses that count (RedTrack's approved and pending; declined is refused by the offer). */
const COUNTED = new Set(['approved', 'pending']);

// One limiter per API key, shared by every connector in the process.
const limiters = new Map<string, <T>(fn: () => Promise<T>) => Promise<T>>();
function limiterFor(apiKey: string, limit: RedTrackOptions['limit']) {
  const id = `${createHash('sha256').update(apiKey).digest('hex')}:${limit.calls}/${limit.intervalMs}`;
  let l = limiters.get(id);
  if (!l) {
    const throttled = pThrottle({ limit: limit.calls, interval: limit.intervalMs, strict: true })((fn: () => Promise<unknown>) => fn());
    l = <T>(fn: () => Promise<T>) => throttled(fn) as Promise<T>;
    limiters.set(id, l);
  }
  return l;
}

type Json = Record<string, unknown>;

export interface RedTrackConversion {
  clickId: string;
  type: string;
  status: string;
  date: string;
  slug: string | null;
  campaign: { id: string; name: string };
  trafficSource?: string;
  revenueCents: number;
}

export function redtrackConnector(o: RedTrackOptions): Connector & { conversions(range: DayRange): Promise<RedTrackConversion[]> } {
  const base = o.apiUrl.replace(/\/+$/, '');
  const http = o.http;
  const limited = limiterFor(o.apiKey, o.limit);
  const reportPer = Math.min(1000, o.reportPageSize ?? 1000);
  const conversionPer = Math.min(10_000, o.conversionPageSize ?? 10_000);
  let info: AccountInfo | null = null;

  const call = (path: string, params: Record<string, string>, what: string) =>
    withRetries(what, http, () =>
      limited(async () => {
        const q = new URLSearchParams({ ...params, api_key: o.apiKey }).toString();
        const res = await requestJson(`${base}${path}?${q}`, { method: 'GET', headers: { accept: 'application/json' } }, http);
        const b = res.body as Json | unknown[] | null;
        const msg = (b && !Array.isArray(b) && (typeof b.error === 'string' ? b.error : typeof b.message === 'string' ? b.message : '')) || '';
        const details = { platform: 'redtrack', status: res.status };
        if (res.status === 401 || res.status === 403) {
          throw new SourceError('auth', `RedTrack refused the API key (HTTP ${res.status}${msg ? `: ${msg}` : ''}). Create a new key under Tools → Integrations → API and connect again.`, details);
        }
        if (res.status === 429) {
          const after = Number(res.headers.get('retry-after'));
          throw new SourceError('rate_limit', `RedTrack: ${what}: too many requests`, { ...details, retryAfterMs: Number.isFinite(after) && after > 0 ? after * 1000 : undefined });
        }
        if (res.status >= 500) throw new SourceError('transient', `RedTrack: ${what}: HTTP ${res.status}`, details);
        if (res.status >= 400) throw new SourceError('fatal', `RedTrack: ${what}: HTTP ${res.status}${msg ? ` ${msg}` : ''}`, details);
        return b;
      }),
    );

  /** The list of a page: RedTrack answers a bare array or { items, total }. */
  const itemsOf = (b: unknown, what: string): Json[] => {
    if (Array.isArray(b)) return b as Json[];
    if (b && typeof b === 'object' && Array.isArray((b as Json).items)) return (b as { items: Json[] }).items;
    throw new SourceError('fatal', `RedTrack: ${what}: an answer without a list of rows`, { platform: 'redtrack' });
  };

  async function accountInfo(): Promise<AccountInfo> {
    if (info) return info;
    const b = (await call('/me/settings', {}, 'reading the account settings')) as Json | null;
    const s = (b && typeof b === 'object' && !Array.isArray(b) ? ((b.settings as Json | undefined) ?? b) : {}) as Json;
    const currency = typeof s.currency === 'string' ? s.currency.toUpperCase() : null;
    const timezone = typeof s.timezone === 'string' ? s.timezone : typeof s.time_zone === 'string' ? s.time_zone : null;
    if (!currency || !timezone) throw new SourceError('fatal', 'RedTrack: the account settings have no currency or time zone', { platform: 'redtrack' });
    const name = [s.name, s.company, s.login, s.email].find((x) => typeof x === 'string' && x) as string | undefined;
    info = { id: String(s.id ?? s.account_id ?? name ?? 'redtrack'), name: name ?? 'RedTrack', currency, timezone };
    return info;
  }

  // RedTrack writes amounts as JSON numbers: 1e-7 is a number too (String() would not
  // parse), and a chargeback's payout is negative (it lowers its day's revenue).
  const money = (v: unknown, exp: number, what: string, allowNegative = false): number => {
    if (v === undefined || v === null || v === '') return 0;
    const text = typeof v === 'number' && Number.isFinite(v) ? v.toFixed(Math.max(exp, 8)) : String(v);
    const p = parseCents(text, allowNegative, exp);
    if (!p.ok) throw new SourceError('fatal', `RedTrack: ${what} "${String(v)}" ${p.reason}`, { platform: 'redtrack' });
    return p.value;
  };
  const str = (v: unknown) => (v === undefined || v === null ? '' : String(v).trim());

  async function conversions(range: DayRange): Promise<RedTrackConversion[]> {
    const a = await accountInfo();
    const exp = currencyExponent(a.currency);
    // The latest answer for a click id + type wins (a status moves from pending to approved or declined).
    const byKey = new Map<string, RedTrackConversion>();
    for (let page = 1; ; page++) {
      const b = await call('/conversions', { date_from: range.from, date_to: range.to, timezone: a.timezone, per: String(conversionPer), page: String(page) }, `reading conversions ${range.from}…${range.to} (page ${page})`);
      const items = itemsOf(b, 'conversions');
      for (const c of items) {
        const clickId = str(c.clickid ?? c.click_id);
        const type = str(c.type) || 'conversion';
        const when = str(c.created_at ?? c.date ?? c.conversion_time);
        const ms = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(when) || /^\d{4}-\d{2}-\d{2}$/.test(when) ? when : `${when.replace(' ', 'T')}Z`);
        const date = /^\d{4}-\d{2}-\d{2}$/.test(when) ? when : Number.isFinite(ms) ? localDate(a.timezone, new Date(ms)) : '';
        if (!clickId || !date) throw new SourceError('fatal', `RedTrack: a conversion without click id or time (${JSON.stringify(c).slice(0, 120)})`, { platform: 'redtrack' });
        const revenue = c.payout ?? c.revenue;
        byKey.set(`${clickId}\u0000${type}`, {
          clickId, type, date,
          status: str(c.status).toLowerCase() || 'approved',
          slug: str(c.sub9).toLowerCase() || null,
          campaign: { id: str(c.campaign_id) || str(c.campaign) || 'unknown', name: str(c.campaign) || str(c.campaign_id) || 'unknown' },
          trafficSource: str(c.sub20) || str(c.source) || undefined,
          revenueCents: money(revenue, exp, `payout of conversion ${clickId}`, true),
        });
      }
      const total = b && !Array.isArray(b) ? Number((b as Json).total) : Number.NaN;
      if (items.length < conversionPer || (Number.isFinite(total) && page * conversionPer >= total)) break;
    }
    return [...byKey.values()];
  }

  return {
    platform: 'redtrack',
    source: 'redtrack-api',
    accountInfo,
    conversions,
    async *fetchDaily(range: DayRange) {
      const a = await accountInfo();
      const exp = currencyExponent(a.currency);
      // Conversions first: they are attached to the first report row of their link and day.
      const perLinkDay = new Map<string, { conversions: number; revenueCents: number; c: RedTrackConversion }>();
      for (const c of await conversions(range)) {
        const key = `${c.slug ?? ''}\u0000${c.date}`;
        const t = perLinkDay.get(key) ?? perLinkDay.set(key, { conversions: 0, revenueCents: 0, c }).get(key)!;
        if (!COUNTED.has(c.status)) continue;
        // A chargeback takes its money back; it is not a conversion of its own.
        if (c.revenueCents >= 0) t.conversions += 1;
        t.revenueCents += c.revenueCents;
      }
      const take = (slug: string, date: string) => {
        const key = `${slug}\u0000${date}`;
        const t = perLinkDay.get(key);
        if (!t) return { conversions: 0, revenueCents: 0 };
        perLinkDay.delete(key);
        return t;
      };
      // Report rows split a link's day by spark code and traffic source: one row per
      // campaign, link and day (summed), so the write path sees each once.
      const byLinkDay = new Map<string, SourceRow>();
      for (let page = 1; ; page++) {
        const b = await call('/report', { group: 'date,sub9,sub1,sub20,campaign', date_from: range.from, date_to: range.to, timezone: a.timezone, per: String(reportPer), page: String(page) }, `reading the report ${range.from}…${range.to} (page ${page})`);
        const items = itemsOf(b, 'report');
        for (const r of items) {
          const date = str(r.date).slice(0, 10);
          if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new SourceError('fatal', `RedTrack: a report row without a date (${JSON.stringify(r).slice(0, 120)})`, { platform: 'redtrack' });
          const slug = str(r.sub9).toLowerCase();
          const clicks = Number(r.clicks ?? 0);
          if (!Number.isFinite(clicks) || clicks < 0) throw new SourceError('fatal', `RedTrack: clicks "${String(r.clicks)}" of ${slug || 'a row'} on ${date} is not a count`, { platform: 'redtrack' });
          const campaign = { id: str(r.campaign_id) || str(r.campaign) || 'unknown', name: str(r.campaign) || str(r.campaign_id) || 'unknown' };
          const cost = money(r.cost, exp, `cost of ${slug || 'a row'} on ${date}`);
          const key = `${campaign.id}\u0000${slug}\u0000${date}`;
          const prev = byLinkDay.get(key);
          if (prev) {
            prev.clicks = (prev.clicks ?? 0) + clicks;
            prev.spendCents += cost;
            continue;
          }
          const got = take(slug, date);
          byLinkDay.set(key, rowOf(date, slug, campaign, str(r.sub1) || undefined, str(r.sub20) || undefined, cost, clicks, got.conversions, got.revenueCents));
        }
        const total = b && !Array.isArray(b) ? Number((b as Json).total) : Number.NaN;
        if (items.length < reportPer || (Number.isFinite(total) && page * reportPer >= total)) break;
      }
      const rows = [...byLinkDay.values()];
      // Conversions on a link and day the report had no row for (a late postback).
      for (const [key, t] of perLinkDay) {
        const [slug, date] = key.split('\u0000') as [string, string];
        rows.push(rowOf(date, slug, t.c.campaign, undefined, t.c.trafficSource, 0, 0, t.conversions, t.revenueCents));
      }
      for (let i = 0; i < rows.length; i += 5000) yield rows.slice(i, i + 5000);
    },
  };
}

function rowOf(date: string, slug: string, campaign: { id: string; name: string }, sparkCode: string | undefined, trafficSource: string | undefined, spendCents: number, clicks: number, conversions: number, revenueCents: number): SourceRow {
  return {
    date,
    campaign,
    // A row without sub9 is the campaign's own (traffic no tracked link names).
    link: slug || undefined,
    linkAttributes: { ...(sparkCode && { sparkCode }), ...(trafficPlatform(trafficSource) && { trafficSource: trafficPlatform(trafficSource) }) },
    spendCents,
    impressions: null,
    clicks,
    conversions,
    revenueCents,
    reach: null,
    frequency: null,
  };
}
