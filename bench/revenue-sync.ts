// npm run bench:sync (second part) [-- --conversions 200000 --orders 200000 --links 2000 --days 90]
// RedTrack conversions and Shopify orders served by the loopback fakes (in a child
// process), synced through the real connectors:
//   baseline  — the import write path (writeBatch) of as many metric rows on the same database, rows/s
//   redtrack  — report pages + conversion pages → dedupe by click id + type → rows per link and day → upsert, conversions/s
//   shopify   — order pages (250) → revenue_event upserts → days re-summed (store + link), orders/s
//   re-sync   — the intraday Shopify sync after it (nothing changed: the cursor reads a minute back)
// and prints each rate against the baseline. The RedTrack limiter is opened wide here:
// at RedTrack's ~20 report calls a minute the same backfill would take (pages × 3 s).
// PGlite always; Postgres too with TEST_DATABASE_URL.
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
import { addDays } from '../src/time.ts';
import { testSources } from '../test/helpers/sources.ts';
import { benchDays, REVENUE_LAST, REVENUE_TZ } from './revenue-account.ts';
import { onEachDb } from './server-db.ts';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const CONVERSIONS = arg('conversions', 200_000);
const ORDERS = arg('orders', 200_000);
const LINKS = arg('links', 2000);
const DAYS = arg('days', 90);
const NOW = new Date(`${REVENUE_LAST}T20:00:00Z`);

interface Urls { redtrack: string; shopify: string; apiKey: string; token: string }

async function bench(label: string, db: Db, urls: Urls) {
  const key = randomBytes(32);
  const sources = { ...testSources({ redtrack: urls.redtrack, shopify: urls.shopify, redtrackLimit: { calls: 100_000, intervalMs: 60_000 } }), http: { retries: 2, timeoutMs: 120_000, minBackoffMs: 100, maxWaitMs: 2_000 } };
  const days = benchDays(DAYS);
  const rate = (n: number, ms: number) => Math.round(n / (ms / 1000));

  // Baseline: the import's write path for the same number of rows (links × days, then more days), on its own client.
  const n = Math.max(CONVERSIONS, ORDERS);
  const rows: SourceRow[] = [];
  for (let i = 0; rows.length < n; i++) {
    const d = addDays(days[0]!, -Math.floor(i / LINKS));
    rows.push({ date: d, campaign: { id: `c${i % 40}`, name: `Offer ${i % 40}` }, link: `lnk${i % LINKS}`, spendCents: 420, impressions: null, clicks: 20, conversions: 1, revenueCents: 1300, reach: null, frequency: null });
  }
  const base = await addClient(db.prisma, { slug: `bench-rev-base-${Date.now()}`, timezone: REVENUE_TZ });
  const batch = rowsToBatch('redtrack', { id: 'acc', name: 'Base', currency: 'USD', timezone: REVENUE_TZ }, rows);
  const t0 = performance.now();
  await db.sql.tx((sql) => writeBatch(sql, batch, { clientId: base.id, source: 'csv' }));
  const baseMs = performance.now() - t0;
  const baseRate = rate(n, baseMs);

  const client = await addClient(db.prisma, { slug: `bench-rev-${Date.now()}`, timezone: REVENUE_TZ });
  const rt = await connectAccount(db, key, sources, { clientId: client.id, platform: 'redtrack', apiKey: urls.apiKey }, { now: NOW });
  const t1 = performance.now();
  const r = await syncConnection(db, rt.id, { key, sources, now: NOW, range: { from: days[0]!, to: REVENUE_LAST } });
  const rtMs = performance.now() - t1;
  if (r.status !== 'succeeded') throw new Error(`redtrack: ${r.error}`);
  const reportPages = Math.ceil((LINKS * 7) / 1000) * Math.ceil(DAYS / 7);

  const shop = await connectAccount(db, key, sources, { clientId: client.id, platform: 'shopify', accountId: 'northwind', accessToken: urls.token }, { now: NOW });
  const t2 = performance.now();
  const s = await syncConnection(db, shop.id, { key, sources, now: NOW, range: { from: days[0]!, to: REVENUE_LAST } });
  const shMs = performance.now() - t2;
  if (s.status !== 'succeeded' || s.rowsFetched !== ORDERS) throw new Error(`shopify ${s.status}: ${s.error ?? `${s.rowsFetched} orders`}`);
  // The first incremental sync after a backfill reads the settling window by update time.
  await syncConnection(db, shop.id, { key, sources, now: NOW, intraday: true });
  const t3 = performance.now();
  const again = await syncConnection(db, shop.id, { key, sources, now: new Date(NOW.getTime() + 30 * 60_000), intraday: true });
  const resyncMs = performance.now() - t3;

  console.log(`\n[${label}] ${CONVERSIONS.toLocaleString()} RedTrack conversions (${LINKS.toLocaleString()} links × ${DAYS} days), ${ORDERS.toLocaleString()} Shopify orders`);
  console.log(`  import write path (baseline)  ${baseRate.toLocaleString().padStart(9)} rows/s  (${n.toLocaleString()} rows, ${(baseMs / 1000).toFixed(1)} s)`);
  const line = (what: string, count: number, ms: number, unit: string) => {
    const x = rate(count, ms);
    console.log(`  ${what.padEnd(29)} ${x.toLocaleString().padStart(9)} ${unit}/s  (${(ms / 1000).toFixed(1)} s) = ${(x / baseRate).toFixed(2)} × import`);
  };
  line('RedTrack sync, whole path', CONVERSIONS, rtMs, 'conversions');
  const records = LINKS * DAYS + CONVERSIONS;
  console.log(`    = ${rate(records, rtMs).toLocaleString()} records/s counting the ${(LINKS * DAYS).toLocaleString()} report rows read too (${(rate(records, rtMs) / baseRate).toFixed(2)} × import); ${r.rowsFetched.toLocaleString()} link-days written`);
  console.log(`    (at RedTrack's 20 report calls a minute the ~${reportPages} report pages alone take ≥ ${Math.ceil(reportPages * 3 / 60)} min: a backfill is bounded by the limiter, not by adbrain)`);
  line('Shopify sync, whole path', ORDERS, shMs, 'orders');
  console.log(`  intraday Shopify re-sync      ${(resyncMs / 1000).toFixed(1).padStart(9)} s  (${again.rowsFetched} orders re-read, ${again.inserted + again.updated} rows changed)`);
}

const child = spawn(process.execPath, ['--max-old-space-size=8192', '--import', 'tsx', path.join(import.meta.dirname, 'fake-revenue-process.ts'), String(CONVERSIONS), String(LINKS), String(ORDERS), String(DAYS)], { stdio: ['pipe', 'pipe', 'inherit'] });
const urls = await new Promise<Urls>((resolve, reject) => {
  child.stdout!.once('data', (d) => resolve(JSON.parse(String(d).trim()) as Urls));
  child.once('exit', (code) => reject(new Error(`the fakes exited (${code})`)));
});
console.log(`fake RedTrack and Shopify served by process ${child.pid}`);
try {
  await onEachDb('adbrain-bench-revenue', (label, db) => bench(label, db, urls));
} finally {
  child.stdin!.end();
}
