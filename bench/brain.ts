// npm run bench:brain [-- --entities 10000 --days 400 --server-only]
// The full brain cycle (load → score → memory/oracle/curiosity → persist) for one
// client with N simulated ads × D days, on embedded PGlite and (when
// TEST_DATABASE_URL or DATABASE_URL is set) a Postgres server, then again at
// twice the entities. Targets: ≤ 30 s on Postgres, ≤ 45 s embedded, 2× data ≤ 2.1× time
// (forecasts on worker threads, the load a chunk of entities per query).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { checkAlerts } from '../src/alerts/check.ts';
import { runBrain } from '../src/run/brain-run.ts';
import type { Sender } from '../src/reports/senders.ts';
import { openDb, type Db } from '../src/db/client.ts';
import { writeBatch } from '../src/db/metrics-write.ts';
import { simulateScenario } from '../src/demo/simulate.ts';
import { openServerBenchDb, serverUrl } from './server-db.ts';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const ENTITIES = arg('entities', 10_000);
const DAYS = arg('days', 400);
const END = '2026-11-21';

/** Simulates and writes the client; the simulation is garbage once this returns (the brain runs without it in memory, as in production). */
async function seed(db: Db, ads: number) {
  const sim = simulateScenario({ seed: 1, endDate: END, days: DAYS, ads, adsPerCampaign: 20 });
  const c = sim.clients[0]!;
  const client = await db.prisma.client.create({
    data: { agency: { create: { slug: `bench-${Date.now()}`, name: 'bench' } }, slug: `bench-${ads}-${Date.now()}`, name: 'bench', monthlyBudgetCents: BigInt(1e9) },
  });
  const tl = performance.now();
  await db.sql.tx((sql) => writeBatch(sql, c.batch, { clientId: client.id, source: 'demo' }));
  return { client, rows: c.batch.metrics.length, loadS: (performance.now() - tl) / 1000 };
}

async function measure(db: Db, ads: number) {
  const { client, rows, loadS } = await seed(db, ads);
  const t0 = performance.now();
  const r = await runBrain(db, client, END, { now: new Date(), clock: () => performance.now() });
  const secs = (performance.now() - t0) / 1000;
  console.log(
    `  ${ads.toLocaleString()} ads × ${DAYS} days (${rows.toLocaleString()} rows, written in ${loadS.toFixed(0)} s): ` +
      `cycle ${secs.toFixed(1)} s — ${JSON.stringify(r.output.timings)}; ${r.output.oracle.findings.length} findings, ${r.predictions.written} predictions`,
  );
  await alertCheck(db, client);
  return secs;
}

/**
 * The intraday alert check on the same client (every sync, ~every 30 minutes): it
 * judges the brain's look-back window, so its cost grows with the client too. Run
 * twice — the second is a retry and must send nothing.
 */
async function alertCheck(db: Db, client: Parameters<typeof checkAlerts>[1]) {
  let sends = 0;
  const sender: Sender = { name: 'outbox', send: async () => ({ provider: 'outbox', providerId: `bench-${++sends}` }) };
  const now = new Date(`${END}T20:00:00Z`);
  const full = { ...client, recipients: ['ops@bench.test'] };
  const times: string[] = [];
  for (let i = 0; i < 2; i++) {
    const t0 = performance.now();
    const r = await checkAlerts(db, full, { now, sender, from: 'alerts@bench.test' });
    times.push(`${((performance.now() - t0) / 1000).toFixed(1)} s (${r.sent.length} sent, ${r.suppressed.length} held)`);
  }
  console.log(`  intraday alert check: ${times[0]}; retried: ${times[1]}, ${sends} emails in all`);
}

async function bench(label: string, open: () => Promise<{ db: Db; done: () => Promise<void> }>, target: number) {
  console.log(`\n[${label}]`);
  const times: number[] = [];
  for (const scale of [1, 2]) {
    const { db, done } = await open();
    try {
      times.push(await measure(db, ENTITIES * scale));
    } finally {
      await done();
    }
  }
  const ratio = times[1]! / times[0]!;
  console.log(`  ${ENTITIES.toLocaleString()} ads: ${times[0]!.toFixed(1)} s (target ≤ ${target} s) ${times[0]! <= target ? 'OK' : 'MISSED'}`);
  console.log(`  2× data / 1× = ${ratio.toFixed(2)} (target ≤ 2.1) ${ratio <= 2.1 ? 'OK' : 'MISSED'}`);
}

if (!process.argv.includes('--server-only')) await bench('PGlite (embedded, on disk)', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'adbrain-bench-brain-'));
  const db = await openDb({ databaseUrl: null, dataDir: dir });
  return { db, done: async () => { await db.close(); await rm(dir, { recursive: true, force: true }); } };
}, 45);

if (serverUrl) {
  await bench('Postgres server', openServerBenchDb, 30);
} else {
  console.log('\n(set TEST_DATABASE_URL=postgres://… to measure a Postgres server too)');
}
