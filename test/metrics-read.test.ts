import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDaily, loadDailyColumns } from '../src/db/metrics-read.ts';
import { runDemo } from '../src/demo/demo.ts';
import { addDays } from '../src/time.ts';
import { dbKinds, freshDb, type TestDb } from './helpers/db.ts';

const orNull = (v: number) => (Number.isNaN(v) ? null : v);

describe.each(dbKinds)('metric loaders on %s', (kind) => {
  let db: TestDb;
  beforeAll(async () => {
    db = await freshDb(kind);
    await runDemo(db, { endDate: '2026-11-21', days: 40, dataDir: await mkdtemp(path.join(tmpdir(), 'adbrain-read-')) });
  });
  afterAll(async () => db?.destroy());

  it('the columnar loader returns the same days as the row loader, one source per entity and day', async () => {
    const client = await db.prisma.client.findUniqueOrThrow({ where: { slug: 'demo-shop' } });
    const [{ id: entityId }] = await db.sql.query<{ id: string }>(
      `SELECT m.entity_id::text AS id FROM daily_metric m JOIN entity e ON e.id = m.entity_id WHERE e.client_id = $1::uuid LIMIT 1`,
      [client.id],
    ) as [{ id: string }];
    // The same entity and day from a connector and from a CSV: the connector wins, the demo row loses.
    await db.sql.query(
      `INSERT INTO daily_metric (entity_id, date, source, spend_cents, clicks) VALUES ($1::uuid, '2026-11-20', 'meta-api', 12345, 7), ($1::uuid, '2026-11-20', 'csv', 999, 1)`,
      [entityId],
    );
    const rows = await loadDaily(db.sql, client.id, '2026-10-01', '2026-11-21');
    const cols = await loadDailyColumns(db.sql, client.id, '2026-10-01', '2026-11-21');
    const flat = cols.flatMap((c) => Array.from(c.days, (n, k) => ({ entityId: c.entityId, date: addDays('1970-01-01', n), spendCents: c.spendCents[k], clicks: orNull(c.clicks[k]!), revenueCents: orNull(c.revenueCents[k]!), frequency: Number.isNaN(c.frequency[k]!) ? null : c.frequency[k] })));
    const key = (r: { entityId: string; date: string }) => `${r.entityId}|${r.date}`;
    // Not reported (NULL): NaN in the columns, null in the rows — unknown either way, never 0.
    expect(flat.map(key).sort()).toEqual(rows.map(key).sort());
    const byKey = new Map(rows.map((r) => [key(r), r]));
    for (const f of flat) {
      const r = byKey.get(key(f))!;
      expect([f.spendCents, f.clicks, f.revenueCents, f.frequency]).toEqual([r.spendCents, r.clicks, r.revenueCents, r.frequency]);
    }
    expect(flat.find((f) => f.entityId === entityId && f.date === '2026-11-20')).toMatchObject({ spendCents: 12345, clicks: 7 });
  });
});
