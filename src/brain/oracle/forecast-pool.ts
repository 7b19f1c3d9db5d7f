// The day's forecasts on every core: the series are dealt round-robin to one
// worker thread per core (each fits its own; results come back in order), so a
// client with thousands of series is not bound to one core. Small jobs stay on
// this thread — a worker costs more to start than a few hundred series to fit.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { SeriesForecast } from './forecast.ts';
import { forecastSeries } from './forecast.ts';
import { forecastOptions, type ForecastJob } from './forecasts.ts';

/** Fewer series than this are fitted on this thread. */
export const POOL_MIN_JOBS = 400;

function workerEntry(): URL {
  const js = new URL('./forecast-worker.js', import.meta.url);
  return existsSync(fileURLToPath(js)) ? js : new URL('./forecast-worker-boot.mjs', import.meta.url);
}

export async function forecastJobs(
  jobs: ForecastJob[],
  o: { level?: number; threads?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<SeriesForecast[]> {
  const threads = Math.min(o.threads ?? availableParallelism(), 8);
  if (threads < 2 || jobs.length < POOL_MIN_JOBS) {
    return jobs.map((j, k) => {
      if (o.onProgress && k % 200 === 0) o.onProgress(k, jobs.length);
      return forecastSeries(j.history, forecastOptions(o.level, j.restDays));
    });
  }
  const results: SeriesForecast[] = new Array(jobs.length);
  const done = new Array<number>(threads).fill(0);
  await Promise.all(Array.from({ length: threads }, (_, t) => {
    const mine: number[] = [];
    for (let k = t; k < jobs.length; k += threads) mine.push(k);
    const offsets = [0];
    for (const k of mine) offsets.push(offsets.at(-1)! + jobs[k]!.history.length);
    const values = new Float64Array(offsets.at(-1)!);
    mine.forEach((k, i) => values.set(jobs[k]!.history, offsets[i]!));
    return new Promise<void>((resolve, reject) => {
      const rest = mine.map((k) => jobs[k]!.restDays ?? 0);
      const w = new Worker(workerEntry(), { workerData: { values, offsets, level: o.level, rest }, transferList: [values.buffer] });
      let settled = false;
      w.on('message', (m: { progress?: number; results?: SeriesForecast[] }) => {
        if (m.progress !== undefined) {
          done[t] = m.progress;
          o.onProgress?.(done.reduce((a, b) => a + b, 0), jobs.length);
          return;
        }
        m.results!.forEach((r, i) => (results[mine[i]!] = r));
        settled = true;
        resolve();
        void w.terminate();
      });
      w.once('error', (err) => {
        if (!settled) reject(new Error(`a forecast worker failed: ${err.message}`));
      });
      w.once('exit', (code) => {
        if (!settled) reject(new Error(`a forecast worker stopped (exit code ${code})`));
      });
    });
  }));
  return results;
}
