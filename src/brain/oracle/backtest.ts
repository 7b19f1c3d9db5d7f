// A track record from day one: until enough real forecasts have been scored, the
// forecaster is backtested on the client's own last 8 weeks — weekly rolling
// origins, each forecasting the 7 days after it from nothing later than it — and
// scored the same way real forecasts are (MASE against the in-sample seasonal-naive
// error, share of actuals inside the 80 % interval). Labelled a backtest wherever
// it is shown; real scored forecasts replace it once there are enough of them.
import { round } from '../memory.ts';
import { sumRange, type EntitySeries, type SeriesSet } from '../series.ts';
import { forecastSeries, MIN_HISTORY } from './forecast.ts';
import { FORECAST_METRICS } from './forecasts.ts';

export const BACKTEST_WEEKS = 8;
const STEP = 7;
/** The biggest accounts and campaigns by recent spend: enough to judge the forecaster, bounded in cost (6 × 4 metrics × 8 origins ≈ 0.2–0.8 s, and only in a client's first week). */
const MAX_ENTITIES = 6;

export interface Backtest {
  origins: number;
  predictions: number;
  mase: number | null;
  coverage: number | null;
  byMetric: Record<string, { predictions: number; mase: number | null; coverage: number | null }>;
  /** Why there is nothing to show (a new client, a short or empty series). */
  insufficient: string | null;
}

interface Scored { metric: string; err: number; hit: boolean }

/** Scores one series' rolling origins; `end` is the last day the backtest may see. */
export function backtestSeries(values: ArrayLike<number>, metric: string, end: number, launch = 0): { origins: number; rows: Scored[] } {
  const out: Scored[] = [];
  let origins = 0;
  for (let k = BACKTEST_WEEKS; k >= 1; k--) {
    const origin = end - STEP * k;
    if (origin - launch + 1 < Math.max(MIN_HISTORY, 2 * STEP)) continue;
    // Nothing after the origin is visible to the forecast (a copy up to it).
    const train = Array.from({ length: origin - launch + 1 }, (_, i) => values[launch + i]!);
    if (train.some((v) => !Number.isFinite(v)) || train.every((v) => v === 0)) continue;
    const f = forecastSeries(train, { horizon: STEP, season: 7, level: 0.8 });
    if (!f.ok) continue;
    origins++;
    let scale = 0;
    for (let t = 7; t < train.length; t++) scale += Math.abs(train[t]! - train[t - 7]!);
    scale /= train.length - 7;
    for (let h = 0; h < STEP; h++) {
      const actual = values[origin + 1 + h]!;
      if (!Number.isFinite(actual)) continue;
      out.push({ metric, err: scale > 0 ? Math.abs(actual - f.point[h]!) / scale : Number.NaN, hit: actual >= f.lower[h]! && actual <= f.upper[h]! });
    }
  }
  return { origins, rows: out };
}

export function backtest(s: SeriesSet): Backtest {
  const end = s.length - 1;
  const targets = [...s.byId.values()]
    .filter((e) => (e.entity.kind === 'account' || e.entity.kind === 'campaign') && e.launch >= 0 && e.entity.status !== 'killed')
    .map((e) => ({ e, spend: sumRange(e.spendCents, end - 27, end) }))
    .sort((a, b) => b.spend - a.spend)
    .slice(0, MAX_ENTITIES)
    .map((x) => x.e);
  const scored: Scored[] = [];
  let origins = 0;
  for (const e of targets) {
    for (const metric of FORECAST_METRICS) {
      const r = backtestSeries(seriesOf(e, metric), metric, end, e.launch);
      scored.push(...r.rows);
      origins = Math.max(origins, r.origins);
    }
  }
  const summarize = (rows: Scored[]) => {
    const usable = rows.filter((r) => !Number.isNaN(r.err));
    return {
      predictions: rows.length,
      mase: usable.length ? round(usable.reduce((a, r) => a + r.err, 0) / usable.length, 4) : null,
      coverage: rows.length ? round(rows.filter((r) => r.hit).length / rows.length, 4) : null,
    };
  };
  const byMetric: Backtest['byMetric'] = {};
  for (const m of new Set(scored.map((r) => r.metric))) byMetric[m] = summarize(scored.filter((r) => r.metric === m));
  const need = Math.max(MIN_HISTORY, 2 * STEP) + STEP;
  return {
    origins, ...summarize(scored), byMetric,
    insufficient: scored.length ? null : `insufficient data: a backtest needs at least ${need} days of history (${s.length} available)`,
  };
}

const seriesOf = (e: EntitySeries, metric: (typeof FORECAST_METRICS)[number]) => e[metric];
