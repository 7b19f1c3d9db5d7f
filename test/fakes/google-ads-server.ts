// A loopback fake of the Google Ads API (REST) and Google's OAuth2 token
// endpoint: POST /token (refresh_token grant), POST /<v>/customers/<id>/googleAds:searchStream
// answering GAQL over customer, ad_group_ad and campaign (Performance Max) as an
// array of batches with camelCase rows; errors in Google's shape
// ({ error: { code, message, status, details: [{ errors: [{ errorCode, message, details }] }] } }).
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeGoogleAd {
  id: string;
  name: string;
  adGroup: { id: string; name: string };
  campaign: { id: string; name: string };
  finalUrl?: string;
}

export interface FakeGoogleDay {
  costMicros: string;
  impressions: number;
  clicks: number;
  conversions: number;
  conversionsValue: number;
}

export interface FakeGoogleError {
  status: number;
  grpc: string;
  errorCode?: Record<string, string>;
  message?: string;
  retryDelay?: string;
}

export interface FakeGoogleAds {
  url: string;
  tokenUrl: string;
  customer: string;
  manager: string;
  refreshToken: string;
  clientId: string;
  clientSecret: string;
  developerToken: string;
  ads: FakeGoogleAd[];
  data: Map<string, Map<string, FakeGoogleDay>>;
  /** campaign id → day → numbers, for a Performance Max campaign (no ad_group_ad rows). */
  pmax: { id: string; name: string; days: Map<string, FakeGoogleDay> };
  searches: { query: string; headers: http.IncomingHttpHeaders }[];
  tokenRequests: number;
  /** The access token currently valid (revoke() makes the next search a 401). */
  revoke(): void;
  failNext(errors: FakeGoogleError[]): void;
  refreshFails: boolean;
  currency: string;
  close(): Promise<void>;
}

export async function startFakeGoogleAds(opts: { ads: FakeGoogleAd[]; days: string[] }): Promise<FakeGoogleAds> {
  let current = '';
  let issued = 0;
  const failures: FakeGoogleError[] = [];
  const data = new Map<string, Map<string, FakeGoogleDay>>();
  opts.ads.forEach((ad, a) => data.set(ad.id, new Map(opts.days.map((d, i) => {
    const k = a * 17 + i;
    // Micros that are not whole cents: 12.345678 → 1235 cents exactly.
    return [d, { costMicros: String(12_345_678 + k * 1_000_003), impressions: 900 + k, clicks: 30 + (k % 9), conversions: (k % 4) * 0.5, conversionsValue: (k % 4) * 21.15 }];
  }))));
  const pmax = { id: '555000111', name: 'PMax - All products', days: new Map(opts.days.map((d, i) => [d, { costMicros: String(40_000_000 + i * 7), impressions: 5000, clicks: 80, conversions: 3, conversionsValue: 240.5 }])) };
  const fake: FakeGoogleAds = {
    url: '', tokenUrl: '', customer: '1234567890', manager: '9876543210', refreshToken: '1//fake-refresh-token-abc', clientId: 'fake-client.apps.googleusercontent.com',
    clientSecret: 'GOCSPX-fake-secret', developerToken: 'fake-dev-token-XYZ', ads: opts.ads, data, pmax, searches: [], tokenRequests: 0,
    revoke: () => { current = 'revoked'; }, failNext: (e) => failures.push(...e), refreshFails: false, currency: 'USD',
    close: async () => {},
  };
  const metricsOf = (v: FakeGoogleDay) => ({ costMicros: v.costMicros, impressions: String(v.impressions), clicks: String(v.clicks), conversions: v.conversions, conversionsValue: v.conversionsValue });

  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const reply = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      const gerr = (e: FakeGoogleError) => reply(e.status, [{ error: { code: e.status, message: e.message ?? e.grpc, status: e.grpc, details: [{ '@type': 'type.googleapis.com/google.ads.googleads.v24.errors.GoogleAdsFailure', errors: [{ errorCode: e.errorCode ?? {}, message: e.message ?? e.grpc, ...(e.retryDelay && { details: { quotaErrorDetails: { rateScope: 'DEVELOPER', rateName: 'Number of operations', retryDelay: e.retryDelay } } }) }] }] } }]);
      if (req.url === '/token') {
        fake.tokenRequests++;
        const f = new URLSearchParams(raw);
        if (f.get('client_id') !== fake.clientId || f.get('client_secret') !== fake.clientSecret) return reply(401, { error: 'invalid_client', error_description: 'The OAuth client was not found.' });
        if (f.get('grant_type') === 'authorization_code') {
          if (f.get('code') !== 'good-code' || !f.get('redirect_uri')?.endsWith('/oauth/google/callback')) return reply(400, { error: 'invalid_grant', error_description: 'Malformed auth code.' });
          current = `ya29.fake-${++issued}`;
          return reply(200, { access_token: current, expires_in: 3599, refresh_token: fake.refreshToken, scope: 'https://www.googleapis.com/auth/adwords', token_type: 'Bearer' });
        }
        if (fake.refreshFails || f.get('grant_type') !== 'refresh_token' || f.get('refresh_token') !== fake.refreshToken) return reply(400, { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
        current = `ya29.fake-${++issued}`;
        return reply(200, { access_token: current, expires_in: 3599, scope: 'https://www.googleapis.com/auth/adwords', token_type: 'Bearer' });
      }
      const m = /^\/v24\/customers\/(\d+)\/googleAds:searchStream$/.exec(req.url ?? '');
      if (!m || req.method !== 'POST') return gerr({ status: 404, grpc: 'NOT_FOUND', message: `fake: unknown ${req.url}` });
      const { query } = JSON.parse(raw || '{}') as { query: string };
      fake.searches.push({ query, headers: req.headers });
      if (req.headers.authorization !== `Bearer ${current}`) return gerr({ status: 401, grpc: 'UNAUTHENTICATED', errorCode: { authenticationError: 'OAUTH_TOKEN_INVALID' }, message: 'Request had invalid authentication credentials.' });
      if (req.headers['developer-token'] !== fake.developerToken) return gerr({ status: 403, grpc: 'PERMISSION_DENIED', errorCode: { authorizationError: 'DEVELOPER_TOKEN_NOT_APPROVED' } });
      if (req.headers['login-customer-id'] !== fake.manager) return gerr({ status: 403, grpc: 'PERMISSION_DENIED', errorCode: { authorizationError: 'USER_PERMISSION_DENIED' }, message: 'User doesn\'t have permission to access customer.' });
      if (m[1] !== fake.customer) return gerr({ status: 403, grpc: 'PERMISSION_DENIED', errorCode: { authorizationError: 'USER_PERMISSION_DENIED' } });
      const f = failures.shift();
      if (f) return gerr(f);
      if (/FROM customer/.test(query)) return reply(200, [{ results: [{ customer: { resourceName: `customers/${fake.customer}`, id: fake.customer, descriptiveName: 'Fake Outdoor Co', currencyCode: fake.currency, timeZone: 'Europe/Berlin' } }], fieldMask: 'customer.id', requestId: 'r1' }]);
      const dm = /segments\.date BETWEEN '(\d{4}-\d{2}-\d{2})' AND '(\d{4}-\d{2}-\d{2})'/.exec(query);
      if (!dm) return gerr({ status: 400, grpc: 'INVALID_ARGUMENT', errorCode: { queryError: 'PROHIBITED_SEGMENT_IN_SELECT_OR_WHERE_CLAUSE' } });
      const [, from, to] = dm;
      const rows: unknown[] = [];
      if (/FROM ad_group_ad/.test(query)) {
        for (const ad of opts.ads) for (const [d, v] of data.get(ad.id)!) {
          if (d < from! || d > to!) continue;
          rows.push({ segments: { date: d }, campaign: { resourceName: `customers/${fake.customer}/campaigns/${ad.campaign.id}`, id: ad.campaign.id, name: ad.campaign.name }, adGroup: { id: ad.adGroup.id, name: ad.adGroup.name }, adGroupAd: { ad: { id: ad.id, name: ad.name, ...(ad.finalUrl && { finalUrls: [ad.finalUrl] }) } }, metrics: metricsOf(v) });
        }
      } else if (/FROM campaign/.test(query) && /PERFORMANCE_MAX/.test(query)) {
        for (const [d, v] of pmax.days) if (d >= from! && d <= to!) rows.push({ segments: { date: d }, campaign: { id: pmax.id, name: pmax.name, advertisingChannelType: 'PERFORMANCE_MAX' }, metrics: metricsOf(v) });
      }
      // Streamed in batches of 50; a query with no rows answers batches without `results`.
      const batches: unknown[] = [];
      for (let i = 0; i < rows.length; i += 50) batches.push({ results: rows.slice(i, i + 50), fieldMask: 'segments.date', requestId: `r${i}` });
      if (batches.length === 0) batches.push({ fieldMask: 'segments.date', requestId: 'empty' });
      return reply(200, batches);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.tokenUrl = `${fake.url}/token`;
  fake.close = () => new Promise((r) => server.close(() => r()));
  return fake;
}
