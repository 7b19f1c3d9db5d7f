// The ECB's euro foreign exchange reference rates as CSV: the history file
// (eurofxref-hist.csv: "Date,USD,JPY,…," and one row per business day, "N/A" where
// a currency had no rate) and the daily file (eurofxref.csv: "Date, USD, JPY, …"
// with "4 December 2026"). Units of each currency per 1 EUR. Read with papaparse;
// a bad cell is refused naming its line and column, and nothing is loaded.
import Papa from 'papaparse';
import { AppError } from '../errors.ts';
import { isSaneDay } from '../time.ts';

export interface EcbRate {
  day: string;
  currency: string;
  /** Units of `currency` per 1 EUR, as published (a decimal string: kept exact). */
  perEur: string;
}

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

function dayOf(cell: string): string | null {
  const t = cell.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(t)) return isSaneDay(t) ? t : null;
  const m = /^(\d{1,2}) ([A-Za-z]+) (\d{4})$/.exec(t);
  const month = m ? MONTHS.indexOf(m[2]!.toLowerCase()) : -1;
  if (!m || month < 0) return null;
  const d = `${m[3]}-${String(month + 1).padStart(2, '0')}-${m[1]!.padStart(2, '0')}`;
  return isSaneDay(d) ? d : null;
}

export function parseEcbCsv(text: string, source = 'file'): EcbRate[] {
  if (text.includes('\u0000')) throw new AppError('invalid_input', `${source}: not a text file`);
  const parsed = Papa.parse<string[]>(text.replace(/^\uFEFF/, ''), { skipEmptyLines: 'greedy' });
  const [head, ...body] = parsed.data;
  if (!head || head[0]?.trim().toLowerCase() !== 'date') throw new AppError('invalid_input', `${source}: not the ECB's reference-rate CSV (its first column is "Date", then one column per currency)`);
  const currencies = head.slice(1).map((c) => c.trim().toUpperCase());
  currencies.forEach((c, i) => {
    if (c && !/^[A-Z]{3}$/.test(c)) throw new AppError('invalid_input', `${source}: line 1, column ${i + 2}: "${c}" is not a currency code`);
  });
  const out: EcbRate[] = [];
  body.forEach((row, i) => {
    const line = i + 2;
    const day = dayOf(row[0] ?? '');
    if (!day) throw new AppError('invalid_input', `${source}: line ${line}: "${row[0]}" is not a date (YYYY-MM-DD or "4 December 2026")`, [{ path: `line ${line}`, message: 'Date' }]);
    currencies.forEach((currency, j) => {
      const cell = (row[j + 1] ?? '').trim();
      if (!currency || cell === '' || cell.toUpperCase() === 'N/A') return;
      if (!/^\d{1,9}(\.\d{1,10})?$/.test(cell) || Number(cell) <= 0) throw new AppError('invalid_input', `${source}: line ${line}, ${currency}: "${cell}" is not a rate`, [{ path: `line ${line}`, message: currency }]);
      out.push({ day, currency, perEur: cell });
    });
  });
  if (out.length === 0) throw new AppError('invalid_input', `${source}: no rates in it`);
  return out;
}
