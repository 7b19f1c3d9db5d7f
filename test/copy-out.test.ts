// Sql.copyOut and the binary COPY reader on both drivers: values decoded as
// written, a failure inside a caller's transaction reported as itself, a cut-short
// output refused, and (on a server) a connection dropped mid-read failing the call.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { float8sInto, int4, readCopyBinary, text, type CopyField } from '../src/db/copy-binary.ts';
import { dbKinds, freshDb, type TestDb } from './helpers/db.ts';

describe.each(dbKinds)('binary COPY out on %s', (kind) => {
  let db: TestDb;
  beforeAll(async () => {
    db = await freshDb(kind);
  });
  afterAll(async () => db?.destroy());

  const SELECT = `SELECT 7::int4, 'ünïcode'::text, NULL::text, float8send(-1.5) || float8send(1e300) || float8send(coalesce(NULL::float8, 'NaN'))`;

  it('decodes ints, UTF-8 text, NULL and packed float8s as written; settings end with the statement', async () => {
    const rows: CopyField[][] = [];
    const n = readCopyBinary(await db.sql.copyOut(SELECT, { enable_seqscan: 'off' }), (f) => rows.push(f));
    expect(n).toBe(1);
    const [f] = rows;
    const floats = new Float64Array(3);
    expect(float8sInto(f![3]!, floats)).toBe(3);
    expect([int4(f![0]!), text(f![1]!), text(f![2]!), ...floats]).toEqual([7, 'ünïcode', null, -1.5, 1e300, Number.NaN]);
    const [row] = await db.sql.query<{ v: string }>("SELECT current_setting('enable_seqscan') AS v");
    expect(row!.v).toBe('on');
  });

  it('an output cut short is refused, not read as fewer rows', async () => {
    const buf = await db.sql.copyOut('SELECT g::int4 FROM generate_series(1, 3) g');
    expect(readCopyBinary(buf, () => undefined)).toBe(3);
    expect(() => readCopyBinary(buf.subarray(0, buf.length - 6), () => undefined)).toThrow(/malformed: (tuple 3 is cut short|no end-of-data marker)/);
    expect(() => readCopyBinary(new Uint8Array(40), () => undefined)).toThrow(/no PGCOPY signature/);
  });

  it("a failing statement inside a caller's transaction reports its own error", async () => {
    await expect(db.sql.tx((tx) => tx.copyOut('SELECT 1 / 0', { enable_seqscan: 'off' }))).rejects.toThrow(/division by zero/);
    // The driver is usable afterwards.
    expect(await db.sql.query<{ x: number }>('SELECT 1::int AS x')).toEqual([{ x: 1 }]);
  });

  // Only a server has connections to drop.
  if (kind === 'postgres') it('a connection dropped mid-read fails the call, and the pool goes on', async () => {
    // Long enough that the end always lands mid-statement, however slow the machine.
    // Its failure is caught at once: it may arrive before the terminating query answers,
    // and a rejection without a handler by then is reported as unhandled (CI run of 12:16).
    const reading = db.sql.copyOut(`SELECT pg_sleep(60)::text, 'marker-copy-out'::text`).then(() => null, (e: unknown) => e);
    // Wait until the statement is running, then end its backend as a failover would.
    for (let i = 0; i < 200; i++) {
      const [r] = await db.sql.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE '%marker-copy-out%' AND query NOT LIKE '%pg_stat_activity%'`,
      );
      if (r!.n > 0) break;
      await new Promise((res) => setTimeout(res, 50));
    }
    await db.sql.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%marker-copy-out%' AND query NOT LIKE '%pg_stat_activity%'`);
    const err = await reading;
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/terminat|connection/i);
    expect(await db.sql.query<{ x: number }>('SELECT 1::int AS x')).toEqual([{ x: 1 }]);
  });
});
