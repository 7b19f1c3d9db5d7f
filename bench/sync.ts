// npm run bench:sync [-- --ads 10000 --days 90]
// A Meta ad account of 10,000 ads × 90 days served by the loopback Graph API fake
// (test/fakes/meta-server.ts, in a child process), synced through the real connector:
//   sync      — HTTP → JSON → rows → entity tree → upsert, in 7-day chunks, rows/s
//   baseline  — the import write path (writeBatch) of the same rows on the same database, rows/s
//   re-sync   — the daily 28-day settling window over the synced account (nothing changed)
// and prints sync / baseline (target ≥ 0.50), the heap growth while streaming, and
// the re-sync time (target ≤ 60 s on Postgres). PGlite always; Postgres too with TEST_DATABASE_URL.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Db } from '../src/db/client.ts';
import { writeBatch } from '../src/db/metrics-write.ts';
import { addClient } from '../src/domain/clients.ts';
import { connectAccount } from '../src/domain/connections.ts';
import { syncConnection } from '../src/sources/sync.ts';
import { rowsToBatch } from '../src/sources/to-batch.ts';
import type { SourceRow } from '../src/sources/types.ts';
import { benchAccount, BENCH_LAST } from './meta-account.ts';
import { startFakeMeta, type FakeMeta } from '../test/fakes/meta-server.ts';
import { testSources } from '../test/helpers/sources.ts';
import { onEachDb } from './server-db.ts';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const ADS = arg('ads', 10_000);
const DAYS = arg('days', 90);
const LAST = BENCH_LAST;
const NOW = new Date('2026-11-20T20:00:00Z');
const { ads, days } = benchAccount(ADS, DAYS);

/** The same rows the connector produces, built directly: the baseline's input. */
function directRows(meta: FakeMeta): SourceRow[] {
  const out: SourceRow[] = [];
  for (const ad of ads) for (const [date, v] of meta.data.get(ad.id)!) {
    out.push({ date, campaign: ad.campaign, adset: ad.adset, ad: { id: ad.id, name: ad.name }, link: ad.link, spendCents: Math.round(Number(v.spend) * 100), impressions: v.impressions, clicks: v.clicks, conversions: v.purchases, revenueCents: Math.round(Number(v.value) * 100), reach: null, frequency: null });
  }
  return out;
}

async function bench(label: string, db: Db, meta: FakeMeta, url: string) {
  const key = randomBytes(32);
  const sources = { ...testSources({ meta: url }), http: { retries: 2, timeoutMs: 120_000, minBackoffMs: 100, maxWaitMs: 1_000 } };
  const rows = ADS * DAYS;
  // Baseline: the import's write path for the same rows, on its own client.
  const base = await addClient(db.prisma, { slug: `bench-base-${Date.now()}`, timezone: 'America/New_York' });
  const batch = rowsToBatch('meta', { id: meta.account, name: 'Fake', currency: 'USD', timezone: 'America/New_York' }, directRows(meta));
  const t0 = performance.now();
  await db.sql.tx((sql) => writeBatch(sql, batch, { clientId: base.id, source: 'csv' }));
  const baseMs = performance.now() - t0;

  const client = await addClient(db.prisma, { slug: `bench-sync-${Date.now()}`, timezone: 'America/New_York' });
  const conn = await connectAccount(db, key, sources, { clientId: client.id, platform: 'meta', accountId: meta.account, accessToken: meta.token }, { now: NOW });
  // Live memory: the heap after a full GC at each committed chunk (what the sync holds,
  // not the garbage V8 has not collected yet). The GCs are timed and left out.
  global.gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  let peak = heap0;
  let gcMs = 0;
  const t1 = performance.now();
  const r = await syncConnection(db, conn.id, {
    key, sources, now: NOW, range: { from: days[0]!, to: LAST },
    onProgress: () => {
      const g = performance.now();
      global.gc?.();
      peak = Math.max(peak, process.memoryUsage().heapUsed);
      gcMs += performance.now() - g;
    },
  });
  const syncMs = performance.now() - t1 - gcMs;
  if (r.status !== 'succeeded' || r.rowsFetched !== rows) throw new Error(`sync ${r.status}: ${r.error ?? `${r.rowsFetched} rows`}`);
  const t2 = performance.now();
  const again = await syncConnection(db, conn.id, { key, sources, now: NOW });
  const resyncMs = performance.now() - t2;
  const rate = (ms: number, n = rows) => Math.round(n / (ms / 1000));
  console.log(`\n[${label}] ${rows.toLocaleString()} ad-days (${ADS.toLocaleString()} ads × ${DAYS} days)`);
  console.log(`  import write path (baseline)   ${rate(baseMs).toLocaleString().padStart(9)} rows/s  (${(baseMs / 1000).toFixed(1)} s)`);
  console.log(`  Meta sync, whole path          ${rate(syncMs).toLocaleString().padStart(9)} rows/s  (${(syncMs / 1000).toFixed(1)} s)`);
  console.log(`  live heap growth while syncing ${((peak - heap0) / 1e6).toFixed(0).padStart(9)} MB  (after GC at each 7-day chunk: bounded by a chunk, not the account)`);
  console.log(`  daily 28-day re-sync           ${(resyncMs / 1000).toFixed(1).padStart(9)} s  (${again.rowsFetched.toLocaleString()} rows, ${again.unchanged.toLocaleString()} unchanged; target ≤ 60 s on Postgres) ${resyncMs <= 60_000 ? 'OK' : 'OVER'}`);
  const ratio = baseMs / syncMs;
  console.log(`  sync / import = ${ratio.toFixed(2)}  (target ≥ 0.50) ${ratio >= 0.5 ? 'OK' : 'BELOW TARGET'}`);
}

// The data, here for the baseline (the same generator as the serving process).
const meta = await startFakeMeta({ ads, days });
const child = spawn(process.execPath, ['--max-old-space-size=8192', '--import', 'tsx', path.join(import.meta.dirname, 'fake-meta-process.ts'), String(ADS), String(DAYS)], { stdio: ['pipe', 'pipe', 'inherit'] });
const url = await new Promise<string>((resolve, reject) => {
  child.stdout!.once('data', (d) => resolve(String(d).trim()));
  child.once('exit', (code) => reject(new Error(`the fake exited (${code})`)));
});
console.log(`fake Meta account: ${ADS.toLocaleString()} ads × ${DAYS} days, served by process ${child.pid} at ${url}`);
try {
  await onEachDb('adbrain-bench-sync', (label, db) => bench(label, db, meta, url));
} finally {
  await meta.close();
  child.stdin!.end();
}
