// Burning and winning entities: ROI over the evaluation window against the
// client's thresholds (defaults: burning = ROI < −50 % with spend > $50,
// winner = ROI > 200 % with revenue > $100). Judged on the entities that carry
// their own numbers (links for affiliates, ads or campaigns otherwise).
import { round } from '../memory.ts';
import { sumRange, type EntitySeries, type SeriesSet } from '../series.ts';
import type { BrainSettings, EntityRef, Finding, Severity } from '../types.ts';

export const EVALUATION_DAYS = 7;

export const refOf = (e: EntitySeries): EntityRef => ({
  id: e.entity.id,
  kind: e.entity.kind,
  externalId: e.entity.externalId,
  name: e.entity.name,
  platform: e.entity.platform,
});

export function windowTotals(e: EntitySeries, from: number, to: number) {
  const spend = sumRange(e.spendCents, from, to);
  const revenue = sumRange(e.revenueCents, from, to);
  return { spend, revenue, conversions: sumRange(e.conversions, from, to), roi: spend > 0 ? (revenue - spend) / spend : null };
}

export function detectPerformance(s: SeriesSet, settings: BrainSettings, days = EVALUATION_DAYS): Finding[] {
  const out: Finding[] = [];
  const end = s.length - 1;
  const from = end - days + 1;
  for (const e of s.byId.values()) {
    if (!e.leaf || e.entity.status === 'killed' || e.launch < 0 || e.launch > end) continue;
    // Spend-free sources (a Shopify store) have no ROI to judge.
    if (e.entity.platform === 'shopify') continue;
    const t = windowTotals(e, from, end);
    if (t.roi === null) continue;
    const facts = {
      windowDays: days,
      spendCents: Math.round(t.spend),
      revenueCents: Math.round(t.revenue),
      profitCents: Math.round(t.revenue - t.spend),
      conversions: round(t.conversions, 2),
      roi: round(t.roi, 4),
    };
    if (t.roi < settings.burnRoiBelow && t.spend > settings.burnMinSpendCents) {
      const since = sinceWhen(e, s, (x) => x.roi !== null && x.roi < settings.burnRoiBelow);
      const severity: Severity = t.roi < -0.85 || t.spend - t.revenue > 50_000 ? 'critical' : t.roi < -0.7 ? 'high' : 'medium';
      out.push({
        type: 'burning',
        entity: refOf(e),
        severity,
        // Continuing at this rate loses the window's loss again next week.
        impactCents: Math.round(((t.spend - t.revenue) * 7) / days),
        confidence: confidence(t.spend, settings.burnMinSpendCents),
        since,
        title: `${e.entity.name} is burning money: ROI ${Math.round(t.roi * 100)}% on ${days}-day spend`,
        facts,
      });
    } else if (t.roi > settings.winRoiAbove && t.revenue > settings.winMinRevenueCents) {
      const since = sinceWhen(e, s, (x) => x.roi !== null && x.roi > settings.winRoiAbove);
      out.push({
        type: 'winner',
        entity: refOf(e),
        severity: t.roi > 2 * settings.winRoiAbove ? 'high' : 'medium',
        // A 20 % budget raise at a conservatively halved marginal ROI.
        impactCents: Math.round(((t.spend * 0.2 * t.roi * 0.5) * 7) / days),
        confidence: confidence(t.revenue, settings.winMinRevenueCents),
        since,
        title: `${e.entity.name} is a winner: ROI ${Math.round(t.roi * 100)}% over ${days} days`,
        facts,
      });
    }
  }
  return out;
}

/** More money observed above the threshold = more confidence, saturating. */
function confidence(amount: number, threshold: number): number {
  return round(Math.min(0.97, 1 - Math.exp(-amount / Math.max(1, threshold * 2))), 3);
}

/**
 * The day the condition began: the end of the first 7-day window in the current
 * run that met it, walked back over the days that, on their own, met it too.
 */
function sinceWhen(e: EntitySeries, s: SeriesSet, holds: (t: ReturnType<typeof windowTotals>) => boolean): string {
  const end = s.length - 1;
  let start = end;
  for (let i = end - 1; i >= Math.max(e.launch, 6); i--) {
    if (!holds(windowTotals(e, i - 6, i))) break;
    start = i;
  }
  let since = start;
  for (let i = start; i >= Math.max(e.launch, start - 6); i--) {
    if (!holds(windowTotals(e, i, i))) break;
    since = i;
  }
  return s.dayOf(since);
}
