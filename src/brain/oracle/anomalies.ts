// Anomalies: a day far from a weekday-matched robust baseline. The expected value
// for a day is the median of the same weekday over the four weeks before it;
// the scale is the MAD of such residuals over the eight weeks before. Money is
// compared on a log scale, counts on the Anscombe (square-root) scale, so one
// threshold fits big and small entities. Severity comes from the robust z.
import { median, round } from '../memory.ts';
import type { EntitySeries, SeriesSet } from '../series.ts';
import type { BrainSettings, Finding, Severity } from '../types.ts';
import { unitValue } from '../objective.ts';
import { formatMoney as money } from '../../domain/currency.ts';
import { objectiveFor, refOf } from './performance.ts';

type Transform = (x: number) => number;
const logT: Transform = (x) => Math.log1p(Math.max(0, x) / 100); // cents → log(1 + dollars)
/** Counts: a ratio scale (over-dispersed days of many conversions vary by a share, not by √n), softened at small counts. */
const COUNT_OFFSET = 5;
const countT: Transform = (x) => Math.log(Math.max(0, x) + COUNT_OFFSET);
/** A count's Poisson noise on that scale: the least spread a count can have. */
const countFloor = (expected: number) => Math.sqrt(Math.max(1, expected)) / (Math.max(0, expected) + COUNT_OFFSET);

export const ANOMALY_Z = 5.5;
const HISTORY_WEEKS = 8;

interface MetricSpec {
  metric: 'spendCents' | 'conversions' | 'revenueCents' | 'cpa';
  t: Transform;
  /** Smallest absolute deviation worth a call (cents or count). */
  minDelta: number;
  /** Smallest move worth a call as a ratio to the expected, either way (a budget edited by a third is not an anomaly). */
  minRatio: number;
}

// Revenue is conversions × order value: its noise is count noise, so it is
// tested in units of the entity's average order value on the count scale.
const SPECS: MetricSpec[] = [
  { metric: 'spendCents', t: logT, minDelta: 2_000, minRatio: 2 },
  { metric: 'revenueCents', t: countT, minDelta: 2_000, minRatio: 1.4 },
  { metric: 'conversions', t: countT, minDelta: 3, minRatio: 1.4 },
  { metric: 'cpa', t: logT, minDelta: 500, minRatio: 1.4 },
];

/** Far enough from the expected to matter: by the metric's least amount, and by its least ratio either way. */
function material(spec: MetricSpec, value: number, expected: number): boolean {
  if (Math.abs(value - expected) < spec.minDelta) return false;
  return value >= expected * spec.minRatio || value * spec.minRatio <= expected;
}

/**
 * A count gone to a sixth or less of (or six times) what was expected, on an
 * entity with 15+ a day: a tracking outage or a broken form, not noise, even
 * where the days are over-dispersed enough to keep its z below the threshold
 * (30 conversions a day that vary by a third). It needs 0.7 of the threshold.
 */
const COLLAPSE_RATIO = 6;
const COLLAPSE_MIN_EXPECTED = 15;
const COLLAPSE_Z_SHARE = 0.7;
function collapse(spec: MetricSpec, value: number, expected: number, unit: number): boolean {
  if (spec.t !== countT || expected / unit < COLLAPSE_MIN_EXPECTED) return false;
  return value * COLLAPSE_RATIO <= expected || value >= expected * COLLAPSE_RATIO;
}

/** CPA is only judged where conversions are plentiful enough to make it stable. */
const CPA_MIN_CONVERSIONS = 20;

function valueAt(e: EntitySeries, m: MetricSpec['metric'], i: number): number {
  if (m !== 'cpa') return e[m][i]!;
  const c = e.conversions[i]!;
  return c > 0 ? e.spendCents[i]! / c : Number.NaN;
}

/**
 * What day i should have been: the level of the week before it (the median of
 * its 7 days, each divided by its weekday's share), times day i's weekday share.
 * The level follows budgets that drift or get edited — a median of the same
 * weekday over four weeks lags them by weeks and reads every scaled budget as
 * noise — while the median still ignores a single odd day among the seven.
 */
function expectedAt(e: EntitySeries, m: MetricSpec['metric'], i: number, shape = weekdayShape(e, m, i)): number {
  const level: number[] = [];
  for (let k = 1; k <= 7; k++) {
    const v = valueAt(e, m, i - k);
    if (!Number.isNaN(v) && i - k >= e.launch) level.push(v / shape[(i - k) % 7]!);
  }
  return level.length >= 5 ? median(level) * shape[i % 7]! : Number.NaN;
}

/**
 * Each weekday's share of the metric over the eight weeks before day i (1 =
 * average), by the median of each weekday. Flat where the weeks are too few or
 * the counts too sparse to tell a weekday from chance (a median of 0).
 */
function weekdayShape(e: EntitySeries, m: MetricSpec['metric'], i: number): number[] {
  const flat = [1, 1, 1, 1, 1, 1, 1];
  const from = Math.max(e.launch, i - HISTORY_WEEKS * 7);
  if (i - from < 28) return flat;
  const byDay: number[][] = [[], [], [], [], [], [], []];
  for (let j = from; j < i; j++) {
    const v = valueAt(e, m, j);
    if (!Number.isNaN(v)) byDay[j % 7]!.push(v);
  }
  const meds = byDay.map((xs) => (xs.length >= 3 ? median(xs) : Number.NaN));
  if (meds.some((x) => !(x > 0))) return flat;
  const mean = meds.reduce((a, b) => a + b, 0) / 7;
  return meds.map((x) => x / mean);
}

export interface AnomalyCall {
  metric: MetricSpec['metric'];
  value: number;
  expected: number;
  z: number;
}

/**
 * Tests day `i` of one entity; returns the calls whose |z| passes the threshold.
 * A day that only continues a shift begun in the three days before (one of them
 * already half as far out the same way, or the three together at the new level) is
 * a lasting change, not an anomaly:
 * it was called on its first day, and a link that keeps converting at a new
 * level is the burning / winner rule's to judge — else one change would be
 * called an anomaly every day for the four weeks its baseline remembers.
 */
export function anomaliesAt(e: EntitySeries, i: number, threshold = ANOMALY_Z): AnomalyCall[] {
  const calls = rawAnomaliesAt(e, i, threshold);
  if (calls.length === 0) return calls;
  const before = [1, 2, 3].flatMap((k) => rawAnomaliesAt(e, i - k, threshold * 0.75));
  return calls.filter((c) => !before.some((b) => b.metric === c.metric && Math.sign(b.z) === Math.sign(c.z)) && !shifted(e, c, i));
}

/**
 * The three days before already sat at the new level: below 60 % of what was
 * expected (a drop) or above 160 % (a spike). A CPA jump is read on its
 * conversions too — days without a conversion have no CPA at all.
 */
function shifted(e: EntitySeries, c: AnomalyCall, i: number): boolean {
  const at = (metric: MetricSpec['metric'], up: boolean) => {
    let v = 0, x = 0, n = 0;
    for (let k = 1; k <= 3; k++) {
      const a = valueAt(e, metric, i - k), b = expectedAt(e, metric, i - k);
      if (Number.isNaN(a) || Number.isNaN(b)) continue;
      v += a;
      x += b;
      n++;
    }
    return n >= 2 && x > 0 && (up ? v > 1.6 * x : v < 0.6 * x);
  };
  return at(c.metric, c.z > 0) || (c.metric === 'cpa' && c.z > 0 && at('conversions', false));
}

/** Below this share of days with spend over the history, an entity is one that switches on and off. */
const INTERMITTENT_SHARE = 0.6;
/** Days with spend an intermittent entity needs in its history before its active days are a baseline. */
const MIN_ACTIVE_DAYS = 8;

/** Days with spend among the history of day i (the weeks its residuals are scaled on). */
function activeDays(e: EntitySeries, i: number): number[] {
  const out: number[] = [];
  for (let j = Math.max(e.launch, i - HISTORY_WEEKS * 7); j < i; j++) if (e.spendCents[j]! > 0) out.push(j);
  return out;
}

/** Off on most days of its history: judged on its active days, its findings rolled up per parent. */
function isIntermittent(e: EntitySeries, i: number, active = activeDays(e, i)): boolean {
  return active.length < INTERMITTENT_SHARE * (i - Math.max(e.launch, i - HISTORY_WEEKS * 7));
}

/** The day's value, what was expected, and how far apart in units of the entity's own noise (null when it cannot be judged). */
interface Scored {
  value: number;
  expected: number;
  z: number;
  unit: number;
}

function scoreDay(e: EntitySeries, spec: MetricSpec, i: number, aov: number, shape = weekdayShape(e, spec.metric, i)): Scored | null {
  const value = valueAt(e, spec.metric, i);
  const expected = expectedAt(e, spec.metric, i, shape);
  if (Number.isNaN(value) || Number.isNaN(expected)) return null;
  if (spec.metric === 'cpa' && expectedAt(e, 'conversions', i) < CPA_MIN_CONVERSIONS) return null;
  if (spec.metric === 'revenueCents' && !(aov > 0)) return null;
  const unit = spec.metric === 'revenueCents' ? aov : 1;
  const t = (x: number) => spec.t(x / unit);
  const residuals: number[] = [];
  // From the third week on: the level needs a week behind each day, past the launch ramp.
  for (let j = Math.max(e.launch + 14, i - HISTORY_WEEKS * 7); j < i; j++) {
    const v = valueAt(e, spec.metric, j);
    const x = expectedAt(e, spec.metric, j, shape);
    if (!Number.isNaN(v) && !Number.isNaN(x)) residuals.push(t(v) - t(x));
  }
  if (residuals.length < 14) return null;
  const center = median(residuals);
  const mad = median(residuals.map((r) => Math.abs(r - center))) * 1.4826;
  const floor = spec.t === logT ? 0.05 : countFloor(expected / unit);
  return { value, expected, unit, z: (t(value) - t(expected) - center) / Math.max(mad, floor) };
}


function rawAnomaliesAt(e: EntitySeries, i: number, threshold: number): AnomalyCall[] {
  // Needs the four weeks behind the day plus the weeks used to scale residuals.
  if (e.launch < 0 || i - e.launch < 7 * (4 + 2)) return [];
  const active = activeDays(e, i);
  if (isIntermittent(e, i, active)) return intermittentAnomaliesAt(e, i, active, threshold);
  const aov = avgValue(e, i);
  const scored = new Map<MetricSpec, Scored | null>();
  const score = (spec: MetricSpec, shape?: number[]) => {
    if (!scored.has(spec)) scored.set(spec, scoreDay(e, spec, i, aov, shape));
    return scored.get(spec)!;
  };
  const calls: AnomalyCall[] = [];
  for (const spec of SPECS) {
    // Most days are not material: judged before the (costlier) noise is measured.
    const value = valueAt(e, spec.metric, i);
    const shape = weekdayShape(e, spec.metric, i);
    const expected = expectedAt(e, spec.metric, i, shape);
    if (Number.isNaN(value) || Number.isNaN(expected) || !material(spec, value, expected)) continue;
    const r = score(spec, shape);
    if (!r) continue;
    if (!(Math.abs(r.z) >= threshold || (collapse(spec, r.value, r.expected, r.unit) && Math.abs(r.z) >= threshold * COLLAPSE_Z_SHARE))) continue;
    // Revenue and CPA move with conversions: without conversions moving the same way
    // (half the threshold) a revenue drop is a few small orders and a CPA jump a
    // thin day's arithmetic, not an outage. CPA also moves with a spend spike.
    if (spec.metric === 'revenueCents' || spec.metric === 'cpa') {
      const sameWay = spec.metric === 'cpa' ? -Math.sign(r.z) : Math.sign(r.z);
      const conversions = score(SPECS.find((x) => x.metric === 'conversions')!);
      const backed = conversions !== null && Math.sign(conversions.z) === sameWay && Math.abs(conversions.z) >= threshold / 2;
      const spend = spec.metric === 'cpa' && r.z > 0 ? score(SPECS[0]!) : null;
      if (!backed && !(spend !== null && spend.value > spend.expected)) continue;
    }
    calls.push({ metric: spec.metric, value: r.value, expected: r.expected, z: r.z });
  }
  return calls;
}

/**
 * An entity that is off on most days (an ad set switched on for a promotion, a
 * retargeting set that only spends when there is traffic): a day off is normal and
 * its weekday median is $0.00, so "spend jumped against $0.00 expected" would be
 * called every time it switches on. It is judged on its active days only: a day
 * with spend against the median and spread of its earlier days with spend; a day
 * off is never a drop.
 */
function intermittentAnomaliesAt(e: EntitySeries, i: number, active: number[], threshold: number): AnomalyCall[] {
  if (!(e.spendCents[i]! > 0)) return [];
  // Few days are active: their baseline reaches back further (13 weeks).
  for (let j = i - HISTORY_WEEKS * 7 - 1; j >= Math.max(e.launch, i - 91); j--) if (e.spendCents[j]! > 0) active.unshift(j);
  if (active.length < MIN_ACTIVE_DAYS) return [];
  const calls: AnomalyCall[] = [];
  for (const spec of SPECS) {
    if (spec.metric !== 'spendCents' && spec.metric !== 'cpa') continue; // a few active days say little about counts
    const value = valueAt(e, spec.metric, i);
    const history = active.map((j) => valueAt(e, spec.metric, j)).filter((v) => !Number.isNaN(v));
    if (Number.isNaN(value) || history.length < MIN_ACTIVE_DAYS) continue;
    const expected = median(history);
    if (!material(spec, value, expected)) continue;
    if (spec.metric === 'cpa' && median(active.map((j) => e.conversions[j]!)) < CPA_MIN_CONVERSIONS) continue;
    const ts = history.map((v) => spec.t(v));
    const center = median(ts);
    const mad = median(ts.map((x) => Math.abs(x - center))) * 1.4826;
    const z = (spec.t(value) - center) / Math.max(mad, spec.t === logT ? 0.05 : 0.25);
    if (Math.abs(z) >= threshold) calls.push({ metric: spec.metric, value, expected, z });
  }
  return calls;
}

const severityOf = (z: number): Severity => (z >= 12 ? 'critical' : z >= 8 ? 'high' : z >= 6 ? 'medium' : 'low');

/** Anomalies on the as-of day, one finding per entity and direction. */
export function detectAnomalies(s: SeriesSet, currency: string, settings?: BrainSettings): Finding[] {
  const out: Finding[] = [];
  const i = s.length - 1;
  // Findings of entities that switch on and off, per parent, type and metric: rolled up below.
  const sparse = new Map<string, { finding: Finding; lead: AnomalyCall; e: EntitySeries }[]>();
  for (const e of s.byId.values()) {
    if (!e.leaf || e.entity.status === 'killed') continue;
    const calls = anomaliesAt(e, i);
    // A conversion is worth its objective's value (a lead: its target CPA), else the recent average order.
    const unit = settings ? unitValue(objectiveFor(e, s, settings)) : null;
    const perConversion = unit ?? avgValue(e, i);
    if (calls.length === 0) continue;
    // CPA moves opposite to value: a CPA spike is a drop in efficiency.
    const direction = (c: AnomalyCall) => (c.metric === 'cpa' ? -Math.sign(c.z) : Math.sign(c.z));
    // CPA only leads when no volume metric moved: a spend spike also spikes CPA.
    const volume = calls.filter((c) => c.metric !== 'cpa');
    const lead = [...(volume.length ? volume : calls)].sort((a, b) => Math.abs(b.z) - Math.abs(a.z))[0]!;
    const up = direction(lead) > 0;
    const facts: Record<string, number | string | null> = { day: s.dayOf(i) };
    for (const c of calls) {
      facts[`${c.metric}`] = round(c.value, 2);
      facts[`${c.metric}Expected`] = round(c.expected, 2);
      facts[`${c.metric}Z`] = round(c.z, 2);
    }
    const moneyAtStake = lead.metric === 'conversions' ? Math.abs(lead.value - lead.expected) * perConversion : Math.abs(lead.value - lead.expected);
    // More revenue or conversions than expected is good news: worth knowing why, not an alarm.
    const goodNews = up && (lead.metric === 'revenueCents' || lead.metric === 'conversions');
    const finding: Finding = {
      type: up ? 'anomaly_spike' : 'anomaly_drop',
      entity: refOf(e),
      severity: goodNews ? 'low' : severityOf(Math.abs(lead.z)),
      informational: goodNews || undefined,
      // "$ at stake over 7 days": what the day's gap costs if it persists for the week
      // (finding out why is the action); a 7-day figure like every other impact.
      impactCents: finiteOr0(Math.round(7 * (lead.metric === 'cpa' ? Math.abs(lead.value - lead.expected) * e.conversions[i]! : moneyAtStake))),
      confidence: round(Math.min(0.99, 1 - Math.exp(-(Math.abs(lead.z) - 2))), 3),
      since: s.dayOf(i),
      title: `${goodNews ? 'Good news — ' : ''}${e.entity.name}: ${label(lead.metric)} ${lead.z > 0 ? 'jumped' : 'fell'} to ${fmt(lead.metric, lead.value, currency)} against ${fmt(lead.metric, lead.expected, currency)} expected (${Math.abs(lead.z).toFixed(1)}× its usual day-to-day swing)`,
      facts,
    };
    const parent = e.entity.parentId ? s.byId.get(e.entity.parentId) : undefined;
    if (parent && isIntermittent(e, i)) {
      const key = `${parent.entity.id}|${finding.type}|${lead.metric}`;
      sparse.set(key, [...(sparse.get(key) ?? []), { finding, lead, e }]);
    } else out.push(finding);
  }
  for (const group of sparse.values()) out.push(...(group.length < 2 ? group.map((g) => g.finding) : [rollUp(group, s, currency)]));
  return out;
}

const SEVERITY_ORDER: Severity[] = ['low', 'medium', 'high', 'critical'];
const PLURAL: Record<string, string> = { adset: 'ad sets', ad: 'ads', campaign: 'campaigns', link: 'links' };

/**
 * Several entities that switch on and off under one parent moved together (a
 * promotion switched them all on harder): one finding on the parent naming them,
 * not one "act now" item each.
 */
function rollUp(group: { finding: Finding; lead: AnomalyCall; e: EntitySeries }[], s: SeriesSet, currency: string): Finding {
  const first = group[0]!;
  const parent = s.byId.get(first.e.entity.parentId!)!;
  const metric = first.lead.metric;
  const sorted = [...group].sort((a, b) => b.finding.impactCents - a.finding.impactCents);
  const names = sorted.map((g) => g.e.entity.name);
  const shown = names.length <= 3 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`;
  const kinds = PLURAL[first.e.entity.kind] ?? 'entities';
  const up = first.finding.type === 'anomaly_spike';
  const total = (f: (g: (typeof group)[number]) => number) => group.reduce((a, g) => a + f(g), 0);
  const facts: Record<string, number | string | null> = { day: s.dayOf(s.length - 1), entities: group.length, names: names.join(', ') };
  let movement: string;
  if (metric === 'cpa') {
    movement = `CPA ${first.lead.z > 0 ? 'rose' : 'fell'} on each`;
  } else {
    const [value, expected] = [total((g) => g.lead.value), total((g) => g.lead.expected)];
    facts[metric] = round(value, 2);
    facts[`${metric}Expected`] = round(expected, 2);
    movement = `${label(metric)} ${up ? 'jumped' : 'fell'} to ${fmt(metric, value, currency)} together against ${fmt(metric, expected, currency)} expected`;
  }
  const informational = group.every((g) => g.finding.informational);
  return {
    type: first.finding.type,
    entity: refOf(parent),
    severity: SEVERITY_ORDER[Math.max(...group.map((g) => SEVERITY_ORDER.indexOf(g.finding.severity)))]!,
    informational: informational || undefined,
    impactCents: total((g) => g.finding.impactCents),
    confidence: Math.max(...group.map((g) => g.finding.confidence)),
    since: first.finding.since,
    title: `${informational ? 'Good news — ' : ''}${parent.entity.name}: ${group.length} ${kinds} that switch on and off moved at once — ${movement} (${shown})`,
    facts,
  };
}

/** Revenue per conversion over the four weeks before, on the days both are known. */
function avgValue(e: EntitySeries, i: number): number {
  let rev = 0, conv = 0;
  for (let j = Math.max(0, i - 28); j < i; j++) {
    const r = e.revenueCents[j]!, c = e.conversions[j]!;
    if (Number.isNaN(r) || Number.isNaN(c)) continue;
    rev += r;
    conv += c;
  }
  return conv > 0 ? rev / conv : 0;
}

const finiteOr0 = (x: number) => (Number.isFinite(x) ? x : 0);

const label = (m: AnomalyCall['metric']) => ({ spendCents: 'spend', revenueCents: 'revenue', conversions: 'conversions', cpa: 'CPA' })[m];
const fmt = (m: AnomalyCall['metric'], v: number, currency: string) => (m === 'conversions' ? String(round(v, 1)) : money(Math.round(v), currency));
