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
  /**
   * Runs a SELECT through `COPY (…) TO STDOUT (FORMAT binary)` and returns its
   * whole output (PostgreSQL's binary copy format; src/db/copy-binary.ts reads
   * it): no text to parse per value. `settings` apply to this statement only
   * (its own transaction, or put back inside the caller's). COPY takes no
   * parameters: the caller inlines only values it has validated.
   */
  copyOut(select: string, settings?: Record<string, string>): Promise<Uint8Array>;
  /** How many copyOut calls can usefully run at once (a pool: one per connection). */
  readonly parallel: number;
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
    async copyOut(select: string, settings: Record<string, string> = {}) {
      // Outside a transaction: in one of its own, so its settings end with it.
      if (!inTx) return self.tx((t) => t.copyOut(select, settings));
      // PGlite writes COPY … TO '/dev/blob' into a blob returned with the result.
      return withSettings(self, settings, async () => {
        const r = await db.query(`COPY (${select}) TO '/dev/blob' WITH (FORMAT binary)`);
        return new Uint8Array(await r.blob!.arrayBuffer());
      });
    },
    parallel: 1,
  };
  return self;
}

/** SET LOCAL for each setting (the transaction's end undoes them). */
async function setLocal(sql: Sql, settings: Record<string, string>): Promise<void> {
  for (const [k, v] of Object.entries(settings)) await sql.query('SELECT set_config($1, $2, true)', [k, v]);
}

/**
 * Inside a caller's transaction a SET LOCAL would outlive this statement: each is
 * put back after it. Not after a failure — the transaction is aborted then, so
 * its settings no longer matter, and a restore would hide the real error.
 */
async function withSettings<T>(sql: Sql, settings: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const was: [string, string][] = [];
  for (const k of Object.keys(settings)) {
    const [row] = await sql.query<{ v: string }>('SELECT current_setting($1) AS v', [k]);
    was.push([k, row!.v]);
  }
  await setLocal(sql, settings);
  const out = await fn();
  await setLocal(sql, Object.fromEntries(was));
  return out;
}

export function pgPoolSql(pool: pg.Pool): Sql {
  const self: Sql = {
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
    async copyOut(select: string, settings: Record<string, string> = {}) {
      // Each call on a connection and in a transaction of its own.
      return self.tx((t) => t.copyOut(select, settings));
    },
    // Two statements in flight: the server reads one chunk while this process decodes the other.
    parallel: Math.min(2, pool.options.max ?? 2),
  };
  return self;
}

async function copyOutThrough(client: pg.PoolClient, select: string): Promise<Uint8Array> {
  const { to } = await import('pg-copy-streams');
  const parts: Buffer[] = [];
  for await (const b of client.query(to(`COPY (${select}) TO STDOUT WITH (FORMAT binary)`))) parts.push(b as Buffer);
  return Buffer.concat(parts);
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
    async copyOut(select: string, settings: Record<string, string> = {}) {
      return withSettings(self, settings, () => copyOutThrough(client, select));
    },
    parallel: 1,
  };
  return self;
}
