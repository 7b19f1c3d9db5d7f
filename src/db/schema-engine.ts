// Loads Prisma's WASM schema engine (a dev dependency) without Node's
// --experimental-wasm-modules flag. Used only to *generate* migration SQL and to
// check that schema.prisma and prisma/migrations agree; applying migrations is
// done by src/db/migrate.ts, which needs nothing but SQL.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import type { SchemaEngine as SchemaEngineType } from '@prisma/schema-engine-wasm';
import { loadMigrations } from './migrate.ts';

const require = createRequire(import.meta.url);
const noFilters = { externalTables: [], externalEnums: [] };

interface WasmRuntime {
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { exports: object } }>;
}

// The wasm-bindgen glue keeps one module-level instance: load it once per process.
let engineModule: Promise<{ SchemaEngine: typeof SchemaEngineType }> | undefined;
const loadEngineModule = () => (engineModule ??= instantiateEngine());

async function instantiateEngine() {
  const pkgDir = path.dirname(require.resolve('@prisma/schema-engine-wasm/schema_engine_bg'));
  const bg = await import(pathToFileURL(path.join(pkgDir, 'schema_engine_bg.js')).href);
  const bytes = await readFile(path.join(pkgDir, 'schema_engine_bg.wasm'));
  // @types/node declares WebAssembly's types but not its runtime value.
  const wasm = (globalThis as unknown as { WebAssembly: WasmRuntime }).WebAssembly;
  const { instance } = await wasm.instantiate(bytes, { './schema_engine_bg.js': bg });
  bg.__wbg_set_wasm(instance.exports);
  (instance.exports as { __wbindgen_start: () => void }).__wbindgen_start();
  return bg as { SchemaEngine: typeof SchemaEngineType };
}

/**
 * SQL that takes a database from the state of `migrationsDir` to `schema.prisma`.
 * Empty string when they agree. The engine replays the migrations into a throwaway
 * in-memory PGlite (its "shadow database").
 */
export async function diffMigrationsToSchema(schemaPath: string, migrationsDir: string): Promise<string> {
  const { SchemaEngine } = await loadEngineModule();
  const schema = await readFile(schemaPath, 'utf8');
  const migrations = await loadMigrations(migrationsDir);
  const db = new PGlite();
  const logs: string[] = [];
  const engine = await SchemaEngine.new(
    { datamodels: [[schemaPath, schema]] },
    (msg: string) => logs.push(msg),
    bindMigrationAwareSqlAdapterFactory(new PrismaPGlite(db)),
  );
  try {
    const lockPath = path.join(migrationsDir, 'migration_lock.toml');
    const lock = await readFile(lockPath, 'utf8').catch(() => null);
    const result = await engine.diff({
      from: {
        tag: 'migrations',
        baseDir: migrationsDir,
        lockfile: { path: 'migration_lock.toml', content: lock },
        shadowDbInitScript: '',
        migrationDirectories: migrations.map((m) => ({
          path: m.name,
          migrationFile: { path: 'migration.sql', content: { tag: 'ok', value: m.sql } },
        })),
      },
      to: { tag: 'schemaDatamodel', files: [{ path: schemaPath, content: schema }] },
      script: true,
      exitCode: null,
      filters: noFilters,
    });
    const out = (result.stdout ?? '').trim();
    return out === '-- This is an empty migration.' ? '' : out;
  } finally {
    engine.free();
    await db.close();
  }
}
