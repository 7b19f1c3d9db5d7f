// A throwaway database on the Postgres server named by TEST_DATABASE_URL or
// DATABASE_URL, for benchmarks that compare it with the embedded one.
import pg from 'pg';
import { openDb, type Db } from '../src/db/client.ts';

export const serverUrl = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || '';

export async function openServerBenchDb(): Promise<{ db: Db; url: string; done: () => Promise<void> }> {
  const name = `adbrain_bench_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  const db = await openDb({ databaseUrl: u.toString(), dataDir: 'memory://', migrate: true });
  return {
    db,
    url: u.toString(),
    async done() {
      await db.close();
      await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

/** Runs `fn` on a fresh embedded database on disk, then on a Postgres server when one is named. */
export async function onEachDb(prefix: string, fn: (label: string, db: Db, url: string | null) => Promise<void>): Promise<void> {
  const { mkdtemp, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const path = await import('node:path');
  const dir = await mkdtemp(path.join(tmpdir(), `${prefix}-`));
  const embedded = await openDb({ databaseUrl: null, dataDir: dir });
  try {
    await fn('PGlite (embedded, on disk)', embedded, null);
  } finally {
    await embedded.close();
    await rm(dir, { recursive: true, force: true });
  }
  if (!serverUrl) {
    console.log('\n(set TEST_DATABASE_URL=postgres://… to measure a Postgres server too)');
    return;
  }
  const { db, url, done } = await openServerBenchDb();
  try {
    await fn('Postgres server', db, url);
  } finally {
    await done();
  }
}
