// A minimal SQL executor over either driver, for migrations and bulk paths where
// Prisma's per-row overhead matters. Queries cast their columns explicitly
// (::text, ::float8, ::int) so both drivers return the same JS values.
import type { PGlite, Transaction as PGliteTx } from '@electric-sql/pglite';
import type pg from 'pg';

export interface Sql {
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** Runs a script of several statements (no parameters). */
  exec(script: string): Promise<void>;
  /** Runs `fn` in one transaction; nested calls reuse the outer transaction. */
  tx<T>(fn: (sql: Sql) => Promise<T>): Promise<T>;
}

type PgliteLike = PGlite | PGliteTx;

export function pgliteSql(db: PgliteLike, inTx = false): Sql {
  const self: Sql = {
    async query<T>(text: string, params: unknown[] = []) {
      const r = await db.query<T>(text, params);
      return r.rows;
    },
    async exec(script: string) {
      await db.exec(script);
    },
    async tx<T>(fn: (sql: Sql) => Promise<T>) {
      if (inTx) return fn(self);
      return (db as PGlite).transaction((t) => fn(pgliteSql(t, true)));
    },
  };
  return self;
}

export function pgPoolSql(pool: pg.Pool): Sql {
  return {
    async query<T>(text: string, params: unknown[] = []) {
      const r = await pool.query(text, params);
      return r.rows as T[];
    },
    async exec(script: string) {
      await pool.query(script);
    },
    async tx<T>(fn: (sql: Sql) => Promise<T>) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(pgClientSql(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
  };
}

function pgClientSql(client: pg.PoolClient): Sql {
  const self: Sql = {
    async query<T>(text: string, params: unknown[] = []) {
      const r = await client.query(text, params);
      return r.rows as T[];
    },
    async exec(script: string) {
      await client.query(script);
    },
    async tx<T>(fn: (sql: Sql) => Promise<T>) {
      return fn(self);
    },
  };
  return self;
}
