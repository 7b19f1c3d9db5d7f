// Burning and winning entities, judged on the entities that carry their own
// numbers (links for affiliates, ads or campaigns otherwise) by the evidence since
// their last change (evidence.ts) against the client's lines (defaults: burning =
// ROI < −50 % with spend > $50, winner = ROI > 200 % with revenue > $100).
import { round } from '../memory.ts';
import { sumRange, type EntitySeries, type SeriesSet } from '../series.ts';
import type { BrainSettings, EntityRef, Finding, Severity } from '../types.ts';
import { formatMoney as money } from '../../domain/currency.ts';
import { addReported, emptyTotals, objectiveOf, REVENUE, unitValue, valueOf, type KnownTotals, type Objective } from '../objective.ts';
import { EVIDENCE, evidenceAt, type Evidence } from './evidence.ts';

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

/** The nearest ancestor campaign of an entity (its prior), if any. */
function campaignOf(e: EntitySeries, s: SeriesSet): EntitySeries | null {
  const seen = new Set<string>();
  for (let id = e.entity.parentId; id && !seen.has(id); id = s.byId.get(id)?.entity.parentId ?? null) {
    seen.add(id);
    const p = s.byId.get(id);
    if (p?.entity.kind === 'campaign') return p;
  }
  return null;
}

/** A campaign's ROAS (value over spend, known days) over the evidence look-back, and its average order. */
function campaignPrior(c: EntitySeries | null, o: Objective, end: number): { roas: number | null; aov: number | null } {
  if (!c) return { roas: null, aov: null };
  const t = windowTotals(c, end - EVIDENCE.lookbackDays + 1, end);
  const v = valueOf(t, o);
  return { roas: v.basisSpend > 0 ? v.valueCents / v.basisSpend : null, aov: t.conversions > 0 && t.revenueSpend > 0 ? t.revenue / t.conversions : null };
}

/** The client's average order over the look-back: the unit of value for a link that has not sold yet. */
function averageOrder(s: SeriesSet, end: number): number | null {
  let rev = 0, conv = 0;
  for (const e of s.byId.values()) {
    if (!e.leaf || e.entity.platform === 'shopify') continue;
    const t = windowTotals(e, end - EVIDENCE.lookbackDays + 1, end);
    rev += t.revenue;
    conv += t.conversions;
  }
  return conv >= 3 && rev > 0 ? rev / conv : null;
}

/** The burning / winner evidence on every judged leaf as of the series' last day. */
export function performanceEvidence(s: SeriesSet, settings: BrainSettings): { e: EntitySeries; o: Objective; ev: Evidence }[] {
  const out: { e: EntitySeries; o: Objective; ev: Evidence }[] = [];
  const end = s.length - 1;
  const priors = new Map<string, ReturnType<typeof campaignPrior>>();
  const clientAov = averageOrder(s, end);
  for (const e of s.byId.values()) {
    if (!e.leaf || e.entity.status === 'killed' || e.launch < 0 || e.launch > end) continue;
    // Spend-free sources (a Shopify store) have no ROI to judge.
    if (e.entity.platform === 'shopify') continue;
    // Only what still spends: a link paused a week ago burns nothing now.
    if (!(sumRange(e.spendCents, end - EVALUATION_DAYS + 1, end) > 0)) continue;
    const o = objectiveFor(e, s, settings);
    const c = campaignOf(e, s);
    const key = `${c?.entity.id ?? ''}|${o.kind}|${unitValue(o)}`;
    const prior = priors.get(key) ?? priors.set(key, campaignPrior(c, o, end)).get(key)!;
    const ev = evidenceAt(e, end, o, settings, prior.roas, prior.aov ?? clientAov);
    if (ev) out.push({ e, o, ev });
  }
  return out;
}

export function detectPerformance(s: SeriesSet, settings: BrainSettings): Finding[] {
  const out: Finding[] = [];
  const end = s.length - 1;
  const cur = (c: number) => money(Math.round(c), settings.currency);
  for (const { e, o, ev } of performanceEvidence(s, settings)) {
    if (!ev.verdict) continue;
    const t = ev.totals;
    const days = end - ev.since + 1;
    const sinceDay = s.dayOf(ev.since);
    const sure = Math.round(100 * (ev.verdict === 'burning' ? ev.pBurn : ev.pWin));
    const facts: Record<string, number | string | null> = {
      windowDays: days,
      since: sinceDay,
      changed: ev.changed ? 'yes' : 'no',
      probability: round(ev.verdict === 'burning' ? ev.pBurn : ev.pWin, 3),
      beforeRoas: ev.roasBefore === null ? null : round(ev.roasBefore, 3),
      line: ev.verdict === 'burning' ? ev.lines.burnRoi : ev.lines.winRoi,
      objective: o.kind,
      spendCents: Math.round(t.spend),
      revenueCents: o.kind === 'revenue' ? Math.round(t.revenue) : null,
      valueCents: Math.round(ev.valueCents),
      profitCents: Math.round(ev.valueCents - ev.basisSpend),
      conversions: round(t.conversions, 2),
      roi: round(ev.roi, 4),
      cpaCents: ev.cpaCents === null ? null : Math.round(ev.cpaCents),
      targetCpaCents: o.targetCpaCents,
      valuePerConversionCents: o.valuePerConversionCents,
      // Spend on days without a reported result: not part of the verdict.
      unjudgedSpendCents: Math.round(t.spend - ev.basisSpend),
    };
    // A verdict on days the platform may still restate says so.
    const settling = settings.provisionalFrom?.[e.entity.platform];
    const provisional = settling !== undefined && s.dayOf(end) >= settling;
    if (provisional) facts.provisionalFrom = settling!;
    const note = provisional ? ' (conversions for these days may still be restated)' : '';
    const when = ev.changed ? `since ${sinceDay}` : `over ${days} days`;
    const how = `${sure}% sure`;
    // Money at stake over the next 7 days at the regime's daily rate.
    const perDay = (ev.basisSpend - ev.valueCents) / Math.max(1, days);
    if (ev.verdict === 'burning') {
      const loss = ev.basisSpend - ev.valueCents;
      const severity: Severity = ev.roi < -0.85 || loss > 50_000 ? 'critical' : ev.roi < -0.7 ? 'high' : 'medium';
      out.push({
        type: 'burning',
        entity: refOf(e),
        severity,
        impactCents: Math.max(0, Math.round(perDay * 7)),
        confidence: round(Math.min(0.99, ev.pBurn), 3),
        since: sinceDay,
        title: (o.kind === 'leads'
          ? t.conversions > 0
            ? `${e.entity.name} is burning money ${when}: CPA ${cur(ev.cpaCents!)} against a ${cur(o.targetCpaCents!)} target (${how})`
            : `${e.entity.name} is burning money ${when}: no leads from ${cur(ev.basisSpend)} (target CPA ${cur(o.targetCpaCents!)}, ${how})`
          : `${e.entity.name} is burning money ${when}: ROI ${Math.round(ev.roi * 100)}% on ${cur(ev.basisSpend)}${o.kind === 'value' ? ` at ${cur(o.valuePerConversionCents!)} per conversion` : ''} (${how} it is below ${Math.round(ev.lines.burnRoi * 100)}%)`) + note,
        facts,
      });
    } else {
      out.push({
        type: 'winner',
        entity: refOf(e),
        severity: ev.roi > 2 * Math.max(1, settings.winRoiAbove) ? 'high' : 'medium',
        // A 20 % budget raise at a conservatively halved marginal ROI, for a week.
        impactCents: Math.round(((ev.basisSpend * 0.2 * ev.roi * 0.5) * 7) / Math.max(1, days)),
        confidence: round(Math.min(0.99, ev.pWin), 3),
        since: sinceDay,
        title: (o.kind === 'leads'
          ? `${e.entity.name} is a winner ${when}: CPA ${cur(ev.cpaCents!)} against a ${cur(o.targetCpaCents!)} target (${how})`
          : `${e.entity.name} is a winner ${when}: ROI ${Math.round(ev.roi * 100)}% on ${cur(ev.basisSpend)} (${how} it is above ${Math.round(ev.lines.winRoi * 100)}%)`) + note,
        facts,
      });
    }
  }
  return out;
}

