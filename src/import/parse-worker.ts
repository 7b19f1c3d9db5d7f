// The parse worker: one file in (its bytes transferred), the parsed batch out as
// typed columns, or the AppError that refused it.
import { parentPort, workerData } from 'node:worker_threads';
import { AppError } from '../errors.ts';
import { packBatch } from './parse-columns.ts';
import { parseImportSync, type ParseRequest } from './parse.ts';

const MAX_ERRORS_SENT = 10_000;

const { content, req } = workerData as { content: Uint8Array; req: ParseRequest };
try {
  const { format, result, errorsTotal, errorGroups } = parseImportSync(content, req);
  const { packed, transfer } = packBatch(result.batch);
  const { batch: _b, ...rest } = result;
  parentPort!.postMessage({ ok: true, format, errorsTotal, errorGroups, result: { ...rest, errors: rest.errors.slice(0, MAX_ERRORS_SENT) }, packed }, transfer);
} catch (err) {
  const e = err instanceof AppError ? { code: err.code, message: err.message, details: err.details ?? null } : { code: 'internal', message: (err as Error).message, details: null };
  parentPort!.postMessage({ ok: false, error: e });
}
