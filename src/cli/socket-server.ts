// `adbrain serve` on the embedded database runs the commands of CLI processes next
// to it (src/cli/remote.ts): a Unix socket in the data folder, readable by this OS
// user only (0600, in a 0700 folder), and a random key in a 0600 file beside it
// that every request must carry. Each request is one command: its output streams
// back as it is written, then its exit code. Commands run one at a time, on the
// server's open database, exactly as they would in their own process.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import { remoteRun, routeStdio } from './remote-context.ts';
import { SOCKET_FILE, SOCKET_KEY_FILE } from './remote.ts';

export interface CliSocket {
  path: string;
  close(): Promise<void>;
}

export async function startCliSocket(db: Db, config: Config): Promise<CliSocket> {
  const file = path.join(config.dataDir, SOCKET_FILE);
  const keyFile = path.join(config.dataDir, SOCKET_KEY_FILE);
  const key = randomBytes(32).toString('base64url');
  // The folder's lock is ours: a socket or key left by a crashed server is stale.
  rmSync(file, { force: true });
  writeFileSync(keyFile, `${key}\n`, { mode: 0o600 });
  chmodSync(keyFile, 0o600);
  routeStdio();
  let queue: Promise<unknown> = Promise.resolve();
  const server = net.createServer((sock) => {
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString('utf8');
      const i = buf.indexOf('\n');
      if (i < 0) {
        if (buf.length > 1_000_000) sock.destroy();
        return;
      }
      sock.off('data', onData);
      const line = buf.slice(0, i);
      queue = queue.then(() => serveOne(line, sock)).catch(() => undefined);
    };
    sock.on('data', onData);
    sock.on('error', () => undefined);
  });
  const send = (sock: net.Socket, m: object) => {
    if (!sock.destroyed) sock.write(`${JSON.stringify(m)}\n`);
  };
  async function serveOne(line: string, sock: net.Socket) {
    let req: { key?: unknown; argv?: unknown; actor?: unknown; stdin?: unknown };
    try {
      req = JSON.parse(line) as typeof req;
    } catch {
      return void sock.end();
    }
    const given = Buffer.from(typeof req.key === 'string' ? req.key : '');
    if (given.length !== key.length || !timingSafeEqual(given, Buffer.from(key))) {
      send(sock, { e: 'adbrain: the server refused the request (wrong key)\n', exit: 1 });
      return void sock.end();
    }
    const argv = Array.isArray(req.argv) ? req.argv.filter((a): a is string => typeof a === 'string') : [];
    const { runCli } = await import('./run.ts');
    const run = {
      db, config, exitCode: 0, actor: typeof req.actor === 'string' ? req.actor.slice(0, 200) : 'cli',
      stdin: typeof req.stdin === 'string' ? req.stdin : undefined,
      out: (s: string) => send(sock, { o: s }),
      err: (s: string) => send(sock, { e: s }),
    };
    const code = await remoteRun.run(run, () => runCli(argv)).catch(() => 1);
    send(sock, { exit: code });
    sock.end();
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(file, () => resolve());
  });
  chmodSync(file, 0o600);
  return {
    path: file,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        rmSync(file, { force: true });
        rmSync(keyFile, { force: true });
      }),
  };
}
