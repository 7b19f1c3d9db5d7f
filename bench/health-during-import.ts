// npm run bench:health [-- --rows 300000]
// Does a big upload stall the server? A separate process polls GET /v1/health
// every 20 ms (its own event loop, so a stalled server cannot hide the stall by
// also delaying the poller) while the server imports a generated CSV of --rows
// rows through POST /v1/clients/{id}/imports. Measured in the same run:
//   idle      — health latency with nothing else going on (the baseline)
//   in-thread — during an import parsed on the main thread (offThread: false)
//   served    — during the API upload as shipped (worker thread + chunked writes)
// on the embedded database, and on Postgres too when TEST_DATABASE_URL is set.
// Target: served max < 100 ms.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer } from '../src/api/server.ts';
import { loadConfig } from '../src/config.ts';
import { openDb, type Db } from '../src/db/client.ts';
import { addAgency } from '../src/domain/agencies.ts';
import { createApiKey } from '../src/domain/api-keys.ts';
import { addClient } from '../src/domain/clients.ts';
import { importCsv } from '../src/import/import-csv.ts';
import { addDays } from '../src/time.ts';
import { openServerBenchDb, serverUrl } from './server-db.ts';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const ROWS = arg('rows', 300_000);

function generateCsv(rows: number, offset: number): Buffer {
  const lines = ['date,platform,account,campaign,adset,ad,link,spend,impressions,clicks,conversions,revenue'];
  const leaves = Math.ceil(rows / 60);
  for (let n = 0; n < rows; n++) {
    const l = (n % leaves) + offset;
    const date = addDays('2026-09-01', Math.floor(n / leaves));
    lines.push(`${date},meta,acct-${l % 10},Camp ${l % 300},Set ${l % 1500},Ad ${l},,${((l * 7 + n) % 9000) / 100 + 1},1200,14,${l % 5},${(l % 5) * 12.5}`);
  }
  return Buffer.from(lines.join('\n') + '\n');
}

// The poller: its own process, so its timers run even when the server's loop is blocked.
const POLLER = `
const url = process.argv[1];
const lat = [];
let stop = false;
process.stdin.on('data', () => { stop = true; });
(async () => {
  while (!stop) {
    const t = performance.now();
    try { await fetch(url); } catch {}
    lat.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, 20));
  }
  // The first polls time the poller's own start (connection, fetch set-up): drop them.
  process.stdout.write(JSON.stringify(lat.slice(3)), () => process.exit(0));
})();`;

const UPLOADER = `
const [url, key, file] = process.argv.slice(1);
const body = require('node:fs').readFileSync(file);
fetch(url, { method: 'POST', headers: { authorization: 'Bearer ' + key, 'content-type': 'text/csv' }, body })
  .then(async (r) => process.stdout.write(r.status + ' ' + (await r.text()).slice(0, 300)));`;

async function pollWhile(url: string, work: () => Promise<unknown>) {
  const p = spawn(process.execPath, ['-e', POLLER, url], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  p.stdout.on('data', (d) => (out += d));
  await new Promise((r) => setTimeout(r, 300)); // let it start polling
  const t0 = performance.now();
  await work();
  const ms = performance.now() - t0;
  p.stdin.end('x');
  await new Promise((r) => p.on('close', r));
  const lat = (JSON.parse(out) as number[]).sort((a, b) => a - b);
  const q = (f: number) => lat[Math.min(lat.length - 1, Math.floor(f * lat.length))]!;
  return { ms, polls: lat.length, median: q(0.5), p99: q(0.99), max: lat.at(-1)! };
}

async function benchOn(label: string, db: Db, dir: string) {
  const agency = await addAgency(db.prisma, { slug: 'bench', name: 'Bench' });
  const { key } = await createApiKey(db.prisma, agency.id, { role: 'admin' });
  const client = await addClient(db.prisma, { slug: 'big', agency: 'bench', timezone: 'UTC' });
  const server = await startServer(db, loadConfig({}), { port: 0 });
  const health = `http://127.0.0.1:${server.port}/v1/health`;
  const now = new Date('2026-11-30T12:00:00Z');
  try {
    const idle = await pollWhile(health, () => new Promise((r) => setTimeout(r, 2000)));
    const inThread = await pollWhile(health, () => importCsv(db, generateCsv(ROWS, 0), 'a.csv', { clientSlug: 'big', now, offThread: false }));
    const file = generateCsv(ROWS, 1_000_000);
    const upload = path.join(dir, 'upload.csv');
    await writeFile(upload, file);
    // Uploaded from another process, as a user's machine would: sending 20 MB is not the server's work.
    const served = await pollWhile(health, () => new Promise<void>((resolve, reject) => {
      const p = spawn(process.execPath, ['-e', UPLOADER, `http://127.0.0.1:${server.port}/v1/clients/${client.id}/imports?fileName=b.csv`, key, upload], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      p.stdout.on('data', (d) => (out += d));
      p.on('close', () => (out.startsWith('201') ? resolve() : reject(new Error(`upload answered ${out.slice(0, 300)}`))));
    }));
    const fmt = (s: typeof idle) => `median ${s.median.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms, max ${s.max.toFixed(1)} ms over ${s.polls} polls`;
    console.log(`\n${label} — ${ROWS.toLocaleString('en-US')} rows (${(file.length / 1024 / 1024).toFixed(1)} MB)`);
    console.log(`  idle                 ${fmt(idle)}`);
    console.log(`  import, main thread  ${fmt(inThread)}; import ${(inThread.ms / 1000).toFixed(1)} s`);
    console.log(`  upload as served     ${fmt(served)}; upload ${(served.ms / 1000).toFixed(1)} s (${Math.round(ROWS / (served.ms / 1000)).toLocaleString('en-US')} rows/s)`);
    console.log(`  served max / idle max ${(served.max / idle.max).toFixed(1)}×, main-thread max / served max ${(inThread.max / served.max).toFixed(1)}×; target served max < 100 ms: ${served.max < 100 ? 'met' : 'MISSED'}`);
  } finally {
    await server.close();
  }
}

const dir = await mkdtemp(path.join(tmpdir(), 'adbrain-bench-health-'));
const embedded = await openDb({ databaseUrl: null, dataDir: dir });
try {
  await benchOn('embedded (PGlite)', embedded, dir);
} finally {
  await embedded.close();
  await rm(dir, { recursive: true, force: true });
}
if (serverUrl) {
  const s = await openServerBenchDb();
  const tmp = await mkdtemp(path.join(tmpdir(), 'adbrain-bench-health-'));
  try {
    await benchOn('Postgres server', s.db, tmp);
  } finally {
    await s.done();
    await rm(tmp, { recursive: true, force: true });
  }
}
