// A loopback fake of the Shopify Admin GraphQL API: POST /admin/api/{version}/graphql.json
// answering the shop, currentAppInstallation.accessScopes and orders(first, after,
// query "updated_at:>='…'" / "created_at:>='…' created_at:<'…'", sortKey), with
// pageInfo.endCursor paging, the documented calculated query cost (shopify-cost.ts):
// a query over 1,000 points answers MAX_COST_EXCEEDED before it runs; with a bucket,
// extensions.cost.throttleStatus from a leaky bucket charged the requested cost,
// refunded down to the actual cost (the edges returned), and THROTTLED when short, X-Shopify-Access-Token checks (401), the
// client-credentials grant and the OAuth code exchange at /admin/oauth/access_token.
// Without read_all_orders it serves only orders of the last 60 days, as Shopify does.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { queryCost } from './shopify-cost.ts';

/** Shopify's single-query maximum, enforced on the requested cost before a query runs. */
export const MAX_SINGLE_QUERY_COST = 1000;

export interface FakeShopifyOrder {
  id: string;
  name: string;
  createdAt: string;
  updatedAt: string;
  cancelledAt?: string | null;
  test?: boolean;
  total: string;
  refunded?: string;
  currency?: string;
  landingPage?: string | null;
  utm?: { campaign?: string; content?: string; source?: string; medium?: string; term?: string } | null;
}

export interface FakeShopify {
  url: string;
  shop: string;
  /** A pasted Admin API token. */
  token: string;
  app: { clientId: string; clientSecret: string };
  orders: FakeShopifyOrder[];
  scopes: string[];
  requests: { kind: string; variables?: Record<string, unknown>; token?: string }[];
  throttled: number;
  /** Queries refused as MAX_COST_EXCEEDED. */
  overCost: number;
  grants: number;
  /** Tokens from the client-credentials grant stop working after this many calls each. */
  grantTokenCalls: number;
  revoke(): void;
  /** Empties the cost bucket (another caller spent it). */
  drain(): void;
  /** The next GraphQL calls answer these HTTP statuses. */
  failNext(statuses: number[]): void;
  close(): Promise<void>;
}

export async function startFakeShopify(opts: {
  orders?: FakeShopifyOrder[]; currency?: string; timezone?: string; scopes?: string[]; now?: () => number;
  /** The leaky bucket (plan): size and restore rate; `cost` overrides the calculated cost of every query. */
  bucket?: { max: number; restorePerSecond: number; cost?: number };
  /** Prices every query this much above the documented cost (a shop whose fields cost more than today's schema says). */
  costScale?: number;
}): Promise<FakeShopify> {
  const now = opts.now ?? Date.now;
  let revoked = false;
  const grantTokens = new Map<string, number>();
  const bucket = opts.bucket ? { level: opts.bucket.max, at: Date.now() } : null;
  const listCache = new Map<string, FakeShopifyOrder[]>();
  const failures: number[] = [];
  // Bumped by every request that may follow a change the test made to an order (tests edit orders in place).
  let changes = 0;
  const fake: FakeShopify = {
    url: '', shop: 'northwind.myshopify.com', token: 'shpat_fake_0123456789abcdef', app: { clientId: 'app-client-1', clientSecret: 'app-secret-1' },
    orders: opts.orders ?? [], scopes: opts.scopes ?? ['read_orders', 'read_all_orders'], requests: [], throttled: 0, overCost: 0, grants: 0, grantTokenCalls: 1_000_000,
    revoke: () => (revoked = true), failNext: (st) => failures.push(...st), drain: () => { if (bucket) { bucket.level = 0; bucket.at = Date.now(); } }, close: async () => {},
  };
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => handle(req, res, raw));
  });
  const reply = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const handle = (req: http.IncomingMessage, res: http.ServerResponse, raw: string) => {
    const u = new URL(req.url!, 'http://x');
    if (u.pathname === '/admin/oauth/access_token' && req.method === 'POST') {
      const b = (req.headers['content-type'] ?? '').includes('json') ? (JSON.parse(raw || '{}') as Record<string, string>) : Object.fromEntries(new URLSearchParams(raw));
      fake.requests.push({ kind: `token:${b.grant_type ?? 'code'}` });
      if (b.client_id !== fake.app.clientId || b.client_secret !== fake.app.clientSecret) return reply(res, 400, { error: 'invalid_client', error_description: 'Client authentication failed' });
      if (b.grant_type === 'client_credentials') {
        fake.grants++;
        const t = `shpca_grant_${fake.grants}`;
        grantTokens.set(t, fake.grantTokenCalls);
        return reply(res, 200, { access_token: t, scope: fake.scopes.join(','), expires_in: 86399 });
      }
      if (b.code !== 'good-code') return reply(res, 400, { error: 'invalid_request', error_description: 'The authorization code was not found or was already used' });
      return reply(res, 200, { access_token: fake.token, scope: fake.scopes.join(',') });
    }
    const m = /^\/admin\/api\/([^/]+)\/graphql\.json$/.exec(u.pathname);
    if (!m || req.method !== 'POST') return reply(res, 404, { errors: 'Not Found' });
    const token = String(req.headers['x-shopify-access-token'] ?? '');
    const left = grantTokens.get(token);
    const ok = !revoked && (token === fake.token || (left !== undefined && left > 0));
    if (left !== undefined) grantTokens.set(token, left - 1);
    const { query = '', variables = {} } = JSON.parse(raw || '{}') as { query?: string; variables?: Record<string, unknown> };
    const kind = query.includes('orders(') ? 'orders' : query.includes('currentAppInstallation') ? 'scopes' : query.includes('shop {') ? 'shop' : 'other';
    fake.requests.push({ kind, variables, token });
    if (kind === 'orders' && !variables.after) changes++;
    if (!ok) return reply(res, 401, { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' });
    const f = failures.shift();
    if (f) return reply(res, f, { errors: f === 402 ? 'Unavailable Shop' : `fake failure ${f}` });
    // The requested cost is checked against the single-query maximum before anything runs.
    const requested = opts.bucket?.cost ?? Math.ceil(queryCost(query, variables) * (opts.costScale ?? 1));
    if (requested > MAX_SINGLE_QUERY_COST) {
      fake.overCost++;
      return reply(res, 200, {
        errors: [{ message: `Query cost is ${requested}, which exceeds the single query max cost limit (${MAX_SINGLE_QUERY_COST}).\n\nSee https://shopify.dev/concepts/about-apis/rate-limits for more information on how the\ncost of a query is calculated.\n\nTo query larger amounts of data with fewer limits, bulk operations should be used instead.\nSee https://shopify.dev/tutorials/perform-bulk-operations-with-admin-api for usage details.\n`, extensions: { code: 'MAX_COST_EXCEEDED', cost: requested, maxCost: MAX_SINGLE_QUERY_COST } }],
      });
    }
    // The leaky bucket: the requested cost must be there; below it the query is THROTTLED.
    let cost: Record<string, unknown> | undefined;
    let charge: ((actual: number) => void) | undefined;
    if (bucket && opts.bucket) {
      const t = Date.now();
      bucket.level = Math.min(opts.bucket.max, bucket.level + ((t - bucket.at) / 1000) * opts.bucket.restorePerSecond);
      bucket.at = t;
      const status = () => ({ maximumAvailable: opts.bucket!.max, currentlyAvailable: Math.floor(bucket.level), restoreRate: opts.bucket!.restorePerSecond });
      if (bucket.level < requested) {
        fake.throttled++;
        return reply(res, 200, { errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' } }], extensions: { cost: { requestedQueryCost: requested, actualQueryCost: null, throttleStatus: status() } } });
      }
      bucket.level -= requested;
      cost = { requestedQueryCost: requested, actualQueryCost: requested, throttleStatus: status() };
      // After the query the difference between requested and actual cost is refunded.
      charge = (actual) => {
        bucket.level = Math.min(opts.bucket!.max, bucket.level + (requested - actual));
        cost = { requestedQueryCost: requested, actualQueryCost: actual, throttleStatus: status() };
      };
    }
    const done = (data: unknown, actual = requested) => {
      charge?.(actual);
      reply(res, 200, { data, extensions: { cost: cost ?? { requestedQueryCost: requested, actualQueryCost: actual } } });
    };
    if (kind === 'shop') return done({ shop: { name: 'Northwind Outfitters', currencyCode: opts.currency ?? 'EUR', ianaTimezone: opts.timezone ?? 'Europe/Berlin', myshopifyDomain: fake.shop } });
    if (kind === 'scopes') return done({ currentAppInstallation: { accessScopes: fake.scopes.map((handle) => ({ handle })) } });
    if (kind === 'orders') {
      const first = Number(variables.first ?? 50);
      if (first > 250) return reply(res, 200, { errors: [{ message: 'The maximum number of items per page is 250', extensions: { code: 'MAX_PAGE_SIZE_EXCEEDED' } }] });
      const q = String(variables.query ?? '');
      const sortKey = String(variables.sortKey ?? 'ID');
      const version = changes;
      const conds = [...q.matchAll(/(updated_at|created_at):(>=|<|<=|>)'([^']+)'/g)].map((x) => ({ field: x[1] === 'updated_at' ? 'updatedAt' : 'createdAt', op: x[2]!, at: Date.parse(x[3]!) }));
      // The same search pages through one list (cached: a 200,000-order bench asks 800 pages of it).
      const cacheKey = `${q}|${sortKey}|${fake.scopes.join(',')}|${fake.orders.length}|${version}`;
      let list = listCache.get(cacheKey);
      if (!list) {
        const recent = now() - 60 * 86_400_000;
        list = fake.orders
          .filter((o) => fake.scopes.includes('read_all_orders') || Date.parse(o.createdAt) >= recent)
          .filter((o) => conds.every((c) => {
            const v = Date.parse(c.field === 'updatedAt' ? o.updatedAt : o.createdAt);
            return c.op === '>=' ? v >= c.at : c.op === '<' ? v < c.at : c.op === '<=' ? v <= c.at : v > c.at;
          }))
          .sort((a, b) => {
            const ka = sortKey === 'UPDATED_AT' ? a.updatedAt : a.createdAt;
            const kb = sortKey === 'UPDATED_AT' ? b.updatedAt : b.createdAt;
            return ka < kb ? -1 : ka > kb ? 1 : a.id < b.id ? -1 : 1;
          });
        listCache.clear();
        listCache.set(cacheKey, list);
      }
      const start = variables.after ? Number(Buffer.from(String(variables.after), 'base64url').toString()) : 0;
      const page = list.slice(start, start + first);
      const money = (amount: string, o: FakeShopifyOrder) => ({ shopMoney: { amount, currencyCode: o.currency ?? opts.currency ?? 'EUR' } });
      const visit = (o: FakeShopifyOrder) => (o.landingPage || o.utm ? { landingPage: o.landingPage ?? null, utmParameters: o.utm ?? null } : null);
      const perNode = first > 0 ? (requested - 2) / first : 0;
      return done({
        orders: {
          edges: page.map((o) => ({ node: {
            id: o.id, name: o.name, createdAt: o.createdAt, updatedAt: o.updatedAt, cancelledAt: o.cancelledAt ?? null, test: Boolean(o.test),
            totalPriceSet: money(o.total, o), totalRefundedSet: money(o.refunded ?? '0.00', o),
            customerJourneySummary: { lastVisit: visit(o), firstVisit: null },
          } })),
          pageInfo: { hasNextPage: start + first < list.length, endCursor: page.length ? Buffer.from(String(start + page.length)).toString('base64url') : null },
        },
      }, opts.bucket?.cost ?? Math.round(2 + page.length * perNode));
    }
    reply(res, 200, { errors: [{ message: `fake: unknown query`, extensions: { code: 'BAD_REQUEST' } }] });
  };
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () => new Promise((r) => server.close(() => r()));
  return fake;
}
