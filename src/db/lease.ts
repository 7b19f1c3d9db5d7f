// Named leases on the database's clock: one holder at a time across processes and
// pools (Inngest's check after a sync, the day run, a terminal). Taking one is a
// single INSERT … ON CONFLICT that only overwrites a lapsed lease, so two takers
// can never both win; a holder that dies lets it lapse at `until` — or, when it ran
// on this machine and is provably gone (its pid no longer runs, or runs another
// program), is taken over at once, as the folder lock does. Unlike an
// advisory lock it holds no connection and no transaction while the holder works
// (sending email through a provider, say), and PGlite has it too.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { isAlive, processStartTicks } from './folder-lock.ts';
import type { Sql } from './sql.ts';
import { AppError } from '../errors.ts';

/**
 * How long a lease outlives its holder's last renewal (renewed every third of it
 * while the work runs). Short, so a killed command (Ctrl-C on `adbrain analyze`)
 * holds up the next one for at most this long; long enough that the brain's
 * synchronous stretches (seconds; the forecasts run in workers) never miss two renewals.
 */
export const LEASE_TTL_SECONDS = 120;

export interface LeaseOptions {
  /** Default LEASE_TTL_SECONDS. */
  ttlSeconds?: number;
  /** How long to wait for a held lease before giving up; 0 = do not wait. */
  waitMs: number;
  /** Between tries while waiting. */
  pollMs?: number;
  /** What is being done, for the error when the wait runs out. */
  what: string;
  /** Told once, when the lease is held by another and this one starts to wait. */
  onWait?: (message: string) => void;
}

// A holder names its process: <random id>|<machine>|<pid>|<start ticks>. The
// machine is the host name and the kernel's boot id, so a container with the same
// host name on another kernel, or this machine after a reboot, is never mistaken
// for this one.
const bootId = (() => {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return '';
  }
})();
const machine = `${hostname()}/${bootId}`;
/** The holder name of a process of this machine (this one by default). */
export const holderFor = (pid = process.pid) => [randomUUID(), machine, pid, processStartTicks(pid) ?? ''].join('|');

/** True when the holder ran on this machine and its process is gone. */
export function holderIsGone(holder: string): boolean {
  const [, host, pid, ticks] = holder.split('|');
  if (!bootId || host !== machine || !pid || !/^\d+$/.test(pid)) return false;
  return !isAlive({ pid: Number(pid), host: hostname(), startTicks: ticks || null });
}

async function take(sql: Sql, name: string, holder: string, ttlSeconds: number): Promise<{ taken: boolean; until: Date | null }> {
  const [row] = await sql.query<{ holder: string }>(
    `INSERT INTO lease (name, holder, until, acquired_at) VALUES ($1, $2, now() + $3::int * interval '1 second', now())
     ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, until = EXCLUDED.until, acquired_at = EXCLUDED.acquired_at
     WHERE lease.until < now()
     RETURNING holder`,
    [name, holder, ttlSeconds],
  );
  if (row?.holder === holder) return { taken: true, until: null };
  const [held] = await sql.query<{ until: Date; holder: string }>('SELECT until, holder FROM lease WHERE name = $1', [name]);
  if (held && holderIsGone(held.holder)) {
    // Only that holder's row is replaced: of two takers who both saw it dead, one wins.
    const [won] = await sql.query<{ holder: string }>(
      `UPDATE lease SET holder = $2, until = now() + $4::int * interval '1 second', acquired_at = now() WHERE name = $1 AND holder = $3 RETURNING holder`,
      [name, holder, held.holder, ttlSeconds],
    );
    if (won?.holder === holder) return { taken: true, until: null };
  }
  return { taken: false, until: held?.until ?? null };
}

/**
 * Leases this process held and could not release (the database was gone at the
 * time): a retry of the same work here — a day step retried after a dropped
 * connection — releases its own first instead of waiting for it to lapse.
 */
const unreleased = new Map<string, string>();

async function release(sql: Sql, name: string, holder: string) {
  try {
    await sql.query('DELETE FROM lease WHERE name = $1 AND holder = $2', [name, holder]);
    if (unreleased.get(name) === holder) unreleased.delete(name);
  } catch {
    unreleased.set(name, holder);
  }
}

/** Runs `fn` holding the lease `name`, waiting up to `waitMs` for it; released after, whatever happens. */
export async function withLease<T>(sql: Sql, name: string, opts: LeaseOptions, fn: () => Promise<T>): Promise<T> {
  const ttl = opts.ttlSeconds ?? LEASE_TTL_SECONDS;
  const stale = unreleased.get(name);
  if (stale) await release(sql, name, stale);
  const holder = holderFor();
  const deadline = Date.now() + opts.waitMs;
  for (let tries = 0; ; tries++) {
    const t = await take(sql, name, holder, ttl);
    if (t.taken) break;
    if (tries === 0 && opts.waitMs > 0) opts.onWait?.(`${opts.what} is already running elsewhere; waiting for it to finish (up to ${opts.waitMs >= 1000 ? `${Math.round(opts.waitMs / 1000)} s` : `${opts.waitMs} ms`})…`);
    if (Date.now() >= deadline) {
      throw new AppError('conflict', `${opts.what} is already running (held until ${t.until?.toISOString() ?? 'a moment ago'}); it was not run twice — try again when it has finished`, { lease: name, until: t.until });
    }
    await new Promise((r) => setTimeout(r, Math.min(opts.pollMs ?? 200, Math.max(1, deadline - Date.now()))));
  }
  // Renewed while the work runs: a brain run of a huge client longer than its lease
  // must not let a second one in. A failed renewal is left to the next one.
  const renew = setInterval(() => {
    sql.query(`UPDATE lease SET until = now() + $3::int * interval '1 second' WHERE name = $1 AND holder = $2`, [name, holder, ttl]).catch(() => undefined);
  }, (ttl * 1000) / 3);
  renew.unref();
  try {
    return await fn();
  } finally {
    clearInterval(renew);
    // Only this holder's: a lease that lapsed and was taken by another stays theirs.
    await release(sql, name, holder);
  }
}
