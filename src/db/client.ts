// The database factory: embedded PGlite in a folder when no DATABASE_URL is set,
// a Postgres server through node-postgres otherwise. Both expose the same
// Prisma client (domain objects) and the same Sql executor (bulk paths).
import { chmodSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { AppError, oneLine } from '../errors.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
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
  /**
   * A short read-only command: no ORM (its client and query compiler cost ~0.4 s
   * to load; such commands use `sql`), and the embedded database with small
   * shared buffers (4 MB instead of 128 MB — a few small queries need no more — and ~160 MB less memory with the compiler settings below).
   */
  light?: boolean;
}

// PGlite's own start parameters, with smaller shared buffers for light commands.
const LIGHT_START = [...PGlite.defaultStartParams, '-c', 'shared_buffers=4MB'];

/** The ORM, loaded on open unless the command is light. Asking for it on a light open is a bug, said plainly. */
async function ormFor(light: boolean | undefined, make: (P: typeof PrismaClient) => Promise<PrismaClient>): Promise<() => PrismaClient> {
  if (light) return () => { throw new AppError('internal', 'this command opened the database without the ORM (light) but used it'); };
  const { PrismaClient: P } = await import('../generated/prisma/client.ts');
  const prisma = await make(P);
  return () => prisma;
}

export async function openDb(opts: OpenDbOptions): Promise<Db> {
  const db = opts.databaseUrl ? await openPostgres(opts.databaseUrl, opts.light) : await openEmbedded(opts.dataDir, opts.light);
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

async function openEmbedded(dataDir: string, light?: boolean): Promise<Db> {
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
      // A light command runs a few small queries: V8's baseline wasm compiler alone,
      // lazily, starts Postgres sooner and in ~80 MB less than optimising all of it.
      if (light) setFlagsFromString('--liftoff-only --wasm-lazy-compilation');
      pglite = await PGlite.create(dir, light ? { startParams: LIGHT_START } : {});
      await pglite.waitReady;
    } catch (err) {
      lock.release();
      throw new AppError('database', `could not open the embedded database in ${dir} (${oneLine((err as Error).message)})`);
    }
  }
  await pglite.waitReady;
  const orm = await ormFor(light, async (P) => new P({ adapter: new (await import('pglite-prisma-adapter')).PrismaPGlite(pglite) }));
  return {
    kind: 'pglite',
    get prisma() {
      return orm();
    },
    sql: pgliteSql(pglite),
    location,
    busy: () => pglite.isInTransaction(),
    pglite,
    async close() {
      try {
        if (!light) await orm().$disconnect();
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

async function openPostgres(url: string, light?: boolean): Promise<Db> {
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
  const orm = await ormFor(light, async (P) => new P({ adapter: new (await import('@prisma/adapter-pg')).PrismaPg(pool) }));
  const safe = url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
  return {
    kind: 'postgres',
    get prisma() {
      return orm();
    },
    sql: pgPoolSql(pool),
    location: safe,
    busy: () => false,
    async close() {
      if (!light) await orm().$disconnect();
      await pool.end();
    },
  };
}

const DATE_OID = 1082;
function dateAsText(oid: number, format?: 'text' | 'binary') {
  if (oid === DATE_OID) return (v: string) => v;
  return pg.types.getTypeParser(oid, format as 'text');
}
