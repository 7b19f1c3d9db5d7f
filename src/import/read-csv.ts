// Reads CSV text in chunks with PapaParse (quoted fields, embedded newlines,
// delimiter detection — no hand-written parser), numbering physical lines, and
// hands records to a consumer chunk by chunk so a large file's raw cells never
// all sit in memory at once.
import Papa from 'papaparse';
import { AppError } from '../errors.ts';
import type { Record_ } from './normalize.ts';

export function decodeText(buf: Buffer): string {
  if (buf[0] === 0xff && buf[1] === 0xfe) return buf.subarray(2).toString('utf16le');
  if (buf[0] === 0xfe && buf[1] === 0xff) {
    const swapped = Buffer.from(buf.subarray(2));
    swapped.swap16();
    return swapped.toString('utf16le');
  }
  const text = buf.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

export type RecordsConsumer = (records: Record_[]) => void;

/**
 * Calls `onHeader` with the first non-blank row; the consumer it returns gets
 * every later record with its line number.
 */
export function streamCsv(text: string, fileName: string, onHeader: (header: string[]) => RecordsConsumer): void {
  if (text.trim() === '') throw new AppError('invalid_input', `${fileName} is empty`);
  let line = 1;
  let consumer: RecordsConsumer | undefined;
  let preamble = 0;
  let failure: AppError | undefined;
  // PapaParse chunks string input too; its typings only admit `chunk` for files.
  const config: Papa.ParseConfig<string[]> & {
    chunkSize: number;
    chunk: (results: Papa.ParseResult<string[]>, parser: Papa.Parser) => void;
  } = {
    delimiter: guessDelimiter(text),
    skipEmptyLines: false,
    chunkSize: 4 << 20,
    chunk: (results, parser) => {
      if (failure) return;
      const rows = results.data;
      const lines: number[] = new Array(rows.length);
      for (let i = 0; i < rows.length; i++) {
        lines[i] = line;
        let extra = 0;
        for (const cell of rows[i]!) if (cell.includes('\n')) extra += cell.split('\n').length - 1;
        line += 1 + extra;
      }
      const quote = results.errors.find((e) => e.type === 'Quotes');
      if (quote) {
        const at = quote.row !== undefined ? lines[quote.row] : undefined;
        failure = new AppError(
          'invalid_input',
          `${fileName}${at ? `, line ${at}` : ''}: ${quote.message.toLowerCase()} (a quote that is never closed)`,
        );
        parser.abort();
        return;
      }
      const records: Record_[] = [];
      for (let i = 0; i < rows.length; i++) {
        const cells = rows[i]!;
        if (!consumer) {
          if (cells.every((c) => c.trim() === '')) continue;
          // Report titles above the header (Google Ads: "Campaign report", the date range):
          // rows of one or two cells before anything that looks like a header.
          if (preamble < 5 && cells.filter((c) => c.trim() !== '').length <= 2) {
            preamble++;
            continue;
          }
          try {
            consumer = onHeader(cells);
          } catch (err) {
            failure = err instanceof AppError ? err : new AppError('internal', (err as Error).message);
            parser.abort();
            return;
          }
          continue;
        }
        records.push({ line: lines[i]!, cells });
      }
      if (consumer && records.length > 0) consumer(records);
    },
  };
  Papa.parse<string[]>(text, config);
  if (failure) throw failure;
  if (!consumer) throw new AppError('invalid_input', `${fileName} is empty`);
}

/**
 * The separator, guessed by PapaParse from the first non-blank lines. Guessing on
 * the whole text counts the empty line after the final newline (and blank lines) as
 * one-field rows, which makes a semicolon file with decimal commas look comma-separated.
 */
function guessDelimiter(text: string): string {
  const sample = text.slice(0, 64 * 1024).split(/\r?\n/).filter((l) => l.trim() !== '').slice(0, 50).join('\n');
  return Papa.parse<string[]>(sample, { delimitersToGuess: [',', ';', '\t', '|'], preview: 20 }).meta.delimiter || ',';
}

/** The whole table at once, for small inputs and tests. */
export function readCsv(text: string, fileName: string): { header: string[]; records: Record_[] } {
  let header: string[] = [];
  const records: Record_[] = [];
  streamCsv(text, fileName, (h) => {
    header = h;
    return (rs) => {
      for (const r of rs) records.push(r);
    };
  });
  return { header, records };
}
