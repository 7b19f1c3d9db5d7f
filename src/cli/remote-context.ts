// A CLI command run inside `adbrain serve` for a CLI process next to it (the
// embedded database allows one process: src/cli/socket-server.ts). The command's
// code is the same; what differs is carried here, per command, through async
// context: the server's open database and config, where its stdout and stderr go
// (back to the waiting CLI), its exit code, and who is acting.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';

export interface RemoteRun {
  db: Db;
  config: Config;
  out: (s: string) => void;
  err: (s: string) => void;
  exitCode: number;
  /** The CLI user's actor name (ADBRAIN_ACTOR or cli:<os user>), for the audit log. */
  actor: string;
  /** What the CLI read from its stdin for the command (a token), if it reads one. */
  stdin?: string;
}

export const remoteRun = new AsyncLocalStorage<RemoteRun>();

/** Sets the command's exit code: its own when run for a CLI by the server, else the process's. */
export function setExitCode(code: number) {
  const r = remoteRun.getStore();
  if (r) r.exitCode = code;
  else process.exitCode = code;
}

let routed = false;
/**
 * Output of a command run for a CLI goes back to that CLI; everything else (the
 * server's own log) stays on the server's streams. Installed once by the server.
 */
export function routeStdio() {
  if (routed) return;
  routed = true;
  for (const [stream, key] of [[process.stdout, 'out'], [process.stderr, 'err']] as const) {
    const original = stream.write.bind(stream) as (...a: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      const r = remoteRun.getStore();
      if (!r) return original(chunk, ...rest);
      r[key](typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      const cb = rest.find((x) => typeof x === 'function') as (() => void) | undefined;
      cb?.();
      return true;
    }) as typeof stream.write;
  }
}
