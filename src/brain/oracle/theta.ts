// The Theta method (Assimakopoulos & Nikolopoulos 2000, as Hyndman & Billah 2003
// showed it: simple exponential smoothing with drift equal to half the series'
// linear trend) on the seasonally adjusted series, re-seasonalised — the method
// that won the M3 competition and that R's forecast::thetaf implements. Used as one
// half of the forecaster's combination with the ETS ensemble.

/** Seasonal when the autocorrelation at the season's lag is significant at 90 % (thetaf's test). */
function isSeasonal(y: Float64Array, m: number): boolean {
  const n = y.length;
  if (m < 2 || n < 3 * m) return false;
  let mean = 0;
  for (const v of y) mean += v;
  mean /= n;
  let d = 0;
  for (const v of y) d += (v - mean) ** 2;
  if (d === 0) return false;
  const acf = (k: number) => {
    let s = 0;
    for (let t = k; t < n; t++) s += (y[t]! - mean) * (y[t - k]! - mean);
    return s / d;
  };
  let sum = 0;
  for (let k = 1; k < m; k++) sum += acf(k) ** 2;
  return Math.abs(acf(m)) > 1.645 * Math.sqrt((1 + 2 * sum) / n);
}

/**
 * Classical decomposition's seasonal indices: multiplicative (as thetaf always
 * uses) when the series is never negative and its moving average never reaches
 * zero — days of zero are fine — else additive.
 */
function seasonalIndices(y: Float64Array, m: number, additive = false): { idx: Float64Array; mult: boolean } {
  const n = y.length;
  const half = Math.floor(m / 2);
  const trend = new Float64Array(n).fill(Number.NaN);
  for (let t = half; t < n - half; t++) {
    // Centred moving average over one season (2×m for an even season).
    let v = 0;
    if (m % 2 === 1) {
      for (let k = -half; k <= half; k++) v += y[t + k]!;
      v /= m;
    } else {
      for (let k = -half + 1; k < half; k++) v += y[t + k]!;
      v = (v + 0.5 * (y[t - half]! + y[t + half]!)) / m;
    }
    trend[t] = v;
  }
  let mult = !additive;
  for (let t = 0; t < n; t++) if (y[t]! < 0 || trend[t]! <= 0) mult = false;
  const sums = new Float64Array(m);
  const counts = new Float64Array(m);
  for (let t = 0; t < n; t++) {
    if (Number.isNaN(trend[t]!)) continue;
    sums[t % m]! += mult ? y[t]! / trend[t]! : y[t]! - trend[t]!;
    counts[t % m]! += 1;
  }
  const idx = new Float64Array(m);
  let norm = 0;
  for (let j = 0; j < m; j++) {
    idx[j] = counts[j]! ? sums[j]! / counts[j]! : mult ? 1 : 0;
    norm += idx[j]!;
  }
  norm /= m;
  for (let j = 0; j < m; j++) idx[j] = mult ? idx[j]! / norm : idx[j]! - norm;
  // A weekday that is always zero has no multiplicative index to divide by: additive then.
  if (mult && idx.some((v) => !(v > 0))) return seasonalIndices(y, m, true);
  return { idx, mult };
}

/**
 * SES with its smoothing weight and its initial level chosen by least squares, as
 * R's ses() does: for a given weight the one-step errors are linear in the initial
 * level, so the best one has a closed form; the weight by golden-section search.
 */
function ses(x: Float64Array): { alpha: number; level: number } {
  const n = x.length;
  const fit = (a: number) => {
    // Predictions from a zero start (r) and each one's weight on the start (b).
    let l = 0, b = 1, sbb = 0, sbe = 0;
    const r = new Float64Array(n), w = new Float64Array(n);
    for (let t = 0; t < n; t++) {
      r[t] = l;
      w[t] = b;
      sbb += b * b;
      sbe += b * (x[t]! - l);
      l += a * (x[t]! - l);
      b *= 1 - a;
    }
    const l0 = sbb > 0 ? sbe / sbb : x[0]!;
    let sse = 0;
    for (let t = 0; t < n; t++) sse += (x[t]! - r[t]! - w[t]! * l0) ** 2;
    // The last level: the zero-start run plus the start's remaining weight.
    return { sse, level: l + b * l0 };
  };
  let lo = 0.0001, hi = 0.9999;
  const g = (Math.sqrt(5) - 1) / 2;
  let c = hi - g * (hi - lo), d = lo + g * (hi - lo);
  let fc = fit(c).sse, fd = fit(d).sse;
  for (let i = 0; i < 40; i++) {
    if (fc < fd) {
      hi = d; d = c; fd = fc; c = hi - g * (hi - lo); fc = fit(c).sse;
    } else {
      lo = c; c = d; fc = fd; d = lo + g * (hi - lo); fd = fit(d).sse;
    }
  }
  const alpha = (lo + hi) / 2;
  return { alpha, level: fit(alpha).level };
}

export function thetaForecast(y: Float64Array, m: number, h: number): Float64Array {
  const n = y.length;
  const seasonal = isSeasonal(y, m);
  const { idx, mult } = seasonal ? seasonalIndices(y, m) : { idx: new Float64Array(Math.max(1, m)).fill(0), mult: false };
  const adj = (t: number) => (seasonal ? (mult ? idx[t % m]! : idx[t % m]!) : 0);
  const x = new Float64Array(n);
  for (let t = 0; t < n; t++) x[t] = seasonal ? (mult ? y[t]! / adj(t) : y[t]! - adj(t)) : y[t]!;
  // Drift: half the slope of the least-squares line through the adjusted series.
  let st = 0, sx = 0, stt = 0, stx = 0;
  for (let t = 0; t < n; t++) {
    st += t; sx += x[t]!; stt += t * t; stx += t * x[t]!;
  }
  const slope = (n * stx - st * sx) / (n * stt - st * st || 1);
  const { alpha, level } = ses(x);
  const out = new Float64Array(h);
  for (let k = 0; k < h; k++) {
    const f = level + 0.5 * slope * (k + 1 / alpha - (1 - alpha) ** n / alpha);
    out[k] = seasonal ? (mult ? f * adj(n + k) : f + adj(n + k)) : f;
  }
  return out;
}
