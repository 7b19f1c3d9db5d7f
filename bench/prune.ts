// npm run bench:prune [-- --rows 10000000 --pglite-rows 1000000 --batch 5000]
// The retention prune over N expired daily-metric rows (rolled up by month, then
// deleted, in batches) while a writer keeps upserting today's rows and a reader keeps
// reading: total time, rows/s, the longest batch (the longest any row lock is held)
// and the writer's / reader's worst wait during the prune. Baseline in the same run:
// one unbatched DELETE of the same rows (no rollup) — the naive way, which holds
// every row lock until it ends — with the same writer and reader running.
// Postgres with TEST_DATABASE_URL gets --rows (10 M); PGlite gets --pglite-rows.
import type { Db } from '../src/db/client.ts';
import { addAgency } from '../src/domain/agencies.ts';
import { addClient } from '../src/domain/clients.ts';
import { prune } from '../src/retention/prune.ts';
import { onEachDb } from './server-db.ts';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const ROWS = arg('rows', 10_000_000);
const PGLITE_ROWS = arg('pglite-rows', 1_000_000);
const BATCH = arg('batch', 5_000);
const ENTITIES = 2_000;
const NOW = new Date('2026-12-01T12:00:00Z');

async function seed(db: Db, rows: number, table: string) {
  const days = Math.ceil(rows / ENTITIES);
  // Expired: days ending in 2020 (well outside 37 months); plus 30 recent days per entity that stay.
  await db.sql.query(
    `INSERT INTO ${table} (entity_id, date, source, spend_cents, impressions, clicks, conversions, revenue_cents)
     SELECT e.id, DATE '2020-12-31' - d, 'csv', 100 + (d % 97), 1000, 10 + (d % 7), (d % 3), CASE WHEN d % 11 = 0 THEN NULL ELSE 250 + (d % 13) END
     FROM (SELECT id FROM entity ORDER BY id LIMIT ${ENTITIES}) e CROSS JOIN generate_series(0, ${days - 1}) d
     LIMIT ${rows}`,
  );
  await db.sql.query(
    `INSERT INTO ${table} (entity_id, date, source, spend_cents) SELECT e.id, DATE '2026-11-30' - d, 'csv', 500 FROM entity e CROSS JOIN generate_series(0, 29) d`,
  );
  await db.sql.query(`ANALYZE ${table}`);
}

/** A writer upserting today's rows and a reader summing a recent week, each as fast as it can; their worst waits. */
function traffic(db: Db, table: string) {
  let stop = false;
  const worst = { write: 0, read: 0, writes: 0, reads: 0 };
  const writer = (async () => {
    for (let i = 0; !stop; i++) {
      const t0 = performance.now();
      await db.sql.query(
        `INSERT INTO ${table} (entity_id, date, source, spend_cents) SELECT id, DATE '2026-12-01', 'live', $1 FROM entity ORDER BY id LIMIT 20
         ON CONFLICT (entity_id, date, source) DO UPDATE SET spend_cents = excluded.spend_cents`, [i],
      );
      worst.write = Math.max(worst.write, performance.now() - t0);
      worst.writes++;
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const reader = (async () => {
    while (!stop) {
      const t0 = performance.now();
      await db.sql.query(`SELECT sum(spend_cents)::text FROM ${table} WHERE date >= DATE '2026-11-24'`);
      worst.read = Math.max(worst.read, performance.now() - t0);
      worst.reads++;
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  return { worst, async end() { stop = true; await Promise.all([writer, reader]); } };
}

const ms = (x: number) => `${Math.round(x).toLocaleString('en-US')} ms`;

await onEachDb('adbrain-bench-prune', async (label, db, url) => {
  const rows = url ? ROWS : PGLITE_ROWS;
  await addAgency(db.prisma, { slug: 'bench', name: 'Bench' });
  const c = await addClient(db.prisma, { slug: 'bench-client', agency: 'bench' });
  await db.sql.query(`INSERT INTO entity (client_id, platform, kind, external_id, name) SELECT $1::uuid, 'meta', 'ad', 'ad' || g, 'Ad ' || g FROM generate_series(1, ${ENTITIES}) g`, [c.id]);
  console.log(`\n${label}: ${rows.toLocaleString('en-US')} expired daily rows over ${ENTITIES.toLocaleString('en-US')} entities (+ 30 recent days each), batches of ${BATCH.toLocaleString('en-US')}`);

  // Baseline: the same rows in a twin table, deleted in one statement.
  let t0 = performance.now();
  await db.sql.query('CREATE TABLE bench_metric (LIKE daily_metric INCLUDING DEFAULTS INCLUDING INDEXES)');
  await seed(db, rows, 'bench_metric');
  console.log(`  seeded the baseline table in ${ms(performance.now() - t0)}`);
  let tr = traffic(db, 'bench_metric');
  t0 = performance.now();
  await db.sql.query("DELETE FROM bench_metric WHERE date < DATE '2023-11-01'");
  const naive = performance.now() - t0;
  await tr.end();
  const naiveWorst = { ...tr.worst };
  await db.sql.query('DROP TABLE bench_metric');

  t0 = performance.now();
  await seed(db, rows, 'daily_metric');
  console.log(`  seeded daily_metric in ${ms(performance.now() - t0)}`);
  const before = await db.sql.query<{ s: string }>("SELECT sum(spend_cents)::text AS s FROM daily_metric WHERE source = 'csv'");
  tr = traffic(db, 'daily_metric');
  t0 = performance.now();
  const r = await prune(db, { now: NOW, batchSize: BATCH });
  const took = performance.now() - t0;
  await tr.end();
  const after = await db.sql.query<{ s: string }>("SELECT (SELECT coalesce(sum(spend_cents), 0) FROM daily_metric WHERE source = 'csv') + (SELECT coalesce(sum(spend_cents), 0) FROM metric_month) AS s");
  const months = await db.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM metric_month');
  if (r.rows !== rows) throw new Error(`pruned ${r.rows} rows, expected ${rows}`);
  if (String(before[0]!.s) !== String(after[0]!.s)) throw new Error(`spend changed: ${before[0]!.s} → ${after[0]!.s}`);

  console.log(`  prune (rollup + delete, batched): ${ms(took)} · ${Math.round(r.rows / (took / 1000)).toLocaleString('en-US')} rows/s · ${months[0]!.n.toLocaleString('en-US')} monthly rows · spend total unchanged`);
  console.log(`    longest batch (longest row lock held): ${r.longestBatchMs} ms · worst wait during it: writer ${ms(tr.worst.write)} (${tr.worst.writes} writes), reader ${ms(tr.worst.read)} (${tr.worst.reads} reads)`);
  console.log(`  baseline, one DELETE (no rollup): ${ms(naive)} · holds every row lock for all of it · worst wait: writer ${ms(naiveWorst.write)} (${naiveWorst.writes} writes), reader ${ms(naiveWorst.read)} (${naiveWorst.reads} reads)`);
  console.log(`  ratios: prune time ${(took / naive).toFixed(2)}× the single DELETE · longest lock ${(r.longestBatchMs / naive).toFixed(4)}× · writer's worst wait ${(tr.worst.write / Math.max(1, naiveWorst.write)).toFixed(2)}×`);
});
