// The brain says where it is (phase, entities, ETA) — on a terminal only.
import { describe, expect, it } from 'vitest';
import { runCycle } from '../src/brain/cycle.ts';
import { brainProgress } from '../src/cli/progress.ts';
import { simBrainInput } from '../src/demo/brain-input.ts';
import { simulateDemo } from '../src/demo/simulate.ts';

const fakeStream = (isTTY: boolean) => {
  const out: string[] = [];
  return { out, stream: { isTTY, write: (s: string) => out.push(s) } as unknown as NodeJS.WriteStream };
};

describe('brain progress', () => {
  const c = simulateDemo({ endDate: '2026-11-21', seed: 42 }).clients[0]!;

  it('the cycle reports its phases in order, and the forecasts entity by entity up to the total', () => {
    const seen: { phase: string; done?: number; total?: number }[] = [];
    const out = runCycle(simBrainInput(c, '2026-11-21'), { onProgress: (p) => seen.push(p) });
    const phases = [...new Set(seen.map((p) => p.phase))];
    expect(phases).toEqual(['memory', 'forecasts', 'detection']);
    const f = seen.filter((p) => p.phase === 'forecasts');
    expect(f[0]).toMatchObject({ done: 0 });
    const forecastEntities = new Set(out.oracle.forecasts.map((x) => x.entityId)).size;
    expect(f[0]!.total).toBeGreaterThanOrEqual(forecastEntities);
    expect(f.every((p) => p.done! < p.total!)).toBe(true);
  });

  it('draws one line on a terminal with the phase, the counts and an ETA, and clears it; writes nothing elsewhere', () => {
    const tty = fakeStream(true);
    const p = brainProgress('shop', tty.stream);
    p.onProgress!({ phase: 'load' });
    p.onProgress!({ phase: 'forecasts', done: 0, total: 1000 });
    const t = performance.now();
    while (performance.now() - t < 120) { /* let the throttle pass */ }
    p.onProgress!({ phase: 'forecasts', done: 400, total: 1000 });
    p.end();
    expect(tty.out[0]).toMatch(/^\rshop: load — \d+\.\d s/);
    expect(tty.out.some((l) => /^\rshop: forecasts 400\/1,000 entities, ETA \d+ s — /.test(l))).toBe(true);
    expect(tty.out.at(-1)).toMatch(/^\r {78}\r$/);
    const pipe = fakeStream(false);
    const q = brainProgress('shop', pipe.stream);
    expect(q.onProgress).toBeUndefined();
    q.end();
    expect(pipe.out).toEqual([]);
  });
});

describe('forecasts on every core', () => {
  it('the worker pool answers exactly what this thread does, in order, with progress', async () => {
    const { planForecasts, forecastOptions } = await import('../src/brain/oracle/forecasts.ts');
    const { forecastJobs, POOL_MIN_JOBS } = await import('../src/brain/oracle/forecast-pool.ts');
    const { forecastSeries } = await import('../src/brain/oracle/forecast.ts');
    const { seriesOf } = await import('../src/brain/cycle.ts');
    const sim = simulateDemo({ endDate: '2026-11-21', seed: 42 });
    const jobs = sim.clients.flatMap((x) => planForecasts(seriesOf(simBrainInput(x, '2026-11-21'))).jobs);
    // Enough series for the pool: the demo's, repeated.
    const many = Array.from({ length: Math.ceil(POOL_MIN_JOBS / jobs.length) + 1 }, () => jobs).flat();
    const seen: number[] = [];
    const pooled = await forecastJobs(many, { threads: 2, onProgress: (done) => seen.push(done) });
    expect(pooled).toEqual(many.map((j) => forecastSeries(j.history, forecastOptions(undefined, j.restDays))));
    // Accounts' spend carries the range of the month's remaining days (pacing), through the workers too.
    expect(pooled.some((f) => f.ok && f.rest !== undefined)).toBe(true);
    expect(seen.length).toBeGreaterThan(0);
    expect(Math.max(...seen)).toBeLessThanOrEqual(many.length);
  }, 120_000);
});
