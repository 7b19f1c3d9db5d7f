// The database factory: embedded PGlite in a folder when no DATABASE_URL is set,
// a Postgres server through node-postgres otherwise. Both expose the same
// Prisma client (domain objects) and the same Sql executor (bulk paths).
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { AppError } from '../errors.ts';
import { PrismaClient } from '../generated/prisma/client.ts';
import { migrate, type MigrateResult } from './migrate.ts';
import { pgliteSql, pgPoolSql, type Sql } from './sql.ts';

export type { PrismaClient };

export interface Db {
  kind: 'pglite' | 'postgres';
  prisma: PrismaClient;
  sql: Sql;
  /** A short description for humans: the data folder or the server (without password). */
  location: string;
  close(): Promise<void>;
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
  if (dataDir.startsWith('memory://')) {
    pglite = new PGlite();
    location = 'in-memory embedded Postgres';
  } else {
    const dir = path.join(dataDir, 'pgdata');
    mkdirSync(dir, { recursive: true });
    location = dir;
    try {
      pglite = await PGlite.create(dir);
    } catch (err) {
      throw new AppError(
        'database',
        `could not open the embedded database in ${dir} (${(err as Error).message}). ` +
          'Is another adbrain process using it? The embedded database allows one process at a time; use DATABASE_URL for more.',
      );
    }
  }
  await pglite.waitReady;
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
  return {
    kind: 'pglite',
    prisma,
    sql: pgliteSql(pglite),
    location,
    async close() {
      await prisma.$disconnect();
      await pglite.close();
    },
  };
}

function openPostgres(url: string): Db {
  // DATE values stay 'YYYY-MM-DD' strings: pg's default turns them into local-time Dates.
  const pool = new pg.Pool({ connectionString: url, max: 8, types: { getTypeParser: dateAsText } });
  pool.on('error', () => undefined); // idle-client errors surface on the next query instead
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  const safe = url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
  return {
    kind: 'postgres',
    prisma,
    sql: pgPoolSql(pool),
    location: safe,
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
