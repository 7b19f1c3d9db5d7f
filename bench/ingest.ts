// npm run bench:ingest [-- --rows 1000000]
// Generates a generic CSV, then measures in one run:
//   parse   — CSV text → validated WriteBatch (PapaParse + normalisation), rows/s
//   upsert  — the import write path (entity tree + ON CONFLICT upsert), rows/s
//   copy    — COPY of the same rows straight into a fresh keyed copy of the table
//             (same indexes): the ceiling
//   copy → temp → upsert — COPY into a temporary table, then one INSERT … ON CONFLICT
//             DO UPDATE into a fresh keyed copy: the baseline
//   raw     — plain multi-row INSERT … VALUES of the same rows (for reference)
// and prints upsert / baseline. Runs on embedded PGlite, and on Postgres too when
// DATABASE_URL or TEST_DATABASE_URL is set. Targets: parse ≥ 200k rows/s, the import
// ≥ 0.5 × COPY → temp → upsert.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDb, type Db } from '../src/db/client.ts';
import { writeBatch } from '../src/db/metrics-write.ts';
import { addClient } from '../src/domain/clients.ts';
import { detectFormat, normalizeHeader } from '../src/import/formats.ts';
import { createNormalizer } from '../src/import/normalize.ts';
import { streamCsv } from '../src/import/read-csv.ts';
import type { WriteBatch } from '../src/ingest/batch.ts';
import { addDays } from '../src/time.ts';
import { openServerBenchDb, serverUrl } from './server-db.ts';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const ROWS = arg('rows', 1_000_000);
const DAYS = 100;
const LEAVES = Math.ceil(ROWS / DAYS);

function generateCsv(): string {
  const lines = ['date,platform,account,campaign,adset,ad,link,spend,impressions,clicks,conversions,revenue'];
  let n = 0;
  for (let d = 0; d < DAYS && n < ROWS; d++) {
    const date = addDays('2026-01-01', d);
    for (let l = 0; l < LEAVES && n < ROWS; l++, n++) {
      const acct = l % 20;
      const camp = l % 400;
      const platform = l % 3 === 0 ? 'meta' : 'tiktok';
      const spend = ((l * 7919 + d * 104729) % 50000) / 100 + 1;
      const impressions = 1000 + ((l * 31 + d * 17) % 90000);
      const clicks = Math.floor(impressions * 0.012);
      const conv = clicks % 9;
      lines.push(
        `${date},${platform},acct-${acct},"Offer${camp % 12}-${1000 + acct}-SC${camp % 30}-${platform}",as-${l % 2000},ad-${l},https://trk.example/${l},${spend.toFixed(2)},${impressions},${clicks},${conv},${(conv * 31.5).toFixed(2)}`,
      );
    }
  }
  return lines.join('\n') + '\n';
}

/** CSV text → records (PapaParse + line numbers), discarding them: the parse rate. */
function parseOnly(text: string) {
  let rows = 0;
  streamCsv(text, 'bench.csv', () => (records) => {
    rows += records.length;
  });
  return rows;
}

/** The import's full front half: parse + validate + build the entity tree. */
function parseAndValidate(text: string) {
  let normalizer: ReturnType<typeof createNormalizer> | undefined;
  streamCsv(text, 'bench.csv', (header) => {
    normalizer = createNormalizer(detectFormat(header.map(normalizeHeader))!, { currency: 'USD', today: '2030-01-01' });
    return normalizer.push;
  });
  return normalizer!.finish();
}

async function rawInsert(db: Db, batch: WriteBatch, entityIds: Map<string, string>) {
  await db.sql.exec(`DROP TABLE IF EXISTS daily_metric_raw; CREATE TABLE daily_metric_raw (LIKE daily_metric INCLUDING ALL);`);
  const CHUNK = 2000;
  const t0 = performance.now();
  await db.sql.tx(async (sql) => {
    for (let i = 0; i < batch.metrics.length; i += CHUNK) {
      const chunk = batch.metrics.slice(i, i + CHUNK);
      const params: unknown[] = [];
      const values = chunk.map((m) => {
        const b = params.length;
        params.push(entityIds.get(m.entityKey), m.date, m.spendCents, m.impressions, m.clicks, m.conversions, m.revenueCents);
        return `($${b + 1}::uuid,$${b + 2}::date,'csv',$${b + 3}::int8,$${b + 4}::int8,$${b + 5}::int8,$${b + 6}::numeric,$${b + 7}::int8)`;
      });
      await sql.query(
        `INSERT INTO daily_metric_raw (entity_id, date, source, spend_cents, impressions, clicks, conversions, revenue_cents) VALUES ${values.join(',')}`,
        params,
      );
    }
  });
  return performance.now() - t0;
}

/** The same rows as CSV (what COPY reads), from the batch with its entity ids. */
function toCsv(batch: WriteBatch, entityIds: Map<string, string>) {
  const cell = (v: number | null) => (v === null ? '' : String(v));
  let csv = '';
  for (const m of batch.metrics) csv += `${entityIds.get(m.entityKey)},${m.date},csv,${m.spendCents},${cell(m.impressions)},${cell(m.clicks)},${cell(m.conversions)},${cell(m.revenueCents)}\n`;
  return csv;
}

const COLS = 'entity_id, date, source, spend_cents, impressions, clicks, conversions, revenue_cents';

/** The ceiling: COPY straight into a fresh keyed copy of the table (same indexes). */
async function copyOnly(db: Db, batch: WriteBatch, entityIds: Map<string, string>) {
  await db.sql.exec('DROP TABLE IF EXISTS daily_metric_copy; CREATE TABLE daily_metric_copy (LIKE daily_metric INCLUDING ALL);');
  const t0 = performance.now();
  await db.sql.tx((sql) => sql.copyIn(`daily_metric_copy (${COLS})`, toCsv(batch, entityIds)));
  return performance.now() - t0;
}

/** The baseline: COPY into a temporary table, then one INSERT … ON CONFLICT DO UPDATE into a fresh keyed copy. */
async function copyTempUpsert(db: Db, batch: WriteBatch, entityIds: Map<string, string>) {
  await db.sql.exec('DROP TABLE IF EXISTS daily_metric_copy; CREATE TABLE daily_metric_copy (LIKE daily_metric INCLUDING ALL);');
  const t0 = performance.now();
  await db.sql.tx(async (sql) => {
    await sql.exec('CREATE TEMP TABLE bench_in (entity_id uuid, date date, source text, spend_cents int8, impressions int8, clicks int8, conversions numeric, revenue_cents int8) ON COMMIT DROP');
    await sql.copyIn(`bench_in (${COLS})`, toCsv(batch, entityIds));
    await sql.query(`INSERT INTO daily_metric_copy (${COLS}) SELECT ${COLS} FROM bench_in
      ON CONFLICT (entity_id, date, source) DO UPDATE SET spend_cents = EXCLUDED.spend_cents, impressions = EXCLUDED.impressions,
        clicks = EXCLUDED.clicks, conversions = EXCLUDED.conversions, revenue_cents = EXCLUDED.revenue_cents`);
  });
  return performance.now() - t0;
}

async function benchDb(label: string, db: Db, batch: WriteBatch) {
  const client = await addClient(db.prisma, { slug: `bench-${Date.now()}` });
  const t0 = performance.now();
  const r = await db.sql.tx((sql) => writeBatch(sql, batch, { clientId: client.id, source: 'csv' }));
  const upsertMs = performance.now() - t0;
  const t1 = performance.now();
  const again = await db.sql.tx((sql) => writeBatch(sql, batch, { clientId: client.id, source: 'csv' }));
  const reimportMs = performance.now() - t1;
  const ids = new Map<string, string>();
  const rows = await db.sql.query<{ id: string; platform: string; kind: string; external_id: string }>(
    `SELECT id::text, platform::text, kind::text, external_id FROM entity WHERE client_id = $1::uuid`,
    [client.id],
  );
  for (const e of rows) ids.set(`${e.platform}|${e.kind}|${e.external_id}`, e.id);
  const rawMs = await rawInsert(db, batch, ids);
  const copyMs = await copyOnly(db, batch, ids);
  const copyUpsertMs = await copyTempUpsert(db, batch, ids);
  await db.sql.exec('DROP TABLE IF EXISTS daily_metric_copy; DROP TABLE IF EXISTS daily_metric_raw;');
  const n = batch.metrics.length;
  const rate = (ms: number) => Math.round(n / (ms / 1000));
  const line = (what: string, ms: number, extra = '') => console.log(`  ${what.padEnd(48)} ${rate(ms).toLocaleString().padStart(9)} rows/s  (${(ms / 1000).toFixed(1)} s${extra})`);
  console.log(`\n[${label}] ${n.toLocaleString()} metric rows, ${r.entitiesTouched.toLocaleString()} entities`);
  line('COPY into the keyed table (ceiling)', copyMs);
  line('COPY → temp → INSERT … ON CONFLICT (baseline)', copyUpsertMs);
  line('raw multi-row INSERT', rawMs);
  line('import write path (entities + metrics)', upsertMs, `, ${r.inserted.toLocaleString()} inserted`);
  line('re-import, all unchanged', reimportMs, `, ${again.unchanged.toLocaleString()} unchanged`);
  const ratio = copyUpsertMs / upsertMs;
  console.log(`  import / COPY→temp→upsert = ${ratio.toFixed(2)}  (target ≥ 0.50) ${ratio >= 0.5 ? 'OK' : 'BELOW TARGET'} · import / raw INSERT = ${(rawMs / upsertMs).toFixed(2)}`);
  return ratio;
}

const tGen = performance.now();
const text = generateCsv();
console.log(`generated ${ROWS.toLocaleString()} rows (${(text.length / 1e6).toFixed(0)} MB) in ${((performance.now() - tGen) / 1000).toFixed(1)} s`);
parseAndValidate(text.slice(0, text.indexOf('\n', Math.min(200_000, text.length - 1)) + 1)); // warm up the JIT on whole lines
const t0 = performance.now();
const parsedRows = parseOnly(text);
const parseMs = performance.now() - t0;
const parseRate = Math.round(parsedRows / (parseMs / 1000));
console.log(`CSV parse:            ${parseRate.toLocaleString().padStart(9)} rows/s (${(parseMs / 1000).toFixed(1)} s) (target ≥ 200,000) ${parseRate >= 200_000 ? 'OK' : 'BELOW TARGET'}`);
const t1 = performance.now();
const result = parseAndValidate(text);
const fullMs = performance.now() - t1;
if (result.errors.length) throw new Error(`generated file has errors: ${JSON.stringify(result.errors.slice(0, 3))}`);
const fullRate = Math.round(result.rowsValid / (fullMs / 1000));
console.log(`parse + validate:     ${fullRate.toLocaleString().padStart(9)} rows/s (${(fullMs / 1000).toFixed(1)} s, every cell checked, entity tree built)`);

const dir = await mkdtemp(path.join(tmpdir(), 'adbrain-bench-'));
const embedded = await openDb({ databaseUrl: null, dataDir: dir });
try {
  await benchDb('PGlite (embedded, on disk)', embedded, result.batch);
} finally {
  await embedded.close();
  await rm(dir, { recursive: true, force: true });
}

if (serverUrl) {
  const { db, done } = await openServerBenchDb();
  try {
    await benchDb('Postgres server', db, result.batch);
  } finally {
    await done();
  }
} else {
  console.log('\n(set TEST_DATABASE_URL=postgres://… to measure a Postgres server too)');
}
