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
  /**
   * Loads CSV text into a table with COPY (`table` may name columns:
   * `t (a, b)`): the database's fastest way in. Inside a transaction it shares
   * the transaction's session (temporary tables included).
   */
  copyIn(table: string, csv: string): Promise<void>;
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
    async copyIn(table: string, csv: string) {
      // PGlite reads COPY … FROM '/dev/blob' from the blob passed with the query.
      await db.query(`COPY ${table} FROM '/dev/blob' WITH (FORMAT csv)`, [], { blob: new Blob([csv]) });
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
    async copyIn(table: string, csv: string) {
      const client = await pool.connect();
      try {
        await copyThrough(client, table, csv);
      } finally {
        client.release();
      }
    },
  };
}

async function copyThrough(client: pg.PoolClient, table: string, csv: string) {
  const { from } = await import('pg-copy-streams');
  const { pipeline } = await import('node:stream/promises');
  const { Readable } = await import('node:stream');
  await pipeline(Readable.from([csv]), client.query(from(`COPY ${table} FROM STDIN WITH (FORMAT csv)`)));
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
    async copyIn(table: string, csv: string) {
      await copyThrough(client, table, csv);
    },
  };
  return self;
}
