// npm run bench:day [-- --rows 90000] — a big client's whole day (`adbrain run`)
// as a user runs it, on the embedded database: wall time and the process's peak
// memory, at the given size and at twice it, so memory against the data size is
// on the page (bounded: twice the rows must not cost twice the memory).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { addDays } from '../src/time.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'bin/adbrain.mjs');
const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const ROWS = arg('rows', 90_000);
const DAYS = 100;
const AS_OF = '2026-11-30';

function csvOf(rows: number) {
  const ads = Math.ceil(rows / DAYS);
  const lines = ['date,platform,account,campaign,adset,ad,spend,impressions,clicks,conversions,revenue'];
  for (let d = 0; d < DAYS; d++) {
    const date = addDays(AS_OF, d - DAYS + 1);
    for (let a = 0; a < ads; a++) {
      const spend = 5 + ((a * 7919 + d * 104729) % 5000) / 100;
      const imp = 800 + ((a * 31 + d * 17) % 9000);
      const clicks = Math.floor(imp * 0.015);
      const conv = (a + d) % 5 === 0 ? 1 : 0;
      lines.push(`${date},meta,Acct ${a % 4},Campaign ${a % 40},Set ${a % 300},Ad ${a},${spend.toFixed(2)},${imp},${clicks},${conv},${(conv * 42).toFixed(2)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function measure(rows: number) {
  const dir = mkdtempSync(path.join(tmpdir(), 'adbrain-bench-day-'));
  const probe = path.join(root, 'bench/rss-probe.mjs');
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, ADBRAIN_DATA_DIR: path.join(dir, 'data'), ADBRAIN_OUTBOX_DIR: path.join(dir, 'outbox'), RSS_OUT: path.join(dir, 'rss') };
  const run = (args: string[]) => {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, ['--import', probe, bin, ...args], { cwd: dir, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (r.status !== 0) throw new Error(`adbrain ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    return { s: (performance.now() - t0) / 1000, mb: Number(readFileSync(env.RSS_OUT, 'utf8')) / 1024 };
  };
  writeFileSync(path.join(dir, 'big.csv'), csvOf(rows));
  run(['clients', 'add', 'big', '--currency', 'USD']);
  const imp = run(['import', 'big.csv', '--client', 'big']);
  const day = run(['run', '--client', 'big', '--as-of', AS_OF]);
  rmSync(dir, { recursive: true, force: true });
  return { rows, imp, day };
}

const runs = [measure(ROWS), measure(2 * ROWS)];
console.log(`bench:day (embedded database; ${DAYS} days of ${Math.ceil(ROWS / DAYS).toLocaleString('en-US')} ads, then twice as many ads)`);
console.log('rows        import (time, peak RSS)    run: sync → brain → report (time, peak RSS)   RSS per 1,000 rows');
for (const r of runs) {
  console.log(`${r.rows.toLocaleString('en-US').padStart(8)}    ${r.imp.s.toFixed(1).padStart(6)} s ${Math.round(r.imp.mb).toString().padStart(6)} MB        ${r.day.s.toFixed(1).padStart(6)} s ${Math.round(r.day.mb).toString().padStart(6)} MB                            ${(r.day.mb / (r.rows / 1000)).toFixed(1)} MB`);
}
const [a, b] = runs as [ReturnType<typeof measure>, ReturnType<typeof measure>];
console.log(`2× the rows: run ${(b.day.s / a.day.s).toFixed(2)}× the time, ${(b.day.mb / a.day.mb).toFixed(2)}× the peak memory (bounded: under 2×)`);
