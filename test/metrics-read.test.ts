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

  it('every entity, day and value (NULLs, fractions, amounts beyond 2^31) in chunks of any size, and a caller transaction keeps its settings', async () => {
    const client = await db.prisma.client.findUniqueOrThrow({ where: { slug: 'demo-shop' } });
    const some = await db.sql.query<{ id: string }>(
      `SELECT DISTINCT m.entity_id::text AS id FROM daily_metric m JOIN entity e ON e.id = m.entity_id WHERE e.client_id = $1::uuid ORDER BY 1 LIMIT 3`,
      [client.id],
    );
    // Values the binary decoding could get wrong: NULLs, a fraction, a sum beyond 32 bits, a second source.
    await db.sql.query(
      `INSERT INTO daily_metric (entity_id, date, source, spend_cents, impressions, clicks, conversions, revenue_cents, reach, frequency)
       VALUES ($1::uuid, '2026-11-19', 'meta-api', 9876543210123, NULL, 3, 2.5, NULL, 4000000000, 1.2345),
              ($2::uuid, '2026-11-18', 'csv', 0, 0, 0, 0, 0, NULL, NULL)
       ON CONFLICT (entity_id, date, source) DO UPDATE SET spend_cents = EXCLUDED.spend_cents`,
      [some[0]!.id, some[1]!.id],
    );
    // The oracle: one row per entity and day by the same priority, straight from SQL.
    const plain = await db.sql.query<Record<string, number | string | null>>(
      `SELECT DISTINCT ON (m.entity_id, m.date) m.entity_id::text AS e, (m.date - DATE '1970-01-01') AS d, m.spend_cents::float8 AS s,
              m.impressions::float8 AS i, m.clicks::float8 AS c, m.conversions::float8 AS v, m.revenue_cents::float8 AS r,
              m.reach::float8 AS re, m.frequency::float8 AS f
         FROM daily_metric m JOIN entity e ON e.id = m.entity_id
        WHERE e.client_id = $1::uuid AND m.date BETWEEN '2026-11-01' AND '2026-11-21'
        ORDER BY m.entity_id, m.date, CASE m.source WHEN 'csv' THEN 2 WHEN 'demo' THEN 3 ELSE 1 END`,
      [client.id],
    );
    const expected = plain.map((r) => JSON.stringify([r.e, r.d, r.s, r.i, r.c, r.v, r.r, r.re, r.f])).sort();
    const flatten = (cols: Awaited<ReturnType<typeof loadDailyColumns>>) =>
      cols.flatMap((c) => Array.from(c.days, (d, k) => JSON.stringify([c.entityId, d, ...[c.spendCents, c.impressions, c.clicks, c.conversions, c.revenueCents, c.reach!, c.frequency].map((a) => orNull(a[k]!))]))).sort();
    for (const chunk of [1, 7, 2000]) {
      expect(flatten(await loadDailyColumns(db.sql, client.id, '2026-11-01', '2026-11-21', { chunk }))).toEqual(expected);
    }
    expect(expected.some((r) => r.includes('9876543210123') && r.includes('2.5') && r.includes('4000000000'))).toBe(true);
    // Inside a caller's transaction the loader's own planner setting does not outlive it.
    await db.sql.tx(async (tx) => {
      await tx.query("SET LOCAL enable_seqscan = on");
      expect(flatten(await loadDailyColumns(tx, client.id, '2026-11-01', '2026-11-21', { chunk: 5 }))).toEqual(expected);
      const [row] = await tx.query<{ v: string }>("SELECT current_setting('enable_seqscan') AS v");
      expect(row!.v).toBe('on');
    });
  });

  it('refuses a date that is not a date before it reaches the database', async () => {
    const client = await db.prisma.client.findUniqueOrThrow({ where: { slug: 'demo-shop' } });
    await expect(loadDailyColumns(db.sql, client.id, "2026-11-01'; --", '2026-11-21')).rejects.toThrow(/YYYY-MM-DD/);
  });
});
