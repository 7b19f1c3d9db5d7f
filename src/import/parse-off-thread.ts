// Where a file is parsed: in a worker thread for large files (the event loop stays
// free for other requests), in this thread for small ones (a worker costs more to
// start than a small file costs to parse).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { AppError, type ErrorCode } from '../errors.ts';
import { unpackBatch, type PackedBatch } from './parse-columns.ts';
import { parseImportSync, type ParsedImport, type ParseRequest } from './parse.ts';

export type OffThread = boolean | 'auto';
/** Files from this size on are parsed in a worker under 'auto' (~10k rows). */
export const OFF_THREAD_BYTES = 1024 * 1024;

export async function parseImport(content: Buffer, req: ParseRequest, offThread: OffThread = 'auto'): Promise<ParsedImport> {
  const useWorker = offThread === true || (offThread === 'auto' && content.length >= OFF_THREAD_BYTES);
  return useWorker ? parseInWorker(content, req) : parseImportSync(content, req);
}

function workerEntry(): URL {
  // Compiled builds ship parse-worker.js beside this file; from sources, the boot file loads the .ts.
  const js = new URL('./parse-worker.js', import.meta.url);
  return existsSync(fileURLToPath(js)) ? js : new URL('./parse-worker-boot.mjs', import.meta.url);
}

type WorkerAnswer =
  | { ok: true; format: ParsedImport['format']; errorsTotal: number; errorGroups: ParsedImport['errorGroups']; result: Omit<ParsedImport['result'], 'batch'>; packed: PackedBatch }
  | { ok: false; error: { code: ErrorCode; message: string; details: unknown } };

async function parseInWorker(content: Buffer, req: ParseRequest): Promise<ParsedImport> {
  // Copy into a buffer of its own to transfer it (a Buffer may share a pooled slab).
  const bytes = new Uint8Array(content.length);
  bytes.set(content);
  const answer = await new Promise<WorkerAnswer>((resolve, reject) => {
    const w = new Worker(workerEntry(), { workerData: { content: bytes, req }, transferList: [bytes.buffer] });
    let settled = false;
    w.once('message', (m: WorkerAnswer) => {
      settled = true;
      resolve(m);
      void w.terminate();
    });
    w.once('error', (err) => {
      if (!settled) reject(new AppError('internal', `the import worker failed: ${err.message}`));
    });
    w.once('exit', (code) => {
      if (!settled) reject(new AppError('internal', `the import worker stopped (exit code ${code})`));
    });
  });
  if (!answer.ok) throw new AppError(answer.error.code, answer.error.message, answer.error.details ?? undefined);
  const batch = await unpackBatch(answer.packed);
  return { format: answer.format, errorsTotal: answer.errorsTotal, errorGroups: answer.errorGroups, result: { ...answer.result, batch } };
}
