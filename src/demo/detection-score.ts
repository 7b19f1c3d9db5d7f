// Scores the brain's detectors against the scenario generator's ground truth,
// every day of the last 60 judged as of that day (nothing later visible) — the
// way a user running `adbrain analyze` each morning sees them. Shared by
// test/detection.test.ts (the targets) and bench/detection.ts (the printout,
// with today's-rule baselines).
import { detectAnomalies } from '../brain/oracle/anomalies.ts';
import { detectFatigue } from '../brain/oracle/fatigue.ts';
import { detectPerformance, objectiveFor, windowTotals } from '../brain/oracle/performance.ts';
import { judge } from '../brain/objective.ts';
import { buildSeries, type SeriesSet } from '../brain/series.ts';
import type { BrainSettings, Finding } from '../brain/types.ts';
import { simBrainInput } from './brain-input.ts';
import { simulateScenario, type GroundTruthEvent } from './simulate.ts';
import { simulateField } from './scenario-field.ts';
import { addDays, daysBetween } from '../time.ts';
import { oracleLag } from './oracle-lag.ts';

export const END = '2026-11-21';
export const WINDOW = 60;

const CHANGE_ANOMALY: Record<string, string> = { burning: 'anomaly_drop', winner: 'anomaly_spike' };

export interface Call {
  id: string;
  day: string;
  type: string;
  /** The probability the brain stated with the call (burning / winner: the evidence's; others: the finding's confidence). */
  p?: number;
}

/** The fixed 7-day-window rule the brain used before the evidence model: the baseline. */
export function sevenDayRule(s: SeriesSet, settings: BrainSettings): Call[] {
  const end = s.length - 1;
  const out: Call[] = [];
  for (const e of s.byId.values()) {
    if (!e.leaf || e.launch < 0) continue;
    const j = judge(windowTotals(e, end - 6, end), objectiveFor(e, s, settings), settings);
    if (j.verdict) out.push({ id: e.entity.externalId, day: s.asOf, type: j.verdict });
  }
  return out;
}

export interface Run {
  seed: number;
  truth: GroundTruthEvent[];
  ads: number;
  calls: Call[];
  baseline: Call[];
  /** The series as of the last day, and the settings: for the oracle's lag. */
  last?: { s: SeriesSet; settings: BrainSettings };
}

/** The generators: simulate.ts's scenario (tuned on), and the field generator of other noise. */
export const GENERATORS = { scenario: simulateScenario, field: simulateField } as const;

/** Every day of the window as of that day: the calls of every detector. */
export function runSeed(seed: number, events: boolean, generator: keyof typeof GENERATORS = 'scenario'): Run {
  const sim = GENERATORS[generator]({ seed, endDate: END, events });
  const client = sim.clients[0]!;
  const calls: Call[] = [];
  const baseline: Call[] = [];
  let last: Run['last'];
  for (let d = WINDOW - 1; d >= 0; d--) {
    const asOf = addDays(END, -d);
    const input = simBrainInput(client, asOf);
    const s = buildSeries(input.entities, input.days, asOf);
    if (d === 0) last = { s, settings: input.settings };
    const put = (f: Finding) => calls.push({ id: f.entity!.externalId, day: asOf, type: f.type, p: typeof f.facts?.probability === 'number' ? f.facts.probability : f.confidence });
    for (const f of detectFatigue(s)) put(f);
    for (const f of detectAnomalies(s, 'USD')) put(f);
    for (const f of detectPerformance(s, input.settings)) put(f);
    baseline.push(...sevenDayRule(s, input.settings));
  }
  const ads = [...client.batch.entities.values()].filter((e) => e.kind === 'ad').length;
  return { seed, truth: sim.groundTruth, ads, calls, baseline, last };
}

export interface Score {
  events: number;
  found: number;
  /** Days from the event's start to the first call on or after it. */
  lags: number[];
  medianLag: number | null;
  recall: number;
  /** Of all (entity, day) calls: the share on an entity in that condition that day. */
  dailyPrecision: number;
  /** Of entities called at least once: the share that had the condition. */
  entityPrecision: number;
  callDays: number;
  /** Calls on days the entity did not have the condition. */
  falseDays: number;
}

/**
 * Lasting conditions (fatigue, burning, winner): a call is right on any day from
 * the start on; one-day events (anomalies): only on that day.
 */
export function score(runs: Run[], type: string, opts: { oneDay?: boolean; baseline?: boolean } = {}): Score {
  let events = 0, found = 0, callDays = 0, falseDays = 0;
  const lags: number[] = [];
  const calledEntities = new Set<string>(), rightEntities = new Set<string>();
  for (const r of runs) {
    const truth = r.truth.filter((g) => g.type === type);
    const calls = (opts.baseline ? r.baseline : r.calls).filter((c) => c.type === type);
    for (const c of calls) {
      callDays++;
      const key = `${r.seed}|${c.id}`;
      calledEntities.add(key);
      // The first day of a lasting change is a one-day anomaly too: a link that stops
      // converting had its conversions drop that day (a winner's jump) — or the day
      // after, when the first day's drop was within the noise.
      const right =
        truth.some((g) => g.entity!.externalId === c.id && (opts.oneDay ? c.day === g.start : c.day >= g.start)) ||
        (opts.oneDay && r.truth.some((g) => g.entity!.externalId === c.id && (c.day === g.start || c.day === addDays(g.start, 1)) && CHANGE_ANOMALY[g.type] === type));
      if (right) rightEntities.add(key);
      else falseDays++;
    }
    for (const g of truth) {
      events++;
      const first = calls.filter((c) => c.id === g.entity!.externalId && c.day >= g.start && (!opts.oneDay || c.day === g.start)).map((c) => c.day).sort()[0];
      if (first) {
        found++;
        lags.push(daysBetween(g.start, first));
      }
    }
  }
  lags.sort((a, b) => a - b);
  return {
    events,
    found,
    lags,
    medianLag: lags.length ? lags[(lags.length - 1) >> 1]! : null,
    recall: events ? found / events : 1,
    dailyPrecision: callDays ? (callDays - falseDays) / callDays : 1,
    entityPrecision: calledEntities.size ? rightEntities.size / calledEntities.size : 1,
    callDays,
    falseDays,
  };
}

/** Calls on the clean control (no events at all), per 100 ad-days. */
export function falseAlarmRate(runs: Run[], type: string, baseline = false): { calls: number; adDays: number; per100: number } {
  let calls = 0, adDays = 0;
  for (const r of runs) {
    calls += (baseline ? r.baseline : r.calls).filter((c) => c.type === type).length;
    adDays += r.ads * WINDOW;
  }
  return { calls, adDays, per100: (100 * calls) / adDays };
}

/** Stated-probability groups of the reliability table: [from, to). */
export const RELIABILITY_BINS: [number, number][] = [[0, 0.8], [0.8, 0.9], [0.9, 0.95], [0.95, 0.99], [0.99, 1.0001]];

export interface ReliabilityRow {
  from: number;
  to: number;
  calls: number;
  right: number;
  /** Mean stated probability of the group's calls. */
  stated: number;
  /** The group is right at least as often as its lower bound, within sampling error (one-sided, z = 1.645). */
  ok: boolean;
}

/**
 * Every call on every day (not only the first), grouped by the probability it
 * stated: how often each group was right (the entity truly in that state that
 * day), and the Brier score over all calls. Runs with and without events both
 * count: a call on the clean control is a wrong call.
 */
export function reliability(runs: Run[], type: string): { rows: ReliabilityRow[]; brier: number; calls: number } {
  const rows = RELIABILITY_BINS.map(([from, to]) => ({ from, to, calls: 0, right: 0, stated: 0, ok: true }));
  let brier = 0, n = 0;
  for (const r of runs) {
    const truth = r.truth.filter((g) => g.type === type);
    for (const c of r.calls.filter((x) => x.type === type)) {
      const p = c.p ?? 0;
      const right = truth.some((g) => g.entity!.externalId === c.id && c.day >= g.start) ? 1 : 0;
      const row = rows.find((b) => p >= b.from && p < b.to)!;
      row.calls++;
      row.right += right;
      row.stated += p;
      brier += (p - right) ** 2;
      n++;
    }
  }
  for (const row of rows) {
    if (row.calls) row.stated /= row.calls;
    const se = Math.sqrt((row.from * (1 - row.from)) / Math.max(1, row.calls));
    row.ok = row.calls === 0 || row.right / row.calls >= row.from - 1.645 * se;
  }
  return { rows, brier: n ? brier / n : 0, calls: n };
}

export interface LagVsOracle {
  type: string;
  /** Events with enough days before them to know the rate (14+), and a call by the oracle. */
  events: number;
  /** Per event: the brain's lag minus the oracle's (null: the brain never called it). */
  excess: (number | null)[];
  medianExcess: number | null;
  oracleNever: number;
}

/**
 * For each burning / winner event: the lag of a detector that knows the onset and
 * the rate before it (src/demo/oracle-lag.ts), and the brain's lag minus that.
 */
export function lagVsOracle(runs: Run[], type: 'burning' | 'winner', certainty = 0.9): LagVsOracle {
  const excess: (number | null)[] = [];
  let oracleNever = 0;
  for (const r of runs) {
    if (!r.last) continue;
    const { s, settings } = r.last;
    for (const g of r.truth.filter((x) => x.type === type)) {
      const e = [...s.byId.values()].find((x) => x.entity.externalId === g.entity!.externalId);
      if (!e) continue;
      const onset = daysBetween(s.start, g.start);
      const from = Math.max(0, onset - 28);
      if (onset - from < 14) continue;
      let rev = 0, spend = 0, conv = 0;
      for (let i = from; i < onset; i++) {
        if (Number.isNaN(e.revenueCents[i]!) || Number.isNaN(e.conversions[i]!)) continue;
        rev += e.revenueCents[i]!;
        spend += e.spendCents[i]!;
        conv += e.conversions[i]!;
      }
      if (!(conv > 0 && spend > 0)) continue;
      const days = [];
      for (let i = onset; i < s.length; i++) days.push({ spendCents: e.spendCents[i]!, revenueCents: Number.isNaN(e.revenueCents[i]!) ? null : e.revenueCents[i]! });
      const line = type === 'burning' ? settings.burnRoiBelow : settings.winRoiAbove;
      const oracle = oracleLag(days, { verdict: type, line, certainty, aovCents: rev / conv, roasBefore: rev / spend });
      if (oracle === null) {
        oracleNever++;
        continue;
      }
      const first = r.calls.filter((c) => c.type === type && c.id === g.entity!.externalId && c.day >= g.start).map((c) => c.day).sort()[0];
      excess.push(first ? daysBetween(g.start, first) - oracle : null);
    }
  }
  const called = excess.filter((x): x is number => x !== null).sort((a, b) => a - b);
  return { type, events: excess.length, excess, medianExcess: called.length ? called[(called.length - 1) >> 1]! : null, oracleNever };
}
