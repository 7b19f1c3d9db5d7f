// The full list of burning links as a CSV attachment, when the report shows only
// the worst ones. PapaParse writes it (quoting names with commas, quotes, newlines);
// amounts are in the client currency with two decimals, as a spreadsheet reads them.
import Papa from 'papaparse';
import type { BurningLine } from './daily-summary.ts';
import { currencyExponent, toMajor } from '../domain/currency.ts';

// Unknown stays empty (not 0) in the sheet.
const amountIn = (currency: string) => (cents: number | null | undefined) =>
  cents === null || cents === undefined ? '' : toMajor(cents, currency).toFixed(currencyExponent(currency));
// A name starting with = + - @ would run as a formula in a spreadsheet: quote it as text.
export const sheetText = (s: string) => (/^[=+\-@\t\r]/.test(s) ? `'${s}` : s);

export function burningCsv(lines: BurningLine[], currency: string): string {
  const amount = amountIn(currency);
  return Papa.unparse({
    fields: ['name', 'kind', 'platform', 'since', 'window_days', `spend_${currency}`, `revenue_${currency}`, `profit_${currency}`, 'roi', 'conversions', `cpa_${currency}`],
    data: lines.map((b) => [sheetText(b.name), b.kind, b.platform, b.since, b.windowDays, amount(b.spendCents), amount(b.revenueCents), amount(b.profitCents), b.roi.toFixed(4), b.conversions ?? '', amount(b.cpaCents)]),
  }) + '\n';
}
