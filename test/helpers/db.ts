// Test databases: always an in-memory PGlite; also a fresh database on a Postgres
// server when TEST_DATABASE_URL (or DATABASE_URL) points at one (CI does).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDb, type Db } from '../../src/db/client.ts';

export type DbKind = 'pglite' | 'postgres';

export const serverUrl = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || '';

export const dbKinds: DbKind[] = serverUrl ? ['pglite', 'postgres'] : ['pglite'];

export interface TestDb extends Db {
  url: string | null;
  /** Closes the connection and drops the per-test database. */
  destroy(): Promise<void>;
}

function withDatabase(url: string, name: string) {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function createServerDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `adbrain_test_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return {
    url: withDatabase(serverUrl, name),
    async drop() {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export async function freshDb(kind: DbKind, opts: { migrate?: boolean } = {}): Promise<TestDb> {
  if (kind === 'pglite') {
    const db = await openDb({ databaseUrl: null, dataDir: 'memory://', migrate: opts.migrate ?? true });
    return Object.assign(db, { url: null, destroy: () => db.close() });
  }
  const { url, drop } = await createServerDatabase();
  const db = await openDb({ databaseUrl: url, dataDir: 'memory://', migrate: opts.migrate ?? true });
  return Object.assign(db, {
    url,
    async destroy() {
      await db.close();
      await drop();
    },
  });
}
