// How tool results state numbers: the way the reports print them, so an agent
// quotes them as written and the grounding guard reads them back the same way.
import { formatMoney } from '../domain/currency.ts';
import type { Kpis } from '../reports/kpis.ts';

export const amount = (minor: number | null | undefined, currency: string) => (minor === null || minor === undefined ? null : formatMoney(Math.round(minor), currency));
export const percent = (x: number | null | undefined, digits = 1) => (x === null || x === undefined || !Number.isFinite(x) ? null : `${(x * 100).toFixed(digits)}%`);
export const times = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? null : `${x.toFixed(2)}×`);
export const num = (x: number | null | undefined, digits = 2) => (x === null || x === undefined || !Number.isFinite(x) ? null : Number(x.toFixed(digits)));

/** The KPIs of a row as an agent reads them (unknown stays null: never a 0). */
export function kpiView(k: Kpis & { clicks?: number | null; impressions?: number | null }, currency: string) {
  return {
    spend: amount(k.spendCents, currency),
    revenue: amount(k.revenueCents, currency),
    profit: amount(k.profitCents, currency),
    roas: times(k.roas),
    roi: percent(k.roi),
    conversions: num(k.conversions),
    cpa: amount(k.cpaCents, currency),
    ...(k.clicks !== undefined ? { clicks: k.clicks } : {}),
    ...(k.impressions !== undefined ? { impressions: k.impressions } : {}),
    ...(k.clicks !== undefined && k.impressions ? { ctr: percent((k.clicks ?? 0) / k.impressions, 2) } : {}),
    ...(k.unreportedRevenueSpendCents > 0 ? { spendWithoutRevenue: amount(k.unreportedRevenueSpendCents, currency) } : {}),
  };
}

/** An opaque offset cursor tied to the tool that issued it. */
export const cursorOf = (tool: string, offset: number) => Buffer.from(JSON.stringify([tool, offset])).toString('base64url');
export function offsetOf(tool: string, cursor: string | undefined): number | string {
  if (!cursor) return 0;
  try {
    const [t, o] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as [unknown, unknown];
    if (t === tool && Number.isInteger(o) && (o as number) >= 0) return o as number;
  } catch {
    // falls through to the error
  }
  return 'cursor is not one this tool returned';
}
