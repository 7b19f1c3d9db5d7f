// Forecasts for one daily series: an Akaike-weighted average of every fitted
// ETS model (averaging beats picking one on real ad series), with empirical
// prediction intervals; seasonal naive for short series; nothing at all when
// there is too little data to say anything.
import { fitAllEts, forecastEts, intervalHalfWidths, specName, quantileSorted, sumInterval } from './ets.ts';
import { thetaForecast } from './theta.ts';

// The simple average (not tuned on the benchmark panel: equal weights are what the
// combination literature recommends when nothing says otherwise).
const THETA_WEIGHT = 0.5;

export interface ForecastOptions {
  horizon: number;
  /** Season length in days (7 = weekly). */
  season?: number;
  /** Central interval coverage, 0–1 (0.8 = 80 %). */
  level?: number;
  /** Days left in the month after the last one: the interval of their total (pacing's month-end projection). */
  restDays?: number;
}

/** How far below and above its expected value the total of the month's remaining days may fall. */
export interface RestRange {
  days: number;
  below: number;
  above: number;
}

/** The interval of the total of the first `days` days (the report's "next 7 days"), not a sum of daily intervals. */
export interface TotalForecast {
  days: number;
  point: number;
  lower: number;
  upper: number;
}

export type SeriesForecast =
  | { ok: true; model: string; point: number[]; lower: number[]; upper: number[]; total?: TotalForecast; rest?: RestRange }
  | { ok: false; reason: string };

/** Models below this Akaike weight are left out of the week's range (renormalised). */
const SUM_MIN_WEIGHT = 0.02;

/** The total the report states: the next 7 days. */
export const TOTAL_DAYS = 7;

/** Fewer days than this: no forecast. Fewer than ETS_MIN: seasonal naive. */
export const MIN_HISTORY = 14;
export const ETS_MIN = 28;

export function forecastSeries(values: ArrayLike<number>, opts: ForecastOptions): SeriesForecast {
  const m = opts.season ?? 7;
  const level = opts.level ?? 0.8;
  const h = opts.horizon;
  const n = values.length;
  if (n < Math.max(MIN_HISTORY, 2 * m)) {
    return { ok: false, reason: `insufficient data: ${n} days of history, at least ${Math.max(MIN_HISTORY, 2 * m)} needed` };
  }
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(values[i]!)) return { ok: false, reason: `value ${i + 1} is not a number` };
  }
  let nonNegative = true;
  for (let i = 0; i < n; i++) if (values[i]! < 0) nonNegative = false;
  const clamp = (v: number) => (nonNegative ? Math.max(0, v) : v);
  const y = Float64Array.from(values);
  const fits = n >= Math.max(ETS_MIN, 3 * m) ? fitAllEts(y, m) : [];
  if (fits.length === 0) return seasonalNaive(y, m, h, level, clamp);

  const best = fits[0]!.aicc;
  const weights = fits.map((f) => Math.exp(-0.5 * (f.aicc - best)));
  const total = weights.reduce((a, b) => a + b, 0);
  const point = new Float64Array(h);
  const half = new Float64Array(h);
  const days = Math.min(TOTAL_DAYS, h);
  const restDays = Math.max(0, Math.floor(opts.restDays ?? 0));
  let below = 0, above = 0, sumWeight = 0, restBelow = 0, restAbove = 0;
  fits.forEach((fit, i) => {
    const w = weights[i]! / total;
    if (w < 1e-4) return;
    const fc = forecastEts(fit, h);
    const hw = intervalHalfWidths(fit, fc, level);
    for (let k = 0; k < h; k++) {
      point[k]! += w * fc.point[k]!;
      half[k]! += w * hw[k]!;
    }
    // The week's range from the models that carry the weight (a 2 % model moves it by little, and costs a bootstrap).
    if (w >= SUM_MIN_WEIGHT) {
      const si = sumInterval(fit, fc, level, days);
      below += w * si.below;
      above += w * si.above;
      sumWeight += w;
      // The month's remaining days: the same sum's range, over as many days as are left.
      if (restDays > 0) {
        const r = sumInterval(fit, restDays <= h ? fc : forecastEts(fit, restDays), level, restDays);
        restBelow += w * r.below;
        restAbove += w * r.above;
      }
    }
  });
  // Combined with Theta, point by point: the literature's (and this panel's) best
  // classical gain on daily series; the intervals keep the ensemble's widths.
  const theta = thetaForecast(y, m, h);
  for (let k = 0; k < h; k++) point[k] = THETA_WEIGHT * theta[k]! + (1 - THETA_WEIGHT) * point[k]!;
  const out = { point: [] as number[], lower: [] as number[], upper: [] as number[] };
  for (let k = 0; k < h; k++) {
    out.point.push(clamp(point[k]!));
    out.lower.push(clamp(point[k]! - half[k]!));
    out.upper.push(clamp(point[k]! + half[k]!));
  }
  const lead = weights[0]! / total;
  const model = lead > 0.9 ? specName(fits[0]!.spec) : `ETS ensemble (${specName(fits[0]!.spec)} ${Math.round(lead * 100)}%)`;
  let sum = 0;
  for (let k = 0; k < days; k++) sum += out.point[k]!;
  const rest = restDays > 0 && sumWeight > 0 ? { days: restDays, below: restBelow / sumWeight, above: restAbove / sumWeight } : undefined;
  return { ok: true, model, ...out, total: sumWeight > 0 ? { days, point: sum, lower: clamp(sum - below / sumWeight), upper: sum + above / sumWeight } : undefined, rest };
}

/** Seasonal naive with empirical intervals: the short-series fallback and the benchmark baseline. */
export function seasonalNaive(
  y: ArrayLike<number>,
  m: number,
  h: number,
  level: number,
  clamp: (v: number) => number = (v) => v,
): SeriesForecast & { ok: true } {
  const n = y.length;
  const errs = new Float64Array(n - m);
  for (let t = m; t < n; t++) errs[t - m] = Math.abs(y[t]! - y[t - m]!);
  errs.sort();
  const q = quantileSorted(errs, level);
  const out = { point: [] as number[], lower: [] as number[], upper: [] as number[] };
  for (let k = 1; k <= h; k++) {
    const p = y[n - m + ((k - 1) % m)]!;
    const w = q * Math.sqrt(Math.ceil(k / m));
    out.point.push(clamp(p));
    out.lower.push(clamp(p - w));
    out.upper.push(clamp(p + w));
  }
  // The total's interval from the history's own errors of such totals (a week
  // against the week m days before it), not from the daily ones.
  const days = Math.min(TOTAL_DAYS, h);
  const sumErrs: number[] = [];
  for (let t = m; t + days <= n; t++) {
    let e = 0;
    for (let k = 0; k < days; k++) e += y[t + k]! - y[t + k - m]!;
    sumErrs.push(Math.abs(e));
  }
  const qs = quantileSorted(Float64Array.from(sumErrs).sort(), level);
  let sum = 0;
  for (let k = 0; k < days; k++) sum += out.point[k]!;
  return { ok: true, model: 'seasonal naive', ...out, total: { days, point: sum, lower: clamp(sum - qs), upper: sum + qs } };
}
