// Conversions: counted once per (client, order id) — the unique constraint decides,
// so a retried or concurrent call never counts twice — and given to a campaign by
// last touch over the session's stored visits (src/tracking/attribution.ts). The
// visit that won is marked converted; the customer's acquisition campaign is set
// once. A visit that arrives later with an earlier time (history sent by a server)
// re-attributes the session's conversions after it.
import type { Db } from '../db/client.ts';
import type { Sql } from '../db/sql.ts';
import { attribute, type Model, type SessionEvent } from './attribution.ts';
import { adjustRevenue, moveConversion } from './snapshots.ts';

export interface NewConversion {
  clientId: string;
  orderId: string;
  revenueCents: number;
  currency: string;
  at: Date;
  sessionId?: string | null;
  customerId?: string | null;
  lineItems?: unknown;
  source?: string;
}

export interface ConversionOut {
  id: string;
  orderId: string;
  duplicate: boolean;
  campaignId: string | null;
  revenueCents: number;
  at: string;
}

export async function recordConversion(db: Pick<Db, 'sql'>, c: NewConversion): Promise<ConversionOut> {
  return db.sql.tx(async (sql) => {
    // One statement inserts the order (once per client + order id) and reads what
    // last touch needs — the client's window and the session's events up to then —
    // and one more writes the credit: the whole path is two statements (it runs on
    // every checkout).
    const [ins] = await sql.query<{ id: string; days: number; events: [string, string, string | null][] }>(
      `WITH ins AS (
         INSERT INTO conversion (client_id, order_id, session_id, customer_id, revenue_cents, currency, at, line_items, source)
         VALUES ($1::uuid, $2, $3, $4, $5::bigint, $6, $7::timestamptz, $8::jsonb, $9)
         ON CONFLICT (client_id, order_id) DO NOTHING RETURNING id, at)
       SELECT ins.id::text, cl.attribution_days AS days,
              (SELECT coalesce(json_agg(json_build_array(v.id::text, v.at, v.campaign_id::text)), '[]'::json)
                 FROM visit v WHERE $3::text IS NOT NULL AND v.client_id = $1::uuid AND v.session_id = $3 AND v.at <= ins.at) AS events
         FROM ins JOIN client cl ON cl.id = $1::uuid`,
      [c.clientId, c.orderId, c.sessionId ?? null, c.customerId ?? null, String(c.revenueCents), c.currency, c.at.toISOString(), c.lineItems === undefined ? null : JSON.stringify(c.lineItems), c.source ?? 'api'],
    );
    if (!ins) {
      const [old] = await sql.query<{ id: string; campaign_id: string | null; revenue: string; at: string }>(
        'SELECT id::text, campaign_id::text, revenue_cents::text AS revenue, at AS at FROM conversion WHERE client_id = $1::uuid AND order_id = $2', [c.clientId, c.orderId],
      );
      return { id: old!.id, orderId: c.orderId, duplicate: true, campaignId: old!.campaign_id, revenueCents: Number(old!.revenue), at: new Date(old!.at).toISOString() };
    }
    const events = ins.events.map(([id, at, campaignId]) => ({ id, at: new Date(at), campaignId }));
    const credit = attribute(events, c.at, ins.days, 'last_touch')[0];
    const campaignId = credit?.campaignId ?? null;
    if (campaignId || c.customerId) {
      await sql.query(
        `WITH u AS (UPDATE conversion SET campaign_id = $2::uuid, visit_id = $3::bigint WHERE id = $1::uuid AND $2::uuid IS NOT NULL),
              h AS (INSERT INTO campaign_hour AS h (campaign_id, hour, conversions, revenue_cents)
                    SELECT $2::uuid, date_trunc('hour', $5::timestamptz AT TIME ZONE cl.timezone), 1, $6::bigint FROM client cl WHERE cl.id = $7::uuid AND $2::uuid IS NOT NULL
                    ON CONFLICT (campaign_id, hour) DO UPDATE SET conversions = h.conversions + 1, revenue_cents = h.revenue_cents + excluded.revenue_cents),
              v AS (UPDATE visit SET converted = true WHERE id = $3::bigint),
              cu AS (${CUSTOMER_UPSERT('$7', '$4', '$2', '$5')} )
         SELECT 1`,
        [ins.id, campaignId, credit?.eventId === undefined ? null : String(credit.eventId), c.customerId ?? null, c.at.toISOString(), String(c.revenueCents), c.clientId],
      );
    }
    return { id: ins.id, orderId: c.orderId, duplicate: false, campaignId, revenueCents: c.revenueCents, at: c.at.toISOString() };
  });
}

/**
 * The customer's first order sets their acquisition campaign (an earlier order
 * arriving later, or a first attributed one, replaces it). Parameters: client,
 * customer (nothing happens when null), campaign, order time.
 */
const CUSTOMER_UPSERT = (client: string, customer: string, campaign: string, at: string) =>
  `INSERT INTO track_customer (client_id, customer_id, acquisition_campaign_id, first_order_at)
   SELECT ${client}::uuid, ${customer}::text, ${campaign}::uuid, ${at}::timestamptz WHERE ${customer}::text IS NOT NULL
   ON CONFLICT (client_id, customer_id) DO UPDATE SET
     acquisition_campaign_id = CASE WHEN track_customer.first_order_at > excluded.first_order_at OR track_customer.acquisition_campaign_id IS NULL THEN coalesce(excluded.acquisition_campaign_id, track_customer.acquisition_campaign_id) ELSE track_customer.acquisition_campaign_id END,
     first_order_at = least(track_customer.first_order_at, excluded.first_order_at)`;

/**
 * A recorded order as its source now reports it (the Shopify connector re-reads
 * edited, refunded and cancelled orders): its revenue is replaced, and a cancelled
 * one (revenueCents null) stops counting — the row goes, its campaign's hour gives
 * the order and its revenue back. Answers what changed.
 */
export async function reviseConversion(sql: Sql, clientId: string, orderId: string, revenueCents: number | null): Promise<'revised' | 'removed' | 'unchanged' | 'unknown'> {
  return sql.tx(async (tx) => {
    const [c] = await tx.query<{ id: string; campaign_id: string | null; revenue: string; at: string; visit_id: string | null }>(
      'SELECT id::text, campaign_id::text, revenue_cents::text AS revenue, at, visit_id::text FROM conversion WHERE client_id = $1::uuid AND order_id = $2 FOR UPDATE', [clientId, orderId],
    );
    if (!c) return 'unknown';
    const at = new Date(c.at);
    if (revenueCents === null) {
      await tx.query('DELETE FROM conversion WHERE id = $1::uuid', [c.id]);
      await moveConversion(tx, { from: c.campaign_id, to: null, at, revenueCents: c.revenue, clientId });
      if (c.visit_id) await tx.query('UPDATE visit SET converted = EXISTS (SELECT 1 FROM conversion WHERE visit_id = $1::bigint) WHERE id = $1::bigint', [c.visit_id]);
      return 'removed';
    }
    const delta = revenueCents - Number(c.revenue);
    if (delta === 0) return 'unchanged';
    await tx.query('UPDATE conversion SET revenue_cents = $2::bigint WHERE id = $1::uuid', [c.id, String(revenueCents)]);
    if (c.campaign_id) await adjustRevenue(tx, { campaignId: c.campaign_id, at, deltaCents: delta, clientId });
    return 'revised';
  });
}

/** The session's events up to `at`, as attribution reads them. */
export async function sessionEvents(sql: Sql, clientId: string, sessionId: string, at: Date): Promise<SessionEvent[]> {
  const rows = await sql.query<{ id: string; at: string; campaign_id: string | null }>(
    'SELECT id::text, at, campaign_id::text FROM visit WHERE client_id = $1::uuid AND session_id = $2 AND at <= $3::timestamptz',
    [clientId, sessionId, at.toISOString()],
  );
  return rows.map((r) => ({ id: r.id, at: new Date(r.at), campaignId: r.campaign_id }));
}

/** (Re)attributes one conversion by last touch; answers its campaign. */
export async function attributeConversion(sql: Sql, conversionId: string): Promise<string | null> {
  const [c] = await sql.query<{ client_id: string; session_id: string | null; customer_id: string | null; at: string; days: number; visit_id: string | null; campaign_id: string | null; revenue: string }>(
    `SELECT v.client_id::text, v.session_id, v.customer_id, v.at, cl.attribution_days AS days, v.visit_id::text, v.campaign_id::text, v.revenue_cents::text AS revenue
     FROM conversion v JOIN client cl ON cl.id = v.client_id WHERE v.id = $1::uuid FOR UPDATE OF v`, [conversionId],
  );
  if (!c) return null;
  const at = new Date(c.at);
  const credit = c.session_id ? attribute(await sessionEvents(sql, c.client_id, c.session_id, at), at, c.days, 'last_touch')[0] : undefined;
  const campaignId = credit?.campaignId ?? null;
  const visitId = credit?.eventId === undefined ? null : String(credit.eventId);
  await sql.query('UPDATE conversion SET campaign_id = $2::uuid, visit_id = $3::bigint WHERE id = $1::uuid', [conversionId, campaignId, visitId]);
  await moveConversion(sql, { from: c.campaign_id, to: campaignId, at, revenueCents: c.revenue, clientId: c.client_id });
  if (c.visit_id && c.visit_id !== visitId) {
    await sql.query('UPDATE visit SET converted = EXISTS (SELECT 1 FROM conversion WHERE visit_id = $1::bigint) WHERE id = $1::bigint', [c.visit_id]);
  }
  if (visitId) await sql.query('UPDATE visit SET converted = true WHERE id = $1::bigint', [visitId]);
  if (c.customer_id) await sql.query(CUSTOMER_UPSERT('$1', '$2', '$3', '$4'), [c.client_id, c.customer_id, campaignId, at.toISOString()]);
  return campaignId;
}

/** After visits with their own (past) times: the session's conversions from the earliest of them on are attributed again. */
export async function reattributeSessions(db: Pick<Db, 'sql'>, clientId: string, sessions: Map<string, Date>): Promise<number> {
  let n = 0;
  for (const [sessionId, from] of sessions) {
    await db.sql.tx(async (sql) => {
      const rows = await sql.query<{ id: string }>('SELECT id::text FROM conversion WHERE client_id = $1::uuid AND session_id = $2 AND at >= $3::timestamptz ORDER BY at', [clientId, sessionId, from.toISOString()]);
      for (const r of rows) {
        await attributeConversion(sql, r.id);
        n++;
      }
    });
  }
  return n;
}

/** Credits of one conversion under another model, over the same stored touches (analytics' model=…). */
export async function creditsOf(db: Pick<Db, 'sql'>, conversionId: string, model: Model) {
  const [c] = await db.sql.query<{ client_id: string; session_id: string | null; at: string; days: number }>(
    'SELECT v.client_id::text, v.session_id, v.at, cl.attribution_days AS days FROM conversion v JOIN client cl ON cl.id = v.client_id WHERE v.id = $1::uuid', [conversionId],
  );
  if (!c?.session_id) return [];
  const at = new Date(c.at);
  return attribute(await sessionEvents(db.sql, c.client_id, c.session_id, at), at, c.days, model);
}
