// The revenue sources of bench:sync: a RedTrack account with `conversions`
// conversions over `links` tracking links, and a Shopify shop with `orders`
// orders, spread over `days` days. Deterministic, so the fake's process and the
// measuring process agree.
import { addDays } from '../src/time.ts';
import type { FakeRedTrackConversion, FakeRedTrackRow } from '../test/fakes/redtrack-server.ts';
import type { FakeShopifyOrder } from '../test/fakes/shopify-server.ts';

export const REVENUE_LAST = '2026-11-20';
export const REVENUE_TZ = 'America/New_York';

export function benchDays(dayCount: number): string[] {
  return Array.from({ length: dayCount }, (_, i) => addDays(REVENUE_LAST, i - (dayCount - 1)));
}

/** Noon in New York of a day, plus `s` seconds, as RedTrack and Shopify write times (UTC). */
const at = (day: string, s: number) => new Date(Date.parse(`${day}T17:00:00Z`) + s * 1000).toISOString();

export function redtrackAccount(conversions: number, links: number, dayCount: number): { report: FakeRedTrackRow[]; conversions: FakeRedTrackConversion[] } {
  const days = benchDays(dayCount);
  const report: FakeRedTrackRow[] = [];
  for (const date of days) for (let l = 0; l < links; l++) report.push({ date, sub9: `lnk${l}`, sub1: `SC${l % 30}`, sub20: 'tiktok', campaign: `Offer ${l % 40}`, campaign_id: `c${l % 40}`, clicks: 20 + (l % 17), cost: 4.2 });
  const perDay = Math.ceil(conversions / dayCount);
  const conv: FakeRedTrackConversion[] = [];
  for (let i = 0; i < conversions; i++) {
    const l = (i * 7919) % links;
    conv.push({ clickid: `ck${i}`, type: i % 11 === 0 ? 'upsell' : 'sale', status: i % 20 === 0 ? 'DECLINED' : i % 9 === 0 ? 'PENDING' : 'APPROVED', payout: 12 + (i % 5), created_at: at(days[Math.min(dayCount - 1, Math.floor(i / perDay))]!, i % 3600), sub9: `lnk${l}`, sub20: 'tiktok', campaign: `Offer ${l % 40}`, campaign_id: `c${l % 40}` });
  }
  return { report, conversions: conv };
}

export function shopifyShop(orders: number, dayCount: number): FakeShopifyOrder[] {
  const days = benchDays(dayCount);
  const perDay = Math.ceil(orders / dayCount);
  const out: FakeShopifyOrder[] = [];
  for (let i = 0; i < orders; i++) {
    const t = at(days[Math.min(dayCount - 1, Math.floor(i / perDay))]!, i % 20_000);
    out.push({
      id: `gid://shopify/Order/${5_000_000 + i}`, name: `#${5_000_000 + i}`, createdAt: t, updatedAt: t, total: (20 + (i % 80)).toFixed(2),
      test: i % 200 === 0, cancelledAt: i % 97 === 0 ? t : null, refunded: i % 13 === 0 ? '5.00' : '0.00',
      ...(i % 2 === 0 ? { landingPage: `/products/p${i % 500}?utm_source=tiktok`, utm: { source: 'tiktok', content: `lnk${i % 2000}` } } : {}),
    });
  }
  return out;
}
