// One brain cycle for one client as of a day: memory → oracle → curiosity.
// Pure: everything it knows is in `input`; data after `asOf` is invisible.
import { rankActions, type Action } from './curiosity/actions.ts';
import { buildMemory, type EntityMemory } from './memory.ts';
import { detectAnomalies } from './oracle/anomalies.ts';
import { detectFatigue } from './oracle/fatigue.ts';
import { detectForecastRisk } from './oracle/forecast-risk.ts';
import { forecastEntities, type EntityForecast, type ForecastGap } from './oracle/forecasts.ts';
import { accountPacing, pace, pacingFindings, type AccountPacing, type Pacing } from './oracle/pacing.ts';
import { detectPerformance } from './oracle/performance.ts';
import { trackRecordOf, type TrackRecord } from './oracle/track-record.ts';
import { buildSeries, type SeriesSet } from './series.ts';
import type { BrainInput, Finding } from './types.ts';

export interface BrainOutput {
  asOf: string;
  memory: EntityMemory[];
  oracle: {
    forecasts: EntityForecast[];
    gaps: ForecastGap[];
    findings: Finding[];
    pacing: Pacing | null;
    /** Ad accounts with a budget of their own, each paced on its own. */
    accountPacing: AccountPacing[];
    trackRecord: TrackRecord;
  };
  curiosity: { actions: Action[] };
  timings: Record<string, number>;
}

export interface CycleOptions {
  /** A monotonic clock in ms, for timings only (the caller's; the brain reads none). */
  clock?: () => number;
  forecasts?: boolean;
  /** The series already built from this same input (the DB wrapper scores with them first). */
  series?: SeriesSet;
  /** Where the cycle is (phase, and entities done of total in the long one), for a progress line. */
  onProgress?: BrainProgress;
  /** The forecasts, already made from this same series (runBrain fits them on every core). */
  forecasted?: ReturnType<typeof forecastEntities>;
}

export type BrainProgress = (p: { phase: string; done?: number; total?: number; unit?: string }) => void;

export function runCycle(input: BrainInput, opts: CycleOptions = {}): BrainOutput {
  const clock = opts.clock ?? (() => 0);
  const timings: Record<string, number> = {};
  let t = clock();
  const lap = (name: string) => {
    const now = clock();
    timings[name] = Math.round((now - t) * 10) / 10;
    t = now;
  };
  const s = opts.series ?? seriesOf(input);
  const say = opts.onProgress ?? (() => undefined);
  say({ phase: 'memory', total: s.byId.size });
  const memory = buildMemory(s, input.insights);
  lap('memory');
  const { forecasts, gaps } = opts.forecasts === false ? { forecasts: [], gaps: [] }
    : opts.forecasted ?? forecastEntities(s, { onProgress: (done, total) => say({ phase: 'forecasts', done, total, unit: 'series' }) });
  lap('forecasts');
  say({ phase: 'detection', total: s.byId.size });
  const pacing = pace(s, input.settings, forecasts);
  const accounts = accountPacing(s, input.settings, forecasts);
  const findings: Finding[] = [
    ...detectPerformance(s, input.settings),
    ...detectFatigue(s, input.settings),
    ...detectAnomalies(s, input.settings.currency, input.settings),
    ...pacingFindings(pacing, s, accounts),
    ...detectForecastRisk(s, forecasts),
  ];
  lap('detection');
  const actions = rankActions(findings, s, input.insights, input.settings);
  lap('curiosity');
  return {
    asOf: input.asOf,
    memory: [...memory.values()],
    oracle: { forecasts, gaps, findings, pacing, accountPacing: accounts, trackRecord: trackRecordOf(input.scored, s) },
    curiosity: { actions },
    timings,
  };
}

export function seriesOf(input: BrainInput): SeriesSet {
  return buildSeries(input.entities, input.days, input.asOf, undefined, input.columns);
}
