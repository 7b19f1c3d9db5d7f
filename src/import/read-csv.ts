// Reads a CSV file into records with their line numbers, using PapaParse
// (quoted fields, embedded newlines, delimiter detection) — no hand-written parser.
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

export interface CsvTable {
  header: string[];
  records: Record_[];
}

export function readCsv(text: string, fileName: string): CsvTable {
  if (text.trim() === '') throw new AppError('invalid_input', `${fileName} is empty`);
  const parsed = Papa.parse<string[]>(text, {
    delimitersToGuess: [',', ';', '\t', '|'],
    skipEmptyLines: false,
  });
  const rows = parsed.data;
  // Line numbers count physical lines, so quoted values with newlines advance them.
  const lines: number[] = new Array(rows.length);
  let line = 1;
  for (let i = 0; i < rows.length; i++) {
    lines[i] = line;
    let extra = 0;
    for (const cell of rows[i]!) if (cell.includes('\n')) extra += cell.split('\n').length - 1;
    line += 1 + extra;
  }
  const fatal = parsed.errors.find((e) => e.type === 'Quotes');
  if (fatal) {
    const at = fatal.row !== undefined ? lines[fatal.row] : undefined;
    throw new AppError(
      'invalid_input',
      `${fileName}${at ? `, line ${at}` : ''}: ${fatal.message.toLowerCase()} (a quote that is never closed)`,
    );
  }
  let h = 0;
  while (h < rows.length && rows[h]!.every((c) => c.trim() === '')) h++;
  if (h >= rows.length) throw new AppError('invalid_input', `${fileName} is empty`);
  const header = rows[h]!;
  const records: Record_[] = [];
  for (let i = h + 1; i < rows.length; i++) records.push({ line: lines[i]!, cells: rows[i]! });
  return { header, records };
}
