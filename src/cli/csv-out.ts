// Writing a CSV export from the CLI: rows are counted as CSV rows (a line break
// inside a quoted name is not a row), and a reader that stops early (`| head -1`)
// ends the export quietly — a closed pipe is not an error, least of all the database's.
import { once } from 'node:events';
import type { Writable } from 'node:stream';

/** Counts CSV rows across chunks: line breaks outside quotes (a doubled quote toggles twice). */
export function csvRowCounter() {
  let quoted = false;
  let rows = 0;
  return {
    add(chunk: string) {
      for (let i = 0; i < chunk.length; i++) {
        const ch = chunk.charCodeAt(i);
        if (ch === 34) quoted = !quoted;
        else if (ch === 10 && !quoted) rows++;
      }
    },
    get rows() {
      return rows;
    },
  };
}

const closedPipe = (err: unknown) => (err as { code?: string } | null)?.code === 'EPIPE' || (err as { code?: string } | null)?.code === 'ERR_STREAM_DESTROYED';

/** Writes every chunk; returns the rows written (header excluded) and whether the reader went away first. */
export async function writeCsv(out: Writable, chunks: AsyncIterable<string>): Promise<{ rows: number; closed: boolean }> {
  const counter = csvRowCounter();
  let closed = false;
  const onError = (err: unknown) => {
    if (closedPipe(err)) closed = true;
  };
  out.on('error', onError);
  try {
    for await (const chunk of chunks) {
      if (closed) break;
      counter.add(chunk);
      if (!out.write(chunk)) {
        try {
          await once(out, 'drain');
        } catch (err) {
          if (!closedPipe(err)) throw err;
          closed = true;
        }
      }
    }
  } finally {
    out.off('error', onError);
    // A late EPIPE (the reader left after the last write) must not surface as an unhandled error.
    if (closed) out.on('error', () => {});
  }
  return { rows: Math.max(0, counter.rows - 1), closed };
}
