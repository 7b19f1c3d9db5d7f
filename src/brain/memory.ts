// Memory: what adbrain knows about each entity before judging it — baselines,
// weekday profile, lifetime totals, its best CTR, age, level shifts, and what
// happened to earlier insights about it.
import { METRICS, sumRange, type EntitySeries, type Metric, type SeriesSet } from './series.ts';
import type { PastInsight } from './types.ts';

export interface MetricMemory {
  baseline7: number;
  baseline28: number;
  lifetime: number;
  /** Mean of each weekday (Mon…Sun) divided by the overall mean, last 8 weeks; 1 = typical. */
  weekdayProfile: number[];
}

export interface RegimeChange {
  metric: Metric;
  date: string;
  before: number;
  after: number;
}

export interface EntityMemory {
  entityId: string;
  kind: string;
  daysSinceLaunch: number | null;
  launchDate: string | null;
  metrics: Record<Metric, MetricMemory>;
  peakCtr: { value: number; date: string } | null;
  regimeChanges: RegimeChange[];
  history: { insightId: string; type: string; status: string; since: string | null; impactCents: number; realisedCents: number | null }[];
}

const mean = (a: Float64Array, from: number, to: number) => sumRange(a, from, to) / Math.max(1, to - Math.max(0, from) + 1);

export function weekdayProfile(s: SeriesSet, a: Float64Array, weeks = 8): number[] {
  const end = s.length - 1;
  const from = Math.max(0, end - weeks * 7 + 1);
  const sums = [0, 0, 0, 0, 0, 0, 0];
  const counts = [0, 0, 0, 0, 0, 0, 0];
  let total = 0;
  for (let i = from; i <= end; i++) {
    const wd = s.weekdayOf(i);
    sums[wd]! += a[i]!;
    counts[wd]!++;
    total += a[i]!;
  }
  const overall = total / Math.max(1, end - from + 1);
  return sums.map((v, wd) => (overall > 0 && counts[wd]! > 0 ? round(v / counts[wd]! / overall, 3) : 1));
}

/** Highest 3-day CTR with at least `minImpressions` over the window. */
export function peakCtr(e: EntitySeries, s: SeriesSet, minImpressions = 1000) {
  let best: { value: number; date: string } | null = null;
  for (let i = 2; i < s.length; i++) {
    const imp = e.impressions[i]! + e.impressions[i - 1]! + e.impressions[i - 2]!;
    if (imp < minImpressions) continue;
    const ctr = (e.clicks[i]! + e.clicks[i - 1]! + e.clicks[i - 2]!) / imp;
    if (!best || ctr > best.value) best = { value: round(ctr, 5), date: s.dayOf(i) };
  }
  return best;
}

/** A level shift: the last 14 days' median against the 28 before, when it moved by half or more. */
function regimeChanges(e: EntitySeries, s: SeriesSet): RegimeChange[] {
  const out: RegimeChange[] = [];
  const end = s.length - 1;
  if (end - 41 < Math.max(0, e.launch)) return out;
  for (const metric of ['spendCents', 'revenueCents', 'conversions'] as const) {
    const a = e[metric];
    const after = median(a.subarray(end - 13, end + 1));
    const before = median(a.subarray(end - 41, end - 13));
    if (before <= 0 && after <= 0) continue;
    const ratio = before > 0 ? after / before : Number.POSITIVE_INFINITY;
    if (ratio >= 1.5 || ratio <= 1 / 1.5) out.push({ metric, date: s.dayOf(end - 13), before: round(before, 2), after: round(after, 2) });
  }
  return out;
}

export function buildMemory(s: SeriesSet, insights: PastInsight[]): Map<string, EntityMemory> {
  const byEntity = new Map<string, PastInsight[]>();
  for (const i of insights) if (i.entityId) (byEntity.get(i.entityId) ?? byEntity.set(i.entityId, []).get(i.entityId)!).push(i);
  const out = new Map<string, EntityMemory>();
  const end = s.length - 1;
  for (const e of s.byId.values()) {
    if (e.launch < 0) continue;
    const metrics = {} as Record<Metric, MetricMemory>;
    for (const m of METRICS) {
      const a = e[m];
      metrics[m] = {
        baseline7: round(mean(a, end - 6, end), 2),
        baseline28: round(mean(a, end - 27, end), 2),
        lifetime: round(sumRange(a, 0, end), 2),
        weekdayProfile: weekdayProfile(s, a),
      };
    }
    out.set(e.entity.id, {
      entityId: e.entity.id,
      kind: e.entity.kind,
      daysSinceLaunch: end - e.launch,
      launchDate: s.dayOf(e.launch),
      metrics,
      peakCtr: peakCtr(e, s),
      regimeChanges: regimeChanges(e, s),
      history: (byEntity.get(e.entity.id) ?? []).map((i) => ({
        insightId: i.id,
        type: i.type,
        status: i.status,
        since: i.since,
        impactCents: i.impactCents,
        realisedCents: i.realisedCents,
      })),
    });
  }
  return out;
}

export function median(a: ArrayLike<number>): number {
  if (a.length === 0) return 0;
  const s = Float64Array.from(a).sort();
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export const round = (x: number, d = 2) => {
  const f = 10 ** d;
  return Math.round(x * f) / f;
};
