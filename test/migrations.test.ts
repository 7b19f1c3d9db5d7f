import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDb } from '../src/db/client.ts';
import { defaultMigrationsDir, loadMigrations, migrate, migrationStatus } from '../src/db/migrate.ts';
import { diffMigrationsToSchema } from '../src/db/schema-engine.ts';
import { dbKinds, freshDb, serverUrl, createServerDatabase, type TestDb } from './helpers/db.ts';

const schemaPath = path.resolve('prisma/schema.prisma');
const MODELS = [
  'agency', 'api_key', 'client', 'connection', 'entity', 'daily_metric', 'import_run', 'sync_run', 'brain_run',
  'prediction', 'insight', 'insight_event', 'report', 'alert', 'llm_call',
];

async function copyMigrations() {
  const dir = await mkdtemp(path.join(tmpdir(), 'adbrain-mig-'));
  await cp(defaultMigrationsDir, dir, { recursive: true });
  return dir;
}

describe.each(dbKinds)('migrations on %s', (kind) => {
  let db: TestDb | undefined;
  afterEach(async () => {
    await db?.destroy();
    db = undefined;
  });

  it('creates every table, records the history, and a second run is a no-op', async () => {
    db = await freshDb(kind, { migrate: false });
    const all = await loadMigrations();
    const first = await migrate(db.sql);
    expect(first.applied).toEqual(all.map((m) => m.name));
    const tables = await db.sql.query<{ t: string }>(
      `SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`,
    );
    expect(tables.map((r) => r.t)).toEqual(expect.arrayContaining([...MODELS, '_prisma_migrations']));
    const second = await migrate(db.sql);
    expect(second).toEqual({ applied: [], alreadyApplied: all.length });
    const history = await db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "_prisma_migrations"`);
    expect(history[0]!.n).toBe(all.length);
    expect(await migrationStatus(db.sql)).toEqual({ applied: all.map((m) => m.name), pending: [] });
  });

  it('refuses a migration edited after it was applied, and one the code does not know', async () => {
    db = await freshDb(kind, { migrate: false });
    const dir = await copyMigrations();
    await migrate(db.sql, dir);
    const [first] = await loadMigrations(dir);
    const file = path.join(dir, first!.name, 'migration.sql');
    await writeFile(file, (await readFile(file, 'utf8')) + '\n-- edited\n');
    await expect(migrate(db.sql, dir)).rejects.toThrow(/was changed after it was applied/);
    await db.sql.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, finished_at) VALUES ('x', 'y', '29990101000000_future', now())`,
    );
    await expect(migrate(db.sql)).rejects.toThrow(/does not know \(29990101000000_future\)/);
  });

  it('a failing migration leaves nothing half-applied', async () => {
    db = await freshDb(kind, { migrate: false });
    const dir = await copyMigrations();
    await migrate(db.sql, dir);
    const bad = path.join(dir, '29990101000000_broken');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(bad);
    await writeFile(path.join(bad, 'migration.sql'), 'CREATE TABLE half_done (id int);\nSELECT no_such_function();\n');
    await expect(migrate(db.sql, dir)).rejects.toThrow();
    const t = await db.sql.query(`SELECT 1 FROM information_schema.tables WHERE table_name = 'half_done'`);
    expect(t).toEqual([]);
    expect((await migrationStatus(db.sql, dir)).pending).toEqual(['29990101000000_broken']);
  });
});

describe.runIf(Boolean(serverUrl))('migrations on a Postgres server', () => {
  it('two processes migrating at once apply each migration exactly once', async () => {
    const { url, drop } = await createServerDatabase();
    const [a, b] = await Promise.all([
      openDb({ databaseUrl: url, dataDir: 'memory://', migrate: false }),
      openDb({ databaseUrl: url, dataDir: 'memory://', migrate: false }),
    ]);
    try {
      const [ra, rb] = await Promise.all([migrate(a.sql), migrate(b.sql)]);
      const total = (await loadMigrations()).length;
      expect(ra.applied.length + rb.applied.length).toBe(total);
      const rows = await a.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "_prisma_migrations"`);
      expect(rows[0]!.n).toBe(total);
    } finally {
      await a.close();
      await b.close();
      await drop();
    }
  });
});

describe('schema.prisma and prisma/migrations', () => {
  it('agree (the migrations produce exactly the schema)', async () => {
    expect(await diffMigrationsToSchema(schemaPath, defaultMigrationsDir)).toBe('');
  });

  it('a schema change without a migration is caught', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'adbrain-schema-'));
    const changed = path.join(dir, 'schema.prisma');
    const text = await readFile(schemaPath, 'utf8');
    await writeFile(changed, text.replace('model Agency {\n', 'model Agency {\n  website String?\n'));
    const diff = await diffMigrationsToSchema(changed, defaultMigrationsDir);
    expect(diff).toMatch(/ALTER TABLE "agency" ADD COLUMN\s+"website" TEXT/);
  });
});
