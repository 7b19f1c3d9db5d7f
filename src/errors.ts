// One error type for everything a user can cause. The CLI prints `message` (and
// `details`) and exits with `exitCode`; the API maps `code` to an HTTP status.
export type ErrorCode =
  | 'invalid_input'
  | 'not_found'
  | 'conflict'
  | 'unauthorized'
  | 'forbidden'
  | 'config'
  | 'database'
  | 'provider_error'
  | 'rate_limited'
  | 'internal';

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    readonly exitCode: number = code === 'internal' || code === 'provider_error' ? 1 : 2,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const httpStatusFor: Record<ErrorCode, number> = {
  invalid_input: 422,
  not_found: 404,
  conflict: 409,
  unauthorized: 401,
  forbidden: 403,
  // The server lacks a setting (app credentials, an encryption key): unavailable until its operator sets it.
  config: 503,
  database: 503,
  provider_error: 502,
  rate_limited: 429,
  internal: 500,
};

export const notFound = (what: string, hint?: string) =>
  new AppError('not_found', hint ? `${what} not found. ${hint}` : `${what} not found`);
export const invalid = (message: string, details?: unknown) => new AppError('invalid_input', message, details);

/** First meaningful line of a message, trimmed: what a user sees without ADBRAIN_DEBUG. */
export function oneLine(message: string, max = 300): string {
  const first = message.split('\n').map((l) => l.trim()).find((l) => l !== '') ?? '';
  return first.length > max ? `${first.slice(0, max - 1)}…` : first;
}
