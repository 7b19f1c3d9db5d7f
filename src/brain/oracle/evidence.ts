// Is this link burning money, or a winner — and since when? One rule for the
// daily insight and the intraday alert.
//
// The link's daily results are counted in units of value (revenue in average
// orders, leads or conversions one each) against spend in the same units, so the
// rate is its ROAS. A Bayesian online change-point model (Adams & MacKay 2007)
// with a Gamma–Poisson count model weighs every possible start of the current
// regime: a new regime starts on any day with a small prior chance, and each
// candidate's ROAS posterior is Gamma(prior + value since then, prior + spend
// since then). The prior for a new regime is centred on the link's own ROAS
// over the look-back, pulled toward its campaign's, and worth half a unit of
// evidence: a fresh regime is judged by its own numbers within a day or two.
// Counts are divided by the link's measured overdispersion (quasi-Poisson), so
// a noisy link needs more evidence than a steady one.
//
// The verdict is the probability, over those regimes, that the ROI is below the
// client's burn line (above the win line). A regime must hold two days before it
// is judged, two of them beyond the line on their own: one bad day is an
// anomaly, two are a pattern. The returned evidence is null when no stretch of
// days comes near a call (the model is skipped for those: see beyondLine).
import jstat from 'jstat';
import { addReported, emptyTotals, enoughFor, judge, roiLines, unitValue, type KnownTotals, type Objective, type Thresholds } from '../objective.ts';

export const EVIDENCE = {
  /** Days of history the model reads. */
  lookbackDays: 90,
  /** Prior chance that any given day starts a new regime. */
  hazard: 1 / 30,
  /** Weight of a new regime's prior, in units of value (after the dispersion scaling). */
  priorUnits: 0.5,
  /** How sure the brain must be to call it. */
  probability: 0.9,
  /** Days a regime must have lasted before it is judged. */
  minRegimeDays: 2,
  /** Runs this much less likely than the best (in log terms) are dropped. */
  pruneLog: 12,
};

/** What the model reads of an entity (an EntitySeries has all of it). */
export interface ResultSeries {
  spendCents: ArrayLike<number>;
  revenueCents: ArrayLike<number>;
  conversions: ArrayLike<number>;
  launch: number;
}

export interface Evidence {
  verdict: 'burning' | 'winner' | null;
  /** P(ROI below the burn line) and P(ROI above the win line), over the regimes. */
  pBurn: number;
  pWin: number;
  /** Index of the first day of the most probable current regime. */
  since: number;
  /** Probability that the regime starting at `since` is the current one. */
  sinceProbability: number;
  /** The most probable regime began after the first day read (a change, not the start of the data). */
  changed: boolean;
  /** Totals from `since` to the end and their judgement at zero minimums (ROI, CPA). */
  totals: KnownTotals;
  roi: number;
  cpaCents: number | null;
  valueCents: number;
  basisSpend: number;
  /** The ROAS the regime's posterior centres on, and the link's before it. */
  roasNow: number;
  roasBefore: number | null;
  lines: { burnRoi: number; winRoi: number };
}

const isKnown = (x: number) => x === x; // not NaN

/** P(X ≤ x) for X ~ Gamma(shape a, rate b) (jstat takes the scale, 1 / rate). */
const gammaCdf = (x: number, a: number, b: number) => jstat.jStat.gamma.cdf(x, a, 1 / b);

/**
 * Value of one unit: the objective's value per conversion, or the average order
 * over the look-back (a revenue source without order counts: its average day).
 */
function unitOf(e: ResultSeries, from: number, end: number, o: Objective, fallback: number | null, noOrdersUnit: number): number | null {
  const fixed = unitValue(o);
  if (o.kind !== 'revenue') return fixed && fixed > 0 ? fixed : null;
  let rev = 0, conv = 0, days = 0, anyRev = 0;
  for (let i = from; i <= end; i++) {
    const r = e.revenueCents[i]!, c = e.conversions[i]!;
    if (!isKnown(r)) continue;
    anyRev += r;
    days++;
    if (isKnown(c) && c > 0) {
      rev += r;
      conv += c;
    }
  }
  if (conv >= 3 && rev > 0) return rev / conv;
  if (fallback && fallback > 0) return fallback;
  // Nothing here or in the client has ever sold: an order is taken to be worth
  // half the client's minimum spend (in its own currency), so spend without a
  // sale is evidence at that pace — the minimum buys two orders' worth of it.
  return days && anyRev > 0 ? anyRev / days : days ? Math.max(1, noOrdersUnit) : null;
}

/** The observed days in the look-back: value and spend in units, and the day index. */
interface Obs {
  idx: number[];
  y: number[];
  x: number[];
}

function observations(e: ResultSeries, from: number, end: number, o: Objective, unit: number): Obs {
  const obs: Obs = { idx: [], y: [], x: [] };
  for (let i = from; i <= end; i++) {
    const spend = e.spendCents[i]!;
    if (!(spend > 0)) continue;
    const v = o.kind === 'revenue' ? e.revenueCents[i]! : e.conversions[i]!;
    // A day whose result was not reported says nothing about the rate.
    if (!isKnown(v)) continue;
    obs.idx.push(i);
    obs.y.push((o.kind === 'revenue' ? v : v * unit) / unit);
    obs.x.push(spend / unit);
  }
  return obs;
}

/**
 * Overdispersion: the mean squared Pearson residual of each day's value around
 * its local rate (the two weeks around it), at least 1. Few days: assume 1.5
 * (a new link leans on its campaign's prior anyway).
 */
function dispersion(obs: Obs): number {
  const n = obs.y.length;
  if (n < 14) return 1.5;
  let chi = 0, m = 0;
  for (let k = 0; k < n; k++) {
    let ys = 0, xs = 0;
    for (let j = Math.max(0, k - 7); j <= Math.min(n - 1, k + 7); j++) {
      if (j === k) continue;
      ys += obs.y[j]!;
      xs += obs.x[j]!;
    }
    if (!(xs > 0) || !(ys > 0)) continue;
    const mu = (ys / xs) * obs.x[k]!;
    if (!(mu > 0.05)) continue;
    chi += (obs.y[k]! - mu) ** 2 / mu;
    m++;
  }
  return m >= 10 ? Math.min(20, Math.max(1, chi / m)) : 1.5;
}

/**
 * log Γ(z) for z > 0: Stirling's series once z ≥ 8, shifted up with the
 * recurrence below that (|error| < 1e-10) — the model calls it thousands of
 * times per link, and a general-purpose log-gamma is several times slower.
 */
function lgamma(z: number): number {
  let shift = 0;
  while (z < 8) {
    shift -= Math.log(z);
    z += 1;
  }
  const z2 = 1 / (z * z);
  return shift + (z - 0.5) * Math.log(z) - z + 0.9189385332046728 + (1 / z) * (1 / 12 - z2 * (1 / 360 - z2 * (1 / 1260 - z2 / 1680)));
}

/** log NB predictive of y given Gamma(a, b) on the rate and exposure x, without the terms all runs share. */
const logPredictive = (y: number, x: number, a: number, b: number) => lgamma(a + y) - lgamma(a) + a * Math.log(b / (b + x)) + y * Math.log(x / (b + x));

/**
 * The evidence on one entity as of day `end`. `priorRoas`: its campaign's ROAS
 * over the look-back (null without one), which a short history leans on.
 */
export function evidenceAt(e: ResultSeries, end: number, o: Objective, th: Thresholds, priorRoas: number | null = null, aovFallback: number | null = null, p = EVIDENCE): Evidence | null {
  if (e.launch < 0 || e.launch > end) return null;
  if (o.kind !== 'revenue' && !(unitValue(o)! > 0)) return null;
  const from = Math.max(e.launch, end - p.lookbackDays + 1);
  const unit = unitOf(e, from, end, o, aovFallback, th.burnMinSpendCents / 2);
  if (unit === null) return null;
  const obs = observations(e, from, end, o, unit);
  const n = obs.y.length;
  if (n === 0) return null;
  const phi = dispersion(obs);
  let Y = 0, X = 0;
  for (let k = 0; k < n; k++) {
    Y += obs.y[k]!;
    X += obs.x[k]!;
  }
  // Prior mean: the link's own ROAS over the look-back, shrunk toward its campaign's
  // (or break-even) with the weight of two units — a link with little history leans on its campaign.
  const anchor = priorRoas !== null && priorRoas > 0 ? priorRoas : 1;
  const m0 = Math.max(0.02, (Y + 2 * anchor) / (X + 2));
  const a0 = p.priorUnits;
  const b0 = a0 / m0;

  const { burnRoi, winRoi } = roiLines(o, th);
  // The mixture below is a weighted mean of each candidate regime's own posterior,
  // and each of those is the prior plus a suffix of the days: a call needs some
  // suffix sure enough on its own. Most links have none, and skip the model.
  if (!beyondLine(obs, end, phi, a0, b0, 1 + burnRoi, 1 + winRoi, p.minRegimeDays, p.probability)) return null;

  // Runs, oldest first: start (index into obs), Gamma(a, b) after absorbing, log weight.
  const start = new Int32Array(n), A = new Float64Array(n), B = new Float64Array(n), W = new Float64Array(n);
  let runs = 0;
  // Σ exp(W) over the runs (their weights are kept relative to the best, ≤ 0).
  let total = 0;
  const logH = Math.log(p.hazard), log1H = Math.log(1 - p.hazard);
  for (let k = 0; k < n; k++) {
    const y = obs.y[k]! / phi, x = obs.x[k]! / phi;
    // A new regime starting today (the first day: the only one).
    const newW = k === 0 ? 0 : Math.log(total) + logH + logPredictive(y, x, a0, b0);
    let best = newW;
    for (let r = 0; r < runs; r++) {
      W[r] = W[r]! + log1H + logPredictive(y, x, A[r]!, B[r]!);
      A[r] = A[r]! + y;
      B[r] = B[r]! + x;
      if (W[r]! > best) best = W[r]!;
    }
    start[runs] = k;
    A[runs] = a0 + y;
    B[runs] = b0 + x;
    W[runs] = newW;
    runs++;
    // Rescale to the best and drop runs that can no longer matter, in place.
    let kept = 0;
    total = 0;
    for (let r = 0; r < runs; r++) {
      if (W[r]! < best - p.pruneLog) continue;
      start[kept] = start[r]!;
      A[kept] = A[r]!;
      B[kept] = B[r]!;
      W[kept] = W[r]! - best;
      total += Math.exp(W[kept]!);
      kept++;
    }
    runs = kept;
  }

  // Judge the regimes that have held at least `minRegimeDays` calendar days.
  let norm = 0, pBurn = 0, pWin = 0, bestR = -1, bestW = -1;
  for (let r = 0; r < runs; r++) {
    if (end - obs.idx[start[r]!]! + 1 < p.minRegimeDays) continue;
    const w = Math.exp(W[r]!);
    norm += w;
    pBurn += w * gammaCdf(1 + burnRoi, A[r]!, B[r]!);
    pWin += w * (1 - gammaCdf(1 + winRoi, A[r]!, B[r]!));
    if (w > bestW) {
      bestW = w;
      bestR = r;
    }
  }
  if (bestR < 0 || !(norm > 0)) return null;
  pBurn /= norm;
  pWin /= norm;
  const since = obs.idx[start[bestR]!]!;
  const t = emptyTotals();
  for (let i = since; i <= end; i++) addReported(t, e.spendCents[i]!, e.revenueCents[i]!, e.conversions[i]!);
  const j = judge(t, o, { ...th, burnMinSpendCents: 0, winMinRevenueCents: 0 });
  let yb = 0, xb = 0;
  for (let k = 0; k < start[bestR]!; k++) {
    yb += obs.y[k]!;
    xb += obs.x[k]!;
  }
  const ev: Evidence = {
    verdict: null,
    pBurn,
    pWin,
    since,
    sinceProbability: bestW / norm,
    changed: start[bestR]! > 0,
    totals: t,
    roi: j.roi ?? 0,
    cpaCents: j.cpaCents,
    valueCents: j.valueCents,
    basisSpend: j.basisSpend,
    roasNow: A[bestR]! / B[bestR]!,
    roasBefore: xb > 0 ? yb / xb : null,
    lines: { burnRoi, winRoi },
  };
  // Two days are a pattern: the regime needs that many days beyond the line on
  // their own — a normal day and an outage day together are not a burning link.
  let below = 0, above = 0;
  for (let k = start[bestR]!; k < n; k++) {
    if (obs.y[k]! < (1 + burnRoi) * obs.x[k]!) below++;
    if (obs.y[k]! > (1 + winRoi) * obs.x[k]!) above++;
  }
  ev.verdict = verdictOf(ev, o, th, p.probability);
  if ((ev.verdict === 'burning' && below < p.minRegimeDays) || (ev.verdict === 'winner' && above < p.minRegimeDays)) ev.verdict = null;
  return ev;
}

/** The call: sure enough, and enough money since the change to matter (the same minimums as `judge`). */
function verdictOf(ev: Evidence, o: Objective, th: Thresholds, sure: number): Evidence['verdict'] {
  const m = { basisSpend: ev.basisSpend, valueCents: ev.valueCents, conversions: ev.totals.conversions };
  if (ev.pBurn >= sure && enoughFor('burning', m, o, th)) return 'burning';
  if (ev.pWin >= sure && enoughFor('winner', m, o, th)) return 'winner';
  return null;
}

/** Is any regime of `minDays` or more (a suffix of the days) on its own `sure` to be beyond either line? */
function beyondLine(obs: Obs, end: number, phi: number, a0: number, b0: number, burn: number, win: number, minDays: number, sure: number): boolean {
  let y = 0, x = 0;
  for (let k = obs.y.length - 1; k >= 0; k--) {
    y += obs.y[k]! / phi;
    x += obs.x[k]! / phi;
    if (end - obs.idx[k]! + 1 < minDays) continue;
    // Only a posterior centred beyond a line can be 90 % beyond it (for a Gamma of shape ≥ ½,
    // which the prior guarantees): the CDF is read only then.
    const a = a0 + y, b = b0 + x, mean = a / b;
    if (mean < burn && gammaCdf(burn, a, b) >= sure) return true;
    if (mean > win && 1 - gammaCdf(win, a, b) >= sure) return true;
  }
  return false;
}
