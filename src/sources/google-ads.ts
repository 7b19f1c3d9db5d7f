// Google Ads API (REST): daily ad-level rows of one customer through
// customers/<id>/googleAds:searchStream, plus campaign-level rows for campaign
// types that have no rows in ad_group_ad (Performance Max), so the account's
// total matches the account's own. OAuth2: the refresh token is exchanged for an
// access token, cached until shortly before it expires and renewed once on a 401.
import { currencyExponent } from '../domain/currency.ts';
import { requestJson, withRetries, type HttpOptions, type JsonResponse } from './http.ts';
import { SourceError, type AccountInfo, type Connector, type DayRange, type SourceRow } from './types.ts';

export const GOOGLE_ADS_DEFAULT_VERSION = 'v24';
/** Campaign types whose spend is not in ad_group_ad. */
const CAMPAIGN_LEVEL_TYPES = ['PERFORMANCE_MAX'];

export interface GoogleAdsOptions {
  apiUrl: string;
  tokenUrl: string;
  version: string;
  /** With or without dashes. */
  customerId: string;
  /** The manager account the access goes through, when there is one. */
  loginCustomerId?: string;
  developerToken: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  http: HttpOptions;
  /** For tests: the clock that decides token expiry. */
  now?: () => number;
}

export const bareCustomerId = (id: string) => id.replace(/-/g, '').trim();

interface GoogleError {
  code?: number;
  message?: string;
  status?: string;
  details?: { errors?: { errorCode?: Record<string, string>; message?: string; details?: { quotaErrorDetails?: { retryDelay?: string; rateScope?: string; rateName?: string } } }[] }[];
}

/** "30s" / "1.5s" → ms. */
const durationMs = (d: string | undefined) => (d && /^\d+(\.\d+)?s$/.test(d) ? Math.round(Number(d.slice(0, -1)) * 1000) : undefined);

/** Micros (int64 as a string) → minor units, exactly: string arithmetic, half away from zero. */
export function microsToMinor(micros: string | number | undefined, exponent: number): number {
  if (micros === undefined) return 0;
  const s = String(micros);
  if (!/^-?\d+$/.test(s)) throw new SourceError('fatal', `Google Ads: cost_micros "${s}" is not an integer`, { platform: 'google' });
  const neg = s.startsWith('-');
  const digits = (neg ? s.slice(1) : s).padStart(7, '0');
  const cut = digits.length - (6 - exponent);
  const whole = Number(digits.slice(0, cut));
  const next = Number(digits[cut] ?? '0');
  const v = whole + (next >= 5 ? 1 : 0);
  return neg ? -v : v;
}

/** Access tokens from the refresh token, cached until a minute before they expire; reset() after a 401. */
export function googleAccessTokens(o: Pick<GoogleAdsOptions, 'tokenUrl' | 'clientId' | 'clientSecret' | 'refreshToken' | 'http' | 'now'>, customer: string) {
  const now = o.now ?? Date.now;
  const http = o.http;
  let token: { value: string; expiresAt: number } | null = null;
  return {
    reset: () => void (token = null),
    async get(): Promise<string> {
      if (token && token.expiresAt - 60_000 > now()) return token.value;
      const body = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: o.refreshToken, client_id: o.clientId, client_secret: o.clientSecret });
      const res = await withRetries('Google OAuth token', http, async () => {
        const r = await requestJson(o.tokenUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body }, http);
        if (r.status >= 500) throw new SourceError('transient', `Google OAuth: HTTP ${r.status}`, { platform: 'google', status: r.status });
        return r;
      });
      const b = (res.body ?? {}) as { access_token?: string; expires_in?: number; error?: string; error_description?: string };
      if (res.status >= 400 || !b.access_token) {
        const why = b.error === 'invalid_grant' ? 'the refresh token was revoked or expired' : b.error_description ?? b.error ?? `HTTP ${res.status}`;
        throw new SourceError(b.error === 'invalid_client' || b.error === 'unauthorized_client' ? 'fatal' : 'auth', `Google Ads: cannot get an access token for customer ${customer}: ${why}. Reconnect the account.`, { platform: 'google', status: res.status });
      }
      token = { value: b.access_token, expiresAt: now() + (b.expires_in ?? 3600) * 1000 };
      return token.value;
    },
  };
}

export function googleAdsConnector(o: GoogleAdsOptions): Connector {
  const customer = bareCustomerId(o.customerId);
  const login = o.loginCustomerId ? bareCustomerId(o.loginCustomerId) : undefined;
  const http = o.http;
  let info: AccountInfo | null = null;

  const tokens = googleAccessTokens(o, customer);
  const accessToken = () => tokens.get();

  function check(res: JsonResponse, what: string) {
    // searchStream answers an array of batches; an error can be the array's only element.
    const body = Array.isArray(res.body) ? res.body.find((x) => x && typeof x === 'object' && 'error' in x) ?? null : res.body;
    const err = (body as { error?: GoogleError } | null)?.error;
    if (res.status < 400 && !err) return;
    const detail = err?.details?.flatMap((d) => d.errors ?? [])[0];
    const code = detail?.errorCode ? Object.values(detail.errorCode)[0] : err?.status;
    const msg = `Google Ads: ${what} (customer ${customer}): ${detail?.message ?? err?.message ?? `HTTP ${res.status}`}${code ? ` (${code})` : ''}`;
    const details = { platform: 'google', status: res.status, code };
    if (res.status === 401 || err?.status === 'UNAUTHENTICATED') throw new SourceError('auth', msg, details);
    if (res.status === 429 || err?.status === 'RESOURCE_EXHAUSTED' || code === 'RESOURCE_EXHAUSTED' || code === 'RESOURCE_TEMPORARILY_EXHAUSTED') {
      const retry = durationMs(detail?.details?.quotaErrorDetails?.retryDelay);
      // A wait of hours is the daily operations quota: stop for the day instead of retrying.
      if (retry !== undefined && retry > http.maxWaitMs) throw new SourceError('quota', `${msg}; the quota resets in ${Math.round(retry / 60_000)} min — syncing again after that`, { ...details, retryAfterMs: retry });
      throw new SourceError('rate_limit', msg, { ...details, retryAfterMs: retry });
    }
    if (res.status === 403 && /DEVELOPER_TOKEN|USER_PERMISSION_DENIED|CUSTOMER_NOT_ENABLED/.test(String(code))) throw new SourceError('auth', msg, details);
    if (res.status >= 500 || err?.status === 'UNAVAILABLE' || err?.status === 'INTERNAL' || err?.status === 'DEADLINE_EXCEEDED') throw new SourceError('transient', msg, details);
    throw new SourceError('fatal', msg, details);
  }

  /** One GAQL query; the rows of every batch. An answer without `results` is zero rows. */
  async function search(query: string, what: string): Promise<Record<string, any>[]> {
    const url = `${o.apiUrl.replace(/\/+$/, '')}/${o.version}/customers/${customer}/googleAds:searchStream`;
    let renewed = false;
    return withRetries(what, http, async () => {
      for (;;) {
        const headers: Record<string, string> = {
          authorization: `Bearer ${await accessToken()}`, 'developer-token': o.developerToken, 'content-type': 'application/json', accept: 'application/json',
          ...(login && { 'login-customer-id': login }),
        };
        const res = await requestJson(url, { method: 'POST', headers, body: JSON.stringify({ query }) }, http);
        // An access token can be revoked before its expiry: renew it once, then it is the refresh token that failed.
        if (res.status === 401 && !renewed) {
          renewed = true;
          tokens.reset();
          continue;
        }
        check(res, what);
        const batches = Array.isArray(res.body) ? res.body : res.body === null ? [] : [res.body];
        return batches.flatMap((b) => ((b as { results?: Record<string, any>[] }).results ?? []));
      }
    });
  }

  async function accountInfo(): Promise<AccountInfo> {
    if (info) return info;
    const [row] = await search('SELECT customer.id, customer.descriptive_name, customer.currency_code, customer.time_zone FROM customer LIMIT 1', 'reading the customer');
    const c = row?.customer;
    if (!c?.currencyCode || !c?.timeZone) throw new SourceError('fatal', `Google Ads: customer ${customer} answered without currency or time zone`, { platform: 'google' });
    info = { id: customer, name: c.descriptiveName || customer, currency: String(c.currencyCode).toUpperCase(), timezone: c.timeZone };
    return info;
  }

  const metrics = 'metrics.cost_micros, metrics.impressions, metrics.clicks, metrics.conversions, metrics.conversions_value';

  return {
    platform: 'google',
    source: 'google-api',
    accountInfo,
    async *fetchDaily(r: DayRange) {
      const acct = await accountInfo();
      const exp = currencyExponent(acct.currency);
      const between = `segments.date BETWEEN '${r.from}' AND '${r.to}'`;
      const ads = await search(
        `SELECT segments.date, campaign.id, campaign.name, ad_group.id, ad_group.name, ad_group_ad.ad.id, ad_group_ad.ad.name, ad_group_ad.ad.final_urls, ${metrics} FROM ad_group_ad WHERE ${between}`,
        `reading ads ${r.from}…${r.to}`,
      );
      yield ads.map((x) => toRow(x, exp, true));
      const campaigns = await search(
        `SELECT segments.date, campaign.id, campaign.name, campaign.advertising_channel_type, ${metrics} FROM campaign WHERE ${between} AND campaign.advertising_channel_type IN (${CAMPAIGN_LEVEL_TYPES.map((t) => `'${t}'`).join(', ')})`,
        `reading campaign-level rows ${r.from}…${r.to}`,
      );
      yield campaigns.map((x) => toRow(x, exp, false));
    },
  };
}

function toRow(x: Record<string, any>, exp: number, withAd: boolean): SourceRow {
  const date = x.segments?.date;
  const campaign = x.campaign;
  if (typeof date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(date) || !campaign?.id) {
    throw new SourceError('fatal', `Google Ads: a row without date or campaign (${JSON.stringify(x).slice(0, 120)})`, { platform: 'google' });
  }
  const m = x.metrics ?? {};
  const ad = withAd ? x.adGroupAd?.ad : undefined;
  const num = (v: unknown) => (v === undefined ? 0 : Number(v));
  // conversions_value is a double in the account currency.
  const value = num(m.conversionsValue);
  if (!Number.isFinite(value) || !Number.isFinite(num(m.conversions))) throw new SourceError('fatal', `Google Ads: conversions of campaign ${campaign.id} on ${date} are not numbers`, { platform: 'google' });
  const url = Array.isArray(ad?.finalUrls) ? ad.finalUrls[0] : undefined;
  return {
    date,
    campaign: { id: String(campaign.id), name: campaign.name ?? String(campaign.id) },
    adset: withAd && x.adGroup?.id ? { id: String(x.adGroup.id), name: x.adGroup.name ?? String(x.adGroup.id) } : undefined,
    ad: ad?.id ? { id: String(ad.id), name: ad.name || `Ad ${ad.id}` } : undefined,
    link: typeof url === 'string' && /^https?:\/\//i.test(url) ? url : undefined,
    spendCents: microsToMinor(m.costMicros, exp),
    impressions: num(m.impressions),
    clicks: num(m.clicks),
    conversions: num(m.conversions),
    revenueCents: Math.round(value * 10 ** exp),
    reach: null,
    frequency: null,
  };
}
