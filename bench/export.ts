// npm run bench:export [-- --links 10000 --days 100]
// 1,000,000 metric rows (links × days) exported as the metrics CSV through the real
// path (loadDaily a week at a time → rows → RFC 4180 text), against the database's
// own `COPY (SELECT …) TO STDOUT WITH (FORMAT csv)` of the same rows as the baseline;
// rows/s of each, their ratio, and the live heap (after GC, per week written) —
// flat in the range, bounded by one week of rows. PGlite always; Postgres too with TEST_DATABASE_URL.
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { Db } from '../src/db/client.ts';
import { writeBatch } from '../src/db/metrics-write.ts';
import { addClient } from '../src/domain/clients.ts';
import { exportCsv } from '../src/exports/index.ts';
import { addEntity, newBatch } from '../src/ingest/batch.ts';
import { addDays } from '../src/time.ts';
import { onEachDb } from './server-db.ts';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const LINKS = arg('links', 10_000);
const DAYS = arg('days', 100);
const LAST = '2026-11-20';
const FIRST = addDays(LAST, -(DAYS - 1));
const ROWS = LINKS * DAYS;

const SELECT = (clientId: string) => `SELECT m.date, e.platform, e.external_id, m.spend_cents, m.impressions, m.clicks, m.conversions, m.revenue_cents
  FROM daily_metric m JOIN entity e ON e.id = m.entity_id WHERE e.client_id = '${clientId}' AND m.date BETWEEN '${FIRST}' AND '${LAST}' ORDER BY m.date, m.entity_id`;

async function copyOut(db: Db, url: string | null, clientId: string): Promise<number> {
  const q = `COPY (${SELECT(clientId)}) TO STDOUT WITH (FORMAT csv, HEADER)`;
  if (db.pglite) {
    const r = await db.pglite.query(q.replace('TO STDOUT', "TO '/dev/blob'"));
    return r.blob?.size ?? 0;
  }
  const c = new pg.Client({ connectionString: url! });
  await c.connect();
  try {
    let bytes = 0;
    await pipeline(c.query(copyTo(q)), new Writable({ write(chunk: Buffer, _e, cb) { bytes += chunk.length; cb(); } }));
    return bytes;
  } finally {
    await c.end();
  }
}

async function bench(label: string, db: Db, url: string | null) {
  const client = await addClient(db.prisma, { slug: `bench-export-${Date.now()}`, timezone: 'America/New_York', currency: 'USD' });
  // The data: LINKS links under 100 campaigns, one row per link and day.
  for (let d0 = 0; d0 < DAYS; d0 += 20) {
    const batch = newBatch();
    const acc = addEntity(batch, { platform: 'meta', kind: 'account', externalId: 'acc', name: 'Account' });
    const camps = Array.from({ length: 100 }, (_, c) => addEntity(batch, { platform: 'meta', kind: 'campaign', externalId: `c${c}`, name: `Campaign ${c}`, parentKey: acc }));
    const links = Array.from({ length: LINKS }, (_, l) => addEntity(batch, { platform: 'meta', kind: 'link', externalId: `https://go.example/l/${l}`, name: `https://go.example/l/${l}`, parentKey: camps[l % 100] }));
    for (let d = d0; d < Math.min(DAYS, d0 + 20); d++) {
      const date = addDays(FIRST, d);
      links.forEach((k, l) => batch.metrics.push({ entityKey: k, date, spendCents: 1000 + ((l + d) % 500), impressions: 2000, clicks: 40, conversions: (l + d) % 4, revenueCents: 2500 + ((l * 7 + d) % 900), reach: null, frequency: null }));
    }
    await db.sql.tx((sql) => writeBatch(sql, batch, { clientId: client.id, source: 'csv' }));
  }
  const rate = (ms: number) => Math.round(ROWS / (ms / 1000));
  const t0 = performance.now();
  const bytes = await copyOut(db, url, client.id);
  const copyMs = performance.now() - t0;

  global.gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  let peak = heap0;
  let gcMs = 0;
  let outBytes = 0;
  let lines = -1;
  const t1 = performance.now();
  let chunks = 0;
  for await (const chunk of exportCsv(db, { id: client.id, slug: client.slug, currency: 'USD', timezone: 'America/New_York' }, 'metrics', { from: FIRST, to: LAST })) {
    outBytes += Buffer.byteLength(chunk);
    for (let i = chunk.indexOf('\n'); i !== -1; i = chunk.indexOf('\n', i + 1)) lines++;
    if (++chunks % 50 === 0) {
      const g = performance.now();
      global.gc?.();
      peak = Math.max(peak, process.memoryUsage().heapUsed);
      gcMs += performance.now() - g;
    }
  }
  const exportMs = performance.now() - t1 - gcMs;
  if (lines !== ROWS) throw new Error(`exported ${lines} rows, expected ${ROWS}`);
  console.log(`\n[${label}] ${ROWS.toLocaleString()} metric rows (${LINKS.toLocaleString()} links × ${DAYS} days)`);
  console.log(`  COPY … TO STDOUT (baseline)    ${rate(copyMs).toLocaleString().padStart(9)} rows/s  (${(copyMs / 1000).toFixed(1)} s, ${(bytes / 1e6).toFixed(0)} MB)`);
  console.log(`  metrics export, whole path     ${rate(exportMs).toLocaleString().padStart(9)} rows/s  (${(exportMs / 1000).toFixed(1)} s, ${(outBytes / 1e6).toFixed(0)} MB)`);
  console.log(`  live heap growth while exporting ${((peak - heap0) / 1e6).toFixed(0).padStart(7)} MB  (after GC: one week of rows, not the range)`);
  console.log(`  export / COPY = ${(copyMs / exportMs).toFixed(2)}`);
}

await onEachDb('adbrain-bench-export', bench);
