// What a first-party campaign did over a range of the client's local days: visits
// (clicks on its link or landings with its code), unique visitors (sessions),
// conversions and revenue by last touch (or first touch / linear over the same
// stored touches), conversion rate, average order value, its cost over the range
// (spread evenly over its active days), ROI, cost per visit and per conversion, a
// daily timeline, devices, countries and top products. A parent with
// includeChildren sums itself and its children and lists them.
import type { Db } from '../db/client.ts';
import { addDays, daysBetween, localDate } from '../time.ts';
import { adSpendOf, type AdSpend } from './ad-spend.ts';
import { attribute, type Model } from './attribution.ts';
import { series, sumsByCampaign } from './snapshots.ts';

export interface CampaignRef {
  id: string;
  name: string;
  code: string;
  platform: string;
  parentId: string | null;
  costCents: bigint;
  adEntityId: string | null;
  startsAt: Date | null;
  endsAt: Date | null;
  createdAt: Date;
}

/** The columns a CampaignRef is read with. */
export const CAMPAIGN_REF = { id: true, name: true, code: true, platform: true, parentId: true, costCents: true, adEntityId: true, startsAt: true, endsAt: true, createdAt: true } as const;

export interface Stats {
  visits: number;
  uniqueVisitors: number;
  conversions: number;
  revenueCents: number;
  conversionRate: number | null;
  averageOrderCents: number | null;
  costCents: number;
  roi: number | null;
  costPerVisitCents: number | null;
  costPerConversionCents: number | null;
}

export interface Range { from: string; to: string; timezone: string }

/** Day bounds of the client's local range as instants: [from 00:00, to+1 00:00) in its zone. */
const bounds = (r: Range) => [r.from, addDays(r.to, 1)];
const local = (col: string) => `(${col} AT TIME ZONE $2)::date`;
// The range widened by a day on each side, as instants: lets the (campaign_id, at) index narrow the rows
// before the exact local-day test, whatever the zone's offset. Parameters $6 and $7 are bounds(r).
const NEAR = 'at >= ($6::date - 1) AND at < ($7::date + 1)';
const inRange = (col: string) => `${local(col)} >= $3::date AND ${local(col)} <= $4::date`;

type Costed = Pick<CampaignRef, 'costCents' | 'adEntityId' | 'startsAt' | 'endsAt' | 'createdAt'>;

/**
 * The one rule for a campaign's cost over time, over the client's local days
 * (`timeZone`: a start at midnight in Berlin is that Berlin day, not the UTC day
 * before). Linked to ad spend: the linked entity's spend that day (within its
 * start / end when given). Otherwise its cost spread evenly over its active days
 * (its start, or creation, through its end, or `until` while it runs), with
 * cumulative rounding so the days' cents add up to the cost exactly. The brain's
 * daily rows and every range the analytics ask for are sums of these shares.
 */
export function costOnDay(c: Costed, day: string, until: string, timeZone: string, ad?: AdSpend): number {
  if (c.adEntityId) {
    if ((c.startsAt && day < localDate(timeZone, c.startsAt)) || (c.endsAt && day > localDate(timeZone, c.endsAt))) return 0;
    return ad?.get(c.adEntityId)?.get(day) ?? 0;
  }
  const first = localDate(timeZone, c.startsAt ?? c.createdAt);
  const last = c.endsAt ? localDate(timeZone, c.endsAt) : until;
  const active = daysBetween(first, last) + 1;
  const i = daysBetween(first, day);
  if (active <= 0 || i < 0 || i >= active) return 0;
  const cost = Number(c.costCents);
  return Math.floor(((i + 1) * cost) / active) - Math.floor((i * cost) / active);
}

/** The campaign's cost that falls in the range: the sum of its days' shares. */
export function costInRange(c: Costed, r: Range, ad?: AdSpend): number {
  let sum = 0;
  for (let d = r.from; d <= r.to; d = addDays(d, 1)) sum += costOnDay(c, d, r.to, r.timezone, ad);
  return sum;
}

/** The linked campaigns' ad spend over the range (empty when none is linked). */
export const adSpendIn = (db: Pick<Db, 'sql'>, clientId: string, cs: Costed[], r: Range) => adSpendOf(db.sql, clientId, cs.map((c) => c.adEntityId), r.from, r.to);

export function statsOf(v: { visits: number; unique: number; conversions: number; revenueCents: number; costCents: number }): Stats {
  const { visits, unique, conversions, revenueCents, costCents } = v;
  return {
    visits, uniqueVisitors: unique, conversions, revenueCents,
    conversionRate: visits > 0 ? conversions / visits : null,
    averageOrderCents: conversions > 0 ? Math.round(revenueCents / conversions) : null,
    costCents,
    roi: costCents > 0 ? (revenueCents - costCents) / costCents : null,
    costPerVisitCents: visits > 0 && costCents > 0 ? Math.round(costCents / visits) : null,
    costPerConversionCents: conversions > 0 && costCents > 0 ? Math.round(costCents / conversions) : null,
  };
}

interface Totals { visits: Map<string, number>; unique: Map<string, number>; conversions: Map<string, number>; revenue: Map<string, number> }

/** Visits, unique visitors, conversions and revenue per campaign id, in one pass per table. */
export async function totalsFor(db: Pick<Db, 'sql'>, clientId: string, ids: string[], r: Range, model: Model = 'last_touch'): Promise<Totals> {
  const out: Totals = { visits: new Map(), unique: new Map(), conversions: new Map(), revenue: new Map() };
  if (ids.length === 0) return out;
  const [lo, hi] = bounds(r);
  // Visits, orders and revenue from the hourly snapshots; unique visitors need the raw visits (sessions do not add up).
  const [snap, v] = await Promise.all([
    sumsByCampaign(db.sql, ids, r.from, r.to),
    db.sql.query<{ id: string; unique: number }>(
      `SELECT campaign_id::text AS id, count(DISTINCT session_id)::int AS unique FROM visit
       WHERE client_id = $1::uuid AND campaign_id = ANY($5::uuid[]) AND ${inRange('at')} AND at >= ($6::date - 1) AND at < ($7::date + 1) GROUP BY 1`,
      [clientId, r.timezone, r.from, r.to, ids, lo, hi],
    ),
  ]);
  for (const x of v) out.unique.set(x.id, x.unique);
  for (const [id, x] of snap) out.visits.set(id, x.visits);
  if (model === 'last_touch') {
    for (const [id, x] of snap) {
      out.conversions.set(id, x.conversions);
      out.revenue.set(id, x.revenueCents);
    }
    return out;
  }
  // Another model: every order in the range whose session touched one of these campaigns, credited over its stored touches.
  const orders = await db.sql.query<{ id: string; session_id: string; at: Date; revenue: string; days: number }>(
    `SELECT v.id::text, v.session_id, v.at, v.revenue_cents::text AS revenue, cl.attribution_days AS days FROM conversion v JOIN client cl ON cl.id = v.client_id
     WHERE v.client_id = $1::uuid AND ${inRange('v.at')} AND v.session_id IN (SELECT session_id FROM visit WHERE client_id = $1::uuid AND campaign_id = ANY($5::uuid[]))`,
    [clientId, r.timezone, r.from, r.to, ids],
  );
  const wanted = new Set(ids);
  const sessions = [...new Set(orders.map((o) => o.session_id))];
  const events = sessions.length === 0 ? [] : await db.sql.query<{ id: string; session_id: string; at: Date; campaign_id: string | null }>(
    'SELECT id::text, session_id, at, campaign_id::text FROM visit WHERE client_id = $1::uuid AND session_id = ANY($2::text[])', [clientId, sessions],
  );
  const bySession = new Map<string, { id: string; at: Date; campaignId: string | null }[]>();
  for (const e of events) (bySession.get(e.session_id) ?? bySession.set(e.session_id, []).get(e.session_id)!).push({ id: e.id, at: new Date(e.at), campaignId: e.campaign_id });
  for (const o of orders) {
    for (const credit of attribute(bySession.get(o.session_id) ?? [], new Date(o.at), o.days, model)) {
      if (!wanted.has(credit.campaignId)) continue;
      out.conversions.set(credit.campaignId, (out.conversions.get(credit.campaignId) ?? 0) + credit.share);
      out.revenue.set(credit.campaignId, (out.revenue.get(credit.campaignId) ?? 0) + Math.round(Number(o.revenue) * credit.share));
    }
  }
  return out;
}

const sum = (m: Map<string, number>, ids: string[]) => ids.reduce((n, id) => n + (m.get(id) ?? 0), 0);

/** One campaign (and, with children, its whole subtree) in full: totals, timeline, devices, countries, top products. */
export async function campaignAnalytics(db: Pick<Db, 'sql'>, clientId: string, campaign: CampaignRef, all: CampaignRef[], r: Range, o: { includeChildren: boolean; model: Model; granularity?: 'day' | 'hour' }) {
  const subtree = o.includeChildren ? descendants(campaign.id, all) : [campaign];
  const ids = subtree.map((c) => c.id);
  const [t, ad] = await Promise.all([totalsFor(db, clientId, ids, r, o.model), adSpendIn(db, clientId, subtree, r)]);
  const unique = ids.length === 1 ? sum(t.unique, ids) : await uniqueAcross(db, clientId, ids, r);
  const totals = statsOf({ visits: sum(t.visits, ids), unique, conversions: sum(t.conversions, ids), revenueCents: sum(t.revenue, ids), costCents: subtree.reduce((n, c) => n + costInRange(c, r, ad), 0) });
  const [timeline, devices, countries, products] = await Promise.all([
    timelineOf(db, ids, r, o.granularity ?? 'day'),
    breakdown(db, clientId, ids, r, 'device'),
    breakdown(db, clientId, ids, r, 'country'),
    db.sql.query<{ product: string; name: string | null; quantity: number; revenue: string }>(
      `SELECT li->>'productId' AS product, max(li->>'name') AS name, sum((li->>'quantity')::int)::int AS quantity, sum((li->>'quantity')::bigint * (li->>'priceCents')::bigint)::text AS revenue
       FROM conversion, jsonb_array_elements(coalesce(line_items, '[]'::jsonb)) li
       WHERE client_id = $1::uuid AND campaign_id = ANY($5::uuid[]) AND ${NEAR} AND ${inRange('at')} GROUP BY 1 ORDER BY sum((li->>'quantity')::bigint * (li->>'priceCents')::bigint) DESC LIMIT 10`,
      [clientId, r.timezone, r.from, r.to, ids, ...bounds(r)],
    ),
  ]);
  return {
    campaign: { id: campaign.id, name: campaign.name, code: campaign.code, platform: campaign.platform },
    from: r.from, to: r.to, model: o.model, ...totals,
    timeline,
    devices, countries,
    topProducts: products.map((p) => ({ productId: p.product, name: p.name, quantity: p.quantity, revenueCents: Number(p.revenue) })),
    children: o.includeChildren
      ? subtree.filter((c) => c.id !== campaign.id).map((c) => ({ id: c.id, name: c.name, code: c.code, ...statsOf({ visits: t.visits.get(c.id) ?? 0, unique: t.unique.get(c.id) ?? 0, conversions: t.conversions.get(c.id) ?? 0, revenueCents: t.revenue.get(c.id) ?? 0, costCents: costInRange(c, r, ad) }) }))
      : undefined,
  };
}

export const LEADERBOARD_ORDERS = ['roi', 'revenue', 'conversions', 'conversion_rate'] as const;

/** Every campaign of the client with its numbers, best first by `by`. */
export async function leaderboard(db: Pick<Db, 'sql'>, clientId: string, all: CampaignRef[], r: Range, by: (typeof LEADERBOARD_ORDERS)[number], limit: number, model: Model = 'last_touch') {
  const [t, ad] = await Promise.all([totalsFor(db, clientId, all.map((c) => c.id), r, model), adSpendIn(db, clientId, all, r)]);
  const rows = all.map((c) => ({ id: c.id, name: c.name, code: c.code, platform: c.platform, parentId: c.parentId, linkedToAdSpend: c.adEntityId !== null, ...statsOf({ visits: t.visits.get(c.id) ?? 0, unique: t.unique.get(c.id) ?? 0, conversions: t.conversions.get(c.id) ?? 0, revenueCents: t.revenue.get(c.id) ?? 0, costCents: costInRange(c, r, ad) }) }));
  const key = { roi: (x: Stats) => x.roi, revenue: (x: Stats) => x.revenueCents, conversions: (x: Stats) => x.conversions, conversion_rate: (x: Stats) => x.conversionRate }[by];
  // A campaign without the number (no cost → no ROI) goes last, not first.
  return rows.sort((a, b) => (key(b) ?? -Infinity) - (key(a) ?? -Infinity) || b.revenueCents - a.revenueCents).slice(0, limit);
}

/** Per platform: the sums of its campaigns. */
export function byPlatform(rows: (Stats & { platform: string })[]) {
  const g = new Map<string, { visits: number; unique: number; conversions: number; revenueCents: number; costCents: number }>();
  for (const x of rows) {
    const t = g.get(x.platform) ?? { visits: 0, unique: 0, conversions: 0, revenueCents: 0, costCents: 0 };
    t.visits += x.visits; t.unique += x.uniqueVisitors; t.conversions += x.conversions; t.revenueCents += x.revenueCents; t.costCents += x.costCents;
    g.set(x.platform, t);
  }
  return [...g].map(([platform, t]) => ({ platform, ...statsOf(t) })).sort((a, b) => b.revenueCents - a.revenueCents);
}

export function descendants(id: string, all: CampaignRef[]): CampaignRef[] {
  const kids = new Map<string, CampaignRef[]>();
  for (const c of all) if (c.parentId) (kids.get(c.parentId) ?? kids.set(c.parentId, []).get(c.parentId)!).push(c);
  const out: CampaignRef[] = [];
  const seen = new Set<string>();
  const walk = (x: CampaignRef) => {
    if (seen.has(x.id)) return;
    seen.add(x.id);
    out.push(x);
    for (const k of kids.get(x.id) ?? []) walk(k);
  };
  const root = all.find((c) => c.id === id);
  if (root) walk(root);
  return out;
}

async function uniqueAcross(db: Pick<Db, 'sql'>, clientId: string, ids: string[], r: Range): Promise<number> {
  const [x] = await db.sql.query<{ n: number }>(`SELECT count(DISTINCT session_id)::int AS n FROM visit WHERE client_id = $1::uuid AND campaign_id = ANY($5::uuid[]) AND ${NEAR} AND ${inRange('at')}`, [clientId, r.timezone, r.from, r.to, ids, ...bounds(r)]);
  return x?.n ?? 0;
}

async function breakdown(db: Pick<Db, 'sql'>, clientId: string, ids: string[], r: Range, col: 'device' | 'country') {
  const rows = await db.sql.query<{ k: string | null; visits: number }>(
    `SELECT ${col} AS k, count(*)::int AS visits FROM visit WHERE client_id = $1::uuid AND campaign_id = ANY($5::uuid[]) AND ${NEAR} AND ${inRange('at')} GROUP BY 1 ORDER BY 2 DESC, 1`,
    [clientId, r.timezone, r.from, r.to, ids, ...bounds(r)],
  );
  return rows.map((x) => ({ [col]: x.k ?? 'unknown', visits: x.visits }));
}

/** Per local day (or hour) of the range: visits, conversions (last touch), revenue — from the snapshots, zeros filled in. */
async function timelineOf(db: Pick<Db, 'sql'>, ids: string[], r: Range, unit: 'day' | 'hour') {
  const got = await series(db.sql, ids, r.from, r.to, unit);
  const out: { day?: string; hour?: string; visits: number; conversions: number; revenueCents: number }[] = [];
  for (let d = r.from; d <= r.to; d = addDays(d, 1)) {
    if (unit === 'day') out.push({ day: d, ...(got.get(d) ?? { visits: 0, conversions: 0, revenueCents: 0 }) });
    else for (let h = 0; h < 24; h++) {
      const t = `${d}T${String(h).padStart(2, '0')}:00`;
      out.push({ hour: t, ...(got.get(t) ?? { visits: 0, conversions: 0, revenueCents: 0 }) });
    }
  }
  return out;
}
