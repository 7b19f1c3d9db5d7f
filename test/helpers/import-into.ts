// One embedded database per test file, and a new client per import: each case reads its file alone.
import { afterAll, beforeAll } from 'vitest';
import { addClient } from '../../src/domain/clients.ts';
import { importCsv, type ImportOptions, type ImportSummary } from '../../src/import/import-csv.ts';
import { freshDb, type TestDb } from './db.ts';

export function importPerClient(prefix: string, fileName: string, base: Partial<ImportOptions> & { now: Date; timezone?: string }) {
  const state = { db: undefined as unknown as TestDb, seq: 0 };
  beforeAll(async () => {
    state.db = await freshDb('pglite');
  });
  afterAll(async () => {
    await state.db?.destroy();
  });
  /** Imports into a new client; the result is the summary or the error (never thrown). */
  async function run(content: Buffer, opts: Partial<ImportOptions> = {}): Promise<{ clientSlug: string; result: ImportSummary | unknown }> {
    const clientSlug = `${prefix}-${++state.seq}`;
    await addClient(state.db.prisma, { slug: clientSlug, timezone: base.timezone ?? 'UTC', currency: 'USD' });
    const { timezone: _t, ...defaults } = base;
    const result = await importCsv(state.db, content, fileName, { clientSlug, ...defaults, ...opts }).then((s) => s, (e: unknown) => e);
    return { clientSlug, result };
  }
  return { state, run };
}
