// The full list of burning links as a CSV attachment, when the report shows only
// the worst ones; amounts in the client currency, as a spreadsheet reads them.
import type { BurningLine } from './daily-summary.ts';
import { sheetAmount, sheetCsv, sheetText } from './sheet-csv.ts';

export function burningCsv(lines: BurningLine[], currency: string): string {
  const amount = sheetAmount(currency);
  return sheetCsv(
    ['name', 'kind', 'platform', 'since', 'window_days', `spend_${currency}`, `revenue_${currency}`, `profit_${currency}`, 'roi', 'conversions', `cpa_${currency}`],
    lines.map((b) => [sheetText(b.name), b.kind, b.platform, b.since, b.windowDays, amount(b.spendCents), amount(b.revenueCents), amount(b.profitCents), b.roi.toFixed(4), b.conversions ?? '', amount(b.cpaCents)]),
  );
}
