// Loopback fakes of the three write APIs, each in its documented shapes, with
// state that changes, write counters, and the errors each documents:
// - Meta Graph: GET /{v}/{id}?fields=…, POST /{v}/{id} (form: status, daily_budget) → {success:true};
//   errors {error:{message,type,code,error_subcode}}.
// - TikTok v1.3: GET {ad,adgroup,campaign}/get/ (filtering), POST */status/update/,
//   adgroup/budget/update/, campaign/update/; HTTP 200 with {code, message, data}.
// - Google Ads REST: POST customers/{c}/googleAds:searchStream (GAQL), adGroupAds|adGroups|campaigns:mutate,
//   campaignBudgets:mutate; errors {error:{code,status,details:[{errors:[{errorCode,message}]}]}}; OAuth token endpoint.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeObject { status: string; dailyBudget?: number | null; deleted?: boolean }

interface Base {
  url: string;
  objects: Map<string, FakeObject>;
  writes: { path: string; body: unknown }[];
  /** The next requests answer these errors (raw bodies), one each. */
  failNext(...bodies: { status?: number; body: unknown }[]): void;
  close(): Promise<void>;
}

async function serve(handle: (req: http.IncomingMessage, path: string, q: URLSearchParams, raw: string) => { status: number; body: unknown }, failures: { status?: number; body: unknown }[]) {
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const u = new URL(req.url!, 'http://x');
      const f = failures.shift();
      const out = f ? { status: f.status ?? 400, body: f.body } : handle(req, u.pathname, u.searchParams, raw);
      res.writeHead(out.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(out.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

export async function startFakeMetaWrite(opts: { token: string; objects: Record<string, FakeObject>; minBudget?: number; scopes?: string[] }): Promise<Base> {
  const objects = new Map(Object.entries(opts.objects));
  const failures: { status?: number; body: unknown }[] = [];
  const writes: Base['writes'] = [];
  const err = (status: number, code: number, message: string, sub?: number) => ({ status, body: { error: { message, type: 'OAuthException', code, ...(sub ? { error_subcode: sub } : {}), fbtrace_id: 'Afake' } } });
  const s = await serve((req, path, q, raw) => {
    if (req.headers.authorization !== `Bearer ${opts.token}`) return err(400, 190, 'Invalid OAuth access token - Cannot parse access token');
    const id = path.split('/').pop()!;
    const o = objects.get(id);
    if (!o || o.deleted) return err(400, 100, `Unsupported get request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`, 33);
    if (req.method === 'GET') {
      const fields = (q.get('fields') ?? '').split(',');
      return { status: 200, body: { id, ...(fields.includes('status') ? { status: o.status, effective_status: o.status } : {}), ...(fields.includes('daily_budget') && o.dailyBudget != null ? { daily_budget: String(o.dailyBudget) } : {}) } };
    }
    if (!(opts.scopes ?? ['ads_management']).includes('ads_management')) return err(403, 200, '(#200) Requires ads_management permission to manage the object');
    const form = new URLSearchParams(raw);
    writes.push({ path, body: Object.fromEntries(form) });
    if (form.has('daily_budget')) {
      const b = Number(form.get('daily_budget'));
      if (b < (opts.minBudget ?? 100)) return { status: 400, body: { error: { message: 'Invalid parameter', type: 'OAuthException', code: 100, error_subcode: 1885272, error_user_title: 'Budget Too Low', error_user_msg: 'Your daily budget must be at least $1.00.', fbtrace_id: 'Afake' } } };
      o.dailyBudget = b;
    }
    if (form.has('status')) o.status = form.get('status')!;
    return { status: 200, body: { success: true } };
  }, failures);
  return { ...s, objects, writes, failNext: (...b) => failures.push(...b) };
}

export async function startFakeTikTokWrite(opts: { token: string; advertiser: string; objects: Record<string, FakeObject & { level: 'ad' | 'adgroup' | 'campaign' }>; minBudget?: number }): Promise<Base> {
  const objects = new Map<string, FakeObject & { level?: string }>(Object.entries(opts.objects));
  const failures: { status?: number; body: unknown }[] = [];
  const writes: Base['writes'] = [];
  const reply = (code: number, message: string, data: unknown = {}) => ({ status: 200, body: { code, message, request_id: 'req-fake', data } });
  const s = await serve((req, path, q, raw) => {
    if (req.headers['access-token'] !== opts.token) return reply(40105, 'Access token is incorrect or has been revoked.');
    const m = /\/open_api\/v1\.3\/(ad|adgroup|campaign)\/(get|status\/update|budget\/update|update)\/$/.exec(path);
    if (!m) return { status: 404, body: { message: 'no route' } };
    const [, level, op] = m;
    if (op === 'get') {
      const filtering = JSON.parse(q.get('filtering') ?? '{}') as Record<string, string[]>;
      const ids = filtering[`${level}_ids`] ?? [];
      const list = ids.flatMap((id) => {
        const o = objects.get(id);
        return o && o.level === level && !o.deleted ? [{ [`${level}_id`]: id, operation_status: o.status, ...(level !== 'ad' ? { budget: o.dailyBudget ?? 0, budget_mode: o.dailyBudget ? 'BUDGET_MODE_DAY' : 'BUDGET_MODE_INFINITE' } : {}) }] : [];
      });
      return reply(0, 'OK', { list, page_info: { page: 1, page_size: 10, total_number: list.length, total_page: 1 } });
    }
    const body = JSON.parse(raw) as Record<string, any>;
    if (body.advertiser_id !== opts.advertiser) return reply(40001, 'No permission to operate advertiser');
    writes.push({ path, body });
    if (op === 'status/update') {
      const ids = body[`${level}_ids`] as string[];
      for (const id of ids) {
        const o = objects.get(id);
        if (!o || o.deleted) return reply(40002, `${level} ${id} does not exist`);
      }
      for (const id of ids) objects.get(id)!.status = body.operation_status;
      return reply(0, 'OK', { [`${level}_ids`]: ids, status: body.operation_status });
    }
    const items: { id: string; budget: number }[] = op === 'budget/update' ? body.budget.map((b: any) => ({ id: b.adgroup_id, budget: b.budget })) : [{ id: body.campaign_id, budget: body.budget }];
    for (const it of items) {
      if (it.budget < (opts.minBudget ?? 20)) return reply(40002, `Budget must be at least ${opts.minBudget ?? 20}.`);
      objects.get(it.id)!.dailyBudget = it.budget;
    }
    return reply(0, 'OK', {});
  }, failures);
  return { ...s, objects, writes, failNext: (...b) => failures.push(...b) };
}

export async function startFakeGoogleWrite(opts: { customer: string; objects: Record<string, FakeObject & { budgetResource?: string; shared?: boolean }>; readOnlyUser?: boolean }): Promise<Base & { tokenUrl: string }> {
  // Keys: "adGroupAds/G~A", "adGroups/G", "campaigns/C", "campaignBudgets/B" (amount in micros as dailyBudget).
  const objects = new Map(Object.entries(opts.objects));
  const failures: { status?: number; body: unknown }[] = [];
  const writes: Base['writes'] = [];
  const gErr = (status: number, st: string, errorCode: Record<string, string>, message: string) => ({ status, body: { error: { code: status, message: 'Request contains an invalid argument.', status: st, details: [{ '@type': 'type.googleapis.com/google.ads.googleads.v24.errors.GoogleAdsFailure', errors: [{ errorCode, message }] }] } } });
  const s = await serve((req, path, _q, raw) => {
    if (path === '/token') return { status: 200, body: { access_token: 'ya29.fake', expires_in: 3599, token_type: 'Bearer' } };
    if (req.headers.authorization !== 'Bearer ya29.fake') return { status: 401, body: { error: { code: 401, status: 'UNAUTHENTICATED', message: 'Request is missing required authentication credential.' } } };
    const prefix = `/v24/customers/${opts.customer}/`;
    if (!path.startsWith(prefix)) return { status: 404, body: {} };
    const op = path.slice(prefix.length);
    const body = JSON.parse(raw) as Record<string, any>;
    if (op === 'googleAds:searchStream') {
      const q = String(body.query);
      const res = /resource_name = 'customers\/\d+\/([^']+)'/.exec(q)?.[1];
      const o = res ? objects.get(res) : undefined;
      if (!o || o.deleted) return { status: 200, body: [{ results: [], fieldMask: '' }] };
      if (res!.startsWith('campaigns/')) {
        const b = objects.get(o.budgetResource!)!;
        return { status: 200, body: [{ results: [{ campaign: { resourceName: `customers/${opts.customer}/${res}`, status: o.status }, campaignBudget: { resourceName: `customers/${opts.customer}/${o.budgetResource}`, amountMicros: String(b.dailyBudget), explicitlyShared: Boolean(o.shared) } }] }] };
      }
      const key = res!.startsWith('adGroupAds/') ? 'adGroupAd' : 'adGroup';
      return { status: 200, body: [{ results: [{ [key]: { resourceName: `customers/${opts.customer}/${res}`, status: o.status } }] }] };
    }
    const m = /^(adGroupAds|adGroups|campaigns|campaignBudgets):mutate$/.exec(op);
    if (!m) return { status: 404, body: {} };
    if (opts.readOnlyUser) return gErr(403, 'PERMISSION_DENIED', { authorizationError: 'ACTION_NOT_PERMITTED' }, 'The user does not have permission to perform this action.');
    writes.push({ path, body });
    const results = [];
    for (const operation of body.operations as { update: Record<string, any>; updateMask: string }[]) {
      const res = String(operation.update.resourceName).replace(`customers/${opts.customer}/`, '');
      const o = objects.get(res);
      if (!o || o.deleted) return gErr(404, 'NOT_FOUND', { mutateError: 'RESOURCE_NOT_FOUND' }, 'The requested resource was not found.');
      if (operation.updateMask === 'status') o.status = operation.update.status;
      if (operation.updateMask === 'amount_micros') {
        const micros = Number(operation.update.amountMicros);
        if (micros % 10_000 !== 0) return gErr(400, 'INVALID_ARGUMENT', { campaignBudgetError: 'NON_MULTIPLE_OF_MINIMUM_CURRENCY_UNIT' }, 'Amount must be a multiple of the minimum currency unit.');
        if (micros < 1_000_000) return gErr(400, 'INVALID_ARGUMENT', { rangeError: 'TOO_LOW' }, 'Too low.');
        o.dailyBudget = micros;
      }
      results.push({ resourceName: operation.update.resourceName });
    }
    return { status: 200, body: { results } };
  }, failures);
  return { ...s, objects, writes, failNext: (...b) => failures.push(...b), tokenUrl: `${s.url}/token` };
}
