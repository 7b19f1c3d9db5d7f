// Google Ads API (REST), writing: `mutate` of ad group ads, ad groups and campaigns
// (status ENABLED / PAUSED, updateMask "status") and of a campaign's budget
// (campaignBudgets:mutate, amount_micros); read back with a GAQL query. A shared
// budget is refused (changing it would change every campaign on it). Errors by
// name from GoogleAdsFailure: USER_PERMISSION_DENIED / ACTION_NOT_PERMITTED (a
// read-only user or token), RESOURCE_EXHAUSTED, RESOURCE_NOT_FOUND, a budget under
// the minimum currency unit or too low.
import { currencyExponent } from '../domain/currency.ts';
import { bareCustomerId, googleAccessTokens, type GoogleAdsOptions } from './google-ads.ts';
import { requestJson } from './http.ts';
import { SourceError } from './types.ts';
import { retrying, WriteError, type ObjectState, type Target, type Writer } from './write-types.ts';

export interface GoogleAdsWriteOptions extends GoogleAdsOptions {
  /** The customer's currency (budgets are micros of it). */
  currency: string;
}

const RESOURCE = { ad: 'adGroupAds', adset: 'adGroups', campaign: 'campaigns' } as const;

export function googleAdsWriter(o: GoogleAdsWriteOptions): Writer {
  const customer = bareCustomerId(o.customerId);
  const login = o.loginCustomerId ? bareCustomerId(o.loginCustomerId) : undefined;
  const tokens = googleAccessTokens(o, customer);
  const exp = currencyExponent(o.currency);
  const root = `${o.apiUrl.replace(/\/+$/, '')}/${o.version}/customers/${customer}`;

  const post = (path: string, body: unknown, what: string) =>
    retrying(async () => {
      let token: string;
      try {
        token = await tokens.get();
      } catch (err) {
        throw new WriteError(err instanceof SourceError && err.kind === 'transient' ? 'transient' : 'auth', (err as Error).message, { platform: 'google' });
      }
      const headers: Record<string, string> = { authorization: `Bearer ${token}`, 'developer-token': o.developerToken, 'content-type': 'application/json', accept: 'application/json', ...(login && { 'login-customer-id': login }) };
      const res = await requestJson(`${root}/${path}`, { method: 'POST', headers, body: JSON.stringify(body) }, o.http).catch((err) => {
        throw new WriteError('transient', (err as Error).message, { platform: 'google' });
      });
      const first = Array.isArray(res.body) ? res.body.find((x) => x && typeof x === 'object' && 'error' in x) ?? null : res.body;
      const e = (first as { error?: { status?: string; message?: string; details?: { errors?: { errorCode?: Record<string, string>; message?: string }[] }[] } } | null)?.error;
      if (res.status < 400 && !e) return res.body;
      const detail = e?.details?.flatMap((d) => d.errors ?? [])[0];
      const code = detail?.errorCode ? Object.values(detail.errorCode)[0] : e?.status;
      const said = `${detail?.message ?? e?.message ?? `HTTP ${res.status}`}${code ? ` (${code})` : ''}`;
      const d = { platform: 'google', code: code ?? res.status };
      if (res.status === 401) {
        tokens.reset();
        throw new WriteError('auth', `Google Ads: the access was refused while ${what} (${said}); reconnect the account`, d);
      }
      if (/USER_PERMISSION_DENIED|ACTION_NOT_PERMITTED|PERMISSION_DENIED/.test(String(code))) throw new WriteError('permission', `Google Ads: this user or token may not change customer ${customer} (${said}); it needs Standard or Admin access`, d);
      if (res.status === 429 || /RESOURCE_EXHAUSTED|RESOURCE_TEMPORARILY_EXHAUSTED/.test(String(code))) throw new WriteError('rate_limit', `Google Ads: rate limited while ${what} (${said})`, d);
      if (/RESOURCE_NOT_FOUND|NOT_FOUND/.test(String(code))) throw new WriteError('not_found', `Google Ads: ${what}: the object no longer exists (${said})`, d);
      if (/TOO_LOW|MINIMUM|NON_MULTIPLE_OF_MINIMUM_CURRENCY_UNIT/.test(String(code))) throw new WriteError('budget_min', `Google Ads: the budget is below Google's minimum (${said})`, d);
      if (res.status >= 500) throw new WriteError('transient', `Google Ads: ${what}: ${said}`, d);
      throw new WriteError('fatal', `Google Ads: ${what}: ${said}`, d);
    }, o.http);

  const query = async (q: string, what: string) => {
    const body = await post('googleAds:searchStream', { query: q }, what);
    const batches = Array.isArray(body) ? body : body ? [body] : [];
    return batches.flatMap((b) => ((b as { results?: Record<string, any>[] }).results ?? []));
  };
  const resourceName = (t: Target) => {
    if (!/^\d+$/.test(t.id)) throw new WriteError('fatal', `Google Ads: "${t.id}" is not an id`, { platform: 'google' });
    if (t.level === 'ad') {
      if (!t.parentId || !/^\d+$/.test(t.parentId)) throw new WriteError('fatal', `Google Ads: ad ${t.id} needs its ad group id`, { platform: 'google' });
      return `customers/${customer}/adGroupAds/${t.parentId}~${t.id}`;
    }
    return `customers/${customer}/${RESOURCE[t.level]}/${t.id}`;
  };
  const statusOf = (raw: string): ObjectState['status'] => (raw === 'ENABLED' ? 'ACTIVE' : raw === 'PAUSED' ? 'PAUSED' : raw === 'REMOVED' ? 'DELETED' : 'OTHER');

  async function campaignBudget(t: Target) {
    const [row] = await query(`SELECT campaign.status, campaign_budget.resource_name, campaign_budget.amount_micros, campaign_budget.explicitly_shared FROM campaign WHERE campaign.resource_name = '${resourceName(t)}'`, `reading campaign ${t.id}`);
    if (!row) throw new WriteError('not_found', `Google Ads: campaign ${t.id} no longer exists`, { platform: 'google' });
    return row;
  }

  return {
    platform: 'google',
    async read(t: Target): Promise<ObjectState> {
      if (t.level === 'campaign') {
        const row = await campaignBudget(t);
        const raw = String(row.campaign?.status ?? '');
        const micros = row.campaignBudget?.amountMicros;
        const minor = micros !== undefined && !row.campaignBudget?.explicitlyShared ? Math.round(Number(micros) / 10 ** (6 - exp)) : null;
        return { status: statusOf(raw), rawStatus: raw, dailyBudgetMinor: minor };
      }
      const table = t.level === 'ad' ? 'ad_group_ad' : 'ad_group';
      const [row] = await query(`SELECT ${table}.status FROM ${table} WHERE ${table}.resource_name = '${resourceName(t)}'`, `reading ${t.level} ${t.id}`);
      if (!row) throw new WriteError('not_found', `Google Ads: ${t.level} ${t.id} no longer exists`, { platform: 'google' });
      const raw = String((t.level === 'ad' ? row.adGroupAd : row.adGroup)?.status ?? '');
      return { status: statusOf(raw), rawStatus: raw, dailyBudgetMinor: null };
    },
    setStatus: (t, status) =>
      post(`${RESOURCE[t.level]}:mutate`, { operations: [{ update: { resourceName: resourceName(t), status: status === 'ACTIVE' ? 'ENABLED' : 'PAUSED' }, updateMask: 'status' }] }, `setting ${t.level} ${t.id} to ${status}`),
    async setDailyBudget(t, minor) {
      if (t.level !== 'campaign') throw new WriteError('fatal', 'Google Ads: budgets belong to campaigns; change the campaign\'s', { platform: 'google' });
      const row = await campaignBudget(t);
      if (row.campaignBudget?.explicitlyShared) throw new WriteError('fatal', `Google Ads: campaign ${t.id} uses a shared budget; change it in Google Ads (it moves every campaign on it)`, { platform: 'google' });
      const amountMicros = String(Math.round(minor) * 10 ** (6 - exp));
      return post('campaignBudgets:mutate', { operations: [{ update: { resourceName: row.campaignBudget.resourceName, amountMicros }, updateMask: 'amount_micros' }] }, `setting the budget of campaign ${t.id}`);
    },
  };
}
