// Parsing of the cell values found in ad-platform exports: money with currency
// symbols and thousands separators, counts, and dates in several orders.
// Money becomes integer cents by string arithmetic, never through floats.

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

// What exports write where a number is not known. An empty cell is one of them,
// except in formats whose exports leave zeros empty (FormatSpec.emptyIsZero).
const EMPTY = new Set(['', '-', '--', '—', '–', 'n/a', 'na', 'null', 'none', '(not set)', 'not set', 'nan', '#n/a']);
const CURRENCY_CHARS = /[$€£¥₹₩₽₺₫₱฿₴₦₪]/g;
const ISO_AFFIX = /^[A-Z]{3}\s*|\s*[A-Z]{3}$/;

/** Money / count ceilings: far above any real day, low enough to stay exact in JS numbers. */
export const MAX_CENTS = 1e14; // $1 trillion per row
export const MAX_COUNT = 1e13;
/** Conversions are numeric(14,4) in the database: a billion a row leaves room for sums. */
export const MAX_CONVERSIONS = 1e9;
/** Names are for people; longer ones are pasted by mistake (or hostile). Links are URLs. */
export const MAX_NAME_CHARS = 500;
export const MAX_LINK_BYTES = 2048;

export function isBlank(raw: string | undefined): boolean {
  if (raw === undefined) return true;
  const c = raw.charCodeAt(0);
  if (c >= 48 && c <= 57) return false; // starts with a digit: the common case
  return EMPTY.has(raw.trim().toLowerCase());
}

interface Decimal {
  negative: boolean;
  int: string;
  frac: string;
}

/** Normalises "$1,234.50", "1.234,50 €", "(12.00)", "1 234" into sign + digits. */
const PLAIN = /^(\d+)(?:\.(\d+))?$/;

export function parseDecimal(raw: string): Parsed<Decimal> {
  // Fast path for the common plain form ("123.45"), a hot loop on large files.
  const plain = PLAIN.exec(raw);
  if (plain) {
    const int = plain[1]!.length > 1 && plain[1]!.charCodeAt(0) === 48 ? plain[1]!.replace(/^0+(?=\d)/, '') : plain[1]!;
    return { ok: true, value: { negative: false, int, frac: plain[2] ?? '' } };
  }
  let s = raw.trim().replace(/[\u00a0\u202f\s']/g, '');
  let negative = false;
  if (/^\(.*\)$/.test(s)) {
    negative = true;
    s = s.slice(1, -1);
  }
  s = s.replace(CURRENCY_CHARS, '').replace(ISO_AFFIX, '');
  if (s.startsWith('-') || s.startsWith('−')) {
    negative = !negative;
    s = s.slice(1);
  } else if (s.startsWith('+')) s = s.slice(1);
  s = s.replace(CURRENCY_CHARS, '');
  if (!/^[\d.,]+$/.test(s) || !/\d/.test(s)) return { ok: false, reason: 'is not a number' };
  const lastComma = s.lastIndexOf(',');
  const lastDot = s.lastIndexOf('.');
  let int: string;
  let frac = '';
  if (lastComma >= 0 && lastDot >= 0) {
    // Both present: whichever comes last is the decimal separator.
    const dec = lastComma > lastDot ? ',' : '.';
    const thousands = dec === ',' ? '.' : ',';
    const [i, f, ...rest] = s.split(dec);
    if (rest.length > 0 || f === undefined || f.includes(thousands)) return { ok: false, reason: 'is not a number' };
    if (!validGroups(i!, thousands)) return { ok: false, reason: 'has misplaced thousands separators' };
    int = i!.split(thousands).join('');
    frac = f;
  } else if (lastComma >= 0) {
    if (/^\d{1,3}(,\d{3})+$/.test(s)) int = s.replace(/,/g, '');
    else if (/^\d+,\d+$/.test(s)) [int, frac] = s.split(',') as [string, string];
    else return { ok: false, reason: 'is not a number' };
  } else if (lastDot >= 0) {
    if (/^\d{1,3}(\.\d{3}){2,}$/.test(s)) int = s.replace(/\./g, '');
    else if (/^\d*\.\d+$/.test(s) || /^\d+\.$/.test(s)) [int, frac] = s.split('.') as [string, string];
    else return { ok: false, reason: 'is not a number' };
  } else int = s;
  int = int.replace(/^0+(?=\d)/, '') || '0';
  return { ok: true, value: { negative, int, frac } };
}

function validGroups(int: string, sep: string): boolean {
  if (!int.includes(sep)) return /^\d+$/.test(int);
  return new RegExp(`^\\d{1,3}(\\${sep}\\d{3})+$`).test(int);
}

/**
 * Money to integer minor units (cents; yen for exponent 0), half away from zero
 * on the first decimal beyond the minor unit. String arithmetic, never floats.
 */
export function parseCents(raw: string, allowNegative = false, exponent = 2): Parsed<number> {
  const d = parseDecimal(raw);
  if (!d.ok) return d;
  const { negative, int, frac } = d.value;
  if (int.length > 15) return { ok: false, reason: 'is too large' };
  let cents = Number(int) * 10 ** exponent + (exponent > 0 ? Number((frac + '0000').slice(0, exponent)) : 0);
  if (frac.length > exponent && Number(frac[exponent]) >= 5) cents += 1;
  if (cents > MAX_CENTS) return { ok: false, reason: 'is too large' };
  if (negative && cents !== 0) {
    if (!allowNegative) return { ok: false, reason: 'cannot be negative' };
    cents = -cents;
  }
  return { ok: true, value: cents };
}

/** A whole, non-negative count ("1,234", "1234.0"). */
export function parseCount(raw: string): Parsed<number> {
  const d = parseDecimal(raw);
  if (!d.ok) return d;
  const { negative, int, frac } = d.value;
  if (negative && (int !== '0' || /[1-9]/.test(frac))) return { ok: false, reason: 'cannot be negative' };
  if (/[1-9]/.test(frac)) return { ok: false, reason: 'must be a whole number' };
  if (int.length > 14 || Number(int) > MAX_COUNT) return { ok: false, reason: 'is too large' };
  return { ok: true, value: Number(int) };
}

/** A non-negative decimal with at most `scale` places kept (conversions, frequency). */
export function parseNonNegative(raw: string, max: number, scale = 4): Parsed<number> {
  const d = parseDecimal(raw);
  if (!d.ok) return d;
  const { negative, int, frac } = d.value;
  const value = Number(`${int}.${frac.slice(0, scale) || '0'}`);
  if (negative && value !== 0) return { ok: false, reason: 'cannot be negative' };
  if (int.length > 15 || value > max) return { ok: false, reason: 'is too large' };
  return { ok: true, value };
}

// ---- dates ---------------------------------------------------------------

export type DayOrder = 'mdy' | 'dmy';

const MONTHS: Record<string, number> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, sept: 9, oct: 10, nov: 11, dec: 12,
};

const ISO = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const NUMERIC = /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$/;
const MONTH_FIRST = /^([a-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})$/i;
const DAY_FIRST = /^(\d{1,2})\s+([a-z]{3,9})\.?,?\s+(\d{4})$/i;

/**
 * For files whose dates are "a/b/yyyy", decide once per file whether they are
 * month-first or day-first: any first part above 12 means day-first.
 */
export function inferDayOrder(samples: Iterable<string>): DayOrder {
  for (const s of samples) if (dateEvidence(s) === 'dmy') return 'dmy';
  return 'mdy';
}

/**
 * What a date cell says about the file's day order: 'mdy' (its second part is
 * above 12), 'dmy' (its first part is), 'either' (a/b/yyyy with both ≤ 12, e.g.
 * 03/04/2026), or 'fixed' (ISO or a month name: no order to decide).
 */
export type DateEvidence = 'mdy' | 'dmy' | 'either' | 'fixed';
const evidenceCache = new Map<string, DateEvidence>();
export function dateEvidence(raw: string): DateEvidence {
  let e = evidenceCache.get(raw);
  if (e === undefined) {
    const t = raw.trim();
    const m = NUMERIC.exec(t);
    // Dotted dates (01.11.2026) are day-first by convention (DIN 5008 and its kin); month-first dots are not written.
    const dotted = m !== null && t.charAt(m[1]!.length) === '.';
    e = !m ? 'fixed' : Number(m[1]) > 12 ? 'dmy' : Number(m[2]) > 12 ? 'mdy' : dotted ? 'dmy' : 'either';
    if (evidenceCache.size > 10_000) evidenceCache.clear();
    evidenceCache.set(raw, e);
  }
  return e;
}

// Files repeat the same few dozen dates thousands of times.
const dateCache = { mdy: new Map<string, Parsed<string>>(), dmy: new Map<string, Parsed<string>>() };

export function parseDate(raw: string, order: DayOrder = 'mdy', anyYear = false): Parsed<string> {
  if (anyYear) return parseDateUncached(raw, order, true);
  const cache = dateCache[order];
  let r = cache.get(raw);
  if (!r) {
    r = parseDateUncached(raw, order);
    if (cache.size > 10_000) cache.clear();
    cache.set(raw, r);
  }
  return r;
}

function parseDateUncached(raw: string, order: DayOrder, anyYear = false): Parsed<string> {
  const s = raw.trim();
  let y: number, m: number, d: number;
  let g = ISO.exec(s);
  if (g) [y, m, d] = [Number(g[1]), Number(g[2]), Number(g[3])];
  else if ((g = NUMERIC.exec(s))) {
    const a = Number(g[1]);
    const b = Number(g[2]);
    y = Number(g[3]);
    if (y < 100) y += 2000;
    [m, d] = order === 'mdy' ? [a, b] : [b, a];
  } else if ((g = MONTH_FIRST.exec(s)) && MONTHS[g[1]!.toLowerCase().slice(0, 4)] !== undefined) {
    [y, m, d] = [Number(g[3]), MONTHS[g[1]!.toLowerCase().slice(0, 4)]!, Number(g[2])];
  } else if ((g = MONTH_FIRST.exec(s)) && MONTHS[g[1]!.toLowerCase().slice(0, 3)] !== undefined) {
    [y, m, d] = [Number(g[3]), MONTHS[g[1]!.toLowerCase().slice(0, 3)]!, Number(g[2])];
  } else if ((g = DAY_FIRST.exec(s)) && MONTHS[g[2]!.toLowerCase().slice(0, 3)] !== undefined) {
    [y, m, d] = [Number(g[3]), MONTHS[g[2]!.toLowerCase().slice(0, 3)]!, Number(g[1])];
  } else {
    return { ok: false, reason: 'is not a date (expected YYYY-MM-DD, MM/DD/YYYY or DD.MM.YYYY)' };
  }
  if (m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return { ok: false, reason: 'is not a real calendar date' };
  if (!anyYear && (y < 2000 || y > 2100)) return { ok: false, reason: 'is out of range (years 2000–2100)' };
  return { ok: true, value: `${y}-${pad(m)}-${pad(d)}` };
}

function daysInMonth(y: number, m: number) {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}
const pad = (n: number) => (n < 10 ? `0${n}` : `${n}`);
