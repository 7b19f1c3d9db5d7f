// TikTok Marketing API v1.3: daily ad-level rows of one advertiser through
// report/integrated/get (BASIC, AUCTION_AD, dimensions ad_id + stat_time_day),
// at most 30 days a request, pages of up to 1,000 followed to page_info.total_page.
// Names and landing URLs come from ad/get in batches. TikTok answers errors as
// HTTP 200 with a non-zero `code`; "-" is a metric it did not report (unknown, not 0).
import { parseCents } from '../import/values.ts';
import { currencyExponent } from '../domain/currency.ts';
import { addDays, daysBetween } from '../time.ts';
import { requestJson, withRetries, type HttpOptions } from './http.ts';
import { SourceError, type AccountInfo, type Connector, type DayRange, type SourceRow } from './types.ts';

export interface TikTokOptions {
  apiUrl: string;
  advertiserId: string;
  accessToken: string;
  http: HttpOptions;
  pageSize?: number;
}

const MAX_DAYS = 30;
// Access token problems (expired, invalid, revoked, no permission for the advertiser).
const AUTH_CODES = new Set([40001, 40102, 40104, 40105, 40106]);
const RATE_CODES = new Set([40100, 40133, 50002]);
const TRANSIENT_CODES = new Set([50000, 50001, 51000, 61000]);

interface Envelope {
  code?: number;
  message?: string;
  request_id?: string;
  data?: { list?: Record<string, any>[]; page_info?: { page?: number; total_page?: number } };
}

export function tiktokConnector(o: TikTokOptions): Connector {
  const base = `${o.apiUrl.replace(/\/+$/, '')}/open_api/v1.3`;
  const pageSize = Math.min(1000, o.pageSize ?? 1000);
  const http = o.http;
  let info: AccountInfo | null = null;
  const ads = new Map<string, { name: string; adgroup: { id: string; name: string }; campaign: { id: string; name: string }; link?: string }>();

  const call = (path: string, params: Record<string, unknown>, what: string) =>
    withRetries(what, http, async () => {
      const q = new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, typeof v === 'string' ? v : JSON.stringify(v)])).toString();
      const res = await requestJson(`${base}/${path}?${q}`, { method: 'GET', headers: { 'Access-Token': o.accessToken, accept: 'application/json' } }, http);
      const b = (res.body ?? {}) as Envelope;
      if (res.status >= 500) throw new SourceError('transient', `TikTok: ${what}: HTTP ${res.status}`, { platform: 'tiktok', status: res.status });
      if (res.status >= 400 || typeof b.code !== 'number') throw new SourceError('fatal', `TikTok: ${what}: HTTP ${res.status}${b.message ? ` ${b.message}` : ''}`, { platform: 'tiktok', status: res.status });
      if (b.code === 0) return b.data ?? {};
      const msg = `TikTok: ${what} (advertiser ${o.advertiserId}): ${b.message ?? 'error'} (code ${b.code})`;
      const details = { platform: 'tiktok', code: b.code };
      if (AUTH_CODES.has(b.code)) throw new SourceError('auth', `TikTok: the access token for advertiser ${o.advertiserId} stopped working: ${b.message ?? b.code}. Reconnect the account.`, details);
      if (RATE_CODES.has(b.code)) throw new SourceError('rate_limit', msg, details);
      if (TRANSIENT_CODES.has(b.code)) throw new SourceError('transient', msg, details);
      throw new SourceError('fatal', msg, details);
    });

  async function accountInfo(): Promise<AccountInfo> {
    if (info) return info;
    const d = await call('advertiser/info/', { advertiser_ids: [o.advertiserId], fields: ['name', 'currency', 'timezone', 'display_timezone'] }, 'reading the advertiser');
    const a = d.list?.[0];
    const tz = a?.display_timezone ?? a?.timezone;
    if (!a?.currency || !tz) throw new SourceError('fatal', `TikTok: advertiser ${o.advertiserId} answered without currency or time zone`, { platform: 'tiktok' });
    info = { id: o.advertiserId, name: a.name ?? o.advertiserId, currency: String(a.currency).toUpperCase(), timezone: tz };
    return info;
  }

  async function* pages(path: string, params: Record<string, unknown>, what: string): AsyncGenerator<Record<string, any>[]> {
    for (let page = 1, total = 1; page <= total; page++) {
      const d = await call(path, { ...params, page: String(page), page_size: String(pageSize) }, `${what} (page ${page})`);
      total = d.page_info?.total_page ?? 1;
      yield d.list ?? [];
    }
  }

  /** Names, parents and landing URLs of ads not seen yet, 100 ids a request. */
  async function lookUp(ids: string[]) {
    const missing = [...new Set(ids)].filter((id) => !ads.has(id));
    for (let i = 0; i < missing.length; i += 100) {
      const batch = missing.slice(i, i + 100);
      for await (const list of pages('ad/get/', { advertiser_id: o.advertiserId, filtering: { ad_ids: batch }, fields: ['ad_id', 'ad_name', 'adgroup_id', 'adgroup_name', 'campaign_id', 'campaign_name', 'landing_page_url'] }, 'looking up ads')) {
        for (const a of list) {
          if (!a.ad_id) continue;
          ads.set(String(a.ad_id), {
            name: a.ad_name ?? String(a.ad_id),
            adgroup: { id: String(a.adgroup_id ?? ''), name: a.adgroup_name ?? String(a.adgroup_id ?? '') },
            campaign: { id: String(a.campaign_id ?? ''), name: a.campaign_name ?? String(a.campaign_id ?? '') },
            link: typeof a.landing_page_url === 'string' && /^https?:\/\//i.test(a.landing_page_url) ? a.landing_page_url : undefined,
          });
        }
      }
    }
  }

  return {
    platform: 'tiktok',
    source: 'tiktok-api',
    accountInfo,
    async *fetchDaily(range: DayRange) {
      const exp = currencyExponent((await accountInfo()).currency);
      for (let from = range.from; from <= range.to; from = addDays(from, MAX_DAYS)) {
        const to = daysBetween(from, range.to) >= MAX_DAYS ? addDays(from, MAX_DAYS - 1) : range.to;
        for await (const list of pages('report/integrated/get/', {
          advertiser_id: o.advertiserId, report_type: 'BASIC', data_level: 'AUCTION_AD', dimensions: ['ad_id', 'stat_time_day'],
          metrics: ['spend', 'impressions', 'clicks', 'complete_payment', 'total_complete_payment_rate', 'reach', 'frequency'],
          start_date: from, end_date: to,
        }, `reading the report ${from}…${to}`)) {
          await lookUp(list.map((r) => String(r.dimensions?.ad_id ?? '')).filter(Boolean));
          yield list.map((r) => toRow(r, exp, ads));
        }
      }
    },
  };
}

/** A metric cell: "-" (or absent) is not reported. */
function metric(v: unknown): string | null {
  if (v === undefined || v === null || v === '-' || v === '') return null;
  return String(v);
}

function toRow(r: Record<string, any>, exp: number, ads: Map<string, { name: string; adgroup: { id: string; name: string }; campaign: { id: string; name: string }; link?: string }>): SourceRow {
  const id = String(r.dimensions?.ad_id ?? '');
  const date = String(r.dimensions?.stat_time_day ?? '').slice(0, 10);
  if (!id || !/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new SourceError('fatal', `TikTok: a report row without ad_id or stat_time_day (${JSON.stringify(r).slice(0, 120)})`, { platform: 'tiktok' });
  const ad = ads.get(id);
  if (!ad?.campaign.id) throw new SourceError('fatal', `TikTok: ad ${id} was not found by ad/get`, { platform: 'tiktok' });
  const m = r.metrics ?? {};
  const money = (v: string | null, what: string) => {
    if (v === null) return null;
    const p = parseCents(v, false, exp);
    if (!p.ok) throw new SourceError('fatal', `TikTok: ${what} "${v}" of ad ${id} on ${date} ${p.reason}`, { platform: 'tiktok' });
    return p.value;
  };
  const count = (v: string | null) => (v === null ? null : Number(v));
  const spend = money(metric(m.spend), 'spend');
  return {
    date,
    campaign: ad.campaign,
    adset: ad.adgroup.id ? ad.adgroup : undefined,
    ad: { id, name: ad.name },
    link: ad.link,
    // Spend TikTok did not report on a row it returned is no spend.
    spendCents: spend ?? 0,
    impressions: count(metric(m.impressions)),
    clicks: count(metric(m.clicks)),
    conversions: count(metric(m.complete_payment)),
    revenueCents: money(metric(m.total_complete_payment_rate), 'payment value'),
    reach: count(metric(m.reach)),
    frequency: count(metric(m.frequency)),
  };
}
