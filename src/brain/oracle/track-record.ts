// The oracle's track record: how its past forecasts fared once actuals arrived.
import { round } from '../memory.ts';
import type { ScoredPrediction } from '../types.ts';

export interface TrackRecord {
  predictions: number;
  /** Mean absolute scaled error (1 = as good as seasonal naive in-sample). */
  mase: number | null;
  /** Share of actuals inside the 80 % interval. */
  coverage: number | null;
  byMetric: Record<string, { predictions: number; mase: number | null; coverage: number | null }>;
}

export function trackRecordOf(scored: ScoredPrediction[]): TrackRecord {
  const summarize = (rows: ScoredPrediction[]) => {
    const usable = rows.filter((r) => r.scale > 0);
    return {
      predictions: rows.length,
      mase: usable.length ? round(usable.reduce((a, r) => a + Math.abs(r.actual - r.point) / r.scale, 0) / usable.length, 4) : null,
      coverage: rows.length ? round(rows.filter((r) => r.hit).length / rows.length, 4) : null,
    };
  };
  const byMetric: TrackRecord['byMetric'] = {};
  for (const m of new Set(scored.map((r) => r.metric))) byMetric[m] = summarize(scored.filter((r) => r.metric === m));
  return { ...summarize(scored), byMetric };
}
