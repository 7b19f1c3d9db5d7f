// A second forecasting panel, made here and unlike the real one: ad-account-like
// daily series with a weekday shape, a level that drifts (budget changes as a
// log random walk, occasional steps), over-dispersed counts (gamma–Poisson) for
// conversions and clicks, and multiplicative noise for spend. Its own Park–Miller
// generator, so it is the same on every machine.
export interface PanelSeries { id: string; values: number[] }

export function syntheticPanel(o: { series?: number; days?: number; seed?: number } = {}): PanelSeries[] {
  let state = (o.seed ?? 20261207) % 2147483647 || 1;
  const u = () => (state = (state * 48271) % 2147483647) / 2147483647;
  const normal = () => Math.sqrt(-2 * Math.log(u() || 1e-12)) * Math.cos(2 * Math.PI * u());
  // Marsaglia–Tsang gamma (shape ≥ 1), then Poisson by inversion / normal for large means.
  const gamma = (k: number): number => {
    if (k < 1) return gamma(k + 1) * Math.pow(u() || 1e-12, 1 / k);
    const d = k - 1 / 3, c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number, v: number;
      do { x = normal(); v = 1 + c * x; } while (v <= 0);
      v = v * v * v;
      if (Math.log(u() || 1e-12) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
    }
  };
  const poisson = (mean: number) => {
    if (mean > 50) return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal()));
    let k = 0, p = Math.exp(-mean), s = p;
    const r = u();
    while (r > s && k < 1000) { k++; p *= mean / k; s += p; }
    return k;
  };
  const out: PanelSeries[] = [];
  const n = o.series ?? 60, days = o.days ?? 140;
  for (let i = 0; i < n; i++) {
    const kind = ['spend', 'clicks', 'conversions'][i % 3]!;
    const base = kind === 'spend' ? 5_000 + u() * 200_000 : kind === 'clicks' ? 50 + u() * 3_000 : 1 + u() * 40;
    const shape = Array.from({ length: 7 }, () => 0.75 + 0.5 * u());
    const dispersion = 2 + u() * 20; // gamma shape: lower = more over-dispersed
    let level = Math.log(base);
    const values: number[] = [];
    for (let t = 0; t < days; t++) {
      level += 0.03 * normal();
      if (u() < 0.01) level += (u() < 0.5 ? -1 : 1) * (0.2 + 0.4 * u()); // a budget step
      const mean = Math.exp(level) * shape[t % 7]!;
      values.push(kind === 'spend' ? Math.round(mean * Math.exp(0.12 * normal())) : poisson(mean * gamma(dispersion) / dispersion));
    }
    out.push({ id: `synthetic_${kind}_${i}`, values });
  }
  return out;
}
