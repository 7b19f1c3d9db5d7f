// A forecast worker: series in (one transferred buffer and their offsets), the
// forecasts out in the same order, with a progress message every 50 series.
import { parentPort, workerData } from 'node:worker_threads';
import { forecastSeries } from './forecast.ts';
import { forecastOptions } from './forecasts.ts';

const { values, offsets, level, rest } = workerData as { values: Float64Array; offsets: number[]; level?: number; rest?: number[] };
const out = [];
for (let j = 0; j + 1 < offsets.length; j++) {
  out.push(forecastSeries(values.subarray(offsets[j]!, offsets[j + 1]!), forecastOptions(level, rest?.[j])));
  if (j % 50 === 49) parentPort!.postMessage({ progress: j + 1 });
}
parentPort!.postMessage({ results: out });
