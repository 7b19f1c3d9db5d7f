// One error shape for every response: { error: { code, message, details } }.
// Client mistakes get 4xx with what to fix; an unexpected failure is a 500 whose
// message says nothing about internals.
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ZodError } from 'zod';
import { redact } from '../crypto/redact.ts';
import { isTransientDbError, userMessage } from '../db/retry.ts';
import { AppError, httpStatusFor } from '../errors.ts';

export interface ErrorBody {
  error: { code: string; message: string; details: unknown };
}

export const errorBody = (code: string, message: string, details: unknown = null): ErrorBody => ({ error: { code, message, details } });

export function validationError(c: Context, err: ZodError, where: string) {
  const details = err.issues.map((i) => ({ path: [where, ...i.path.map(String)].join('.'), message: i.message }));
  return c.json(errorBody('validation_failed', `invalid ${where}: ${details.map((d) => `${d.path}: ${d.message}`).slice(0, 3).join('; ')}`, details), 422);
}

export function onError(err: Error, c: Context) {
  if (err instanceof AppError) {
    const status = httpStatusFor[err.code] as 400 | 503;
    const code = err.code === 'invalid_input' ? 'validation_failed' : err.code === 'config' ? 'not_configured' : err.code;
    return c.json(errorBody(code, err.message, err.details ?? null), status, err.code === 'database' ? { 'retry-after': '5' } : undefined);
  }
  if (err instanceof HTTPException) {
    const status = err.status;
    const code = status === 400 ? 'bad_request' : status === 401 ? 'unauthorized' : status === 413 ? 'payload_too_large' : status === 429 ? 'rate_limited' : 'http_error';
    return c.json(errorBody(code, err.message || 'bad request'), status);
  }
  // The database is restarting or unreachable: the request may be repeated.
  if (isTransientDbError(err)) {
    console.error(`adbrain api: ${c.req.method} ${c.req.path}: ${userMessage(err)}`);
    return c.json(errorBody('database_unavailable', 'the database is unavailable right now; retry shortly'), 503, { 'retry-after': '5' });
  }
  // A character Postgres cannot store (NUL) that got past the door's check: the caller's input, not a fault.
  if (unstorableText(err)) return c.json(errorBody('validation_failed', 'a value contains a character that cannot be stored (U+0000)'), 400);
  // Not a client error: log it for the operator, tell the caller nothing internal.
  console.error(`adbrain api: unexpected error on ${c.req.method} ${c.req.path}: ${redact(err.stack ?? err.message)}`);
  return c.json(errorBody('internal', 'internal error; it has been logged'), 500);
}

/** Postgres refused text for its characters: invalid byte sequence (22021) or \u0000 in JSON (22P05). */
function unstorableText(err: unknown): boolean {
  for (let e = err as { code?: unknown; message?: unknown; cause?: unknown } | undefined, i = 0; e && i < 5; e = e.cause as typeof e, i++) {
    if (e.code === '22021' || e.code === '22P05') return true;
    if (typeof e.message === 'string' && /invalid byte sequence for encoding "UTF8": 0x00|unsupported Unicode escape sequence/.test(e.message)) return true;
  }
  return false;
}
