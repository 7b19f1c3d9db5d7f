// TikTok Marketing API v1.3, writing: status through {ad,adgroup,campaign}/status/update/
// (operation_status ENABLE / DISABLE), ad group budgets through adgroup/budget/update/,
// campaign budgets through campaign/update/; read back with */get/ filtered by id.
// TikTok states budgets in the account's currency (major units, a number) and
// answers errors as HTTP 200 with a non-zero `code`: 40001 is a token without the
// Ad Management permission, 40100 / 40133 rate limits, 401xx an invalid token.
import { currencyExponent } from '../domain/currency.ts';
import { requestJson, type HttpOptions } from './http.ts';
import { retrying, WriteError, type Level, type ObjectState, type Target, type Writer } from './write-types.ts';

export interface TikTokWriteOptions {
  apiUrl: string;
  advertiserId: string;
  accessToken: string;
  /** The advertiser's currency (budgets are in its major unit). */
  currency: string;
  http: HttpOptions;
}

const PATH: Record<Level, string> = { ad: 'ad', adset: 'adgroup', campaign: 'campaign' };
const AUTH = new Set([40102, 40104, 40105, 40106]);
const RATE = new Set([40100, 40133, 50002]);

export function tiktokWriter(o: TikTokWriteOptions): Writer {
  const base = `${o.apiUrl.replace(/\/+$/, '')}/open_api/v1.3`;
  const exp = currencyExponent(o.currency);
  const call = (method: 'GET' | 'POST', path: string, params: Record<string, unknown>, what: string) =>
    retrying(async () => {
      const q = method === 'GET' ? `?${new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, typeof v === 'string' ? v : JSON.stringify(v)]))}` : '';
      const res = await requestJson(`${base}/${path}${q}`, {
        method,
        headers: { 'Access-Token': o.accessToken, accept: 'application/json', ...(method === 'POST' ? { 'content-type': 'application/json' } : {}) },
        ...(method === 'POST' ? { body: JSON.stringify(params) } : {}),
      }, o.http).catch((err) => {
        throw new WriteError('transient', (err as Error).message, { platform: 'tiktok' });
      });
      const b = (res.body ?? {}) as { code?: number; message?: string; data?: Record<string, any> };
      if (res.status >= 500) throw new WriteError('transient', `TikTok: ${what}: HTTP ${res.status}`, { platform: 'tiktok', code: res.status });
      if (b.code === 0) return b.data ?? {};
      const said = b.message ?? `HTTP ${res.status}`;
      const d = { platform: 'tiktok', code: b.code ?? res.status };
      if (b.code === 40001) throw new WriteError('permission', `TikTok: the token lacks the Ad Management permission for advertiser ${o.advertiserId} (${said})`, d);
      if (b.code !== undefined && AUTH.has(b.code)) throw new WriteError('auth', `TikTok: the access token stopped working (${said}); reconnect the account`, d);
      if (b.code !== undefined && RATE.has(b.code)) throw new WriteError('rate_limit', `TikTok: rate limited while ${what} (${said})`, d);
      if (/not exist|does not belong|deleted/i.test(said)) throw new WriteError('not_found', `TikTok: ${what}: the object no longer exists (${said})`, d);
      if (/budget/i.test(said) && /(minimum|at least|lower than|too low)/i.test(said)) throw new WriteError('budget_min', `TikTok: the budget is below TikTok's minimum (${said})`, d);
      if (b.code !== undefined && b.code >= 50000) throw new WriteError('transient', `TikTok: ${what}: ${said}`, d);
      throw new WriteError('fatal', `TikTok: ${what}: ${said} (code ${b.code})`, d);
    }, o.http);

  const idKey = (l: Level) => `${PATH[l]}_id`;
  return {
    platform: 'tiktok',
    async read(t: Target): Promise<ObjectState> {
      const fields = [idKey(t.level), 'operation_status', ...(t.level === 'ad' ? [] : ['budget', 'budget_mode'])];
      const d = await call('GET', `${PATH[t.level]}/get/`, { advertiser_id: o.advertiserId, filtering: { [`${PATH[t.level]}_ids`]: [t.id] }, fields }, `reading ${PATH[t.level]} ${t.id}`);
      const row = (d.list as Record<string, any>[] | undefined)?.find((x) => String(x[idKey(t.level)]) === t.id);
      if (!row) throw new WriteError('not_found', `TikTok: ${PATH[t.level]} ${t.id} no longer exists (or is not in advertiser ${o.advertiserId})`, { platform: 'tiktok' });
      const raw = String(row.operation_status ?? '');
      const daily = row.budget_mode === 'BUDGET_MODE_DAY' && typeof row.budget === 'number' && row.budget > 0 ? Math.round(row.budget * 10 ** exp) : null;
      return { status: raw === 'ENABLE' ? 'ACTIVE' : raw === 'DISABLE' ? 'PAUSED' : raw === 'DELETE' ? 'DELETED' : 'OTHER', rawStatus: raw, dailyBudgetMinor: daily };
    },
    setStatus: (t, status) =>
      call('POST', `${PATH[t.level]}/status/update/`, { advertiser_id: o.advertiserId, [`${PATH[t.level]}_ids`]: [t.id], operation_status: status === 'ACTIVE' ? 'ENABLE' : 'DISABLE' }, `setting ${PATH[t.level]} ${t.id} to ${status}`),
    setDailyBudget: (t, minor) => {
      const budget = minor / 10 ** exp;
      if (t.level === 'adset') return call('POST', 'adgroup/budget/update/', { advertiser_id: o.advertiserId, budget: [{ adgroup_id: t.id, budget }] }, `setting the budget of ad group ${t.id}`);
      if (t.level === 'campaign') return call('POST', 'campaign/update/', { advertiser_id: o.advertiserId, campaign_id: t.id, budget }, `setting the budget of campaign ${t.id}`);
      throw new WriteError('fatal', 'TikTok: an ad has no budget of its own; change its ad group\'s', { platform: 'tiktok' });
    },
  };
}
