// Shopify Admin GraphQL API: the shop (currency, time zone), the app's scopes and
// the orders, read by update time so edits, refunds and cancellations arriving
// days later re-read the order and the day it belongs to.
// - POST {shop}/admin/api/{version}/graphql.json, X-Shopify-Access-Token.
// - Tokens: an Admin API access token (custom app, OAuth install), or the app's
//   client id + secret exchanged through the client-credentials grant for a
//   token that lasts about a day; a 401 renews it once before it counts as refused.
// - Throttling is by query cost: every answer carries extensions.cost.throttleStatus;
//   when the bucket holds less than the last query cost, the next call waits for
//   the restore rate to refill it; a THROTTLED answer (or HTTP 429) waits the same way.
// - A single query may not cost more than 1,000 points (requested cost: a connection
//   is 2 + page size × the objects of one node — an order here is 10, so 250 orders
//   would be 2,502). The page size starts under that line and adapts to what the
//   shop reports: the cost of a page it answered, its bucket's size, and the cost a
//   MAX_COST_EXCEEDED names.
// - Revenue of an order: totalPriceSet − totalRefundedSet in shop money. That is
//   what the customer paid (items after discounts, shipping, taxes — the same basis
//   as the ad platforms' purchase values) net of every refund as it is known; a
//   refund re-dates nothing, it lowers the order's own day. Test orders and
//   cancelled orders count for nothing.
import { rememberSecret } from '../crypto/redact.ts';
import { currencyExponent } from '../domain/currency.ts';
import { parseCents } from '../import/values.ts';
import { localDate } from '../time.ts';
import { requestJson, withRetries, type HttpOptions } from './http.ts';
import { SourceError, type AccountInfo } from './types.ts';

export interface ShopifyOptions {
  /** the-shop.myshopify.com */
  shop: string;
  /** null: https://{shop}. */
  apiUrl: string | null;
  version: string;
  auth: { accessToken: string } | { clientId: string; clientSecret: string };
  http: HttpOptions;
  pageSize?: number;
}

export interface ShopifyOrder {
  id: string;
  name: string;
  createdAt: string;
  updatedAt: string;
  /** The shop's local day of the order. */
  date: string;
  test: boolean;
  cancelled: boolean;
  revenueCents: number;
  landingPage: string | null;
  utm: { campaign?: string; content?: string; source?: string; medium?: string; term?: string };
}

const ORDER_FIELDS = `id name createdAt updatedAt cancelledAt test
  totalPriceSet { shopMoney { amount currencyCode } }
  totalRefundedSet { shopMoney { amount currencyCode } }
  customerJourneySummary {
    lastVisit { landingPage utmParameters { campaign content source medium term } }
    firstVisit { landingPage utmParameters { campaign content source medium term } }
  }`;

const ORDERS_QUERY = `query Orders($first: Int!, $after: String, $query: String!, $sortKey: OrderSortKeys!) {
  orders(first: $first, after: $after, query: $query, sortKey: $sortKey) {
    edges { node { ${ORDER_FIELDS} } }
    pageInfo { hasNextPage endCursor }
  }
}`;

type Json = Record<string, any>;

/** Shopify's single-query maximum (requested cost). */
export const MAX_QUERY_COST = 1000;
/** The objects of one order node above (the order, two money sets, journey, two visits, two UTM sets). */
export const ORDER_NODE_COST = 10;

/** The largest page whose requested cost (2 + first × node cost) stays within `budget`, 1–250. */
export function pageSizeFor(budget: number, nodeCost: number, cap = 250): number {
  return Math.max(1, Math.min(cap, Math.floor((budget - 2) / Math.max(nodeCost, 0.001))));
}

/** A query Shopify refused for its requested cost (MAX_COST_EXCEEDED): what it cost and the limit. */
export class QueryCostError extends SourceError {
  constructor(message: string, readonly cost: number, readonly maxCost: number) {
    super('fatal', message, { platform: 'shopify', code: 'MAX_COST_EXCEEDED' });
  }
}

export function shopifyClient(o: ShopifyOptions) {
  const base = (o.apiUrl ?? `https://${o.shop}`).replace(/\/+$/, '');
  const http = o.http;
  const cap = Math.min(250, o.pageSize ?? 250);
  // What one order node costs and the most one query may cost, as the shop last said.
  let nodeCost = ORDER_NODE_COST;
  let maxCost = MAX_QUERY_COST;
  let token = 'accessToken' in o.auth ? o.auth.accessToken : null;
  let info: AccountInfo | null = null;
  // The last answer's extensions.cost.
  let lastCost: Json | null = null;
  // The cost bucket as the last answer left it.
  let bucket: { available: number; restoreRate: number; lastCost: number } | null = null;

  async function grant(): Promise<string> {
    if ('accessToken' in o.auth) throw new SourceError('auth', `Shopify refused the access token for ${o.shop} (HTTP 401). Reinstall the app or paste a new Admin API token.`, { platform: 'shopify', status: 401 });
    const { clientId, clientSecret } = o.auth;
    const res = await requestJson(`${base}/admin/oauth/access_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }).toString(),
    }, http);
    const b = (res.body ?? {}) as Json;
    if (res.status >= 500) throw new SourceError('transient', `Shopify: the token endpoint answered HTTP ${res.status}`, { platform: 'shopify', status: res.status });
    if (res.status !== 200 || typeof b.access_token !== 'string') {
      throw new SourceError('auth', `Shopify refused the app's client credentials for ${o.shop} (HTTP ${res.status}${b.error ? `: ${b.error_description ?? b.error}` : ''}). Check the app's client id and secret and that it is installed on the shop.`, { platform: 'shopify', status: res.status });
    }
    rememberSecret(b.access_token);
    return b.access_token;
  }

  const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

  async function graphql(query: string, variables: Record<string, unknown>, what: string): Promise<Json> {
    return withRetries(what, http, async () => {
      // The bucket is short of what the last query cost: wait for it to refill.
      if (bucket && bucket.available < bucket.lastCost && bucket.restoreRate > 0) {
        const ms = Math.ceil(((bucket.lastCost - bucket.available) / bucket.restoreRate) * 1000);
        http.onWait?.(`${what}: Shopify query cost bucket low`, ms);
        await wait(Math.min(ms, http.maxWaitMs));
        bucket = null;
      }
      let renewed = false;
      for (;;) {
        token ??= await grant();
        const res = await requestJson(`${base}/admin/api/${o.version}/graphql.json`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json', 'x-shopify-access-token': token },
          body: JSON.stringify({ query, variables }),
        }, http);
        const details = { platform: 'shopify', status: res.status };
        const b = (res.body ?? {}) as Json;
        if (res.status === 401) {
          // A client-credentials token lasts about a day: renew once, then it is refused.
          if (!('accessToken' in o.auth) && !renewed) {
            renewed = true;
            token = null;
            continue;
          }
          throw new SourceError('auth', `Shopify refused the ${'accessToken' in o.auth ? 'access token' : "app's token"} for ${o.shop} (HTTP 401). Reinstall the app or connect it again.`, details);
        }
        if (res.status === 402) throw new SourceError('fatal', `Shopify: ${o.shop} is frozen (unpaid plan, HTTP 402): nothing can be read until the shop is unfrozen`, details);
        if (res.status === 403) throw new SourceError('auth', `Shopify: the app lacks a scope for ${what} on ${o.shop} (HTTP 403). Grant read_orders (and read_all_orders for history) and reinstall.`, details);
        if (res.status === 404) throw new SourceError('fatal', `Shopify: no shop ${o.shop}, or API version ${o.version} is not served (HTTP 404)`, details);
        if (res.status === 423) throw new SourceError('fatal', `Shopify: ${o.shop} is locked (HTTP 423)`, details);
        if (res.status === 429) {
          const after = Number(res.headers.get('retry-after'));
          throw new SourceError('rate_limit', `Shopify: ${what}: throttled`, { ...details, retryAfterMs: Number.isFinite(after) && after > 0 ? after * 1000 : 1000 });
        }
        if (res.status >= 500) throw new SourceError('transient', `Shopify: ${what}: HTTP ${res.status}`, details);
        if (res.status !== 200) throw new SourceError('fatal', `Shopify: ${what}: HTTP ${res.status}`, details);
        const cost = b.extensions?.cost;
        lastCost = cost ?? null;
        const ts = cost?.throttleStatus;
        if (ts && Number.isFinite(ts.currentlyAvailable)) bucket = { available: Number(ts.currentlyAvailable), restoreRate: Number(ts.restoreRate) || 0, lastCost: Number(cost.requestedQueryCost) || 0 };
        const errors = Array.isArray(b.errors) ? (b.errors as Json[]) : [];
        if (errors.length) {
          const codes = errors.map((e) => e.extensions?.code).filter(Boolean);
          // A query that costs more than the whole bucket can never run: a smaller page must.
          if (codes.includes('THROTTLED') && Number(cost?.requestedQueryCost) > Number(ts?.maximumAvailable)) {
            throw new QueryCostError(`Shopify: ${what}: the query costs ${cost.requestedQueryCost} points, more than the shop's bucket holds (${ts.maximumAvailable})`, Number(cost.requestedQueryCost), Number(ts.maximumAvailable));
          }
          if (codes.includes('THROTTLED')) {
            const need = Math.max(0, (Number(cost?.requestedQueryCost) || 0) - (Number(ts?.currentlyAvailable) || 0));
            const rate = Number(ts?.restoreRate) || 50;
            throw new SourceError('rate_limit', `Shopify: ${what}: THROTTLED`, { ...details, retryAfterMs: Math.max(100, Math.ceil((need / rate) * 1000)) });
          }
          if (codes.includes('MAX_COST_EXCEEDED')) {
            const e = errors.find((x) => x.extensions?.code === 'MAX_COST_EXCEEDED')!;
            const m = /cost is (\d+).*limit \((\d+)\)/s.exec(String(e.message ?? ''));
            const asked = Number(e.extensions?.cost ?? m?.[1]);
            const limit = Number(e.extensions?.maxCost ?? m?.[2]);
            throw new QueryCostError(`Shopify: ${what}: the query costs ${asked} points, over the shop's single-query limit of ${limit}`, asked, limit);
          }
          if (codes.includes('ACCESS_DENIED')) throw new SourceError('auth', `Shopify: access denied for ${what} on ${o.shop}: ${errors[0]!.message ?? ''}. Grant read_orders and reinstall the app.`, details);
          if (codes.includes('INTERNAL_SERVER_ERROR')) throw new SourceError('transient', `Shopify: ${what}: internal error`, details);
          throw new SourceError('fatal', `Shopify: ${what}: ${errors.map((e) => e.message).join('; ').slice(0, 300)}`, details);
        }
        if (!b.data) throw new SourceError('fatal', `Shopify: ${what}: an answer without data`, details);
        return b.data as Json;
      }
    });
  }

  async function accountInfo(): Promise<AccountInfo> {
    if (info) return info;
    const d = await graphql('query { shop { name currencyCode ianaTimezone myshopifyDomain } }', {}, 'reading the shop');
    const s = d.shop ?? {};
    if (!s.currencyCode || !s.ianaTimezone) throw new SourceError('fatal', `Shopify: ${o.shop} answered without currency or time zone`, { platform: 'shopify' });
    info = { id: s.myshopifyDomain ?? o.shop, name: s.name ?? o.shop, currency: String(s.currencyCode).toUpperCase(), timezone: s.ianaTimezone };
    return info;
  }

  async function scopes(): Promise<string[]> {
    const d = await graphql('query { currentAppInstallation { accessScopes { handle } } }', {}, 'reading the app scopes');
    return ((d.currentAppInstallation?.accessScopes ?? []) as { handle: string }[]).map((s) => s.handle);
  }

  /**
   * Pages of orders matching a search (`updated_at:>='…'`), oldest update first;
   * each page with the cursor to continue after it.
   */
  async function* orders(search: string, sortKey: 'UPDATED_AT' | 'CREATED_AT'): AsyncGenerator<{ orders: ShopifyOrder[]; endCursor: string | null }> {
    const a = await accountInfo();
    const exp = currencyExponent(a.currency);
    let after: string | null = null;
    for (let page = 1; ; page++) {
      let first = pageSizeFor(maxCost, nodeCost, cap);
      let d: Json;
      for (let tries = 0; ; tries++) {
        try {
          d = await graphql(ORDERS_QUERY, { first, after, query: search, sortKey }, `reading orders (page ${page})`);
          break;
        } catch (err) {
          // Over the limit: learn the node cost and the limit from the refusal, ask for a page that fits.
          if (!(err instanceof QueryCostError) || tries >= 3 || first === 1) throw err;
          if (err.cost > 2 && Number.isFinite(err.cost)) nodeCost = (err.cost - 2) / first;
          if (err.maxCost > 0 && Number.isFinite(err.maxCost)) maxCost = err.maxCost;
          const next = pageSizeFor(maxCost, nodeCost, cap);
          first = next < first ? next : Math.max(1, first >> 1);
        }
      }
      // The cost the shop charged for this page and the size of its bucket set the next page.
      const requested = Number(lastCost?.requestedQueryCost);
      if (requested > 2 && first > 0) nodeCost = (requested - 2) / first;
      const bucketMax = Number(lastCost?.throttleStatus?.maximumAvailable);
      if (bucketMax > 0) maxCost = Math.min(MAX_QUERY_COST, bucketMax);
      const conn = d.orders;
      if (!conn || !Array.isArray(conn.edges)) throw new SourceError('fatal', 'Shopify: the orders answer has no edges', { platform: 'shopify' });
      yield { orders: (conn.edges as Json[]).map((e) => toOrder(e.node, a, exp)), endCursor: conn.pageInfo?.endCursor ?? null };
      if (!conn.pageInfo?.hasNextPage) return;
      after = conn.pageInfo.endCursor;
    }
  }

  return { accountInfo, scopes, orders };
}

function toOrder(n: Json, shop: AccountInfo, exp: number): ShopifyOrder {
  if (!n?.id || !n.createdAt || !n.updatedAt) throw new SourceError('fatal', `Shopify: an order without id or dates (${JSON.stringify(n).slice(0, 120)})`, { platform: 'shopify' });
  const money = (set: Json | undefined, what: string): number => {
    const m = set?.shopMoney;
    if (!m) return 0;
    if (m.currencyCode && String(m.currencyCode).toUpperCase() !== shop.currency) throw new SourceError('fatal', `Shopify: order ${n.name ?? n.id}: ${what} in ${m.currencyCode}, not the shop's ${shop.currency}`, { platform: 'shopify' });
    const p = parseCents(String(m.amount ?? '0'), false, exp);
    if (!p.ok) throw new SourceError('fatal', `Shopify: order ${n.name ?? n.id}: ${what} "${m.amount}" ${p.reason}`, { platform: 'shopify' });
    return p.value;
  };
  const total = money(n.totalPriceSet, 'total price');
  const refunded = money(n.totalRefundedSet, 'refunded amount');
  const visit = n.customerJourneySummary?.lastVisit ?? n.customerJourneySummary?.firstVisit ?? null;
  const utm = (visit?.utmParameters ?? {}) as ShopifyOrder['utm'];
  const cancelled = Boolean(n.cancelledAt);
  return {
    id: String(n.id), name: String(n.name ?? n.id), createdAt: n.createdAt, updatedAt: n.updatedAt,
    date: localDate(shop.timezone, new Date(n.createdAt)),
    test: Boolean(n.test), cancelled,
    revenueCents: n.test || cancelled ? 0 : Math.max(0, total - refunded),
    landingPage: typeof visit?.landingPage === 'string' ? visit.landingPage : null,
    utm: Object.fromEntries(Object.entries(utm).filter(([, v]) => typeof v === 'string' && v)) as ShopifyOrder['utm'],
  };
}
