// Applies prisma/migrations/*/migration.sql in order and records each in Prisma's
// own `_prisma_migrations` table (same columns and sha256 checksums), so the
// history stays compatible with `prisma migrate deploy` on a machine that has the
// native engine. Each migration runs in its own transaction: all or nothing.
import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../errors.ts';
import { projectFile } from '../paths.ts';
import type { Sql } from './sql.ts';

export const defaultMigrationsDir = projectFile('prisma', 'migrations');

// Prisma's advisory lock id for migrations; sharing it keeps two migrators apart.
const LOCK_ID = 72707369;

const historyTable = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrateResult {
  applied: string[];
  alreadyApplied: number;
}

export async function loadMigrations(dir = defaultMigrationsDir): Promise<Migration[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

interface HistoryRow {
  migration_name: string;
  checksum: string;
  finished: boolean;
  rolled_back: boolean;
}

export async function migrationStatus(sql: Sql, dir = defaultMigrationsDir) {
  const migrations = await loadMigrations(dir);
  await ensureHistoryTable(sql);
  const rows = await readHistory(sql);
  const done = new Set(rows.filter((r) => r.finished && !r.rolled_back).map((r) => r.migration_name));
  return {
    applied: migrations.filter((m) => done.has(m.name)).map((m) => m.name),
    pending: migrations.filter((m) => !done.has(m.name)).map((m) => m.name),
  };
}

async function readHistory(sql: Sql): Promise<HistoryRow[]> {
  return sql.query<HistoryRow>(
    `SELECT migration_name, checksum, finished_at IS NOT NULL AS finished,
            rolled_back_at IS NOT NULL AS rolled_back
       FROM "_prisma_migrations" ORDER BY started_at`,
  );
}

/** Creating the table under the lock: concurrent CREATE IF NOT EXISTS can collide. */
async function ensureHistoryTable(sql: Sql) {
  await sql.tx(async (t) => {
    await t.query('SELECT pg_advisory_xact_lock($1)', [LOCK_ID]);
    await t.exec(historyTable);
  });
}

export async function migrate(sql: Sql, dir = defaultMigrationsDir): Promise<MigrateResult> {
  const migrations = await loadMigrations(dir);
  // Up to date (every start of the CLI on the embedded database): one read, no locks.
  const known = await readHistory(sql).catch(() => null);
  if (known) {
    const live = known.filter((r) => !r.rolled_back);
    const byName = new Map(live.map((r) => [r.migration_name, r]));
    if (migrations.every((m) => byName.get(m.name)?.finished && byName.get(m.name)!.checksum === m.checksum)) {
      checkHistory(live, migrations);
      return { applied: [], alreadyApplied: migrations.length };
    }
  }
  await ensureHistoryTable(sql);
  const applied: string[] = [];
  let alreadyApplied = 0;
  for (const m of migrations) {
    // The history is re-read under a transaction-scoped lock, so two processes
    // migrating the same database at once apply each migration exactly once.
    const didApply = await sql.tx(async (t) => {
      await t.query('SELECT pg_advisory_xact_lock($1)', [LOCK_ID]);
      const live = (await readHistory(t)).filter((r) => !r.rolled_back);
      checkHistory(live, migrations);
      const row = live.find((r) => r.migration_name === m.name);
      if (row) {
        if (row.checksum !== m.checksum) {
          throw new AppError(
            'database',
            `migration ${m.name} was changed after it was applied (checksum differs); add a new migration instead of editing an old one`,
          );
        }
        return false;
      }
      const id = randomUUID();
      await t.query(
        `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at) VALUES ($1, $2, $3, now())`,
        [id, m.checksum, m.name],
      );
      await t.exec(m.sql);
      await t.query(`UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1`, [id]);
      return true;
    });
    if (didApply) applied.push(m.name);
    else alreadyApplied++;
  }
  return { applied, alreadyApplied };
}

function checkHistory(live: HistoryRow[], migrations: Migration[]) {
  const onDisk = new Set(migrations.map((m) => m.name));
  const unknown = live.filter((r) => r.finished && !onDisk.has(r.migration_name));
  if (unknown.length > 0) {
    throw new AppError(
      'database',
      `the database has migrations this version of adbrain does not know (${unknown
        .map((r) => r.migration_name)
        .join(', ')}); upgrade adbrain or use the matching database`,
    );
  }
  const failed = live.find((r) => !r.finished);
  if (failed) {
    throw new AppError(
      'database',
      `migration ${failed.migration_name} failed earlier and was left unfinished; inspect the database, then mark it rolled back`,
    );
  }
}
