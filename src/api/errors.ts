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
    const code = err.code === 'invalid_input' ? 'validation_failed' : err.code;
    return c.json(errorBody(code, err.message, err.details ?? null), status, status === 503 ? { 'retry-after': '5' } : undefined);
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
  // Not a client error: log it for the operator, tell the caller nothing internal.
  console.error(`adbrain api: unexpected error on ${c.req.method} ${c.req.path}: ${redact(err.stack ?? err.message)}`);
  return c.json(errorBody('internal', 'internal error; it has been logged'), 500);
}
