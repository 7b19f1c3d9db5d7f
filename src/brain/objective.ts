// What a client (or one campaign) buys with its spend, and how an entity's
// window of numbers is judged against it. One place for the brain and the
// alerts, so an ad that burns in the inbox is the ad that burns in an email.
//
// - revenue: value = reported revenue; ROI over the spend whose revenue is known.
// - value:   value = conversions × a fixed value per conversion.
// - leads:   value = conversions × the target CPA, so ROI 0 means "at target",
//            −50 % means CPA at twice the target; rules and words speak CPA.
// Spend on days whose revenue (or conversions) were not reported is never
// judged: it is counted aside as `unknownSpend`.

export type ObjectiveKind = 'revenue' | 'leads' | 'value';
export const OBJECTIVE_KINDS: ObjectiveKind[] = ['revenue', 'leads', 'value'];

export interface Objective {
  kind: ObjectiveKind;
  targetCpaCents: number | null;
  valuePerConversionCents: number | null;
}

export const REVENUE: Objective = { kind: 'revenue', targetCpaCents: null, valuePerConversionCents: null };

/** Per-campaign overrides as stored on the client: campaign entity id → objective. */
export type CampaignObjectives = Record<string, Objective>;

export interface Thresholds {
  burnRoiBelow: number;
  burnMinSpendCents: number;
  winRoiAbove: number;
  winMinRevenueCents: number;
}

/** Window sums; revenueSpend / conversionSpend = spend on days whose revenue / conversions are known. */
export interface KnownTotals {
  spend: number;
  revenue: number;
  revenueSpend: number;
  conversions: number;
  conversionSpend: number;
}

export const emptyTotals = (): KnownTotals => ({ spend: 0, revenue: 0, revenueSpend: 0, conversions: 0, conversionSpend: 0 });

/** Adds one row or day; revenue / conversions not reported (null or NaN) are left out with their spend. */
export function addReported(t: KnownTotals, spend: number, revenue: number | null, conversions: number | null) {
  t.spend += spend;
  if (revenue !== null && !Number.isNaN(revenue)) {
    t.revenue += revenue;
    t.revenueSpend += spend;
  }
  if (conversions !== null && !Number.isNaN(conversions)) {
    t.conversions += conversions;
    t.conversionSpend += spend;
  }
}

export function addTotals(t: KnownTotals, u: KnownTotals) {
  t.spend += u.spend;
  t.revenue += u.revenue;
  t.revenueSpend += u.revenueSpend;
  t.conversions += u.conversions;
  t.conversionSpend += u.conversionSpend;
}

export interface Judgement {
  verdict: 'burning' | 'winner' | null;
  /** Money the objective counts (revenue, or conversions valued), over `basisSpend`. */
  valueCents: number;
  basisSpend: number;
  /** (value − basis) / basis; null when nothing can be judged. */
  roi: number | null;
  /** Spend per conversion over the known days; null without conversions. */
  cpaCents: number | null;
  /** Spend whose result was not reported: never judged. */
  unknownSpend: number;
  /** Why nothing was judged, when so ("revenue not reported"). */
  unjudged: string | null;
}

/** Leads burn at twice the target CPA, win at half of it with a handful of leads. */
const LEADS_BURN_CPA_RATIO = 2;
const LEADS_WIN_CPA_RATIO = 0.5;
const LEADS_WIN_MIN_CONVERSIONS = 5;

/** What one conversion is worth under the objective (null for revenue, or when unset). */
export const unitValue = (o: Objective): number | null =>
  o.kind === 'leads' ? o.targetCpaCents : o.kind === 'value' ? o.valuePerConversionCents : null;

/** The money the objective counts over the known days, and the spend it is set against. */
export function valueOf(t: KnownTotals, o: Objective): { valueCents: number; basisSpend: number } {
  if (o.kind === 'revenue') return { valueCents: t.revenue, basisSpend: t.revenueSpend };
  return { valueCents: t.conversions * (unitValue(o) ?? 0), basisSpend: t.conversionSpend };
}

export function judge(t: KnownTotals, o: Objective, th: Thresholds): Judgement {
  const byConversions = o.kind !== 'revenue';
  const unit = unitValue(o);
  const { valueCents, basisSpend } = valueOf(t, o);
  const unknownSpend = Math.max(0, t.spend - basisSpend);
  const cpaCents = t.conversions > 0 ? t.conversionSpend / t.conversions : null;
  const base = { valueCents, basisSpend, cpaCents, unknownSpend };
  if (byConversions && !(unit && unit > 0)) {
    return { ...base, verdict: null, roi: null, unjudged: o.kind === 'leads' ? 'no target CPA set' : 'no value per conversion set' };
  }
  if (!(basisSpend > 0)) {
    const what = byConversions ? 'conversions' : 'revenue';
    return { ...base, verdict: null, roi: null, unjudged: t.spend > 0 ? `${what} not reported` : 'no spend' };
  }
  const roi = (valueCents - basisSpend) / basisSpend;
  const { burnRoi, winRoi } = roiLines(o, th);
  const money = { basisSpend, valueCents, conversions: t.conversions };
  let verdict: Judgement['verdict'] = null;
  if (roi < burnRoi && enoughFor('burning', money, o, th)) verdict = 'burning';
  else if (roi > winRoi && enoughFor('winner', money, o, th)) verdict = 'winner';
  return { ...base, verdict, roi, unjudged: null };
}

/**
 * The ROI lines in the objective's terms: the client's for revenue and value;
 * for leads, burning at twice the target CPA (ROI −50 %) and winning at half of it (+100 %).
 */
export function roiLines(o: Objective, th: Thresholds): { burnRoi: number; winRoi: number } {
  return o.kind === 'leads' ? { burnRoi: 1 / LEADS_BURN_CPA_RATIO - 1, winRoi: 1 / LEADS_WIN_CPA_RATIO - 1 } : { burnRoi: th.burnRoiBelow, winRoi: th.winRoiAbove };
}

/**
 * Enough money behind a verdict to call it: more than the client's minimum spend
 * (burning) or revenue (winner). Leads: at least two target CPAs of spend to burn
 * (one lead missing is chance, two is a pattern), a handful of leads and the
 * minimum spend to win.
 */
export function enoughFor(verdict: 'burning' | 'winner', m: { basisSpend: number; valueCents: number; conversions: number }, o: Objective, th: Thresholds): boolean {
  if (o.kind === 'leads') {
    return verdict === 'burning'
      ? m.basisSpend > Math.max(th.burnMinSpendCents, 2 * (unitValue(o) ?? 0))
      : m.conversions >= LEADS_WIN_MIN_CONVERSIONS && m.basisSpend > th.burnMinSpendCents;
  }
  return verdict === 'burning' ? m.basisSpend > th.burnMinSpendCents : m.valueCents > th.winMinRevenueCents;
}

/** The thresholds a verdict was reached at, in the objective's own terms (for words and facts). */
export function burnThreshold(o: Objective, th: Thresholds): number {
  return roiLines(o, th).burnRoi;
}

/** The objective of an entity: the nearest campaign override up its parent chain, else the client's. */
export function objectiveOf(
  entityId: string,
  parentOf: (id: string) => string | null | undefined,
  client: Objective,
  campaigns: CampaignObjectives,
): Objective {
  const seen = new Set<string>();
  for (let id: string | null | undefined = entityId; id && !seen.has(id); id = parentOf(id)) {
    seen.add(id);
    const o = campaigns[id];
    if (o) return o;
  }
  return client;
}

/** "leads at a $30.00 target CPA", for CLI, API and reports. */
export function describeObjective(o: Objective, money: (cents: number) => string): string {
  if (o.kind === 'leads') return o.targetCpaCents ? `leads at a ${money(o.targetCpaCents)} target CPA` : 'leads (no target CPA set)';
  if (o.kind === 'value') return o.valuePerConversionCents ? `conversions worth ${money(o.valuePerConversionCents)} each` : 'conversions (no value set)';
  return 'revenue (ROI / ROAS)';
}

/** Reads the stored shape, tolerating what older rows or hand edits hold. */
export function parseCampaignObjectives(raw: unknown): CampaignObjectives {
  const out: CampaignObjectives = {};
  if (!raw || typeof raw !== 'object') return out;
  for (const [id, v] of Object.entries(raw as Record<string, unknown>)) {
    const o = v as Partial<Objective> | null;
    if (!o || !OBJECTIVE_KINDS.includes(o.kind as ObjectiveKind)) continue;
    out[id] = { kind: o.kind as ObjectiveKind, targetCpaCents: num(o.targetCpaCents), valuePerConversionCents: num(o.valuePerConversionCents) };
  }
  return out;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && v !== '' && Number.isFinite(Number(v)) ? Number(v) : null);
