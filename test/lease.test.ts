// Named leases (src/db/lease.ts): one holder at a time, a lapsed one taken over,
// released after the work whatever happens, and a clear error when the wait runs out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { holderFor, withLease } from '../src/db/lease.ts';
import { AppError } from '../src/errors.ts';
import { dbKinds, freshDb, type TestDb } from './helpers/db.ts';

describe.each(dbKinds)('withLease (%s)', (kind) => {
  let db: TestDb;
  beforeAll(async () => {
    db = await freshDb(kind);
  });
  afterAll(async () => {
    await db?.destroy();
  });
  const opts = { ttlSeconds: 60, waitMs: 2000, pollMs: 20, what: 'the test job' };

  it('runs holders one after the other, never two at once', async () => {
    let inside = 0, most = 0;
    const order: number[] = [];
    await Promise.all([1, 2, 3].map((k) => withLease(db.sql, 'one-at-a-time', opts, async () => {
      inside++;
      most = Math.max(most, inside);
      await new Promise((r) => setTimeout(r, 60));
      order.push(k);
      inside--;
    })));
    expect(most).toBe(1);
    expect(order.sort()).toEqual([1, 2, 3]);
    expect(await db.sql.query('SELECT 1 FROM lease WHERE name = $1', ['one-at-a-time'])).toHaveLength(0);
  });

  it('gives up after the wait with the job named, and runs nothing', async () => {
    let ran = false;
    const told: string[] = [];
    const err = await withLease(db.sql, 'busy', opts, () =>
      withLease(db.sql, 'busy', { ...opts, waitMs: 100, onWait: (m) => told.push(m) }, async () => { ran = true; }).catch((e: unknown) => e),
    );
    expect(ran).toBe(false);
    expect(told).toEqual(['the test job is already running elsewhere; waiting for it to finish (up to 100 ms)…']);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('conflict');
    expect((err as AppError).message).toMatch(/^the test job is already running \(held until \d{4}-\d\d-\d\dT.*\); it was not run twice/);
  });

  it('a release lost with the connection is made by the next run of the same work in this process, which does not wait for it', async () => {
    let dropRelease = true;
    // The database connection drops just as the work ends: the release fails.
    const flaky = { ...db.sql, query: (text: string, params?: unknown[]) => {
      if (dropRelease && text.startsWith('DELETE FROM lease')) {
        dropRelease = false;
        return Promise.reject(new Error('Connection terminated unexpectedly'));
      }
      return db.sql.query(text, params);
    } } as typeof db.sql;
    await withLease(flaky, 'dropped', opts, async () => 'first');
    expect(await db.sql.query('SELECT 1 FROM lease WHERE name = $1', ['dropped'])).toHaveLength(1);
    expect(await withLease(db.sql, 'dropped', { ...opts, waitMs: 0 }, async () => 'retried')).toBe('retried');
    expect(await db.sql.query('SELECT 1 FROM lease WHERE name = $1', ['dropped'])).toHaveLength(0);
  });

  it('is renewed while the work runs past its time to live', async () => {
    const short = { ...opts, ttlSeconds: 1 };
    const other = new Promise((r) => setTimeout(r, 1600)).then(() => withLease(db.sql, 'long', { ...short, waitMs: 0 }, async () => 'in').catch((e: Error) => e.message));
    const done = await withLease(db.sql, 'long', short, () => new Promise((r) => setTimeout(() => r('done'), 2500)));
    expect(done).toBe('done');
    expect(await other).toMatch(/already running/);
  });

  it('is released when the work throws, and a lapsed lease of a dead holder is taken over', async () => {
    await expect(withLease(db.sql, 'throws', opts, async () => { throw new Error('boom'); })).rejects.toThrow('boom');
    expect(await withLease(db.sql, 'throws', { ...opts, waitMs: 0 }, async () => 'again')).toBe('again');
    // A holder that died two minutes ago with a minute's lease.
    await db.sql.query(`INSERT INTO lease (name, holder, until, acquired_at) VALUES ('dead', 'gone', now() - interval '1 minute', now() - interval '2 minutes')`);
    expect(await withLease(db.sql, 'dead', { ...opts, waitMs: 0 }, async () => 'taken')).toBe('taken');
    // A live one is not.
    await db.sql.query(`INSERT INTO lease (name, holder, until) VALUES ('alive', 'other', now() + interval '1 minute')`);
    await expect(withLease(db.sql, 'alive', { ...opts, waitMs: 0 }, async () => 'no')).rejects.toThrow(/already running/);
    expect((await db.sql.query<{ holder: string }>(`SELECT holder FROM lease WHERE name = 'alive'`))[0]!.holder).toBe('other');
  });

  it('a lease whose holder on this machine was killed is taken over at once, not after its time to live', async () => {
    // A real process holds the lease (a sync, say) and is killed with kill -9.
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    await new Promise((r) => child.once('spawn', r));
    const holder = holderFor(child.pid!);
    await db.sql.query(`INSERT INTO lease (name, holder, until, acquired_at) VALUES ('sync:killed', $1, now() + interval '2 minutes', now())`, [holder]);
    // While it runs, it holds.
    await expect(withLease(db.sql, 'sync:killed', { ...opts, waitMs: 0 }, async () => 'no')).rejects.toThrow(/already running/);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(await withLease(db.sql, 'sync:killed', { ...opts, waitMs: 0 }, async () => 'taken over')).toBe('taken over');
    // Of two takers who both see it dead, exactly one runs.
    const dead = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    const deadHolder = holderFor(dead.pid!);
    await new Promise((r) => dead.once('exit', r));
    await db.sql.query(`INSERT INTO lease (name, holder, until, acquired_at) VALUES ('sync:race', $1, now() + interval '2 minutes', now())`, [deadHolder]);
    let ran = 0;
    const both = await Promise.allSettled([1, 2].map(() => withLease(db.sql, 'sync:race', { ...opts, waitMs: 0 }, async () => {
      ran++;
      await new Promise((r) => setTimeout(r, 200));
    })));
    expect(ran).toBe(1);
    expect(both.filter((b) => b.status === 'rejected')).toHaveLength(1);
    // A holder on another machine (or an older holder name without one) cannot be checked: it lapses.
    const remote = holderFor(999_999).replace(hostname(), 'another-host');
    await db.sql.query(`INSERT INTO lease (name, holder, until, acquired_at) VALUES ('sync:remote', $1, now() + interval '2 minutes', now())`, [remote]);
    await expect(withLease(db.sql, 'sync:remote', { ...opts, waitMs: 0 }, async () => 'no')).rejects.toThrow(/already running/);
  });
});
