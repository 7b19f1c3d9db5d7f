// CSV as RFC 4180 says (CRLF line ends, fields quoted when they hold a comma, a
// quote, CR or LF, quotes doubled), with one addition spreadsheets need: a cell
// starting with =, +, -, @, tab or CR would run as a formula when opened (CSV
// injection), so it is prefixed with a single quote. Numbers adbrain writes itself
// (money, counts) are never text and are not touched.
export type Cell = string | number | null | undefined;

const FORMULA = /^[=+\-@\t\r]/;

/** A cell as text: null/undefined empty, numbers as written, text neutralised and quoted when needed. */
export function csvCell(v: Cell): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  const s = FORMULA.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const csvLine = (cells: Cell[]): string => `${cells.map(csvCell).join(',')}\r\n`;

/** Money in minor units (exact, from text or bigint) as a decimal string in the currency's unit: 123456 → "1234.56". */
export function money(minor: string | bigint | number | null, exponent: number): Money | null {
  if (minor === null) return null;
  let v = typeof minor === 'bigint' ? minor : BigInt(typeof minor === 'number' ? Math.round(minor) : minor);
  const neg = v < 0n;
  if (neg) v = -v;
  const scale = 10n ** BigInt(exponent);
  const whole = v / scale;
  const frac = exponent > 0 ? `.${(v % scale).toString().padStart(exponent, '0')}` : '';
  return new Money(`${neg ? '-' : ''}${whole}${frac}`);
}

/** A decimal adbrain computed: written as is, never treated as a formula (a leading minus is a number). */
export class Money {
  constructor(readonly text: string) {}
}

/** csvCell for a row that may hold Money. */
export const csvRow = (cells: (Cell | Money | null)[]): string => `${cells.map((c) => (c instanceof Money ? c.text : csvCell(c))).join(',')}\r\n`;
