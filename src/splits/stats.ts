// The statistics of a split test, pure functions of counts and sums.
//
// - Rates (conversions per click): the two-proportion z test (pooled standard error
//   for the test, unpooled for the 95 % interval of the difference), as R's
//   prop.test(correct = FALSE) computes it.
// - Revenue per click and ROI: ratio metrics (revenue / clicks, revenue / spend − 1)
//   whose variance comes from the delta method with the days as the units
//   (Var(R) ≈ Σ(yᵢ − R·xᵢ)² / ((k − 1)·k·x̄²)), compared with a Welch z.
// - Bayesian chance to beat control (rates): posteriors Beta(1 + x, 1 + n − x) from a
//   uniform prior; P(p_B > p_A) exactly, by Evan Miller's sum over the smaller arm.
// - Peeking: the winner is called by the mixture sequential probability ratio test
//   (mSPRT; Johari, Pekelis & Walsh, "Always valid inference", 2017) on the
//   estimated difference θ̂ with variance V: Λ = √(V / (V + τ²)) · exp(θ̂² τ² / (2V(V + τ²))),
//   always-valid p = min(1, 1/Λ), its running minimum over the looks. Its type I
//   error stays ≤ α however often it is read (daily), unlike the fixed-horizon p.

// simple-statistics' normal CDF is a table at 0.01 steps: too coarse for p-values.
/** erfc(x), Numerical Recipes' Chebyshev fit: fractional error below 1.2e-7 everywhere. */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? r : 2 - r;
}
/** Φ(z), the standard normal CDF. */
export const normalCdf = (z: number): number => 0.5 * erfc(-z / Math.SQRT2);
const Z975 = 1.959963984540054;
const Z80 = 0.8416212335729143;

export interface Arm {
  /** Trials: clicks. */
  n: number;
  /** Successes: conversions. */
  x: number;
}

/** Two-sided p of a standard normal z. */
export const twoSidedP = (z: number): number => (Number.isFinite(z) ? Math.min(1, erfc(Math.abs(z) / Math.SQRT2)) : 0);

export interface DiffResult {
  /** B − A. */
  diff: number;
  /** (B − A) / A, null when A is 0. */
  lift: number | null;
  z: number;
  p: number;
  ci95: [number, number];
  /** Variance of the difference (the sequential test's V). */
  variance: number;
}

export function twoProportion(a: Arm, b: Arm): DiffResult {
  const pa = a.n > 0 ? a.x / a.n : 0;
  const pb = b.n > 0 ? b.x / b.n : 0;
  const pooled = a.n + b.n > 0 ? (a.x + b.x) / (a.n + b.n) : 0;
  const sePooled = Math.sqrt(pooled * (1 - pooled) * (1 / a.n + 1 / b.n));
  const variance = (pa * (1 - pa)) / a.n + (pb * (1 - pb)) / b.n;
  const se = Math.sqrt(variance);
  const diff = pb - pa;
  const z = sePooled > 0 ? diff / sePooled : 0;
  const q = Z975;
  return { diff, lift: pa > 0 ? diff / pa : null, z, p: sePooled > 0 ? twoSidedP(z) : 1, ci95: [diff - q * se, diff + q * se], variance };
}

/** One arm of a ratio metric as daily sums: numerator (revenue) and denominator (clicks or spend) per day. */
export interface RatioArm {
  num: number[];
  den: number[];
}

/** The ratio Σnum/Σden and its delta-method variance over the days. */
export function ratio(arm: RatioArm): { value: number; variance: number; days: number } {
  const k = arm.num.length;
  const N = arm.num.reduce((s, v) => s + v, 0);
  const D = arm.den.reduce((s, v) => s + v, 0);
  if (k < 2 || D <= 0) return { value: D > 0 ? N / D : 0, variance: Number.POSITIVE_INFINITY, days: k };
  const r = N / D;
  const dBar = D / k;
  let ss = 0;
  for (let i = 0; i < k; i++) ss += (arm.num[i]! - r * arm.den[i]!) ** 2;
  return { value: r, variance: ss / ((k - 1) * k * dBar * dBar), days: k };
}

export function ratioDiff(a: RatioArm, b: RatioArm): DiffResult {
  const ra = ratio(a);
  const rb = ratio(b);
  const variance = ra.variance + rb.variance;
  const diff = rb.value - ra.value;
  const se = Math.sqrt(variance);
  const z = se > 0 && Number.isFinite(se) ? diff / se : 0;
  const q = Z975;
  return { diff, lift: ra.value !== 0 ? diff / Math.abs(ra.value) : null, z, p: se > 0 && Number.isFinite(se) ? twoSidedP(z) : 1, ci95: [diff - q * se, diff + q * se], variance };
}

const lnBeta = (a: number, b: number) => lnGamma(a) + lnGamma(b) - lnGamma(a + b);

/** ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms: ~15 significant digits). */
export function lnGamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  x -= 1;
  let s = c[0]!;
  for (let i = 1; i < 9; i++) s += c[i]! / (x + i);
  const t = x + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(s);
}

/**
 * P(p_B > p_A) for p_A ~ Beta(1 + x_A, 1 + n_A − x_A), p_B ~ Beta(1 + x_B, 1 + n_B − x_B):
 * Σ_{i=0}^{α_B−1} exp(lnB(α_A + i, β_A + β_B) − ln(β_B + i) − lnB(1 + i, β_B) − lnB(α_A, β_A)).
 * Beyond 50,000 terms the normal approximation of the posteriors is used (it is then exact to ~1e-4).
 */
export function chanceToBeat(a: Arm, b: Arm): number {
  const aA = 1 + a.x, bA = 1 + a.n - a.x, aB = 1 + b.x, bB = 1 + b.n - b.x;
  if (aB - 1 > 50_000) {
    const mean = (al: number, be: number) => al / (al + be);
    const v = (al: number, be: number) => (al * be) / ((al + be) ** 2 * (al + be + 1));
    return normalCdf((mean(aB, bB) - mean(aA, bA)) / Math.sqrt(v(aA, bA) + v(aB, bB)));
  }
  let total = 0;
  const base = lnBeta(aA, bA);
  for (let i = 0; i < aB; i++) total += Math.exp(lnBeta(aA + i, bA + bB) - Math.log(bB + i) - lnBeta(1 + i, bB) - base);
  return Math.min(1, Math.max(0, total));
}

/** The mSPRT's always-valid p for an estimate θ̂ with variance V under a N(0, τ²) mixture. */
export function msprtP(diff: number, variance: number, tau2: number): number {
  if (!(variance > 0) || !Number.isFinite(variance)) return 1;
  const lnLambda = 0.5 * Math.log(variance / (variance + tau2)) + (diff * diff * tau2) / (2 * variance * (variance + tau2));
  return Math.min(1, Math.exp(-lnLambda));
}

/** Clicks each arm needs for an 80 %-power fixed test of a difference `delta` at base rate p (two-sided α = 0.05). */
export function clicksNeeded(p: number, delta: number): number {
  if (!(delta !== 0) || p <= 0 || p >= 1) return Number.POSITIVE_INFINITY;
  const za = Z975;
  const zb = Z80;
  const p2 = Math.min(0.999999, Math.max(1e-6, p + delta));
  return Math.ceil(((za + zb) ** 2 * (p * (1 - p) + p2 * (1 - p2))) / (delta * delta));
}
