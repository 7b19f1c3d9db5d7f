// Creative fatigue: an ad's CTR sliding below its own early baseline while its
// audience saturates. A one-sided CUSUM pools each day's log-CTR shortfall and
// frequency excess (each in units of the ad's own day-to-day noise) and catches
// a steady slide within two days while ignoring single bad days. Frequency is
// read against the ad's delivery (frequency rises when an ad buys more
// impressions too): only frequency above that line is saturation. The call needs
// the CTR slide to be material, or to have begun while frequency is far above
// its line, and to be backed by frequency (or, without it, by rising CPC / CPM).
// Tiny spend gets no call.
import { round } from '../memory.ts';
import { sumRange, type EntitySeries, type SeriesSet } from '../series.ts';
import type { BrainSettings, Finding, Severity } from '../types.ts';
import { objectiveFor, refOf, windowTotals } from './performance.ts';
import { valueOf } from '../objective.ts';

export const FATIGUE = {
  rampDays: 3,
  referenceDays: 14,
  /** CUSUM allowance and alarm level, in noise units. */
  k: 0.5,
  h: 3,
  /** Without a frequency column the CTR is the only evidence: it must pass a higher alarm level. */
  hNoFrequency: 8,
  /** CTR's fall since the slide began, in units of its noise (day-to-day and week-to-week), for a call on CTR alone. */
  zNoFrequency: 3,
  /** An older slide's weekly CTR below the early baseline, in units of its noise. */
  lastingZ: 3,
  /** Per-day cap on the evidence of CTR and of frequency: neither decides alone. */
  cap: 4,
  capFrequency: 4,
  /** CTR's own CUSUM must pass this too (frequency also rises with spend). */
  hCtr: 1.25,
  /** Fewer clicks a day than this and a daily CTR is too noisy to call. */
  minClicksPerDay: 100,
  /** The last 2 days' CTR must be at least this far below the reference. */
  minDrop: 0.08,
  /** An older slide stays open while CTR sits this far below its early baseline. */
  minLastingDrop: 0.24,
  minSpend7Cents: 2_000,
  /** Frequency above the delivery line, as a share of frequency, that backs a call. */
  minFrequencyExcess: 0.03,
  /** Frequency this far above its delivery line (noise units) calls fatigue on a CTR drop of only… */
  saturationZ: 5,
  minDropSaturated: 0.03,
  minImpressionsPerDay: 200,
};

export interface FatigueState {
  alarm: boolean;
  /** Index where the current slide began (the CUSUM's last zero). */
  onset: number;
  refCtr: number;
  recentCtr: number;
  drop: number;
  cpmChange: number;
  cpcChange: number;
  frequencyChange: number | null;
  /** Frequency over the last 2 days above what the ad's delivery explains, as a share (null without frequency). */
  frequencyExcess: number | null;
  /** CTR's fall since the onset below the reference weeks, in units of its noise (0 when none). */
  ctrZ: number;
  /** The frequency excess in units of its noise (null without frequency). */
  frequencyZ: number | null;
}

function robustSd(values: number[], floor: number): number {
  if (values.length < 5) return floor;
  const sorted = [...values].sort((a, b) => a - b);
  const med = sorted[sorted.length >> 1]!;
  const abs = sorted.map((d) => Math.abs(d - med)).sort((a, b) => a - b);
  return Math.max(floor, abs[abs.length >> 1]! * 1.4826);
}

const clampAbs = (x: number, c: number) => Math.max(-c, Math.min(c, x));

interface Reference {
  clicksPerDay: number;
  ctr: number;
  cpm: number;
  cpc: number;
  frequency: number | null;
  sCtr: number;
  sCpm: number;
  sF: number;
  /** Frequency as the ad's delivery explains it: a + b × its impressions (the day's or the week's). */
  fA: number;
  fB: number;
  /** Spread of frequency around that line. */
  sFr: number;
  /** The delivery the line reads (the day's or the week's impressions). */
  fX: Delivery;
  /** The most delivery the line saw: beyond it the line is not extrapolated. */
  fXMax: number;
  /** How far the ad's weekly CTR wanders beyond what its daily noise explains (log scale). */
  sLevel: number;
}

/**
 * How far an ad's weekly CTR wanders on its own (budget moves into broader
 * audiences, auction mix): the spread of its 7-day CTRs over its history, less
 * what the daily noise alone puts into a 7-day mean. A reference taken in a
 * good stretch is not the ad's level; this is the allowance for that.
 */
function levelWander(e: EntitySeries, from: number, to: number, sDaily: number): number {
  const logs: number[] = [];
  for (let b = to; b - 6 >= from; b -= 7) {
    const imp = sumRange(e.impressions, b - 6, b), clicks = sumRange(e.clicks, b - 6, b);
    if (imp > 0 && clicks > 0) logs.push(Math.log(clicks / imp));
  }
  // Too few weeks to tell: allow as much again as a week of daily noise.
  if (logs.length < 4) return sDaily / Math.sqrt(7);
  const mean = logs.reduce((a, b) => a + b, 0) / logs.length;
  const v = logs.reduce((a, b) => a + (b - mean) ** 2, 0) / (logs.length - 1);
  return Math.sqrt(Math.max(0, v - sDaily ** 2 / 7));
}

/** The last 7 days' impressions up to day i (what a 7-day frequency counts over). */
const impressions7 = (e: EntitySeries, i: number) => sumRange(e.impressions, i - 6, i);
/** The day's own impressions (what a daily row's frequency counts over). */
const impressions1 = (e: EntitySeries, i: number) => e.impressions[i]!;

type Delivery = (e: EntitySeries, i: number) => number;

/**
 * Frequency rises when an ad buys more impressions from the same audience, and
 * when the audience is used up. The first is delivery, the second is fatigue:
 * a line of frequency on delivery over the reference days separates them —
 * fatigue is frequency above the line. Whether a row's frequency counts the day
 * (Meta's daily rows) or the week is not known, so both are fitted and the one
 * that explains the reference days better is kept.
 */
function frequencyLine(e: EntitySeries, r0: number, r1: number): FrequencyLine | null {
  const a = fitLine(e, r0, r1, impressions1);
  const b = fitLine(e, r0, r1, impressions7);
  return a && b ? (a.rss < b.rss ? a : b) : (a ?? b);
}

interface FrequencyLine {
  a: number;
  b: number;
  s: number;
  rss: number;
  x: Delivery;
  xMax: number;
}

function fitLine(e: EntitySeries, r0: number, r1: number, x: Delivery): FrequencyLine | null {
  const xs: number[] = [], ys: number[] = [];
  for (let i = r0; i <= r1; i++) {
    if (!Number.isFinite(e.frequency[i]!)) continue;
    xs.push(x(e, i));
    ys.push(e.frequency[i]!);
  }
  if (xs.length < 7) return null;
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length, my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let sxy = 0, sxx = 0;
  for (let k = 0; k < xs.length; k++) {
    sxy += (xs[k]! - mx) * (ys[k]! - my);
    sxx += (xs[k]! - mx) ** 2;
  }
  // More impressions never lower frequency: a negative slope is noise.
  const b = sxx > 0 ? Math.max(0, sxy / sxx) : 0;
  const a = my - b * mx;
  const res = ys.map((y, k) => y - (a + b * xs[k]!));
  // Reported frequencies are rounded to 0.01: the floor.
  return { a, b, s: robustSd(res, Math.max(0.01, 0.005 * my)), rss: res.reduce((t, r) => t + r * r, 0), x, xMax: Math.max(...xs) };
}

function reference(e: EntitySeries, r0: number, r1: number, p: typeof FATIGUE): Reference | null {
  const imp = sumRange(e.impressions, r0, r1);
  const clicks = sumRange(e.clicks, r0, r1);
  const days = r1 - r0 + 1;
  // Written so an unknown (NaN) count never passes: no CTR is read from unreported days.
  if (!(imp >= p.minImpressionsPerDay * days) || !(clicks > 0)) return null;
  const spend = sumRange(e.spendCents, r0, r1);
  const ctr = clicks / imp;
  const cpm = spend / imp;
  const frequency = meanFinite(e.frequency, r0, r1);
  const ctrDev: number[] = [], cpmDev: number[] = [], fDev: number[] = [];
  for (let i = r0; i <= r1; i++) {
    if (e.impressions[i]! <= 0) continue;
    if (e.clicks[i]! > 0) ctrDev.push(Math.log(e.clicks[i]! / e.impressions[i]! / ctr));
    if (e.spendCents[i]! > 0) cpmDev.push(Math.log(e.spendCents[i]! / e.impressions[i]! / cpm));
    if (frequency !== null && Number.isFinite(e.frequency[i]!)) fDev.push(e.frequency[i]! - frequency);
  }
  if (ctrDev.length < 7) return null;
  const line = frequency !== null ? frequencyLine(e, r0, r1) : null;
  return {
    fA: line?.a ?? frequency ?? 0,
    fB: line?.b ?? 0,
    sFr: line?.s ?? 0,
    fX: line?.x ?? impressions7,
    fXMax: line?.xMax ?? 0,
    sLevel: 0,
    ctr,
    cpm,
    cpc: spend / clicks,
    clicksPerDay: clicks / days,
    frequency,
    // Noise floors: counting clicks alone adds 1/√clicks to log CTR.
    sCtr: robustSd(ctrDev, Math.max(0.04, Math.sqrt(days / clicks))),
    sCpm: robustSd(cpmDev, 0.03),
    sF: frequency !== null ? robustSd(fDev, 0.02 * frequency) : 0,
  };
}

/**
 * The detector as of day `end`. Each recent day's evidence of fatigue — CTR
 * below the ad's level of the three weeks before and frequency above it, each in
 * units of its own noise — is pooled and fed to a one-sided CUSUM, so a
 * steady slide is caught in days while single bad days are not. Once the slide
 * is older than the reference gap, the CTR's drop from the ad's early baseline
 * keeps the condition open.
 */
export function fatigueAt(e: EntitySeries, end: number, p = FATIGUE): FatigueState | null {
  return stateAt(e, end, p, false);
}

/** How far back an older slide's first alarm is looked for. */
const LASTING_LOOKBACK = 75;

function stateAt(e: EntitySeries, end: number, p: typeof FATIGUE, freshOnly: boolean): FatigueState | null {
  if (e.launch < 0) return null;
  const early0 = e.launch + p.rampDays;
  const early = reference(e, early0, early0 + p.referenceDays - 1, p);
  if (!early || end <= early0 + p.referenceDays) return null;
  // Local reference: days end−27 … end−8, not before the ramp is over.
  const l0 = Math.max(early0, end - 27);
  const l1 = end - 8;
  const local = l1 - l0 + 1 >= 14 ? reference(e, l0, l1, p) : null;
  if (local) local.sLevel = levelWander(e, early0, l1, local.sCtr);

  let S = 0;
  let sCtrOnly = 0;
  let onset = -1;
  if (local && local.clicksPerDay >= p.minClicksPerDay) {
    for (let i = l1 + 1; i <= end; i++) {
      const imp = e.impressions[i]!;
      if (imp < p.minImpressionsPerDay) continue;
      const zCtr = -clampAbs(Math.log(Math.max(e.clicks[i]!, 0.5) / imp / local.ctr) / local.sCtr, p.cap);
      sCtrOnly = Math.max(0, sCtrOnly + zCtr - p.k);
      let sum = zCtr;
      let n = 1;
      const fx = local.frequency !== null && local.sFr > 0 ? frequencyExcess(e, local, i) : Number.NaN;
      if (Number.isFinite(fx)) {
        sum += clampAbs(fx / local.sFr, p.capFrequency);
        n++;
      }
      const next = Math.max(0, S + sum / Math.sqrt(n) - p.k);
      if (S === 0 && next > 0) onset = i;
      S = next;
    }
  }
  const recentImp = sumRange(e.impressions, end - 1, end);
  const recentClicks = sumRange(e.clicks, end - 1, end);
  const recentSpend = sumRange(e.spendCents, end - 1, end);
  const recentCtr = recentImp > 0 ? recentClicks / recentImp : 0;
  const base = local ?? early;
  const dropLocal = 1 - recentCtr / base.ctr;
  const drop = 1 - recentCtr / early.ctr;
  const fNow = meanFinite(e.frequency, end - 1, end);
  const state: Omit<FatigueState, 'alarm' | 'onset'> = {
    frequencyExcess: null,
    ctrZ: 0,
    frequencyZ: null,
    refCtr: early.ctr,
    recentCtr,
    drop,
    cpcChange: recentClicks > 0 ? recentSpend / recentClicks / early.cpc - 1 : 0,
    cpmChange: recentImp > 0 ? recentSpend / recentImp / early.cpm - 1 : 0,
    frequencyChange: early.frequency !== null && fNow !== null && early.frequency > 0 ? fNow / early.frequency - 1 : null,
  };
  // Confirmation: frequency clearly up where it is reported (audience saturation,
  // the signature of fatigue); otherwise costs up — CPM, or CPC beyond what the CTR explains.
  const fRecent = meanFinite(e.frequency, end - 1, end);
  const excess = local !== null && local.sFr > 0 && fRecent !== null ? (frequencyExcess(e, local, end) + frequencyExcess(e, local, end - 1)) / 2 : Number.NaN;
  const backed =
    local !== null &&
    (local.frequency !== null && fRecent !== null && Number.isFinite(excess)
      ? excess / local.sFr >= 2 && excess / local.frequency >= p.minFrequencyExcess
      : recentSpend / Math.max(1, recentImp) > local.cpm * 1.02 || (recentClicks > 0 && recentSpend / recentClicks > local.cpc * 1.08));
  // Early: the audience is used up — frequency far above what the week's delivery
  // explains — while the CTR has begun to slide (its own drop still within a day's noise).
  const saturated = Number.isFinite(excess) && excess / local!.sFr >= p.saturationZ && excess / local!.frequency! >= p.minFrequencyExcess && dropLocal >= p.minDropSaturated && sCtrOnly > 0;
  state.frequencyExcess = Number.isFinite(excess) ? excess / local!.frequency! : null;
  // The fall since the onset against the reference weeks, in units of both noises:
  // a day's (averaged over the days since) and the weekly level's own wander.
  let ctrZ = 0;
  if (local && onset >= 0) {
    const n = end - onset + 1;
    const since = sumRange(e.clicks, onset, end) / Math.max(1, sumRange(e.impressions, onset, end));
    const se = Math.sqrt(local.sCtr ** 2 * (1 / n + 1 / 20) + 2 * local.sLevel ** 2);
    ctrZ = since > 0 ? Math.log(local.ctr / since) / se : p.cap * Math.sqrt(n);
  }
  state.ctrZ = Math.max(0, ctrZ);
  state.frequencyZ = Number.isFinite(excess) ? excess / local!.sFr : null;
  // Frequency read on the last two days backs the call; without it CTR alone must be beyond its noise.
  const withFrequency = Number.isFinite(excess);
  const beyondNoise = withFrequency || ctrZ >= p.zNoFrequency;
  const fresh = local !== null && S > (withFrequency ? p.h : p.hNoFrequency) && onset >= 0 && backed && beyondNoise && ((sCtrOnly > p.hCtr && dropLocal >= p.minDrop) || saturated);
  if (fresh) return { alarm: true, onset, ...state };
  if (freshOnly) return { alarm: false, onset: -1, ...state };
  // An older slide: CTR still far below the early baseline and not recovering.
  const lastWeek = sumRange(e.clicks, end - 6, end) / Math.max(1, sumRange(e.impressions, end - 6, end));
  const weekBefore = sumRange(e.clicks, end - 13, end - 7) / Math.max(1, sumRange(e.impressions, end - 13, end - 7));
  // …and beyond the noise of a week's CTR against the two early weeks', on an ad with the clicks to tell.
  const zWeek = lastWeek > 0 ? Math.log(early.ctr / lastWeek) / (early.sCtr * Math.sqrt(1 / 7 + 1 / p.referenceDays)) : Infinity;
  const lasting =
    early.clicksPerDay >= p.minClicksPerDay &&
    drop >= p.minLastingDrop &&
    1 - lastWeek / early.ctr >= p.minLastingDrop &&
    zWeek >= p.lastingZ &&
    lastWeek <= weekBefore * 1.05 &&
    alarmedBefore(e, end, p);
  if (lasting) state.ctrZ = zWeek;
  return { alarm: lasting, onset: lasting ? findOnset(e, early, early0 + p.referenceDays, end) : -1, ...state };
}

/**
 * An older slide stays open only if it was once caught fresh: a week's CTR below
 * the two early weeks' says nothing alone (the early weeks may have been a lucky
 * peak of a noisy series, or the budget grew into a broader audience).
 */
function alarmedBefore(e: EntitySeries, end: number, p: typeof FATIGUE): boolean {
  for (let j = end - 1; j >= Math.max(e.launch, end - LASTING_LOOKBACK); j--) if (stateAt(e, j, p, true)?.alarm) return true;
  return false;
}

/** The first day of the last run of days whose 3-day CTR sat below the early baseline by the minimum drop. */
function findOnset(e: EntitySeries, early: Reference, from: number, end: number): number {
  let onset = end;
  for (let i = end; i >= from + 2; i--) {
    const ctr = sumRange(e.clicks, i - 2, i) / Math.max(1, sumRange(e.impressions, i - 2, i));
    if (ctr > early.ctr * (1 - FATIGUE.minLastingDrop / 4)) break;
    onset = i - 2;
  }
  return onset;
}

/**
 * Frequency on day i above what the ad's delivery explains — NaN when not
 * reported, or when the day bought more than the reference days ever did: a
 * daily frequency curves up as a budget grows into its audience, and a straight
 * line carried beyond what it saw reads every budget raise as saturation.
 */
function frequencyExcess(e: EntitySeries, r: Reference, i: number): number {
  const x = r.fX(e, i);
  if (!(x <= r.fXMax * FREQUENCY_REACH)) return Number.NaN;
  return e.frequency[i]! - (r.fA + r.fB * x);
}

/** How far past the reference days' delivery the frequency line is still read. */
const FREQUENCY_REACH = 1.15;

function meanFinite(a: Float64Array, from: number, to: number): number | null {
  let s = 0, n = 0;
  for (let i = Math.max(0, from); i <= to; i++) {
    if (Number.isFinite(a[i]!)) {
      s += a[i]!;
      n++;
    }
  }
  return n ? s / n : null;
}

const severityOf = (drop: number): Severity => (drop >= 0.55 ? 'critical' : drop >= 0.4 ? 'high' : drop >= 0.25 ? 'medium' : 'low');

export function detectFatigue(s: SeriesSet, settings?: BrainSettings): Finding[] {
  const out: Finding[] = [];
  const end = s.length - 1;
  for (const e of s.byId.values()) {
    if ((e.entity.kind !== 'ad' && e.entity.kind !== 'creative') || e.entity.status === 'killed') continue;
    if (sumRange(e.spendCents, end - 6, end) < FATIGUE.minSpend7Cents) continue;
    const f = fatigueAt(e, end);
    if (!f?.alarm) continue;
    // What the lost CTR costs: clicks not bought at the reference CTR, valued at
    // this ad's value per click (revenue, or leads at their target) over the last
    // four weeks; unknown when its results were not reported.
    const imp7 = sumRange(e.impressions, end - 6, end);
    const clicks28 = sumRange(e.clicks, end - 27, end);
    const w = windowTotals(e, end - 27, end);
    const v = settings ? valueOf(w, objectiveFor(e, s, settings)) : { valueCents: w.revenue, basisSpend: w.revenueSpend };
    // Value per click over the days whose value is known (spend-share of the clicks).
    const knownClicks = w.spend > 0 ? clicks28 * (v.basisSpend / w.spend) : 0;
    const valuePerClick = knownClicks > 0 ? v.valueCents / knownClicks : 0;
    const lost = Math.round((f.refCtr - f.recentCtr) * imp7 * valuePerClick);
    const impact = Number.isFinite(lost) ? lost : 0;
    out.push({
      type: 'creative_fatigue',
      entity: refOf(e),
      severity: severityOf(f.drop),
      impactCents: Math.max(0, impact),
      confidence: round(Math.min(0.95, 0.5 + f.drop), 3),
      since: s.dayOf(f.onset),
      title: `${e.entity.name} is wearing out: ${signals(f).join(', ')}`,
      facts: {
        referenceCtr: round(f.refCtr, 5),
        recentCtr: round(f.recentCtr, 5),
        drop: round(f.drop, 4),
        cpcChange: round(f.cpcChange, 4),
        cpmChange: round(f.cpmChange, 4),
        frequencyChange: f.frequencyChange === null ? null : round(f.frequencyChange, 4),
        frequencyExcess: f.frequencyExcess === null ? null : round(f.frequencyExcess, 4),
        // How far each signal moved in units of its own noise (day-to-day and week-to-week).
        ctrNoiseUnits: round(f.ctrZ, 1),
        frequencyNoiseUnits: f.frequencyZ === null ? null : round(f.frequencyZ, 1),
        lostValueCents: Math.max(0, impact),
      },
    });
  }
  return out;
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
const signed = (x: number) => `${x >= 0 ? '+' : '−'}${Math.round(Math.abs(x) * 100)}%`;

const noise = (z: number) => (z >= 1 ? `, ${z.toFixed(1)}× its noise` : '');

/**
 * Which signals moved, strongest evidence first: CTR against its best, frequency,
 * costs — CTR and frequency with how far they moved in units of their own noise,
 * so a reader can tell a slide from a bad week.
 */
function signals(f: FatigueState): string[] {
  const out = [`CTR ${pct(f.recentCtr)} vs ${pct(f.refCtr)} at its best (${signed(-f.drop)}${noise(f.ctrZ)})`];
  if (f.frequencyExcess !== null && f.frequencyExcess >= FATIGUE.minFrequencyExcess) {
    const change = f.frequencyChange === null ? '' : `${signed(f.frequencyChange)}, `;
    out.push(`frequency ${change}${signed(f.frequencyExcess)} beyond what its spend explains (${f.frequencyZ === null ? '' : `${f.frequencyZ.toFixed(1)}× its noise; `}the audience is saturating)`);
  }
  if (f.cpcChange >= 0.05) out.push(`CPC ${signed(f.cpcChange)}`);
  if (f.cpmChange >= 0.05) out.push(`CPM ${signed(f.cpmChange)}`);
  return out;
}
