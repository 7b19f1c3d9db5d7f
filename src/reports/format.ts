import { formatMoney } from '../domain/currency.ts';

// Formatting helpers shared by renderers (text now, HTML/PDF later).
/** Stored in the currency's minor unit: cents, or whole yen for JPY. */
export const money = formatMoney;

export function pct(x: number | null, digits = 0): string {
  if (x === null || !Number.isFinite(x)) return '—';
  return `${(x * 100).toFixed(digits)}%`;
}

export function signedPct(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return 'n/a';
  const v = Math.round(x * 100);
  return `${v > 0 ? '+' : v < 0 ? '−' : '±'}${Math.abs(v)}%`;
}

export function ratio(x: number | null): string {
  return x === null ? '—' : `${x.toFixed(2)}×`;
}

export function count(x: number | null): string {
  if (x === null) return '—';
  return new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 }).format(x);
}
