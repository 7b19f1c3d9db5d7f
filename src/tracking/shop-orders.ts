// Orders from the Shopify connector join first-party attribution when they carry a
// trace of it: the session id our tracking link appended to the landing page
// (?adb_sid=…) goes through the same path as a checkout's POST /v1/track/conversion
// (last touch over that session's visits); without one, a landing page whose
// utm_campaign is one of the client's campaign codes gives the order to that
// campaign. Counted once per order id like every conversion (`shopify:<id>`); when
// the store reports the order again after a refund, an edit or a cancellation, the
// recorded conversion follows (its revenue replaced, a cancelled one removed).
import type { Sql } from '../db/sql.ts';
import { recordConversion, reviseConversion } from './conversions.ts';
import { moveConversion } from './snapshots.ts';

export interface ShopOrderTrace {
  id: string;
  createdAt: string;
  revenueCents: number;
  counted: boolean;
  landingPage: string | null;
  utm: { campaign?: string };
}

const SID = /^[A-Za-z0-9_-]{16,64}$/;

/** Answers how many orders were recorded as conversions. */
export async function recordShopOrders(sql: Sql, clientId: string, currency: string, orders: ShopOrderTrace[]): Promise<number> {
  const codes = new Map((await sql.query<{ id: string; code: string }>('SELECT id::text, code FROM tracking_campaign WHERE client_id = $1::uuid', [clientId])).map((r) => [r.code, r.id]));
  if (codes.size === 0) return 0;
  let n = 0;
  // Cancelled and test orders: only those recorded before need a revision (one read for the page).
  const uncounted = orders.filter((o) => !o.counted).map((o) => `shopify:${o.id}`);
  const recorded = uncounted.length === 0 ? [] : await sql.query<{ order_id: string }>(
    'SELECT order_id FROM conversion WHERE client_id = $1::uuid AND order_id = ANY($2::text[])', [clientId, uncounted],
  );
  for (const r of recorded) await reviseConversion(sql, clientId, r.order_id, null);
  for (const o of orders) {
    if (!o.counted) continue;
    const sid = sessionOf(o.landingPage);
    const code = o.utm.campaign ?? campaignOf(o.landingPage);
    const campaignId = code ? codes.get(code) : undefined;
    if (!sid && !campaignId) continue;
    const r = await recordConversion({ sql }, { clientId, orderId: `shopify:${o.id}`, revenueCents: o.revenueCents, currency, at: new Date(o.createdAt), sessionId: sid, source: 'shopify' });
    if (r.duplicate) {
      if (r.revenueCents !== o.revenueCents) await reviseConversion(sql, clientId, `shopify:${o.id}`, o.revenueCents);
      continue;
    }
    n++;
    if (!r.campaignId && campaignId) {
      await sql.query('UPDATE conversion SET campaign_id = $2::uuid WHERE id = $1::uuid', [r.id, campaignId]);
      await moveConversion(sql, { from: null, to: campaignId, at: new Date(o.createdAt), revenueCents: String(o.revenueCents), clientId });
    }
  }
  return n;
}

function param(url: string | null, name: string): string | null {
  if (!url) return null;
  try {
    return new URL(url, 'https://shop.invalid').searchParams.get(name);
  } catch {
    return null;
  }
}
const sessionOf = (landing: string | null) => {
  const v = param(landing, 'adb_sid');
  return v && SID.test(v) ? v : null;
};
const campaignOf = (landing: string | null) => param(landing, 'utm_campaign');
