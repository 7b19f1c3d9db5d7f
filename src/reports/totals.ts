// The client's totals — what the daily report's KPIs, the API's days and the spend
// export add up — from the same rows by one rule, so no output counts an order twice:
// - a mirrored first-party campaign repeats an ad's spend and pixel orders: skipped;
// - with a store connected (Shopify), the day's orders and revenue are the store's
//   own account rows (attributed or not, each order once); the ad platforms bring
//   their spend only (judged against the store's revenue as if reported), so
//   neither an attributed order on its ad link nor a pixel's claim adds again.
import { countsInTotals } from '../domain/entities.ts';

export interface TotalsEntity {
  platform: string;
  kind: string;
  attributes?: unknown;
}

export interface Contribution {
  spendCents: number;
  revenueCents: number | null;
  conversions: number | null;
}

/** Whether a client's totals are the store's (it has a Shopify connection's entities). */
export const storeTotals = (entities: Iterable<TotalsEntity>): boolean => {
  for (const e of entities) if (e.platform === 'shopify') return true;
  return false;
};

/** What one daily row adds to the client's totals, or null when it adds nothing. */
export function contributionOf(e: TotalsEntity | undefined, r: Contribution, usesStore: boolean): Contribution | null {
  if (!e || !countsInTotals(e)) return null;
  if (!usesStore) return { spendCents: r.spendCents, revenueCents: r.revenueCents, conversions: r.conversions };
  if (e.platform === 'shopify') return e.kind === 'account' ? { spendCents: r.spendCents, revenueCents: r.revenueCents, conversions: r.conversions } : null;
  return { spendCents: r.spendCents, revenueCents: 0, conversions: 0 };
}
