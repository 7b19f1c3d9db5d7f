// Exponential-smoothing state-space models (ETS, Hyndman et al. 2008) for daily
// series with a weekly season: error A/M × trend N/A/Ad × season N/A/M, fitted by
// maximum likelihood and chosen by AICc. A and M error share the state updates
// (written with the additive error y − ŷ); only the likelihood and the interval
// scale differ. A-error models with M season are left out (unstable, as in R's ets).
import { nelderMead } from './nelder-mead.ts';

export type ErrorType = 'A' | 'M';
export type TrendType = 'N' | 'A' | 'Ad';
export type SeasonType = 'N' | 'A' | 'M';

export interface EtsSpec {
  error: ErrorType;
  trend: TrendType;
  season: SeasonType;
  m: number;
}

export interface EtsFit {
  spec: EtsSpec;
  alpha: number;
  beta: number;
  gamma: number;
  phi: number;
  /** Final states after the last observation. */
  level: number;
  slope: number;
  /** Seasonal states for the next m days, in order. */
  seasonal: Float64Array;
  /** One-step error variance (relative for M error). */
  sigma2: number;
  /** The same from the residuals' MAD: not inflated by a few outlier days. */
  robustSigma2: number;
  /** |one-step residuals|, sorted: their quantiles set interval widths empirically. */
  absResiduals: Float64Array;
  /** One-step errors in time order (relative for M error): resampled for the interval of a sum. */
  residuals: Float64Array;
  aicc: number;
  n: number;
}

export const specName = (s: EtsSpec) => `ETS(${s.error},${s.trend},${s.season})`;

interface Init {
  l: number;
  b: number;
  s: Float64Array;
}

function initialStates(y: Float64Array, spec: EtsSpec): Init {
  const { m } = spec;
  const n = y.length;
  const s = new Float64Array(m).fill(spec.season === 'M' ? 1 : 0);
  if (spec.season !== 'N') {
    const weeks = Math.max(1, Math.min(4, Math.floor(n / m)));
    const means: number[] = [];
    for (let w = 0; w < weeks; w++) {
      let sum = 0;
      for (let i = 0; i < m; i++) sum += y[w * m + i]!;
      means.push(sum / m);
    }
    for (let i = 0; i < m; i++) {
      let acc = 0;
      for (let w = 0; w < weeks; w++) {
        const v = y[w * m + i]!;
        acc += spec.season === 'M' ? (means[w]! > 0 ? v / means[w]! : 1) : v - means[w]!;
      }
      s[i] = acc / weeks;
    }
    // Normalise: additive indices sum to 0, multiplicative average 1.
    let mean = 0;
    for (let i = 0; i < m; i++) mean += s[i]! / m;
    for (let i = 0; i < m; i++) s[i] = spec.season === 'M' ? s[i]! / (mean || 1) : s[i]! - mean;
    const slope = weeks > 1 && spec.trend !== 'N' ? (means[weeks - 1]! - means[0]!) / ((weeks - 1) * m) : 0;
    return { l: means[0]! - (slope * (m - 1)) / 2, b: slope, s };
  }
  const k = Math.min(n, 10);
  let sx = 0, sy = 0, sxy = 0, sxx = 0;
  for (let i = 0; i < k; i++) {
    sx += i;
    sy += y[i]!;
    sxy += i * y[i]!;
    sxx += i * i;
  }
  const slope = spec.trend !== 'N' && k > 2 ? (k * sxy - sx * sy) / (k * sxx - sx * sx) : 0;
  return { l: sy / k - slope * ((k - 1) / 2) - slope, b: slope, s };
}

interface RunResult {
  sse: number;
  sumLogYhat: number;
  sseRel: number;
  level: number;
  slope: number;
  seasonal: Float64Array;
}

/** Filters the series; returns the error sums and the final states (or null if a forecast went non-positive in an M model). */
function run(
  y: Float64Array,
  spec: EtsSpec,
  alpha: number,
  beta: number,
  gamma: number,
  phi: number,
  init: Init,
  buf: Float64Array,
  residuals?: Float64Array,
): RunResult | null {
  const { m, trend, season, error } = spec;
  const damp = trend === 'Ad' ? phi : 1;
  let l = init.l;
  let b = trend === 'N' ? 0 : init.b;
  buf.set(init.s);
  let sse = 0, sseRel = 0, sumLog = 0;
  const needPositive = error === 'M' || season === 'M';
  for (let t = 0; t < y.length; t++) {
    const si = t % m;
    const s = buf[si]!;
    const lPrev = l + damp * b;
    const yhat = season === 'M' ? lPrev * s : season === 'A' ? lPrev + s : lPrev;
    if (needPositive && !(yhat > 0)) return null;
    const e = y[t]! - yhat;
    sse += e * e;
    if (error === 'M') {
      const r = e / yhat;
      sseRel += r * r;
      sumLog += Math.log(yhat);
      if (residuals) residuals[t] = r;
    } else if (residuals) residuals[t] = e;
    if (season === 'M') {
      l = lPrev + (alpha * e) / s;
      if (trend !== 'N') b = damp * b + (beta * e) / s;
      buf[si] = s + (gamma * e) / lPrev;
    } else {
      l = lPrev + alpha * e;
      if (trend !== 'N') b = damp * b + beta * e;
      if (season === 'A') buf[si] = s + gamma * e;
    }
    if (!Number.isFinite(l)) return null;
  }
  // Reorder seasonal states so index 0 is the next day's.
  const seasonal = new Float64Array(m);
  for (let i = 0; i < m; i++) seasonal[i] = buf[(y.length + i) % m]!;
  return { sse, sumLogYhat: sumLog, sseRel, level: l, slope: b, seasonal };
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const LOG2PI = Math.log(2 * Math.PI);

function decode(x: Float64Array, spec: EtsSpec) {
  const alpha = 1e-4 + 0.9997 * sigmoid(x[0]!);
  let i = 1;
  const beta = spec.trend !== 'N' ? alpha * 0.999 * sigmoid(x[i++]!) : 0;
  const gamma = spec.season !== 'N' ? (1 - alpha) * 0.999 * sigmoid(x[i++]!) : 0;
  const phi = spec.trend === 'Ad' ? 0.8 + 0.18 * sigmoid(x[i++]!) : 1;
  return { alpha, beta, gamma, phi };
}

function minus2LogLik(r: RunResult, n: number, error: ErrorType): number {
  if (error === 'A') return n * Math.log(r.sse / n) + n * (1 + LOG2PI);
  return n * Math.log(r.sseRel / n) + n * (1 + LOG2PI) + 2 * r.sumLogYhat;
}

export function fitEts(y: Float64Array, spec: EtsSpec, maxEvals = 150): EtsFit | null {
  const n = y.length;
  const init = initialStates(y, spec);
  const buf = new Float64Array(spec.m);
  const nParams = 1 + (spec.trend !== 'N' ? 1 : 0) + (spec.season !== 'N' ? 1 : 0) + (spec.trend === 'Ad' ? 1 : 0);
  const x0 = new Float64Array(nParams);
  x0[0] = -1.0; // alpha ≈ 0.27
  let i = 1;
  if (spec.trend !== 'N') x0[i++] = -2.5;
  if (spec.season !== 'N') x0[i++] = -2.5;
  if (spec.trend === 'Ad') x0[i++] = 1.5;
  // A perfect fit has zero error; a floor keeps its log-likelihood finite.
  let scale = 0;
  for (let t = 0; t < n; t++) scale += Math.abs(y[t]!) / n;
  const floor = n * (1e-9 * (scale || 1)) ** 2;
  const objective = (x: Float64Array) => {
    const p = decode(x, spec);
    const r = run(y, spec, p.alpha, p.beta, p.gamma, p.phi, init, buf);
    if (!r) return Number.POSITIVE_INFINITY;
    r.sse = Math.max(r.sse, floor);
    r.sseRel = Math.max(r.sseRel, floor / (scale || 1) ** 2);
    const v = minus2LogLik(r, n, spec.error);
    return Number.isFinite(v) ? v : Number.POSITIVE_INFINITY;
  };
  const best = nelderMead(objective, x0, { step: 1, maxEvals });
  if (!Number.isFinite(best.fx)) return null;
  const p = decode(best.x, spec);
  const residuals = new Float64Array(n);
  const r = run(y, spec, p.alpha, p.beta, p.gamma, p.phi, init, buf, residuals)!;
  const k = nParams + 1 + (spec.trend !== 'N' ? 1 : 0) + (spec.season !== 'N' ? spec.m - 1 : 0) + 1;
  const aicc = best.fx + 2 * k + (n - k - 1 > 0 ? (2 * k * (k + 1)) / (n - k - 1) : Number.POSITIVE_INFINITY);
  return {
    spec,
    ...p,
    level: r.level,
    slope: r.slope,
    seasonal: r.seasonal,
    sigma2: (spec.error === 'A' ? r.sse : r.sseRel) / n,
    robustSigma2: robustVariance(residuals),
    absResiduals: sortedAbs(residuals),
    residuals,
    aicc,
    n,
  };
}

export interface PointAndSd {
  point: Float64Array;
  /** Standard deviation of the h-step forecast error (absolute). */
  sd: Float64Array;
}

/** h-step forecasts and their error sd (analytic for the linear models; the same
 * multipliers on the relative scale approximate the multiplicative ones). */
export function forecastEts(fit: EtsFit, h: number, robust = false): PointAndSd {
  const { spec, alpha, beta, gamma, phi } = fit;
  const point = new Float64Array(h);
  const sd = new Float64Array(h);
  let phiSum = 0;
  let cumC2 = 0;
  for (let k = 1; k <= h; k++) {
    phiSum += spec.trend === 'Ad' ? Math.pow(phi, k) : spec.trend === 'A' ? 1 : 0;
    const base = fit.level + phiSum * fit.slope;
    const s = fit.seasonal[(k - 1) % spec.m]!;
    point[k - 1] = spec.season === 'M' ? base * s : spec.season === 'A' ? base + s : base;
    // Variance multiplier: 1 + Σ_{j<k} c_j², c_j = α + β·φ_j + γ·[j ≡ 0 mod m].
    const j = k - 1;
    if (j >= 1) {
      let phiJ = 0;
      if (spec.trend === 'A') phiJ = j;
      else if (spec.trend === 'Ad') for (let q = 1; q <= j; q++) phiJ += Math.pow(phi, q);
      const c = alpha + beta * phiJ + (spec.season !== 'N' && j % spec.m === 0 ? gamma : 0);
      cumC2 += c * c;
    }
    const v = (robust ? fit.robustSigma2 : fit.sigma2) * (1 + cumC2);
    sd[k - 1] = spec.error === 'A' ? Math.sqrt(v) : Math.abs(point[k - 1]!) * Math.sqrt(v);
  }
  return { point, sd };
}

export function candidateSpecs(y: Float64Array, m: number): EtsSpec[] {
  let positive = true;
  for (let i = 0; i < y.length; i++) if (!(y[i]! > 0)) positive = false;
  const seasonal = y.length >= 3 * m;
  const out: EtsSpec[] = [];
  for (const error of positive ? (['A', 'M'] as const) : (['A'] as const)) {
    for (const trend of ['N', 'A', 'Ad'] as const) {
      for (const season of seasonal ? (['N', 'A', 'M'] as const) : (['N'] as const)) {
        if (season === 'M' && (!positive || error === 'A')) continue;
        out.push({ error, trend, season, m });
      }
    }
  }
  return out;
}

export function fitAllEts(y: Float64Array, m: number, maxEvals?: number): EtsFit[] {
  const fits: EtsFit[] = [];
  for (const spec of candidateSpecs(y, m)) {
    const fit = fitEts(y, spec, maxEvals);
    if (fit && Number.isFinite(fit.aicc)) fits.push(fit);
  }
  return fits.sort((a, b) => a.aicc - b.aicc);
}

/** Fits every candidate and keeps the lowest AICc. */
export function autoEts(y: Float64Array, m: number, maxEvals?: number): EtsFit | null {
  return fitAllEts(y, m, maxEvals)[0] ?? null;
}

function robustVariance(r: Float64Array): number {
  const a = Float64Array.from(r).sort();
  const med = a[a.length >> 1]!;
  for (let i = 0; i < a.length; i++) a[i] = Math.abs(a[i]! - med);
  a.sort();
  const mad = a[a.length >> 1]! * 1.4826;
  return mad * mad;
}

function sortedAbs(r: Float64Array): Float64Array {
  const a = new Float64Array(r.length);
  for (let i = 0; i < r.length; i++) a[i] = Math.abs(r[i]!);
  return a.sort();
}

/** Empirical quantile (linear interpolation) of a sorted array. */
export function quantileSorted(a: Float64Array, q: number): number {
  if (a.length === 0) return 0;
  const pos = (a.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(a.length - 1, lo + 1);
  return a[lo]! + (a[hi]! - a[lo]!) * (pos - lo);
}

/**
 * Half-widths of the central `level` prediction interval: the empirical
 * one-step error quantile, grown over the horizon by the model's variance
 * multipliers. Real ad series have heavy tails, where a normal interval from
 * the residual variance is too wide on ordinary days.
 */
export function intervalHalfWidths(fit: EtsFit, fc: PointAndSd, level: number): Float64Array {
  const q1 = quantileSorted(fit.absResiduals, level);
  const base = Math.sqrt(fit.sigma2);
  const out = new Float64Array(fc.sd.length);
  for (let i = 0; i < out.length; i++) {
    // fc.sd[i] = base × growth (× |point| for M error): keep the growth, swap the scale.
    out[i] = base > 0 ? (fc.sd[i]! / base) * q1 : 0;
  }
  return out;
}

/**
 * How far below and above the forecast the *total* of the next `days` days may
 * fall (central `level` interval) — not the daily intervals added up, which assume
 * every day misses the same way at once. The error of the total is Σᵢ wᵢ·εᵢ: a
 * shock on day i also moves every later day by c_j (the model's state update), so
 * wᵢ = 1 + Σ_{j=1}^{days−i} c_j (× each day's level on the relative scale of
 * multiplicative errors). Its quantiles come from drawing the days' errors from
 * the model's own one-step errors: heavy tails stay heavy where a week has one
 * wild day, and average out as the central limit theorem says where they do not
 * (neither the one-day quantile nor a normal z·σ is right for both); a series that
 * spikes up more than it dips gets a range that reaches further up than down.
 * Not included: the uncertainty of the fitted parameters (bench:forecast and
 * test/forecast-total.test.ts measure what that costs).
 */
export function sumInterval(fit: EtsFit, fc: PointAndSd, level: number, days: number): { below: number; above: number } {
  const { spec, alpha, beta, gamma, phi } = fit;
  const c = new Float64Array(days);
  for (let j = 1; j < days; j++) {
    let phiJ = 0;
    if (spec.trend === 'A') phiJ = j;
    else if (spec.trend === 'Ad') for (let q = 1; q <= j; q++) phiJ += Math.pow(phi, q);
    c[j] = alpha + beta * phiJ + (spec.season !== 'N' && j % spec.m === 0 ? gamma : 0);
  }
  const w = new Float64Array(days);
  for (let i = 0; i < days; i++) {
    w[i] = spec.error === 'A' ? 1 : Math.abs(fc.point[i]!);
    for (let k = i + 1; k < days; k++) w[i]! += c[k - i]! * (spec.error === 'A' ? 1 : Math.abs(fc.point[k]!));
  }
  const r = fit.residuals;
  if (r.length === 0) return { below: 0, above: 0 };
  // xorshift32, seeded by the series (the same range every run); integer-only: this
  // loop runs days × draws times per model.
  let x = (r.length * 2_654_435_761 + days) >>> 0 || 1;
  const n = r.length;
  const sums = new Float64Array(BOOTSTRAP_DRAWS);
  for (let b = 0; b < BOOTSTRAP_DRAWS; b++) {
    let sum = 0;
    for (let i = 0; i < days; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      sum += r[((x >>> 0) * n) / 4_294_967_296 | 0]! * w[i]!;
    }
    sums[b] = sum;
  }
  sums.sort();
  // The forecast is the expected total: the range is measured around it.
  return { below: Math.max(0, -quantileSorted(sums, (1 - level) / 2)), above: Math.max(0, quantileSorted(sums, (1 + level) / 2)) };
}

const BOOTSTRAP_DRAWS = 2_000;
