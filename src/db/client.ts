// The database factory: embedded PGlite in a folder when no DATABASE_URL is set,
// a Postgres server through node-postgres otherwise. Both expose the same
// Prisma client (domain objects) and the same Sql executor (bulk paths).
import { chmodSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { AppError, oneLine } from '../errors.ts';
import { PrismaClient } from '../generated/prisma/client.ts';
import { acquireFolderLock, type FolderLock } from './folder-lock.ts';
import { migrate, type MigrateResult } from './migrate.ts';
import { pgliteSql, pgPoolSql, type Sql } from './sql.ts';

export type { PrismaClient };

export interface Db {
  kind: 'pglite' | 'postgres';
  prisma: PrismaClient;
  sql: Sql;
  /** A short description for humans: the data folder or the server (without password). */
  location: string;
  /** The embedded database is inside a transaction (it serialises all work, so others wait). */
  busy(): boolean;
  close(): Promise<void>;
  /** The embedded database's own handle (benchmarks compare with its COPY); absent on a server. */
  pglite?: PGlite;
}

export interface OpenDbOptions {
  /** Postgres URL; null = embedded. */
  databaseUrl: string | null;
  /** Folder for the embedded database (`<dataDir>/pgdata`); "memory://" keeps it in RAM. */
  dataDir: string;
  /** Apply pending migrations on open (default: embedded only). */
  migrate?: boolean;
  onMigrated?: (r: MigrateResult) => void;
}

export async function openDb(opts: OpenDbOptions): Promise<Db> {
  const db = opts.databaseUrl ? openPostgres(opts.databaseUrl) : await openEmbedded(opts.dataDir);
  const shouldMigrate = opts.migrate ?? db.kind === 'pglite';
  if (shouldMigrate) {
    try {
      const r = await migrate(db.sql);
      opts.onMigrated?.(r);
    } catch (err) {
      await db.close();
      throw err;
    }
  }
  return db;
}

async function openEmbedded(dataDir: string): Promise<Db> {
  let pglite: PGlite;
  let location: string;
  let lock: FolderLock | undefined;
  if (dataDir.startsWith('memory://')) {
    pglite = new PGlite();
    location = 'in-memory embedded Postgres';
  } else {
    const dir = path.join(dataDir, 'pgdata');
    restrictFolder(dataDir, dir);
    lock = acquireFolderLock(path.join(dataDir, 'adbrain.lock'), dataDir);
    location = dir;
    try {
      pglite = await PGlite.create(dir);
      await pglite.waitReady;
    } catch (err) {
      lock.release();
      throw new AppError('database', `could not open the embedded database in ${dir} (${oneLine((err as Error).message)})`);
    }
  }
  await pglite.waitReady;
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
  return {
    kind: 'pglite',
    prisma,
    sql: pgliteSql(pglite),
    location,
    busy: () => pglite.isInTransaction(),
    pglite,
    async close() {
      try {
        await prisma.$disconnect();
        await pglite.close();
      } finally {
        if (lock) {
          restrictFiles(path.join(dataDir, 'pgdata'));
          lock.release();
        }
      }
    },
  };
}

/**
 * The data folder holds every client's numbers and the credential key: 0700 for
 * folders, 0600 for files. PGlite creates its files with the process umask, so the
 * umask is narrowed too (not possible in worker threads; the 0700 folder still
 * keeps other users out, and files are tightened on close).
 */
function restrictFolder(dataDir: string, dbDir: string) {
  mkdirSync(dbDir, { recursive: true, mode: 0o700 });
  chmodSync(dataDir, 0o700);
  chmodSync(dbDir, 0o700);
  try {
    process.umask(process.umask() | 0o077);
  } catch {
    // worker thread: umask is per process
  }
  restrictFiles(dbDir);
}

function restrictFiles(dir: string) {
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const p = path.join(e.parentPath, e.name);
    try {
      chmodSync(p, e.isDirectory() ? 0o700 : 0o600);
    } catch {
      // a file PGlite removed meanwhile
    }
  }
}

function openPostgres(url: string): Db {
  // DATE values stay 'YYYY-MM-DD' strings: pg's default turns them into local-time Dates.
  const pool = new pg.Pool({ connectionString: url, max: 8, types: { getTypeParser: dateAsText } });
  // A connection the server drops emits 'error' on its client; without a listener
  // Node ends the process. Idle clients report to the pool, checked-out ones (a
  // transaction in flight) to themselves: both are heard here, and the query in
  // flight fails with the error, which callers retry (src/db/retry.ts).
  pool.on('error', () => undefined);
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
  });
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  const safe = url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
  return {
    kind: 'postgres',
    prisma,
    sql: pgPoolSql(pool),
    location: safe,
    busy: () => false,
    async close() {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

const DATE_OID = 1082;
function dateAsText(oid: number, format?: 'text' | 'binary') {
  if (oid === DATE_OID) return (v: string) => v;
  return pg.types.getTypeParser(oid, format as 'text');
}
