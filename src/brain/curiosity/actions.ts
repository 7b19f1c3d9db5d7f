// Curiosity: turns findings (and a few opportunities of its own) into candidate
// actions, each with the money it should make or save over 7 days, how sure we
// are, how urgent it is, and the inputs that explain it — then ranks them.
// It learns per action kind from what this client applied or dismissed.
import { nameKey } from '../../domain/entities.ts';
import { round } from '../memory.ts';
import { REVENUE, valueOf, type Objective } from '../objective.ts';
import { objectiveFor, refOf, windowTotals } from '../oracle/performance.ts';
import { sumRange, type EntitySeries, type SeriesSet } from '../series.ts';
import type { ActionKind, BrainSettings, EntityRef, Finding, PastInsight, Severity } from '../types.ts';

export interface Action {
  rank: number;
  kind: ActionKind;
  entity: EntityRef | null;
  /** The finding this acts on, if any; `key` is that finding's findingKey. */
  basedOn: { type: Finding['type']; since: string; key: string } | null;
  impactCents: number;
  confidence: number;
  urgency: Severity;
  score: number;
  inputs: Record<string, number | string | null>;
}

/** The action each kind of finding calls for. */
export const ACTION_FOR: Record<Finding['type'], ActionKind> = {
  burning: 'pause',
  winner: 'scale',
  creative_fatigue: 'refresh_creative',
  anomaly_spike: 'investigate',
  anomaly_drop: 'investigate',
  budget_overspend: 'cut_budget',
  budget_underspend: 'raise_budget',
  forecast_risk: 'investigate',
};

/** One condition episode: its type, its entity and the day it began. Also the insight fingerprint. */
export function findingKey(f: Pick<Finding, 'type' | 'entity' | 'since'>): string {
  return `${f.type}:${f.entity?.id ?? 'client'}:${f.since}`;
}

/** The ranked action for each finding that has one. */
export function actionsByFinding(actions: Action[]): Map<string, Action> {
  return new Map(actions.filter((a) => a.basedOn).map((a) => [a.basedOn!.key, a]));
}

export interface Prior {
  applied: number;
  dismissed: number;
  /** Posterior mean of "the user acts on this kind", Beta(1 + applied, 1 + dismissed). */
  acceptRate: number;
  /** Applied insights of this kind whose outcome was measured. */
  measured: number;
  /** How much of the expected impact this kind really delivered, shrunk towards 1
   * (two pseudo-observations of "as expected") and bounded to [0.1, 2]. */
  realisation: number;
}

const REALISATION_PSEUDO = 2;

/** Per action kind, what the user did with earlier suggestions of that kind. */
export function learnPriors(insights: PastInsight[]): Map<ActionKind, Prior> {
  const counts = new Map<ActionKind, { applied: number; dismissed: number; measured: number; ratioSum: number }>();
  for (const i of insights) {
    const kind = i.action ?? (i.type !== 'action' ? ACTION_FOR[i.type] : null);
    if (!kind) continue;
    const c = counts.get(kind) ?? counts.set(kind, { applied: 0, dismissed: 0, measured: 0, ratioSum: 0 }).get(kind)!;
    if (i.status === 'APPLIED') c.applied++;
    else if (i.status === 'DISMISSED') c.dismissed++;
    if (i.status === 'APPLIED' && i.realisedCents !== null && i.impactCents > 0) {
      c.measured++;
      c.ratioSum += Math.max(-1, Math.min(3, i.realisedCents / i.impactCents));
    }
  }
  const out = new Map<ActionKind, Prior>();
  for (const [k, c] of counts) {
    const realisation = Math.max(0.1, Math.min(2, (c.ratioSum + REALISATION_PSEUDO) / (c.measured + REALISATION_PSEUDO)));
    out.set(k, { applied: c.applied, dismissed: c.dismissed, acceptRate: (1 + c.applied) / (2 + c.applied + c.dismissed), measured: c.measured, realisation });
  }
  return out;
}

const URGENCY_WEIGHT: Record<Severity, number> = { critical: 1.3, high: 1.15, medium: 1, low: 0.9 };

export function rankActions(findings: Finding[], s: SeriesSet, insights: PastInsight[], settings?: BrainSettings): Action[] {
  const priors = learnPriors(insights);
  const candidates: Omit<Action, 'rank' | 'score'>[] = findings.filter((f) => !f.informational).map((f) => ({
    kind: ACTION_FOR[f.type],
    entity: f.entity,
    basedOn: { type: f.type, since: f.since, key: findingKey(f) },
    impactCents: f.impactCents,
    confidence: f.confidence,
    urgency: f.severity,
    inputs: { ...f.facts },
  }));
  candidates.push(...budgetMoves(s, settings), ...tests(s));
  const scored = candidates.map((c) => {
    const prior = priors.get(c.kind) ?? { applied: 0, dismissed: 0, acceptRate: 0.5, measured: 0, realisation: 1 };
    const n = prior.applied + prior.dismissed;
    // Kinds the user keeps dismissing sink, applied kinds rise; little feedback
    // and an unsure estimate earn an exploration bonus that fades with feedback.
    const learned = 2 * prior.acceptRate;
    const exploration = (c.impactCents * (1 - c.confidence) * 0.5) / Math.sqrt(1 + n);
    // Kinds whose applied suggestions paid less than promised are discounted, by what they did deliver.
    const score = c.impactCents * prior.realisation * c.confidence * learned * URGENCY_WEIGHT[c.urgency] + exploration;
    return {
      ...c,
      score: round(score, 2),
      inputs: { ...c.inputs, priorApplied: prior.applied, priorDismissed: prior.dismissed, acceptRate: round(prior.acceptRate, 3), realisation: round(prior.realisation, 3) },
    };
  });
  scored.sort((a, b) => b.score - a.score || (a.entity?.name ?? '').localeCompare(b.entity?.name ?? ''));
  return neverBuried(scored).map((a, i) => ({ ...a, rank: i + 1 }));
}

const URGENCY_ORDER: Record<Severity, number> = { critical: 3, high: 2, medium: 1, low: 0 };
const expectedCents = (a: { impactCents: number; confidence: number }) => a.impactCents * a.confidence;

/**
 * The score learns (dismissed kinds sink, unsure ones get an exploration bonus), but
 * it never buries urgency: an action is moved above every less urgent one ranked
 * before it whose expected money (impact × confidence) is not larger. So a critical
 * pause of a burning link comes before a medium budget move unless that move is
 * expected to be worth more.
 */
export function neverBuried<T extends { urgency: Severity; impactCents: number; confidence: number }>(ranked: T[]): T[] {
  const out: T[] = [];
  for (const a of ranked) {
    let at = out.length;
    while (at > 0 && URGENCY_ORDER[out[at - 1]!.urgency] < URGENCY_ORDER[a.urgency] && expectedCents(out[at - 1]!) <= expectedCents(a)) at--;
    out.splice(at, 0, a);
  }
  return out;
}

const MIN_CAMPAIGN_SPEND_7 = 10_000;
/** A campaign is compared only when its result is known on this share of the week's spend. */
const MIN_KNOWN_SHARE = 0.8;


const objectiveKey = (o: Objective) => `${o.kind}:${o.targetCpaCents ?? ''}:${o.valuePerConversionCents ?? ''}`;

/**
 * Shift a fifth of the weakest campaign's budget to the strongest — between
 * campaigns bought for the same objective, each judged only on the spend whose
 * result is known (at least 80 % of its week): unknown revenue is never a ROAS of
 * 0. Two campaigns whose names differ only in spelling are probably one and are
 * never weighed against each other.
 */
function budgetMoves(s: SeriesSet, settings: BrainSettings | undefined): Omit<Action, 'rank' | 'score'>[] {
  const end = s.length - 1;
  const groups = new Map<string, { e: EntitySeries; o: Objective; basis: number; roas: number; cpa: number | null }[]>();
  for (const e of s.byId.values()) {
    if (e.entity.kind !== 'campaign' || e.entity.status === 'killed') continue;
    const t = windowTotals(e, end - 6, end);
    if (t.spend < MIN_CAMPAIGN_SPEND_7) continue;
    const o = settings ? objectiveFor(e, s, settings) : REVENUE;
    const v = valueOf(t, o);
    if (v.basisSpend < MIN_CAMPAIGN_SPEND_7 || v.basisSpend < MIN_KNOWN_SHARE * t.spend) continue;
    const row = { e, o, basis: v.basisSpend, roas: v.valueCents / v.basisSpend, cpa: t.conversions > 0 && t.conversionSpend > 0 ? t.conversionSpend / t.conversions : null };
    const k = objectiveKey(o);
    groups.set(k, [...(groups.get(k) ?? []), row]);
  }
  let best: Omit<Action, 'rank' | 'score'> | null = null;
  for (const rows of groups.values()) {
    if (rows.length < 2) continue;
    rows.sort((a, b) => a.roas - b.roas);
    const low = rows[0]!;
    const high = [...rows].reverse().find((r) => r !== low && nameKey(r.e.entity.name) !== nameKey(low.e.entity.name));
    if (!high) continue;
    // Marginal returns fall as spend grows: count the receiver at 70 % of its average ROAS.
    const gainPerDollar = high.roas * 0.7 - low.roas;
    if (low.roas >= 1 || gainPerDollar <= 0.2) continue;
    const moved = low.basis * 0.2;
    const leads = low.o.kind === 'leads';
    const action: Omit<Action, 'rank' | 'score'> = {
      kind: 'move_budget',
      entity: refOf(low.e),
      basedOn: null,
      impactCents: Math.round(moved * gainPerDollar),
      confidence: 0.5,
      urgency: 'medium',
      inputs: {
        fromCampaign: low.e.entity.name,
        toCampaign: high.e.entity.name,
        toEntityId: high.e.entity.id,
        windowDays: 7,
        // Leads are compared on what a lead costs; revenue and value on ROAS.
        ...(leads ? { fromCpaCents: low.cpa === null ? null : Math.round(low.cpa), toCpaCents: high.cpa === null ? null : Math.round(high.cpa) } : { fromRoas: round(low.roas, 3), toRoas: round(high.roas, 3) }),
        movedSpendCents: Math.round(moved),
      },
    };
    if (!best || action.impactCents > best.impactCents) best = action;
  }
  return best ? [best] : [];
}

/** Young, barely funded entities whose early numbers look good: worth a real test. */
function tests(s: SeriesSet): Omit<Action, 'rank' | 'score'>[] {
  const end = s.length - 1;
  const leaves = [...s.byId.values()].filter((e) => e.leaf && e.launch >= 0 && e.entity.status !== 'killed' && e.entity.platform !== 'shopify');
  const spends = leaves.map((e) => sumRange(e.spendCents, end - 6, end)).sort((a, b) => a - b);
  const typical = spends[spends.length >> 1] ?? 0;
  const out: Omit<Action, 'rank' | 'score'>[] = [];
  for (const e of leaves) {
    const age = end - e.launch + 1;
    const t = windowTotals(e, end - 6, end);
    if (age > 14 || t.spend <= 0 || t.spend > typical * 0.3 || t.roi === null || t.roi <= 0) continue;
    out.push({
      kind: 'test',
      entity: refOf(e),
      basedOn: null,
      // If it held its ROI at typical spend for a week.
      impactCents: Math.round((typical - t.spend) * t.roi * 0.5),
      confidence: round(Math.min(0.6, 0.2 + t.conversions / 50), 3),
      urgency: 'low',
      inputs: { ageDays: age, spend7Cents: Math.round(t.spend), typicalSpend7Cents: Math.round(typical), roi: round(t.roi, 4), conversions: round(t.conversions, 2) },
    });
  }
  return out;
}

/** A short imperative line for an action, from its own inputs. */
export function describeAction(a: Pick<Action, 'kind' | 'entity' | 'inputs'>): string {
  const name = a.entity?.name ?? 'the account';
  switch (a.kind) {
    case 'pause':
      return `Pause ${name}`;
    case 'scale':
      return `Raise the budget of ${name} by 20%`;
    case 'refresh_creative':
      return `Refresh the creative ${name}`;
    case 'move_budget':
      return `Move a fifth of ${a.inputs.fromCampaign}'s budget to ${a.inputs.toCampaign}`;
    case 'investigate':
      return `Check what happened to ${name}`;
    case 'test':
      return `Give ${name} a real test budget`;
    case 'cut_budget':
      return 'Cut daily budgets to land on the monthly budget';
    case 'raise_budget':
      return 'Raise daily budgets on profitable campaigns to use the monthly budget';
    case 'move_traffic':
      return `Send all of the split test "${a.inputs.test}"'s traffic to ${name}, the winner`;
  }
}
