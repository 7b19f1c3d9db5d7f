// Telling a lost or refused database connection from a real error, retrying the
// former with backoff (p-retry), and saying either in one line.
import pRetry from 'p-retry';
import { redact } from '../crypto/redact.ts';
import { oneLine } from '../errors.ts';

// Node socket errors and Postgres SQLSTATEs that mean "the server or the
// connection went away; the same work may succeed on a new connection".
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ECONNABORTED']);
const SQLSTATES = new Set([
  '57P01', // admin_shutdown (pg_terminate_backend, a restart)
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up)
  '08000', '08001', '08003', '08004', '08006', // connection exceptions
  '53300', // too_many_connections
  '40001', // serialization_failure
  '40P01', // deadlock_detected
]);
// Prisma: can't reach, timed out, server closed the connection, pool timeout.
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
const ADAPTER_KINDS = new Set(['ConnectionClosed', 'DatabaseNotReachable', 'SocketTimeout', 'TooManyConnections', 'TransactionWriteConflict', 'TransactionAlreadyClosed']);
const MESSAGES = /connection terminated|connection error and is not queryable|terminating connection due to administrator command|the database system is (starting up|shutting down|in recovery mode)|server closed the connection|timeout exceeded when trying to connect|connection refused|Can't reach database server/i;

interface ErrLike {
  code?: unknown;
  kind?: unknown;
  message?: unknown;
  cause?: unknown;
  meta?: { driverAdapterError?: { cause?: ErrLike } };
}

function* chain(err: unknown): Generator<ErrLike> {
  const seen = new Set<unknown>();
  let e = err as ErrLike | undefined;
  while (e && typeof e === 'object' && !seen.has(e)) {
    seen.add(e);
    yield e;
    const adapter = e.meta?.driverAdapterError?.cause;
    if (adapter) yield adapter;
    e = e.cause as ErrLike | undefined;
  }
}

export function isTransientDbError(err: unknown): boolean {
  for (const e of chain(err)) {
    const code = typeof e.code === 'string' ? e.code : undefined;
    if (code && (SOCKET_CODES.has(code) || SQLSTATES.has(code) || PRISMA_CODES.has(code))) return true;
    if (typeof e.kind === 'string' && ADAPTER_KINDS.has(e.kind)) return true;
    if (e.kind === 'postgres' && typeof (e as { code?: unknown }).code === 'string' && SQLSTATES.has((e as { code: string }).code)) return true;
    if (typeof e.message === 'string' && MESSAGES.test(e.message)) return true;
  }
  return false;
}

/** One line for a person: what went wrong, without the driver's dump, without secrets. */
export function userMessage(err: unknown): string {
  if (isTransientDbError(err)) {
    const detail = [...chain(err)].map((e) => (typeof e.code === 'string' ? e.code : typeof e.kind === 'string' ? e.kind : null)).find(Boolean);
    return `the database is unavailable (${detail ?? 'connection lost'}); try again when it is back`;
  }
  const e = err as { name?: string; message?: string } | undefined;
  const message = e?.message ?? String(err);
  // Prisma's messages start with the invocation and source excerpt; the cause is the last line.
  const text = e?.name?.startsWith('PrismaClient') ? message.split('\n').map((l) => l.trim()).filter(Boolean).at(-1) ?? message : message;
  return redact(oneLine(text));
}

export interface RetryOptions {
  /** Attempts after the first (default 4). */
  retries?: number;
  /** First backoff in ms, doubling (default 500). */
  minTimeoutMs?: number;
  onRetry?: (attempt: number, err: unknown) => void;
}

/** Runs `fn`, again with backoff while it fails on a lost or refused connection; any other error at once. */
export function withDbRetry<T>(fn: () => Promise<T>, o: RetryOptions = {}): Promise<T> {
  return pRetry(fn, {
    retries: o.retries ?? 4,
    minTimeout: o.minTimeoutMs ?? 500,
    factor: 2,
    randomize: true,
    shouldRetry: ({ error }) => isTransientDbError(error),
    onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
      if (retriesLeft > 0 && isTransientDbError(error)) o.onRetry?.(attemptNumber, error);
    },
  });
}
