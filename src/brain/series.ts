// Dense daily series per entity: each leaf's own rows, rolled up into every
// ancestor, on one shared day axis ending at asOf.
import { addDays, dayNumber, daysBetween, weekday } from '../time.ts';
import type { BrainDay, BrainEntity, EntityColumns } from './types.ts';

export const METRICS = ['spendCents', 'impressions', 'clicks', 'conversions', 'revenueCents'] as const;
export type Metric = (typeof METRICS)[number];

/**
 * NaN marks a day whose value was not reported (a lead-gen file without revenue,
 * an export's NA) — for the entity and, rolled up, for every ancestor that day:
 * unknown is never read as 0. sumRange over such a day is NaN; judging code
 * either skips those days explicitly (windowTotals) or does not judge.
 */
export interface EntitySeries {
  entity: BrainEntity;
  /** Has rows of its own (not only through children). */
  leaf: boolean;
  spendCents: Float64Array;
  impressions: Float64Array;
  clicks: Float64Array;
  conversions: Float64Array;
  revenueCents: Float64Array;
  /** Frequency as reported, impression-weighted over children (NaN when missing). */
  frequency: Float64Array;
  /** Index of the first day with spend or impressions, or -1. */
  launch: number;
  /** Impressions behind each day's frequency (the weights of its roll-up). */
  frequencyWeight: Float64Array;
}

export interface SeriesSet {
  start: string;
  asOf: string;
  length: number;
  byId: Map<string, EntitySeries>;
  dayOf(i: number): string;
  /** Monday = 0 … Sunday = 6, without date parsing. */
  weekdayOf(i: number): number;
}

/**
 * Entities of one kind that share a name (two "Adset-1 Retarget" ad sets under
 * different campaigns) are named with their parent — "Spring › Adset-1 Retarget" —
 * and their grandparent if that is not enough, so every finding, action and email
 * tells them apart.
 */
export function distinctNames(entities: BrainEntity[]): BrainEntity[] {
  const count = (list: BrainEntity[]) => {
    const n = new Map<string, number>();
    for (const e of list) n.set(`${e.kind}|${e.name}`, (n.get(`${e.kind}|${e.name}`) ?? 0) + 1);
    return n;
  };
  const counts = count(entities);
  if ([...counts.values()].every((n) => n === 1)) return entities;
  const byId = new Map(entities.map((e) => [e.id, e]));
  const named = (levels: number) =>
    entities.map((e) => {
      if (counts.get(`${e.kind}|${e.name}`)! < 2) return e;
      const path: string[] = [];
      for (let p = e.parentId ? byId.get(e.parentId) : undefined, k = 0; p && k < levels; p = p.parentId ? byId.get(p.parentId) : undefined, k++) path.unshift(p.name);
      return path.length ? { ...e, name: `${path.join(' › ')} › ${e.name}` } : e;
    });
  const one = named(1);
  const still = count(one);
  return one.some((e) => still.get(`${e.kind}|${e.name}`)! > 1) ? named(2) : one;
}

export function buildSeries(
  entities: BrainEntity[],
  days: BrainDay[],
  asOf: string,
  maxDays = 400,
  columns: EntityColumns[] = [],
): SeriesSet {
  let first = asOf;
  for (const d of days) if (d.date < first && d.date <= asOf) first = d.date;
  const asOfNo = dayNumber(asOf);
  let firstNo = dayNumber(first);
  for (const c of columns) {
    for (let k = 0; k < c.days.length; k++) {
      const n = c.days[k]!;
      if (n < firstNo && n <= asOfNo) firstNo = n;
    }
  }
  if (firstNo < dayNumber(first)) first = addDays('1970-01-01', firstNo);
  const earliest = addDays(asOf, -(maxDays - 1));
  const start = first < earliest ? earliest : first;
  const length = daysBetween(start, asOf) + 1;
  const byId = new Map<string, EntitySeries>();
  // One slab for every series: tens of thousands of separate buffers make the
  // garbage collector's work grow faster than the data.
  const FIELDS = 8;
  const slab = new Float64Array(entities.length * FIELDS * length);
  let offset = 0;
  const view = () => slab.subarray(offset, (offset += length));
  const make = (entity: BrainEntity): EntitySeries => ({
    entity,
    leaf: false,
    spendCents: view(),
    impressions: view(),
    clicks: view(),
    conversions: view(),
    revenueCents: view(),
    frequency: view().fill(Number.NaN),
    launch: -1,
    frequencyWeight: view(),
  });
  for (const e of distinctNames(entities)) byId.set(e.id, make(e));
  // Ancestor chains, computed once per entity.
  const chains = new Map<string, EntitySeries[]>();
  const chainOf = (id: string): EntitySeries[] => {
    let c = chains.get(id);
    if (c) return c;
    c = [];
    const seen = new Set<string>();
    for (let e = byId.get(id); e && !seen.has(e.entity.id); e = e.entity.parentId ? byId.get(e.entity.parentId) : undefined) {
      seen.add(e.entity.id);
      c.push(e);
    }
    chains.set(id, c);
    return c;
  };
  // Millions of rows share a few hundred dates: index each date once.
  const dayIndex = new Map<string, number>();
  for (let i = 0; i < length; i++) dayIndex.set(addDays(start, i), i);
  const add = (chain: EntitySeries[], i: number, spend: number, imp: number, clicks: number, conv: number, rev: number, freq: number | null) => {
    for (const s of chain) {
      // Frequency rolls up impression-weighted (summed here, divided below).
      if (freq !== null && imp > 0) {
        s.frequency[i] = (Number.isNaN(s.frequency[i]!) ? 0 : s.frequency[i]!) + freq * imp;
        s.frequencyWeight[i]! += imp;
      }
      s.spendCents[i]! += spend;
      s.impressions[i]! += imp;
      s.clicks[i]! += clicks;
      s.conversions[i]! += conv;
      s.revenueCents[i]! += rev;
    }
  };
  for (const d of days) {
    const i = dayIndex.get(d.date);
    if (i === undefined) continue;
    const chain = chainOf(d.entityId);
    if (chain.length === 0) continue;
    chain[0]!.leaf = true;
    add(chain, i, d.spendCents, nan(d.impressions), nan(d.clicks), nan(d.conversions), nan(d.revenueCents), d.frequency);
  }
  const startNo = dayNumber(start);
  for (const c of columns) {
    const chain = chainOf(c.entityId);
    if (chain.length === 0) continue;
    chain[0]!.leaf = true;
    for (let k = 0; k < c.days.length; k++) {
      const i = c.days[k]! - startNo;
      if (i < 0 || i >= length) continue;
      const f = c.frequency[k]!;
      add(chain, i, c.spendCents[k]!, c.impressions[k]!, c.clicks[k]!, c.conversions[k]!, c.revenueCents[k]!, Number.isNaN(f) ? null : f);
    }
  }
  for (const s of byId.values()) {
    const w = s.frequencyWeight;
    for (let i = 0; i < length; i++) if (w[i]! > 0) s.frequency[i] = s.frequency[i]! / w[i]!;
    for (let i = 0; i < length; i++) {
      if (s.spendCents[i]! > 0 || s.impressions[i]! > 0) {
        s.launch = i;
        break;
      }
    }
  }
  const startWeekday = weekday(start);
  return { start, asOf, length, byId, dayOf: (i) => addDays(start, i), weekdayOf: (i) => (startWeekday + i) % 7 };
}

const nan = (v: number | null) => (v === null ? Number.NaN : v);

export function sumRange(a: Float64Array, from: number, to: number): number {
  let s = 0;
  for (let i = Math.max(0, from); i <= to && i < a.length; i++) s += a[i]!;
  return s;
}
