// A small Nelder–Mead minimiser for the few smoothing parameters of an ETS model.
// Written here rather than taken from a package because the hot loop must not
// allocate (it runs thousands of times per client) and needs a sized first simplex.

export interface NelderMeadOptions {
  step?: number;
  maxEvals?: number;
  tolerance?: number;
}

export function nelderMead(f: (x: Float64Array) => number, x0: ArrayLike<number>, opts: NelderMeadOptions = {}) {
  const n = x0.length;
  const step = opts.step ?? 0.5;
  const maxEvals = opts.maxEvals ?? 60 * (n + 1);
  const tol = opts.tolerance ?? 1e-7;
  const pts: Float64Array[] = [];
  const fx = new Float64Array(n + 1);
  for (let i = 0; i <= n; i++) {
    const p = Float64Array.from(x0);
    if (i > 0) p[i - 1]! += step;
    pts.push(p);
    fx[i] = f(p);
  }
  let evals = n + 1;
  const centroid = new Float64Array(n);
  const xr = new Float64Array(n);
  const xe = new Float64Array(n);
  const xc = new Float64Array(n);
  const order = Array.from({ length: n + 1 }, (_, i) => i);
  while (evals < maxEvals) {
    order.sort((a, b) => fx[a]! - fx[b]!);
    const best = order[0]!;
    const worst = order[n]!;
    const second = order[n - 1]!;
    if (Math.abs(fx[worst]! - fx[best]!) <= tol * (Math.abs(fx[best]!) + tol)) break;
    centroid.fill(0);
    for (let k = 0; k < n; k++) {
      const p = pts[order[k]!]!;
      for (let j = 0; j < n; j++) centroid[j]! += p[j]! / n;
    }
    const pw = pts[worst]!;
    for (let j = 0; j < n; j++) xr[j] = centroid[j]! + (centroid[j]! - pw[j]!);
    const fr = f(xr);
    evals++;
    if (fr < fx[best]!) {
      for (let j = 0; j < n; j++) xe[j] = centroid[j]! + 2 * (xr[j]! - centroid[j]!);
      const fe = f(xe);
      evals++;
      if (fe < fr) {
        pw.set(xe);
        fx[worst] = fe;
      } else {
        pw.set(xr);
        fx[worst] = fr;
      }
    } else if (fr < fx[second]!) {
      pw.set(xr);
      fx[worst] = fr;
    } else {
      const outside = fr < fx[worst]!;
      for (let j = 0; j < n; j++) xc[j] = centroid[j]! + (outside ? 0.5 : -0.5) * ((outside ? xr[j]! : pw[j]!) - centroid[j]!);
      const fc = f(xc);
      evals++;
      if (fc < (outside ? fr : fx[worst]!)) {
        pw.set(xc);
        fx[worst] = fc;
      } else {
        // Shrink towards the best point.
        const pb = pts[best]!;
        for (const i of order.slice(1)) {
          const p = pts[i]!;
          for (let j = 0; j < n; j++) p[j] = pb[j]! + 0.5 * (p[j]! - pb[j]!);
          fx[i] = f(p);
          evals++;
        }
      }
    }
  }
  let bi = 0;
  for (let i = 1; i <= n; i++) if (fx[i]! < fx[bi]!) bi = i;
  return { x: pts[bi]!, fx: fx[bi]!, evals };
}
