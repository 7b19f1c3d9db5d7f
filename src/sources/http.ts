// HTTP for connectors: JSON over fetch with a timeout, retries of what the
// platform calls transient (p-retry, exponential backoff), waits for rate limits
// the platform times, and errors that never carry a token or a full URL.
import pRetry, { AbortError } from 'p-retry';
import { SourceError } from './types.ts';

export interface HttpOptions {
  platform: string;
  /** Per attempt. */
  timeoutMs: number;
  /** Retries of transient failures and timed rate limits. */
  retries: number;
  /** Backoff of the first retry; doubles after. */
  minBackoffMs: number;
  /** A rate limit asking to wait longer than this ends the sync (it resumes next time). */
  maxWaitMs: number;
  /** Told before each wait (for logs and progress); never given secrets. */
  onWait?: (what: string, ms: number) => void;
  fetch?: typeof fetch;
}

export interface JsonResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

/** The path of a URL, for messages: no host, no query (a query may hold a token). */
export const pathOf = (url: string) => {
  try {
    return new URL(url).pathname;
  } catch {
    return '(url)';
  }
};

/** One request, no retries; network failures and timeouts are transient, unreadable JSON is fatal. */
export async function requestJson(url: string, init: RequestInit, o: Pick<HttpOptions, 'platform' | 'timeoutMs' | 'fetch'>): Promise<JsonResponse> {
  let res: Response;
  try {
    res = await (o.fetch ?? fetch)(url, { ...init, signal: AbortSignal.timeout(o.timeoutMs) });
  } catch (err) {
    const timeout = (err as Error).name === 'TimeoutError';
    throw new SourceError('transient', `${o.platform}: ${timeout ? `no answer within ${o.timeoutMs} ms` : `cannot reach the API (${(err as Error).message})`} for ${pathOf(url)}`, { platform: o.platform });
  }
  const text = await res.text();
  let body: unknown = null;
  if (text.length > 0) {
    try {
      body = JSON.parse(text);
    } catch {
      throw new SourceError(res.status >= 500 ? 'transient' : 'fatal', `${o.platform}: HTTP ${res.status} from ${pathOf(url)} is not JSON (${text.slice(0, 80).replace(/\s+/g, ' ')}…)`, { platform: o.platform, status: res.status });
    }
  }
  return { status: res.status, headers: res.headers, body };
}

/**
 * Runs `call` with the retry policy: transient failures back off and retry,
 * rate limits wait as long as the platform says (up to maxWaitMs), the rest
 * (auth, quota, too-much-data, fatal) go straight to the caller.
 */
export async function withRetries<T>(what: string, o: HttpOptions, call: () => Promise<T>): Promise<T> {
  return pRetry(
    async () => {
      try {
        return await call();
      } catch (err) {
        if (!(err instanceof SourceError)) throw new AbortError(err as Error);
        if (err.kind === 'rate_limit') {
          const wait = err.details.retryAfterMs ?? o.minBackoffMs * 4;
          if (wait > o.maxWaitMs) throw new AbortError(err);
          o.onWait?.(`${what}: rate limited`, wait);
          await new Promise((r) => setTimeout(r, wait));
          throw err;
        }
        if (err.kind !== 'transient') throw new AbortError(err);
        throw err;
      }
    },
    {
      retries: o.retries,
      minTimeout: o.minBackoffMs,
      factor: 2,
      randomize: true,
      onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
        if (retriesLeft > 0 && (error as SourceError).kind === 'transient') o.onWait?.(`${what}: ${error.message} (attempt ${attemptNumber})`, o.minBackoffMs * 2 ** (attemptNumber - 1));
      },
    },
  );
}
