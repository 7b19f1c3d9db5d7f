// A loopback fake of the RedTrack API: /me/settings, /report (group, date_from,
// date_to, per ≤ 1000, page; a bare array of rows) and /conversions (per ≤ 10,000,
// page; { items, total }), the API key as the api_key query parameter, 401 for a
// refused key, and a report rate limit (429 with Retry-After) the client must keep under.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRedTrackRow {
  date: string;
  sub9: string;
  sub1?: string;
  sub20?: string;
  campaign: string;
  campaign_id: string;
  clicks: number;
  cost?: number;
}
export interface FakeRedTrackConversion {
  clickid: string;
  type: string;
  status: 'APPROVED' | 'PENDING' | 'DECLINED';
  payout: number;
  created_at: string;
  sub9: string;
  sub20?: string;
  campaign: string;
  campaign_id: string;
}
export interface FakeRedTrack {
  url: string;
  apiKey: string;
  report: FakeRedTrackRow[];
  conversions: FakeRedTrackConversion[];
  requests: { path: string; query: URLSearchParams; at: number }[];
  /** Report calls answered 429 because the window was full. */
  limited: number;
  /** Makes the key refused from now on. */
  revoke(): void;
  failNext(statuses: number[]): void;
  close(): Promise<void>;
}

export async function startFakeRedTrack(opts: { report?: FakeRedTrackRow[]; conversions?: FakeRedTrackConversion[]; timezone?: string; currency?: string; limit?: { calls: number; windowMs: number } } = {}): Promise<FakeRedTrack> {
  const failures: number[] = [];
  let revoked = false;
  const reportCalls: number[] = [];
  const dayCache = new Map<string, string>();
  const fake: FakeRedTrack = {
    url: '', apiKey: 'rt-fake-key-9f8e7d', report: opts.report ?? [], conversions: opts.conversions ?? [], requests: [], limited: 0,
    revoke: () => (revoked = true), failNext: (s) => failures.push(...s), close: async () => {},
  };
  const server = http.createServer((req, res) => {
    const u = new URL(req.url!, 'http://x');
    const q = u.searchParams;
    fake.requests.push({ path: u.pathname, query: q, at: Date.now() });
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if (revoked || q.get('api_key') !== fake.apiKey) return reply(401, { error: 'Unauthorized: invalid api_key' });
    if (u.pathname === '/report' && opts.limit) {
      const now = Date.now();
      while (reportCalls.length && reportCalls[0]! <= now - opts.limit.windowMs) reportCalls.shift();
      if (reportCalls.length >= opts.limit.calls) {
        fake.limited++;
        return reply(429, { error: 'Too many requests' }, { 'retry-after': '1' });
      }
      reportCalls.push(now);
    }
    const f = failures.shift();
    if (f) return reply(f, { error: `fake failure ${f}` });
    const inRange = (d: string) => d >= (q.get('date_from') ?? '') && d <= (q.get('date_to') ?? '9999');
    const page = Number(q.get('page') ?? 1);
    if (u.pathname === '/me/settings') return reply(200, { id: 'acc-1', login: 'lumen-affiliates', currency: opts.currency ?? 'USD', timezone: opts.timezone ?? 'America/New_York' });
    if (u.pathname === '/report') {
      const per = Number(q.get('per') ?? 100);
      if (per > 1000) return reply(400, { error: 'per: at most 1000' });
      if (!q.get('group')?.includes('sub9')) return reply(400, { error: 'group must name sub9' });
      const rows = fake.report.filter((r) => inRange(r.date));
      return reply(200, rows.slice((page - 1) * per, page * per).map((r) => ({ ...r, conversions: 999, revenue: 99999 })));
    }
    if (u.pathname === '/conversions') {
      const per = Number(q.get('per') ?? 100);
      if (per > 10_000) return reply(400, { error: 'per: at most 10000' });
      // Conversion times are UTC; date_from/date_to are days in `timezone`.
      const tz = q.get('timezone') ?? 'UTC';
      const fmt = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' });
      const day = (iso: string) => {
        const k = `${tz}|${iso}`;
        let d = dayCache.get(k);
        if (!d) dayCache.set(k, (d = fmt.format(new Date(iso))));
        return d;
      };
      const rows = fake.conversions.filter((c) => inRange(day(c.created_at)));
      return reply(200, { items: rows.slice((page - 1) * per, page * per), total: rows.length });
    }
    reply(404, { error: `no route ${u.pathname}` });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () => new Promise((r) => server.close(() => r()));
  return fake;
}
