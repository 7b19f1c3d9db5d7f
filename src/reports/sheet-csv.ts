// CSV for a spreadsheet, as the report's and the alert digest's attachments write it:
// Papa Parse quotes names with commas, quotes and newlines; every line ends in CRLF
// (RFC 4180), the last one too, so no parser reads a stray "\n" into the last field.
import Papa from 'papaparse';
import { currencyExponent, toMajor } from '../domain/currency.ts';

// A name starting with = + - @ would run as a formula in a spreadsheet: quote it as text.
export const sheetText = (s: string) => (/^[=+\-@\t\r]/.test(s) ? `'${s}` : s);

/** Minor units as the currency's major amount with its own decimals (2 for USD, 0 for JPY); unknown stays empty, not 0. */
export const sheetAmount = (currency: string) => (minor: number | null | undefined) =>
  minor === null || minor === undefined ? '' : toMajor(minor, currency).toFixed(currencyExponent(currency));

export function sheetCsv(fields: string[], data: unknown[][]): string {
  return Papa.unparse({ fields, data }, { newline: '\r\n' }) + '\r\n';
}
