// A Shopify connection's sync: orders by update time after the cursor (a first
// sync reads the settling window; a backfill reads orders created on the days
// asked), each page stored as revenue_event rows keyed by order id — an edit, a
// refund or a cancellation re-arriving replaces its order — and the days those
// orders belong to summed again into daily_metric, in the same transaction as the
// cursor. Two kinds of rows:
// - the store account, per day: every order that counts (the shop's own truth;
//   the report's totals use it when a store is connected);
// - a link, per day: the orders attributed to an ad link (src/db/revenue-join.ts
//   puts them on it).
// An order is attributed to an ad link when its landing page or UTM parameters name
// one: the landing page's sub9, utm_content / utm_term (a link slug or an ad id with
// one link), the landing page's own slug, or utm_campaign naming a campaign with
// one link. Anything else counts for the store only.
import { recordShopOrders } from '../tracking/shop-orders.ts';
import type { Db } from '../db/client.ts';
import { dropRowsNotIn, writeBatch } from '../db/metrics-write.ts';
import type { Sql } from '../db/sql.ts';
import { linkSlug, trafficPlatform } from '../domain/links.ts';
import { addEntity, entityKey, newBatch } from '../ingest/batch.ts';
import { addDays, localDate, startOfLocalDay } from '../time.ts';
import type { ShopifyOrder, shopifyClient } from './shopify.ts';
import type { AccountInfo, DayRange } from './types.ts';

/** Without read_all_orders Shopify serves only the last 60 days of orders. */
export const SHOPIFY_RECENT_DAYS = 60;
/** Orders per committed batch (pages of 250). */
const COMMIT_ORDERS = 1000;
/** Re-read this far behind the cursor: orders updated in the cursor's own second. */
const OVERLAP_MS = 60_000;

export interface OrdersCursor {
  /** updatedAt of the last committed order (ISO). */
  updatedAt?: string;
}

export interface OrdersResult {
  range: DayRange;
  rowsFetched: number;
  inserted: number;
  updated: number;
  unchanged: number;
  /** Said, not silent: what could not be read (history beyond 60 days without read_all_orders). */
  warning?: string;
  cursor: OrdersCursor;
}

type Client = ReturnType<typeof shopifyClient>;

/** What ad links an order can name: slugs, and the slugs under each ad id and campaign. */
async function knownLinks(sql: Sql, clientId: string) {
  const rows = await sql.query<{ slug: string; kind: string; ext: string; name: string }>(
    `WITH RECURSIVE up AS (
       SELECT l.attributes->>'slug' AS slug, l.parent_id AS id FROM entity l
        WHERE l.client_id = $1::uuid AND l.kind = 'link' AND l.platform NOT IN ('redtrack', 'shopify') AND l.attributes ? 'slug'
       UNION
       SELECT up.slug, e.parent_id FROM up JOIN entity e ON e.id = up.id)
     SELECT up.slug, e.kind::text AS kind, e.external_id AS ext, lower(e.name) AS name FROM up JOIN entity e ON e.id = up.id
     UNION
     SELECT l.attributes->>'slug', 'link', '', '' FROM entity l
      WHERE l.client_id = $1::uuid AND l.kind = 'link' AND l.platform NOT IN ('redtrack', 'shopify') AND l.attributes ? 'slug'`,
    [clientId],
  );
  const slugs = new Set<string>();
  const under = new Map<string, Set<string>>();
  const put = (k: string, slug: string) => (under.get(k) ?? under.set(k, new Set()).get(k)!).add(slug);
  for (const r of rows) {
    slugs.add(r.slug);
    if (r.kind === 'ad') put(`ad:${r.ext}`, r.slug);
    if (r.kind === 'campaign') {
      put(`campaign:${r.ext}`, r.slug);
      put(`campaign:${r.name}`, r.slug);
    }
  }
  const one = (k: string) => {
    const s = under.get(k);
    return s && s.size === 1 ? [...s][0]! : null;
  };
  return {
    attribute(o: ShopifyOrder): string | null {
      const landing = o.landingPage ? absolute(o.landingPage) : null;
      const sub9 = landing ? new URL(landing).searchParams.get('sub9')?.toLowerCase() : undefined;
      if (sub9 && slugs.has(sub9)) return sub9;
      for (const v of [o.utm.content, o.utm.term]) {
        if (!v) continue;
        const s = v.trim().toLowerCase();
        if (slugs.has(s)) return s;
        const viaAd = one(`ad:${v.trim()}`);
        if (viaAd) return viaAd;
      }
      const path = landing ? linkSlug(landing) : null;
      if (path && slugs.has(path)) return path;
      const c = o.utm.campaign?.trim();
      return c ? (one(`campaign:${c}`) ?? one(`campaign:${c.toLowerCase()}`)) : null;
    },
  };
}

const absolute = (u: string) => {
  try {
    return new URL(u, 'https://shop.invalid').toString();
  } catch {
    return null;
  }
};

export async function syncOrders(
  db: Db,
  conn: { id: string; clientId: string; cursor: unknown; settings: { settleDays?: number } },
  shop: Client,
  info: AccountInfo,
  opts: { now: Date; range?: DayRange; syncRunId: string },
): Promise<OrdersResult> {
  const cursor = (conn.cursor ?? {}) as OrdersCursor;
  const today = localDate(info.timezone, opts.now);
  const tz = info.timezone;
  let warning: string | undefined;
  const oldest = addDays(today, -SHOPIFY_RECENT_DAYS);
  const clamp = async (from: string) => {
    if (from >= oldest || (await shop.scopes()).includes('read_all_orders')) return from;
    warning = `Shopify serves only the last ${SHOPIFY_RECENT_DAYS} days of orders without the read_all_orders scope: orders before ${oldest} were not read. Grant read_all_orders to the app (a custom app: Configuration → Admin API scopes; Shopify asks a public app to request it) and sync again.`;
    return oldest;
  };
  let search: string;
  let sortKey: 'UPDATED_AT' | 'CREATED_AT' = 'UPDATED_AT';
  let firstDay: string;
  if (opts.range) {
    const from = await clamp(opts.range.from);
    const to = opts.range.to > today ? today : opts.range.to;
    search = `created_at:>='${startOfLocalDay(tz, from).toISOString()}' created_at:<'${startOfLocalDay(tz, addDays(to, 1)).toISOString()}'`;
    sortKey = 'CREATED_AT';
    firstDay = from;
  } else if (cursor.updatedAt) {
    search = `updated_at:>='${new Date(Date.parse(cursor.updatedAt) - OVERLAP_MS).toISOString()}'`;
    firstDay = today;
  } else {
    // The first read: 60 days (or the connection's own window when longer).
    const from = await clamp(addDays(today, -Math.max(conn.settings.settleDays ?? 0, SHOPIFY_RECENT_DAYS)));
    search = `updated_at:>='${startOfLocalDay(tz, from).toISOString()}'`;
    firstDay = from;
  }
  const links = await knownLinks(db.sql, conn.clientId);
  const accountKey = entityKey('shopify', 'account', info.id);
  const entityCache = new Map<string, { id: string; sig: string }>();
  const out: OrdersResult = { range: { from: firstDay, to: today }, rowsFetched: 0, inserted: 0, updated: 0, unchanged: 0, warning, cursor: { ...cursor } };
  let pending: ShopifyOrder[] = [];
  const commit = async () => {
    if (!pending.length) return;
    const orders = pending;
    pending = [];
    const batch = newBatch();
    addEntity(batch, { platform: 'shopify', kind: 'account', externalId: info.id, name: info.name });
    const slugOf = new Map<string, string | null>();
    for (const o of orders) {
      const slug = links.attribute(o);
      slugOf.set(o.id, slug);
      if (slug) addEntity(batch, { platform: 'shopify', kind: 'link', externalId: slug, name: slug, parentKey: accountKey, attributes: { slug, ...(trafficPlatform(o.utm.source) && { trafficSource: trafficPlatform(o.utm.source)! }) } });
    }
    const w = await db.sql.tx(async (sql) => {
      await writeBatch(sql, batch, { clientId: conn.clientId, source: 'shopify-api', syncRunId: opts.syncRunId, entityCache });
      const idOf = (slug: string | null) => (slug ? entityCache.get(entityKey('shopify', 'link', slug))!.id : null);
      // The newest answer for an order wins, also within one batch.
      const latest = new Map(orders.map((o) => [o.id, o]));
      const list = [...latest.values()];
      await sql.query(
        `INSERT INTO revenue_event AS r (connection_id, external_id, client_id, entity_id, date, conversions, revenue_cents, status, updated_at)
         SELECT $1::uuid, x, $2::uuid, e, d, c, v, s, u
           FROM unnest($3::text[], $4::uuid[], $5::date[], $6::int4[], $7::int8[], $8::text[], $9::timestamptz[]) AS t(x, e, d, c, v, s, u)
         ON CONFLICT (connection_id, external_id) DO UPDATE SET
           entity_id = EXCLUDED.entity_id, date = EXCLUDED.date, conversions = EXCLUDED.conversions,
           revenue_cents = EXCLUDED.revenue_cents, status = EXCLUDED.status, updated_at = EXCLUDED.updated_at
         WHERE r.updated_at <= EXCLUDED.updated_at`,
        [
          conn.id, conn.clientId, list.map((o) => o.id), list.map((o) => idOf(slugOf.get(o.id) ?? null)), list.map((o) => o.date),
          list.map((o) => (o.test || o.cancelled ? 0 : 1)), list.map((o) => o.revenueCents),
          list.map((o) => (o.test ? 'test' : o.cancelled ? 'cancelled' : 'counted')), list.map((o) => o.updatedAt),
        ],
      );
      // Orders that came through a tracking link join first-party attribution (once per order id).
      await recordShopOrders(sql, conn.clientId, info.currency, list.map((o) => ({ id: o.id, createdAt: o.createdAt, revenueCents: o.revenueCents, counted: !o.test && !o.cancelled, landingPage: o.landingPage, utm: o.utm })));
      const days = [...new Set(list.map((o) => o.date))];
      const res = await resumDays(sql, conn.id, conn.clientId, entityCache.get(accountKey)!.id, days, opts.syncRunId);
      const last = list.reduce((a, o) => (o.updatedAt > a ? o.updatedAt : a), cursor.updatedAt ?? '');
      // A backfill reads by creation: the update cursor stays where the incremental reads left it.
      if (!opts.range) out.cursor = { updatedAt: last };
      await sql.query(`UPDATE connection SET cursor = $2::jsonb WHERE id = $1::uuid`, [conn.id, JSON.stringify({ ...((conn.cursor ?? {}) as object), ...out.cursor, pausedUntil: undefined })]);
      await sql.query(`UPDATE sync_run SET rows_fetched = rows_fetched + $2, rows_upserted = rows_upserted + $3 WHERE id = $1::uuid`, [opts.syncRunId, orders.length, res.inserted + res.updated]);
      for (const d of days) if (d < out.range.from) out.range.from = d;
      return res;
    });
    out.rowsFetched += orders.length;
    out.inserted += w.inserted;
    out.updated += w.updated;
    out.unchanged += w.unchanged;
  };
  // The next page downloads while a batch commits; the cursor moves only after each commit.
  const pages = shop.orders(search, sortKey)[Symbol.asyncIterator]();
  let next = pages.next();
  for (;;) {
    const page = await next;
    if (page.done) break;
    next = pages.next();
    // A failure of the prefetch surfaces when it is awaited; a failed commit ends the sync first.
    next.catch(() => {});
    pending.push(...page.value.orders);
    if (pending.length >= COMMIT_ORDERS) await commit();
  }
  await commit();
  return out;
}

/** Sums the connection's orders on `days` into daily_metric (store per day, link per day); link days left without orders go. */
async function resumDays(sql: Sql, connectionId: string, clientId: string, accountId: string, days: string[], syncRunId: string) {
  const [sums, totals] = await Promise.all([
    sql.query<{ id: string; date: string; conv: number; rev: number }>(
      `SELECT entity_id::text AS id, date::text, sum(conversions)::float8 AS conv, sum(revenue_cents)::float8 AS rev
         FROM revenue_event WHERE connection_id = $1::uuid AND date = ANY($2::date[]) AND entity_id IS NOT NULL
        GROUP BY entity_id, date`,
      [connectionId, days],
    ),
    sql.query<{ id: string; date: string; conv: number; rev: number }>(
      `SELECT $3::text AS id, date::text, sum(conversions)::float8 AS conv, sum(revenue_cents)::float8 AS rev
         FROM revenue_event WHERE connection_id = $1::uuid AND date = ANY($2::date[]) GROUP BY date`,
      [connectionId, days, accountId],
    ),
  ]);
  const rows = [...sums, ...totals];
  const [r] = await sql.query<{ inserted: number; updated: number }>(
    `WITH up AS (
       INSERT INTO daily_metric AS d (entity_id, date, source, spend_cents, conversions, revenue_cents, sync_run_id)
       SELECT e, dt, 'shopify-api', 0, c, v, $5::uuid FROM unnest($1::uuid[], $2::date[], $3::numeric[], $4::int8[]) AS t(e, dt, c, v)
       ON CONFLICT (entity_id, date, source) DO UPDATE SET
         conversions = EXCLUDED.conversions, revenue_cents = EXCLUDED.revenue_cents, sync_run_id = EXCLUDED.sync_run_id, updated_at = now()
       WHERE (d.conversions, d.revenue_cents) IS DISTINCT FROM (EXCLUDED.conversions, EXCLUDED.revenue_cents)
       RETURNING (xmax = 0) AS ins)
     SELECT (count(*) FILTER (WHERE ins))::int AS inserted, (count(*) FILTER (WHERE NOT ins))::int AS updated FROM up`,
    [rows.map((x) => x.id), rows.map((x) => x.date), rows.map((x) => x.conv), rows.map((x) => x.rev), syncRunId],
  );
  // A link day whose orders all moved away (another attribution) keeps no stale numbers.
  const gone = await dropRowsNotIn(sql, clientId, 'shopify-api', days, rows.map((x) => [x.id, x.date]));
  const updated = r!.updated + gone;
  return { inserted: r!.inserted, updated, unchanged: rows.length - r!.inserted - r!.updated };
}
