// Burning and winning entities: ROI over the evaluation window against the
// client's thresholds (defaults: burning = ROI < −50 % with spend > $50,
// winner = ROI > 200 % with revenue > $100). Judged on the entities that carry
// their own numbers (links for affiliates, ads or campaigns otherwise).
import { round } from '../memory.ts';
import { type EntitySeries, type SeriesSet } from '../series.ts';
import type { BrainSettings, EntityRef, Finding, Severity } from '../types.ts';
import { money } from '../../reports/format.ts';
import { addReported, emptyTotals, judge, objectiveOf, REVENUE, type KnownTotals, type Objective } from '../objective.ts';

export const EVALUATION_DAYS = 7;

export const refOf = (e: EntitySeries): EntityRef => ({
  id: e.entity.id,
  kind: e.entity.kind,
  externalId: e.entity.externalId,
  name: e.entity.name,
  platform: e.entity.platform,
});

/**
 * Window sums; days whose revenue (conversions) were not reported are left out
 * of revenue (conversions) and of the spend they are judged against.
 */
export function windowTotals(e: EntitySeries, from: number, to: number): KnownTotals & { roi: number | null } {
  const t = emptyTotals();
  for (let i = Math.max(0, from); i <= to && i < e.spendCents.length; i++) addReported(t, e.spendCents[i]!, e.revenueCents[i]!, e.conversions[i]!);
  return { ...t, roi: t.revenueSpend > 0 ? (t.revenue - t.revenueSpend) / t.revenueSpend : null };
}

/** The objective an entity is judged by (its campaign's override, else the client's). */
export function objectiveFor(e: EntitySeries, s: SeriesSet, settings: BrainSettings): Objective {
  return objectiveOf(e.entity.id, (id) => s.byId.get(id)?.entity.parentId, settings.objective ?? REVENUE, settings.campaignObjectives ?? {});
}

export function detectPerformance(s: SeriesSet, settings: BrainSettings, days = EVALUATION_DAYS): Finding[] {
  const out: Finding[] = [];
  const end = s.length - 1;
  const from = end - days + 1;
  const cur = (c: number) => money(Math.round(c), settings.currency);
  for (const e of s.byId.values()) {
    if (!e.leaf || e.entity.status === 'killed' || e.launch < 0 || e.launch > end) continue;
    // Spend-free sources (a Shopify store) have no ROI to judge.
    if (e.entity.platform === 'shopify') continue;
    const o = objectiveFor(e, s, settings);
    const t = windowTotals(e, from, end);
    const j = judge(t, o, settings);
    if (j.verdict === null || j.roi === null) continue;
    const facts: Record<string, number | string | null> = {
      windowDays: days,
      objective: o.kind,
      spendCents: Math.round(t.spend),
      revenueCents: o.kind === 'revenue' ? Math.round(t.revenue) : null,
      valueCents: Math.round(j.valueCents),
      profitCents: Math.round(j.valueCents - j.basisSpend),
      conversions: round(t.conversions, 2),
      roi: round(j.roi, 4),
      cpaCents: j.cpaCents === null ? null : Math.round(j.cpaCents),
      targetCpaCents: o.targetCpaCents,
      valuePerConversionCents: o.valuePerConversionCents,
      // Spend on days without a reported result: not part of the verdict.
      unjudgedSpendCents: Math.round(j.unknownSpend),
    };
    // A verdict on days the platform may still restate says so.
    const settling = settings.provisionalFrom?.[e.entity.platform];
    const provisional = settling !== undefined && s.dayOf(end) >= settling;
    if (provisional) facts.provisionalFrom = settling!;
    const note = provisional ? ' (conversions for these days may still be restated)' : '';
    const holds = (verdict: 'burning' | 'winner') => (x: ReturnType<typeof windowTotals>) => judge(x, o, { ...settings, burnMinSpendCents: 0, winMinRevenueCents: 0 }).verdict === verdict;
    const loss = j.basisSpend - j.valueCents;
    if (j.verdict === 'burning') {
      const since = sinceWhen(e, s, holds('burning'));
      const severity: Severity = j.roi < -0.85 || loss > 50_000 ? 'critical' : j.roi < -0.7 ? 'high' : 'medium';
      out.push({
        type: 'burning',
        entity: refOf(e),
        severity,
        // Continuing at this rate loses the window's loss (for leads: the spend above target) again next week.
        impactCents: Math.round((loss * 7) / days),
        confidence: confidence(j.basisSpend, settings.burnMinSpendCents),
        since,
        title: (o.kind === 'leads'
          ? t.conversions > 0
            ? `${e.entity.name} is burning money: CPA ${cur(j.cpaCents!)} against a ${cur(o.targetCpaCents!)} target over ${days} days`
            : `${e.entity.name} is burning money: no leads from ${cur(j.basisSpend)} over ${days} days (target CPA ${cur(o.targetCpaCents!)})`
          : `${e.entity.name} is burning money: ROI ${Math.round(j.roi * 100)}% on ${days}-day spend${o.kind === 'value' ? ` at ${cur(o.valuePerConversionCents!)} per conversion` : ''}`) + note,
        facts,
      });
    } else {
      const since = sinceWhen(e, s, holds('winner'));
      out.push({
        type: 'winner',
        entity: refOf(e),
        severity: j.roi > 2 * Math.max(1, settings.winRoiAbove) ? 'high' : 'medium',
        // A 20 % budget raise at a conservatively halved marginal ROI.
        impactCents: Math.round(((j.basisSpend * 0.2 * j.roi * 0.5) * 7) / days),
        confidence: confidence(o.kind === 'leads' ? j.basisSpend : j.valueCents, o.kind === 'leads' ? settings.burnMinSpendCents : settings.winMinRevenueCents),
        since,
        title: (o.kind === 'leads'
          ? `${e.entity.name} is a winner: CPA ${cur(j.cpaCents!)} against a ${cur(o.targetCpaCents!)} target over ${days} days`
          : `${e.entity.name} is a winner: ROI ${Math.round(j.roi * 100)}% over ${days} days`) + note,
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
