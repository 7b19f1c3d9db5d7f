// A loopback fake of the TikTok Marketing API v1.3: advertiser/info, ad/get and
// report/integrated/get (BASIC, AUCTION_AD, ad_id + stat_time_day), with
// page/page_size/page_info and errors as HTTP 200 with a non-zero `code`.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeTikTokAd { id: string; name: string; adgroup: { id: string; name: string }; campaign: { id: string; name: string }; link?: string }
export interface FakeTikTok {
  url: string;
  advertiser: string;
  token: string;
  ads: FakeTikTokAd[];
  /** ad id → day → metrics as TikTok writes them (strings, "-" when not reported). */
  data: Map<string, Map<string, Record<string, string>>>;
  requests: { path: string; query: URLSearchParams }[];
  failNext(codes: { code: number; message: string }[]): void;
  close(): Promise<void>;
}

export async function startFakeTikTok(opts: { ads: FakeTikTokAd[]; days: string[]; pageSize?: number }): Promise<FakeTikTok> {
  const data = new Map<string, Map<string, Record<string, string>>>();
  opts.ads.forEach((ad, a) => data.set(ad.id, new Map(opts.days.map((d, i) => {
    const k = a * 13 + i;
    return [d, { spend: (8 + (k % 5) * 1.25).toFixed(2), impressions: String(2000 + k), clicks: String(40 + (k % 6)), complete_payment: String(k % 3), total_complete_payment_rate: ((k % 3) * 19.99).toFixed(2), reach: '-', frequency: '-' }];
  }))));
  const failures: { code: number; message: string }[] = [];
  const fake: FakeTikTok = { url: '', advertiser: '7012345678901234567', token: 'tt-fake-token-0a1b2c', ads: opts.ads, data, requests: [], failNext: (c) => failures.push(...c), close: async () => {} };
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => handle(req, res, raw));
  });
  const handle = (req: http.IncomingMessage, res: http.ServerResponse, raw: string) => {
    const u = new URL(req.url!, 'http://x');
    const q = u.searchParams;
    fake.requests.push({ path: u.pathname, query: q });
    const reply = (body: unknown) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ request_id: `req-${fake.requests.length}`, ...(body as object) }));
    };
    if (u.pathname === '/open_api/v1.3/oauth2/access_token/' && req.method === 'POST') {
      const b = JSON.parse(raw || '{}') as { app_id?: string; secret?: string; auth_code?: string };
      if (b.app_id !== 'tt-app' || b.secret !== 'tt-app-secret') return reply({ code: 40001, message: 'app_id or secret is wrong' });
      if (b.auth_code !== 'good-code') return reply({ code: 40002, message: 'auth_code is invalid or expired' });
      return reply({ code: 0, message: 'OK', data: { access_token: fake.token, advertiser_ids: [fake.advertiser], scope: [4] } });
    }
    if (req.headers['access-token'] !== fake.token) return reply({ code: 40105, message: 'The access token is invalid or has been revoked.' });
    const f = failures.shift();
    if (f) return reply(f);
    const pageOf = (list: unknown[]) => {
      const size = Math.min(Number(q.get('page_size') ?? 10), opts.pageSize ?? 1000);
      const page = Number(q.get('page') ?? 1);
      return { list: list.slice((page - 1) * size, page * size), page_info: { page, page_size: size, total_number: list.length, total_page: Math.max(1, Math.ceil(list.length / size)) } };
    };
    const p = u.pathname.replace('/open_api/v1.3/', '');
    if (p === 'advertiser/info/') return reply({ code: 0, message: 'OK', data: { list: [{ advertiser_id: fake.advertiser, name: 'Fake TikTok Shop', currency: 'USD', timezone: 'Etc/GMT+8', display_timezone: 'America/Los_Angeles' }] } });
    if (p === 'ad/get/') {
      const ids = (JSON.parse(q.get('filtering') ?? '{}') as { ad_ids?: string[] }).ad_ids ?? [];
      if (ids.length > 100) return reply({ code: 40002, message: 'filtering.ad_ids: at most 100' });
      return reply({ code: 0, message: 'OK', data: pageOf(opts.ads.filter((a) => ids.includes(a.id)).map((a) => ({ ad_id: a.id, ad_name: a.name, adgroup_id: a.adgroup.id, adgroup_name: a.adgroup.name, campaign_id: a.campaign.id, campaign_name: a.campaign.name, landing_page_url: a.link ?? null }))) });
    }
    if (p === 'report/integrated/get/') {
      const from = q.get('start_date')!, to = q.get('end_date')!;
      if ((Date.parse(to) - Date.parse(from)) / 86_400_000 + 1 > 30) return reply({ code: 40002, message: 'The time range cannot exceed 30 days' });
      if (q.get('data_level') !== 'AUCTION_AD' || q.get('report_type') !== 'BASIC') return reply({ code: 40002, message: 'fake: expected BASIC / AUCTION_AD' });
      const rows: unknown[] = [];
      for (const ad of opts.ads) for (const [d, m] of data.get(ad.id)!) if (d >= from && d <= to) rows.push({ dimensions: { ad_id: ad.id, stat_time_day: `${d} 00:00:00` }, metrics: m });
      return reply({ code: 0, message: 'OK', data: pageOf(rows) });
    }
    return reply({ code: 40002, message: `fake: unknown ${u.pathname}` });
  };
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () => new Promise((r) => server.close(() => r()));
  return fake;
}
