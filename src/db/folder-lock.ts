// One writer per embedded data folder. PGlite is a single-process database: a
// second process opening the same folder "succeeds" and then both lose and
// corrupt rows. A lock file created with O_EXCL names the holder (pid, command,
// process start time); a lock whose process is gone is taken over.
//
// Why not proper-lockfile (mtime heartbeats): its staleness is time based, and
// the brain cycle can block the event loop for longer than any sensible stale
// timeout, so a busy holder would look dead and a second process would walk in.
// A pid + start-time check has no such window; the OS tells us who is alive.
import { randomUUID } from 'node:crypto';
import { closeSync, linkSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { AppError } from '../errors.ts';

export interface LockHolder {
  pid: number;
  host: string;
  command: string;
  startedAt: string;
  /** Kernel start time of the process (Linux /proc), to tell a reused pid from the holder. */
  startTicks: string | null;
  token: string;
}

export interface FolderLock {
  file: string;
  release(): void;
}

/** The process's start time in clock ticks since boot, or null where /proc is absent. */
export function processStartTicks(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (comm) is in parentheses and may contain spaces: count from its end.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return rest[19] ?? null; // field 22 overall
  } catch {
    return null;
  }
}

/** Whether the process that wrote `holder` may still run: false only when this machine can tell it is gone (no such pid, or the pid was reused). */
export function isAlive(holder: Pick<LockHolder, 'pid' | 'host' | 'startTicks'>): boolean {
  if (holder.host !== hostname()) return true; // cannot check another machine: assume it holds
  try {
    process.kill(holder.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    // EPERM: a process with that pid exists (another user's); fall through to the start time.
  }
  const ticks = processStartTicks(holder.pid);
  if (holder.startTicks && ticks && ticks !== holder.startTicks) return false; // pid reused
  return true;
}

function readHolder(file: string): LockHolder | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LockHolder;
  } catch {
    return null; // vanished, or half-written by a holder that is still writing it
  }
}

export function describeHolder(h: LockHolder): string {
  const who = h.pid === process.pid && h.host === hostname() ? 'this process' : `process ${h.pid}`;
  return `${who} ("${h.command}", since ${h.startedAt}${h.host !== hostname() ? ` on ${h.host}` : ''})`;
}

const released = new Set<string>();

/**
 * Takes the lock or throws an AppError('database') naming the holder and what to
 * do. `what` describes the folder for the message.
 */
export function acquireFolderLock(file: string, what: string, command = currentCommand()): FolderLock {
  const me: LockHolder = {
    pid: process.pid,
    host: hostname(),
    command,
    startedAt: new Date().toISOString(),
    startTicks: processStartTicks(process.pid),
    token: randomUUID(),
  };
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      try {
        writeSync(fd, JSON.stringify(me));
      } finally {
        closeSync(fd);
      }
      return makeLock(file, me.token);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = readHolder(file);
    if (holder && isAlive(holder)) {
      throw new AppError(
        'database',
        `the embedded database in ${what} is in use by ${describeHolder(holder)}. ` +
          'It allows one process at a time: stop that process, or set DATABASE_URL to a Postgres server to run several.',
        { holder: { pid: holder.pid, command: holder.command, startedAt: holder.startedAt, host: holder.host } },
      );
    }
    if (!holder) {
      // Unreadable: either being written right now or a torn file from a crash. Give a writer a moment.
      sleepSync(50);
      const again = readHolder(file);
      if (again) continue;
    }
    // Stale: move it aside atomically. Only one of several racing takers wins the
    // rename; the others see ENOENT and go round again to create or find the new lock.
    // If what we moved is not the stale lock we judged (a racer already replaced it
    // with a live one), put it back and look again.
    const aside = `${file}.stale-${process.pid}-${randomUUID().slice(0, 8)}`;
    try {
      renameSync(file, aside);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      continue;
    }
    const moved = readHolder(aside);
    if (holder && moved && moved.token !== holder.token) {
      try {
        linkSync(aside, file);
      } catch {
        // a third process created a lock meanwhile; it holds the folder now
      }
    }
    unlinkSync(aside);
  }
  throw new AppError('database', `could not take the lock ${file}; another process keeps replacing it`);
}

function makeLock(file: string, token: string): FolderLock {
  const release = () => {
    if (released.has(token)) return;
    released.add(token);
    process.removeListener('exit', release);
    const h = readHolder(file);
    if (h?.token === token) {
      try {
        unlinkSync(file);
      } catch {
        // already gone
      }
    }
  };
  // A process that exits without closing the database still frees the folder.
  process.on('exit', release);
  return { file, release };
}

function currentCommand(): string {
  const args = process.argv.slice(2).filter((a) => !a.startsWith('--import'));
  const bin = process.argv[1]?.split('/').pop() ?? 'node';
  return [bin.replace(/\.m?[jt]s$/, ''), ...args].join(' ').slice(0, 200);
}

function sleepSync(ms: number) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
