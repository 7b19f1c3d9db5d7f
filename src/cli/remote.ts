// The CLI beside a running `adbrain serve` on the embedded database. PGlite is
// one process; instead of refusing ("in use by process …"), the CLI finds the
// server from the folder's lock file and asks it, over a Unix socket in the data
// folder (mode 0600) with a key only this OS user can read, to run the command on
// its open database. Output, exit code and errors are the command's own. Postgres
// setups (DATABASE_URL) never come here: every process opens the server itself.
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { userInfo } from 'node:os';
import path from 'node:path';
import { isAlive, type LockHolder } from '../db/folder-lock.ts';

export const SOCKET_FILE = 'adbrain.sock';
export const SOCKET_KEY_FILE = 'cli-socket.key';

export interface ServerBeside {
  socket: string;
  key: string;
  holder: LockHolder;
}

/** The running server holding this data folder, if it offers its socket. */
export function serverBeside(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): ServerBeside | null {
  if (env.DATABASE_URL) return null;
  const dataDir = path.resolve(cwd, env.ADBRAIN_DATA_DIR ?? 'data');
  let holder: LockHolder;
  try {
    holder = JSON.parse(readFileSync(path.join(dataDir, 'adbrain.lock'), 'utf8')) as LockHolder;
  } catch {
    return null;
  }
  if (holder.pid === process.pid || !isAlive(holder)) return null;
  const socket = path.join(dataDir, SOCKET_FILE);
  try {
    if (!existsSync(socket)) return null;
    return { socket, key: readFileSync(path.join(dataDir, SOCKET_KEY_FILE), 'utf8').trim(), holder };
  } catch {
    return null; // no key to read (another user's server): the command runs here and says who holds the folder
  }
}

/** Options whose value is a file path, resolved here (the server runs in its own folder). */
const PATH_OPTIONS = new Set(['--out', '--names', '--token-file', '--file']);

export function absolutePaths(argv: string[], cwd = process.cwd()): string[] {
  const abs = (p: string) => (p === '-' || path.isAbsolute(p) || /^[a-z]+:\/\//i.test(p) ? p : path.resolve(cwd, p));
  return argv.map((a, i) => {
    const eq = /^(--[a-z-]+)=(.*)$/.exec(a);
    if (eq && PATH_OPTIONS.has(eq[1]!)) return `${eq[1]}=${abs(eq[2]!)}`;
    if (i > 0 && PATH_OPTIONS.has(argv[i - 1]!)) return abs(a);
    // A positional argument naming an existing file (an import's CSV).
    if (!a.startsWith('-') && /[./\\]/.test(a) && existsSync(path.resolve(cwd, a))) return abs(a);
    return a;
  });
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c as string));
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Runs the command in the server; answers its exit code, or null when the server
 * could not be reached (it just stopped: the command then runs here).
 */
export async function runInServer(target: ServerBeside, argv: string[], io = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin }): Promise<number | null> {
  // The one command that reads stdin (a token): read it here, send it along.
  const stdin = argv.includes('--token-stdin') ? await readAll(io.stdin) : undefined;
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry
  }
  const request = { key: target.key, argv: absolutePaths(argv), actor: process.env.ADBRAIN_ACTOR?.trim() || `cli:${user}`, stdin };
  return new Promise<number | null>((resolve) => {
    const sock = net.createConnection(target.socket);
    let started = false;
    let buf = '';
    let done = false;
    const finish = (code: number | null) => {
      if (done) return;
      done = true;
      sock.destroy();
      resolve(code);
    };
    sock.on('connect', () => {
      started = true;
      sock.write(`${JSON.stringify(request)}\n`);
    });
    sock.on('data', (d) => {
      buf += d.toString('utf8');
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        const m = JSON.parse(line) as { o?: string; e?: string; exit?: number };
        if (m.o !== undefined) io.stdout.write(m.o);
        if (m.e !== undefined) io.stderr.write(m.e);
        if (m.exit !== undefined) finish(m.exit);
      }
    });
    sock.on('error', () => {
      if (!started) return finish(null);
      io.stderr.write('adbrain: the connection to `adbrain serve` broke while it ran the command; check its result before running it again\n');
      finish(1);
    });
    sock.on('close', () => {
      if (!done && started) {
        io.stderr.write('adbrain: `adbrain serve` stopped while it ran the command; check its result before running it again\n');
        finish(1);
      }
    });
  });
}
