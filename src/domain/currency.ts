// Amounts are stored as integers in the currency's minor unit: cents for USD,
// yen for JPY (no minor unit), fils for BHD (1/1000). The exponent per currency
// is ISO 4217's; every currency not listed has two decimals.
import { AppError } from '../errors.ts';
import { parseCents } from '../import/values.ts';

// ISO 4217 (List One), currencies whose minor unit is not 1/100.
const EXPONENT: Record<string, number> = {
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0, UGX: 0, UYI: 0, VND: 0, VUV: 0,
  XAF: 0, XOF: 0, XPF: 0,
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
  CLF: 4, UYW: 4,
};

/** Decimal places of the currency's minor unit (JPY 0, USD 2, BHD 3). */
export const currencyExponent = (currency: string): number => EXPONENT[currency.toUpperCase()] ?? 2;

/** Minor units per major unit (JPY 1, USD 100, BHD 1000). */
export const minorPerMajor = (currency: string): number => 10 ** currencyExponent(currency);

/** Stored integer → amount in the currency ("¥1,234" is 1234 → 1234; "$12.34" is 1234 → 12.34). */
export const toMajor = (minor: number, currency: string): number => minor / minorPerMajor(currency);

/** An amount typed by a person ("30", "29.90", "1,500") → minor units, or a clear error naming the flag. */
export function toMinorUnits(raw: string, currency: string, field: string): number {
  const p = parseCents(String(raw), false, currencyExponent(currency));
  if (!p.ok) throw new AppError('invalid_input', `${field}: "${raw}" ${p.reason} (an amount in ${currency.toUpperCase()})`);
  return p.value;
}

/** What an API amount field means, said once per response: "minor units of JPY (1 = ¥1)". */
export function amountUnit(currency: string): { field: string; minorUnitsPerUnit: number; exponent: number } {
  const e = currencyExponent(currency);
  return { field: '…Cents fields are integers in the minor unit of the currency (cents; whole yen for JPY)', minorUnitsPerUnit: 10 ** e, exponent: e };
}

const moneyFmt = new Map<string, Intl.NumberFormat>();

/** An amount in minor units as people read it ("$1,234.50", "¥1,235"); null: "—". One formatter for the brain's titles and every view. */
export function formatMoney(minor: number | null, currency: string): string {
  if (minor === null) return '—';
  let f = moneyFmt.get(currency);
  if (!f) moneyFmt.set(currency, (f = new Intl.NumberFormat('en-US', { style: 'currency', currency })));
  return f.format(toMajor(minor, currency));
}
