// npm run bench:forecast — rolling-origin evaluation on ../shared/data/real-daily-panel.csv
// (4 windows of 14 days, season 7): mean / median MASE (scale: in-sample seasonal
// naive MAE), 80 % interval coverage, the mean scaled interval score (MSIS: the
// Winkler score at 80 % over the same scale — width plus 2/α × every miss; lower
// is better) and ms per series for adbrain and seasonal naive, and — when Rscript
// with the forecast package is installed — R's ets, auto.arima, thetaf, stlf, the
// ETS + ARIMA + Theta mean, and prophet when present, on the same windows. Ratios
// against the best other method are printed.
// Then the 7-day total's interval (the report's "next 7 days") on this panel and a
// synthetic ad-like one (bench/synthetic-panel.ts, five seeds).
// Targets (issue 31): mean MASE no worse than the best other (≤ 1.00×; the earlier
// 0.95× was withdrawn: the AdWords account that dominates the panel falls 7–20 % in
// the test windows with no sign in its history); MSIS ≤ 0.85× the best other's;
// coverage 0.75–0.85 (daily and 7-day total); ≥ 50× faster than R ets per series.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { forecastSeries, seasonalNaive } from '../src/brain/oracle/forecast.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const panel = process.env.ADBRAIN_PANEL ?? path.resolve(here, '../../shared/data/real-daily-panel.csv');
const H = 14, M = 7, LEVEL = 0.8, WINDOWS = 4;

if (!existsSync(panel)) {
  console.error(`panel not found: ${panel} (set ADBRAIN_PANEL)`);
  process.exit(2);
}
const series = new Map<string, { dates: string[]; values: number[] }>();
for (const line of readFileSync(panel, 'utf8').trim().split('\n').slice(1)) {
  const [id, date, v] = line.split(',');
  const s = series.get(id!) ?? series.set(id!, { dates: [], values: [] }).get(id!)!;
  s.dates.push(date!);
  s.values.push(Number(v));
}

interface Window { key: string; train: number[]; trainDates: string[]; test: number[]; scale: number }
const windows: Window[] = [];
for (const [id, s] of series) {
  for (let w = WINDOWS; w >= 1; w--) {
    const cut = s.values.length - w * H;
    const train = s.values.slice(0, cut);
    let sum = 0;
    for (let t = M; t < train.length; t++) sum += Math.abs(train[t]! - train[t - M]!);
    windows.push({ key: `${id}#w${w}`, train, trainDates: s.dates.slice(0, cut), test: s.values.slice(cut, cut + H), scale: sum / (train.length - M) || 1 });
  }
}

type Fc = { point: number[]; lower: number[]; upper: number[] };
interface Score { mase: number[]; coverage: number[]; msis: number[]; ms: number; byGroup: Map<string, { mase: number[]; actual: number; forecast: number }> }
const score = (): Score => ({ mase: [], coverage: [], msis: [], ms: 0, byGroup: new Map() });
// The panel's parts: one AdWords account's 40 keywords (impressions, clicks), ten
// Wikipedia pages, and the rest — each scored apart so a lead or a loss can be placed.
const groupOf = (key: string) =>
  key.startsWith('adwords_') ? (key.includes('_impr#') ? 'AdWords impressions' : 'AdWords clicks') : key.startsWith('wiki_') ? 'Wikipedia pages' : 'other series';
const ALPHA = 1 - LEVEL;
function add(s: Score, w: Window, f: Fc) {
  let ae = 0, hit = 0, is = 0;
  for (let i = 0; i < H; i++) {
    const y = w.test[i]!, l = f.lower[i]!, u = f.upper[i]!;
    ae += Math.abs(y - f.point[i]!);
    if (y >= l && y <= u) hit++;
    // Winkler / interval score: the width, plus 2/α times how far outside an actual fell.
    is += u - l + (y < l ? (2 / ALPHA) * (l - y) : 0) + (y > u ? (2 / ALPHA) * (y - u) : 0);
  }
  s.mase.push(ae / H / w.scale);
  const g = s.byGroup.get(groupOf(w.key)) ?? s.byGroup.set(groupOf(w.key), { mase: [], actual: 0, forecast: 0 }).get(groupOf(w.key))!;
  g.mase.push(ae / H / w.scale);
  for (let i = 0; i < H; i++) {
    g.actual += w.test[i]!;
    g.forecast += f.point[i]!;
  }
  s.coverage.push(hit / H);
  s.msis.push(is / H / w.scale);
}

const results: Record<string, Score> = { adbrain: score(), 'seasonal naive': score() };
for (const w of windows.slice(0, 20)) forecastSeries(w.train, { horizon: H, season: M, level: LEVEL }); // JIT warm-up
for (const w of windows) {
  let t0 = performance.now();
  const f = forecastSeries(w.train, { horizon: H, season: M, level: LEVEL });
  results.adbrain!.ms += performance.now() - t0;
  if (!f.ok) throw new Error(`${w.key}: ${f.reason}`);
  add(results.adbrain!, w, f);
  t0 = performance.now();
  const s = seasonalNaive(w.train, M, H, LEVEL);
  results['seasonal naive']!.ms += performance.now() - t0;
  add(results['seasonal naive']!, w, s);
}

// R anchors, on the same windows.
const R_METHODS = ['ets', 'auto.arima', 'thetaf', 'stlf', 'ets+arima+theta', 'prophet'];
const rOk = spawnSync('Rscript', ['-e', 'suppressPackageStartupMessages(library(forecast))'], { encoding: 'utf8' }).status === 0;
if (rOk && process.env.ADBRAIN_BENCH_SKIP_R !== '1') {
  const dir = mkdtempSync(path.join(tmpdir(), 'adbrain-fc-'));
  const lines = ['series_id,date,value'];
  for (const w of windows) w.train.forEach((v, i) => lines.push(`${w.key},${w.trainDates[i]},${v}`));
  writeFileSync(path.join(dir, 'train.csv'), lines.join('\n') + '\n');
  console.error(`running R's ${R_METHODS.join(', ')} on ${windows.length} windows (several minutes)…`);
  const r = spawnSync('Rscript', [path.join(here, 'forecast.R'), path.join(dir, 'train.csv'), path.join(dir, 'out.csv'), String(H), String(LEVEL * 100)], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const secs = new Map([...(/seconds (.*) series=/.exec(r.stdout)?.[1] ?? '').matchAll(/([\w.+]+)=([\d.]+)/g)].map((m) => [m[1]!, Number(m[2])]));
  if (r.status !== 0 || secs.size === 0) {
    console.error(`R failed: ${r.stderr.slice(-500)}`);
  } else {
    const byKey = new Map<string, Map<string, Fc>>();
    for (const line of readFileSync(path.join(dir, 'out.csv'), 'utf8').trim().split('\n').slice(1)) {
      const [method, key, , point, lower, upper] = line.replace(/"/g, '').split(',');
      const m = byKey.get(method!) ?? byKey.set(method!, new Map()).get(method!)!;
      const f = m.get(key!) ?? m.set(key!, { point: [], lower: [], upper: [] }).get(key!)!;
      f.point.push(Number(point)); f.lower.push(Number(lower)); f.upper.push(Number(upper));
    }
    for (const method of R_METHODS) {
      if (!byKey.has(method)) continue;
      const sc = score();
      sc.ms = (secs.get(method) ?? 0) * 1000;
      for (const w of windows) add(sc, w, byKey.get(method)!.get(w.key)!);
      results[`R ${method}`] = sc;
    }
  }
} else {
  console.error('Rscript with the forecast package not found: R anchors skipped (Debian: r-base-core r-cran-forecast; r-cran-prophet for prophet)');
}

const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1]!;
console.log(`\n${series.size} series × ${WINDOWS} rolling origins, h = ${H}, season = ${M}, ${LEVEL * 100} % intervals\n`);
console.log('method               mean MASE  median MASE  coverage  MSIS (80 %)  ms/series');
for (const [name, s] of Object.entries(results)) {
  console.log(`${name.padEnd(19)}  ${mean(s.mase).toFixed(3).padStart(9)}  ${median(s.mase).toFixed(3).padStart(11)}  ${mean(s.coverage).toFixed(3).padStart(8)}  ${mean(s.msis).toFixed(3).padStart(11)}  ${(s.ms / windows.length).toFixed(2).padStart(9)}`);
}
// By part of the panel: mean MASE, and what actually came ÷ what was forecast (summed
// over the part's windows): a ratio far from 1 for every method is a shift no method saw.
const groups = [...results.adbrain!.byGroup.keys()];
console.log(`\nby part (mean MASE; actual ÷ forecast)\n${'method'.padEnd(19)}  ${groups.map((g) => g.padStart(22)).join('')}`);
for (const [name, s] of Object.entries(results)) {
  const cells = groups.map((g) => {
    const x = s.byGroup.get(g)!;
    return `${mean(x.mase).toFixed(3)}; ${(x.actual / x.forecast).toFixed(2)}`.padStart(22);
  });
  console.log(`${name.padEnd(19)}  ${cells.join('')}`);
}
// The 7-day total ("next 7 days: $X ($L to $U)" in the report): coverage of its own
// interval (the sum's, src/brain/oracle/ets.ts sumHalfWidth) against adding up the
// daily intervals, on this panel and on a synthetic ad-like panel made in bench/synthetic-panel.ts.
{
  const { syntheticPanel } = await import('./synthetic-panel.ts');
  const synth: Window[] = [];
  // Five seeds pooled: one seed's 240 windows swing ±0.04 around the mean.
  for (const s of [20261207, 1, 7, 42, 99].flatMap((seed) => syntheticPanel({ seed }).map((x) => ({ ...x, id: `${x.id}@${seed}` })))) {
    for (let w = WINDOWS; w >= 1; w--) {
      const cut = s.values.length - w * H;
      synth.push({ key: `${s.id}#w${w}`, train: s.values.slice(0, cut), trainDates: [], test: s.values.slice(cut, cut + H), scale: 1 });
    }
  }
  const DAYS = 7;
  console.log(`
7-day total: share of windows whose actual total fell inside the ${LEVEL * 100} % interval (target 0.75–0.85)`);
  console.log('panel                      windows  total interval  summed daily   width ratio (total ÷ summed)');
  let worst = 0;
  for (const [name, ws] of [['real (shared)', windows], ['synthetic (ad-like)', synth]] as const) {
    let hitTotal = 0, hitSummed = 0, ratio = 0, n = 0;
    for (const w of ws) {
      const f = forecastSeries(w.train, { horizon: H, season: M, level: LEVEL });
      if (!f.ok || !f.total) continue;
      const actual = w.test.slice(0, DAYS).reduce((a, b) => a + b, 0);
      const lo = f.lower.slice(0, DAYS).reduce((a, b) => a + b, 0), hi = f.upper.slice(0, DAYS).reduce((a, b) => a + b, 0);
      if (actual >= f.total.lower && actual <= f.total.upper) hitTotal++;
      if (actual >= lo && actual <= hi) hitSummed++;
      if (hi > lo) ratio += (f.total.upper - f.total.lower) / (hi - lo);
      n++;
    }
    const cov = hitTotal / n;
    worst = Math.max(worst, Math.abs(cov - 0.8));
    console.log(`${name.padEnd(25)}  ${String(n).padStart(7)}  ${cov.toFixed(3).padStart(14)}  ${(hitSummed / n).toFixed(3).padStart(12)}  ${(ratio / n).toFixed(2).padStart(10)}   ${cov >= 0.75 && cov <= 0.85 ? 'OK' : 'MISSED'}`);
  }
}

const ours = results.adbrain!;
const others = Object.entries(results).filter(([k]) => k !== 'adbrain');
const [bestName, bestScore] = others.sort((a, b) => mean(a[1].mase) - mean(b[1].mase))[0]!;
const ratio = mean(ours.mase) / mean(bestScore.mase);
const cov = mean(ours.coverage);
console.log(`\nmean MASE vs best other (${bestName}): ${ratio.toFixed(3)} (target ≤ 1.00) ${ratio <= 1 ? 'OK' : 'MISSED'}`);
console.log(`coverage ${cov.toFixed(3)} (target 0.75–0.85) ${cov >= 0.75 && cov <= 0.85 ? 'OK' : 'MISSED'}`);
const msis = mean(ours.msis) / Math.min(...others.map(([, x]) => mean(x.msis)));
console.log(`MSIS vs best other's: ${msis.toFixed(3)} (target ≤ 0.85) ${msis <= 0.85 ? 'OK' : 'MISSED'}`);
if (results['R ets']) {
  const speed = results['R ets'].ms / ours.ms;
  console.log(`speed vs R ets: ${speed.toFixed(0)}× faster per series (target ≥ 50×) ${speed >= 50 ? 'OK' : 'MISSED'}`);
}
