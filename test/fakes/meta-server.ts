// A loopback fake of the Meta Marketing API (Graph API) for one ad account,
// speaking its documented shapes: GET act_<id> (account fields), GET act_<id>/ads
// (creatives with their links), GET act_<id>/insights (level=ad, time_increment=1,
// cursor paging), POST act_<id>/insights → report_run_id, GET <run> (async_status),
// GET <run>/insights; errors as { error: { message, type, code, error_subcode } }
// with the usage headers. Data is generated per ad and day and can be restated.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeAd {
  id: string;
  name: string;
  adset: { id: string; name: string };
  campaign: { id: string; name: string };
  link?: string;
}

export interface FakeDay {
  spend: string;
  impressions: number;
  clicks: number;
  purchases: number;
  /** Pixel purchases are a subset of omni purchases: the fake reports both, as Meta does. */
  value: string;
}

export interface FakeError {
  status: number;
  code: number;
  subcode?: number;
  message?: string;
  headers?: Record<string, string>;
}

export interface FakeMeta {
  url: string;
  version: string;
  token: string;
  account: string;
  ads: FakeAd[];
  /** ad id → day → numbers (mutable: a restatement). */
  data: Map<string, Map<string, FakeDay>>;
  requests: { method: string; path: string; query: URLSearchParams; auth: string | undefined }[];
  /** Answer the next matching requests with these errors (path substring → errors in order). */
  failNext(match: string, errors: FakeError[]): void;
  /** Headers added to every successful answer (usage). */
  usageHeaders: Record<string, string>;
  /** Async jobs: polls reporting "Job Running" before completing; a job set to fail ends "Job Failed". */
  jobPolls: number;
  failJobsLongerThan: number | null;
  currency: string;
  timezone: string;
  /** One-shot: the insights request (or job) whose range starts on this day fails so. */
  failRangeFrom: Map<string, FakeError>;
  /** Ads, ad sets and campaigns as nodes (GET ?fields=status,daily_budget; POST status / daily_budget), seeded from `ads`. */
  nodes: Map<string, { status: string; daily_budget?: number }>;
  close(): Promise<void>;
}

export async function startFakeMeta(opts: { ads: FakeAd[]; days: string[]; seed?: (ad: FakeAd, day: string, k: number) => FakeDay; pageSize?: number; cacheRows?: boolean }): Promise<FakeMeta> {
  const version = 'v25.0';
  const token = 'EAAB-fake-token-7fd1c0ffee';
  const account = '1234567890';
  const data = new Map<string, Map<string, FakeDay>>();
  const seed = opts.seed ?? ((_ad, _day, k) => ({ spend: (10 + (k % 7)).toFixed(2), impressions: 1000 + k, clicks: 20 + (k % 5), purchases: k % 3, value: ((k % 3) * 25).toFixed(2) }));
  opts.ads.forEach((ad, a) => data.set(ad.id, new Map(opts.days.map((d, i) => [d, seed(ad, d, a * 31 + i)]))));
  const failures = new Map<string, FakeError[]>();
  const jobs = new Map<string, { since: string; until: string; polls: number }>();
  const fake: FakeMeta = {
    url: '', version, token, account, ads: opts.ads, data, requests: [], usageHeaders: {}, jobPolls: 2, failJobsLongerThan: null,
    currency: 'USD', timezone: 'America/New_York', failRangeFrom: new Map(),
    nodes: new Map(opts.ads.flatMap((ad) => [[ad.id, { status: 'ACTIVE' }], [ad.adset.id, { status: 'ACTIVE', daily_budget: 5000 }], [ad.campaign.id, { status: 'ACTIVE' }]] as const)),
    failNext: (match, errors) => failures.set(match, [...(failures.get(match) ?? []), ...errors]),
    close: async () => {},
  };

  // Benchmarks page through one range many times: build its rows once (tests mutate data, so they do not cache).
  const memo = new Map<string, unknown[]>();
  const rowsFor = (since: string, until: string) => {
    const cached = opts.cacheRows ? memo.get(`${since}|${until}`) : undefined;
    if (cached) return cached;
    const out: unknown[] = [];
    if (opts.cacheRows) memo.set(`${since}|${until}`, out);
    for (const ad of opts.ads) {
      for (const [day, v] of data.get(ad.id)!) {
        if (day < since || day > until) continue;
        // Meta leaves out metrics an ad did not have (no actions → no "actions" field).
        out.push({
          date_start: day, date_stop: day, account_id: account, campaign_id: ad.campaign.id, campaign_name: ad.campaign.name,
          adset_id: ad.adset.id, adset_name: ad.adset.name, ad_id: ad.id, ad_name: ad.name, spend: v.spend,
          impressions: String(v.impressions), clicks: String(v.clicks + 3), inline_link_clicks: String(v.clicks),
          ...(v.purchases > 0 && {
            actions: [
              { action_type: 'link_click', value: String(v.clicks) },
              { action_type: 'offsite_conversion.fb_pixel_purchase', value: String(v.purchases) },
              { action_type: 'omni_purchase', value: String(v.purchases) },
            ],
            action_values: [
              { action_type: 'offsite_conversion.fb_pixel_purchase', value: v.value },
              { action_type: 'omni_purchase', value: v.value },
            ],
          }),
        });
      }
    }
    return out;
  };

  const page = (all: unknown[], q: URLSearchParams, path: string) => {
    const limit = Math.min(Number(q.get('limit') ?? 25), opts.pageSize ?? 1000);
    const start = q.get('after') ? Number(Buffer.from(q.get('after')!, 'base64url').toString()) : 0;
    const slice = all.slice(start, start + limit);
    const end = start + slice.length;
    const after = Buffer.from(String(end)).toString('base64url');
    return {
      data: slice,
      paging: {
        cursors: { before: Buffer.from(String(start)).toString('base64url'), after },
        // Like Meta's own: the next link repeats the token in its query.
        ...(end < all.length && { next: `${fake.url}/${version}/${path}?access_token=${token}&after=${after}&limit=${limit}` }),
      },
    };
  };

  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const u = new URL(req.url!, 'http://x');
      const q = u.searchParams;
      if (raw && req.headers['content-type']?.includes('x-www-form-urlencoded')) for (const [k, v] of new URLSearchParams(raw)) q.set(k, v);
      fake.requests.push({ method: req.method!, path: u.pathname, query: q, auth: req.headers.authorization });
      const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      };
      const err = (e: FakeError) => reply(e.status, { error: { message: e.message ?? `fake error ${e.code}`, type: 'OAuthException', code: e.code, ...(e.subcode && { error_subcode: e.subcode }), fbtrace_id: 'Afake' } }, e.headers);
      for (const [match, list] of failures) {
        if (u.pathname.includes(match) && list.length) return err(list.shift()!);
      }
      // OAuth: code → short-lived token → long-lived token (app id / secret / redirect checked).
      if (u.pathname === `/${version}/oauth/access_token`) {
        if (q.get('client_id') !== 'meta-app' || q.get('client_secret') !== 'meta-app-secret') return err({ status: 400, code: 101, message: 'Error validating application. Invalid application ID.' });
        if (q.get('grant_type') === 'fb_exchange_token') {
          return q.get('fb_exchange_token') === 'short-lived-token' ? reply(200, { access_token: token, token_type: 'bearer', expires_in: 5_184_000 }) : err({ status: 400, code: 190, message: 'Invalid OAuth access token.' });
        }
        if (q.get('code') !== 'good-code' || !q.get('redirect_uri')?.endsWith('/oauth/meta/callback')) return err({ status: 400, code: 100, message: 'Invalid verification code format.' });
        return reply(200, { access_token: 'short-lived-token', token_type: 'bearer', expires_in: 5183 });
      }
      if (req.headers.authorization !== `Bearer ${token}` && q.get('access_token') !== token) return err({ status: 400, code: 190, message: 'Invalid OAuth access token - Cannot parse access token' });
      const p = u.pathname.replace(`/${version}/`, '');
      const ok = (body: unknown) => reply(200, body, fake.usageHeaders);
      if (p === `act_${account}` && req.method === 'GET') return ok({ id: `act_${account}`, name: 'Fake Shop Ads', currency: fake.currency, timezone_name: fake.timezone, account_status: 1 });
      if (p === `act_${account}/ads`) {
        const all = opts.ads.map((ad) => ({ id: ad.id, creative: { id: `cr-${ad.id}`, ...(ad.link && { object_story_spec: { link_data: { link: ad.link } } }) } }));
        return ok(page(all, q, p));
      }
      if (p === `act_${account}/insights`) {
        const tr = JSON.parse(q.get('time_range') ?? '{}') as { since: string; until: string };
        const planned = fake.failRangeFrom.get(tr.since);
        if (planned) {
          fake.failRangeFrom.delete(tr.since);
          return err(planned);
        }
        if (q.get('level') !== 'ad' || q.get('time_increment') !== '1') return err({ status: 400, code: 100, message: 'fake: expected level=ad&time_increment=1' });
        if (req.method === 'POST') {
          const id = String(6000000 + jobs.size);
          jobs.set(id, { since: tr.since, until: tr.until, polls: 0 });
          return ok({ report_run_id: id });
        }
        return ok(page(rowsFor(tr.since, tr.until), q, p));
      }
      const job = /^(\d+)(\/insights)?$/.exec(p);
      if (job && jobs.has(job[1]!)) {
        const j = jobs.get(job[1]!)!;
        const days = (Date.parse(j.until) - Date.parse(j.since)) / 86_400_000 + 1;
        if (!job[2]) {
          j.polls++;
          const failed = fake.failJobsLongerThan !== null && days > fake.failJobsLongerThan;
          const status = failed ? 'Job Failed' : j.polls > fake.jobPolls ? 'Job Completed' : j.polls === 1 ? 'Job Started' : 'Job Running';
          return ok({ id: job[1], async_status: status, async_percent_completion: status === 'Job Completed' ? 100 : Math.min(90, j.polls * 30) });
        }
        return ok(page(rowsFor(j.since, j.until), q, p));
      }
      const node = fake.nodes.get(p);
      if (node) {
        if (req.method === 'POST') {
          if (q.has('status')) node.status = q.get('status')!;
          if (q.has('daily_budget')) node.daily_budget = Number(q.get('daily_budget'));
          return ok({ success: true });
        }
        return ok({ id: p, status: node.status, ...(node.daily_budget ? { daily_budget: String(node.daily_budget) } : {}) });
      }
      return err({ status: 400, code: 803, message: `fake: unknown path ${u.pathname}` });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () => new Promise((r) => server.close(() => r()));
  return fake;
}
