// Meta Marketing API, writing: an ad, ad set or campaign is updated by a POST to
// its node (`status=ACTIVE|PAUSED`, `daily_budget=<minor units>`), read with
// GET ?fields=status,daily_budget. Errors by name: a token without ads_management
// (codes 200, 10, 294), an expired token (190), rate limits (4, 17, 32, 613,
// 80000–80014), a budget under the platform's minimum, a deleted object (100/33).
import { requestJson, type HttpOptions } from './http.ts';
import { retrying, WriteError, type ObjectState, type Target, type Writer } from './write-types.ts';

export interface MetaWriteOptions {
  baseUrl: string;
  version: string;
  accessToken: string;
  http: HttpOptions;
}

const PERMISSION = new Set([200, 10, 294]);
// "Budget Too Low" (the daily minimum per currency), and too low for the bid strategy.
const BUDGET_SUBCODES = new Set([1885272, 1885650]);
const RATE = new Set([4, 17, 32, 613]);

export function metaWriter(o: MetaWriteOptions): Writer {
  const base = `${o.baseUrl.replace(/\/+$/, '')}/${o.version}`;
  const call = (method: 'GET' | 'POST', id: string, params: Record<string, string>, what: string) =>
    retrying(async () => {
      const q = new URLSearchParams(params).toString();
      const res = await requestJson(`${base}/${encodeURIComponent(id)}${method === 'GET' ? `?${q}` : ''}`, {
        method,
        headers: { authorization: `Bearer ${o.accessToken}`, accept: 'application/json', ...(method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
        ...(method === 'POST' ? { body: q } : {}),
      }, o.http).catch((err) => {
        throw new WriteError('transient', (err as Error).message, { platform: 'meta' });
      });
      const e = (res.body as { error?: { code?: number; error_subcode?: number; message?: string; error_user_msg?: string } } | null)?.error;
      if (res.status < 400 && !e) return (res.body ?? {}) as Record<string, unknown>;
      const code = e?.code;
      const sub = e?.error_subcode;
      const said = e?.error_user_msg ?? e?.message ?? `HTTP ${res.status}`;
      const d = { platform: 'meta', code: code !== undefined ? `${code}${sub ? `/${sub}` : ''}` : res.status };
      if (code !== undefined && PERMISSION.has(code)) throw new WriteError('permission', `Meta: the token lacks ads_management for ${what} (${said})`, d);
      if (code === 190 || code === 102) throw new WriteError('auth', `Meta: the access token stopped working (${said}); reconnect the account`, d);
      if ((code !== undefined && RATE.has(code)) || (code !== undefined && code >= 80000 && code <= 80014)) throw new WriteError('rate_limit', `Meta: rate limited while ${what} (${said})`, d);
      if (code === 100 && sub === 33) throw new WriteError('not_found', `Meta: ${id} no longer exists or this token cannot see it`, d);
      if ((sub !== undefined && BUDGET_SUBCODES.has(sub)) || (/budget/i.test(said) && /(too low|at least|minimum|below)/i.test(said))) throw new WriteError('budget_min', `Meta: the budget is below Meta's minimum for this account (${said})`, d);
      if (code === 1 || code === 2 || res.status >= 500) throw new WriteError('transient', `Meta: ${what}: ${said}`, d);
      throw new WriteError('fatal', `Meta: ${what}: ${said}`, d);
    }, o.http);

  return {
    platform: 'meta',
    async read(t: Target): Promise<ObjectState> {
      const fields = t.level === 'ad' ? 'status' : 'status,daily_budget';
      const b = await call('GET', t.id, { fields }, `reading ${t.level} ${t.id}`);
      const raw = String(b.status ?? '');
      const budget = typeof b.daily_budget === 'string' && /^\d+$/.test(b.daily_budget) && b.daily_budget !== '0' ? Number(b.daily_budget) : null;
      return { status: raw === 'ACTIVE' || raw === 'PAUSED' ? raw : raw === 'DELETED' || raw === 'ARCHIVED' ? 'DELETED' : 'OTHER', rawStatus: raw, dailyBudgetMinor: budget };
    },
    setStatus: (t, status) => call('POST', t.id, { status }, `setting ${t.level} ${t.id} to ${status}`),
    setDailyBudget: (t, minor) => call('POST', t.id, { daily_budget: String(Math.round(minor)) }, `setting the daily budget of ${t.level} ${t.id}`),
  };
}
