// Rates from a provider URL (ADBRAIN_FX_URL) in the ECB's CSV format: fetched by
// the server, retried on 429 / 5xx / network errors (p-retry), never on a refusal.
import pRetry, { AbortError } from 'p-retry';
import { AppError } from '../errors.ts';
import { parseEcbCsv, type EcbRate } from './ecb.ts';

const MAX_BYTES = 20 * 1024 * 1024;

export async function fetchEcbRates(url: string, o: { retries?: number; minTimeoutMs?: number; timeoutMs?: number } = {}): Promise<EcbRate[]> {
  const shown = new URL(url).host;
  const text = await pRetry(
    async () => {
      let res: Response;
      try {
        res = await fetch(url, { signal: AbortSignal.timeout(o.timeoutMs ?? 20_000), headers: { accept: 'text/csv, text/plain' } });
      } catch (err) {
        throw new AppError('provider_error', `the rate provider at ${shown} did not answer: ${(err as Error).message}`);
      }
      if (res.status === 429 || res.status >= 500) throw new AppError('provider_error', `the rate provider at ${shown} answered HTTP ${res.status}`);
      if (!res.ok) throw new AbortError(new AppError('provider_error', `the rate provider at ${shown} refused: HTTP ${res.status}`));
      const declared = Number(res.headers.get('content-length') ?? 0);
      if (declared > MAX_BYTES) throw new AbortError(new AppError('provider_error', `the rate file at ${shown} is ${declared} bytes; at most ${MAX_BYTES}`));
      const body = await res.text();
      if (body.length > MAX_BYTES) throw new AbortError(new AppError('provider_error', `the rate file at ${shown} is larger than ${MAX_BYTES} bytes`));
      return body;
    },
    { retries: o.retries ?? 3, minTimeout: o.minTimeoutMs ?? 1_000, factor: 2 },
  );
  return parseEcbCsv(text, `the rate file at ${shown}`);
}
