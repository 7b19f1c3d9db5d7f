// The grounding guard: every number a summary states (money, percentages,
// counts, multipliers, dates) must be one the facts already contain, up to the
// rounding its own precision implies. Numbers are read out of the facts with the
// same extractor, so a fact the model may quote is exactly a fact we computed.
// Names (of clients, campaigns, ads) are data an attacker may control: digits in
// them are never facts, and a name quoted in the text is removed before checking.

export type NumberKind = 'money' | 'percent' | 'multiplier' | 'date' | 'plain';

export interface NumberToken {
  text: string;
  kind: NumberKind;
  /** Absolute value in display units (dollars, percent points, ×, or MMDD for dates). */
  value: number;
  /** Half of the last displayed digit: how far a rounded display may sit from the fact. */
  tolerance: number;
  /** For dates: the year when the text gave one. */
  year?: number;
  /** For money: the currency as written ("$", "USD", "€" → EUR): see currencyOf. */
  currency?: string;
}

export interface Violation {
  text: string;
  kind: NumberKind;
  reason: string;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH_RE = '(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\\.?';
const ISO_DATE = /(?<![\w.])(\d{4})-(\d{2})-(\d{2})(?![\w])/g;
const MONTH_DAY = new RegExp(`\\b${MONTH_RE}\\s+(\\d{1,2})(?:st|nd|rd|th)?(?:,?\\s+(\\d{4}))?(?![\\w])`, 'gi');
const DAY_MONTH = new RegExp(`(?<![\\w.])(\\d{1,2})(?:st|nd|rd|th)?\\s+(?:of\\s+)?${MONTH_RE}(?:,?\\s+(\\d{4}))?(?![\\w])`, 'gi');
const SLASH_DATE = /(?<![\w.\/])(\d{1,2})\/(\d{1,2})(?:\/(\d{2,4}))?(?![\w\/%.])/g;
// Currency before or after, sign, digits with separators, decimals, k/M/bn, %/pp/×.
const NUMBER = new RegExp(
  [
    '(?<![\\w.,])',
    '(?<cur1>US\\$|CA\\$|A\\$|NZ\\$|HK\\$|MX\\$|R\\$|[$€£¥₹₩]|USD|EUR|GBP|CAD|AUD|INR|JPY|CHF|SEK|NOK|DKK|PLN|CZK|HUF|BRL|MXN|NZD|SGD|HKD|ZAR|KRW|CNY|TRY|AED|ILS)?\\s?',
    '(?<sign>[+\\-−±])?',
    '(?<cur2>[$€£¥₹])?',
    '(?<num>\\d{1,3}(?:,\\d{3})+(?:\\.\\d+)?|\\d+(?:\\.\\d+)?|\\.\\d+)',
    '(?<mult>\\s?(?:k|K|M|bn|B)(?![a-zA-Z]))?',
    '(?<unit>\\s?(?:%|pp|percent(?:age points?)?|×|x(?![a-zA-Z])))?',
    '(?<cur3>\\s?(?:USD|EUR|GBP|CAD|AUD|INR|JPY|CHF|SEK|NOK|DKK|PLN|CZK|HUF|BRL|MXN|NZD|SGD|HKD|ZAR|KRW|CNY|TRY|AED|ILS)\\b)?',
  ].join(''),
  'g',
);

// What a written currency stands for. "$" alone is any dollar (US, Canadian, …):
// it is kept as "$" and agrees with each of them (see sameCurrency).
const SYMBOL: Record<string, string> = { US$: 'USD', CA$: 'CAD', A$: 'AUD', NZ$: 'NZD', HK$: 'HKD', MX$: 'MXN', R$: 'BRL', '€': 'EUR', '£': 'GBP', '¥': 'JPY', '₹': 'INR', '₩': 'KRW' };
export const currencyOf = (written: string) => SYMBOL[written] ?? written;
const DOLLARS = new Set(['USD', 'CAD', 'AUD', 'NZD', 'HKD', 'SGD', 'MXN']);
/** Whether two currencies as read (codes, or "$") can be the same money. */
export function sameCurrency(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b || a === b) return true;
  if (a === '$') return DOLLARS.has(b);
  if (b === '$') return DOLLARS.has(a);
  // ¥ is yen and yuan.
  if ((a === 'JPY' && b === 'CNY') || (a === 'CNY' && b === 'JPY')) return true;
  return false;
}

const MULT: Record<string, number> = { k: 1e3, K: 1e3, M: 1e6, bn: 1e9, B: 1e9 };

function decimals(num: string): number {
  const dot = num.indexOf('.');
  return dot < 0 ? 0 : num.length - dot - 1;
}

function monthIndex(word: string): number {
  return MONTHS.indexOf(word.slice(0, 3).toLowerCase()) + 1;
}

/** Every number in a text, dates first (their digits are not read again as plain numbers). */
export function extractNumbers(text: string): NumberToken[] {
  const tokens: NumberToken[] = [];
  let rest = text.replace(/\u00a0|\u202f/g, ' ');
  const takeDate = (m: RegExpMatchArray, month: number, day: number, year?: number) => {
    if (month >= 1 && month <= 12 && day >= 1 && day <= 31) {
      tokens.push({ text: m[0], kind: 'date', value: month * 100 + day, tolerance: 0, year });
      return ' '.repeat(m[0].length);
    }
    return m[0];
  };
  rest = rest.replace(ISO_DATE, (...a) => takeDate(a as unknown as RegExpMatchArray, +a[2], +a[3], +a[1]));
  rest = rest.replace(MONTH_DAY, (...a) => takeDate(a as unknown as RegExpMatchArray, monthIndex(a[1]), +a[2], a[3] ? +a[3] : undefined));
  rest = rest.replace(DAY_MONTH, (...a) => takeDate(a as unknown as RegExpMatchArray, monthIndex(a[2]), +a[1], a[3] ? +a[3] : undefined));
  rest = rest.replace(SLASH_DATE, (...a) => {
    // 11/21 or 21/11: either order; record both readings as one token that matches either.
    const x = +a[1], y = +a[2];
    const m = a as unknown as RegExpMatchArray;
    if (x >= 1 && x <= 12 && y >= 1 && y <= 31) return takeDate(m, x, y);
    if (y >= 1 && y <= 12 && x >= 1 && x <= 31) return takeDate(m, y, x);
    return m[0];
  });
  for (const m of rest.matchAll(NUMBER)) {
    const g = m.groups!;
    const num = g.num!;
    const base = Number(num.replace(/,/g, ''));
    if (!Number.isFinite(base)) continue;
    const mult = g.mult ? MULT[g.mult.trim()]! : 1;
    const unit = g.unit?.trim();
    const isMoney = Boolean(g.cur1 || g.cur2 || g.cur3);
    const kind: NumberKind = unit && /^(%|pp|percent)/.test(unit)
      ? 'percent'
      : unit === '×' || unit === 'x'
        ? 'multiplier'
        : isMoney
          ? 'money'
          : 'plain';
    const value = base * mult;
    const tolerance = (0.5 * Math.pow(10, -decimals(num))) * mult;
    const cur = (g.cur1 ?? g.cur2 ?? g.cur3)?.trim();
    tokens.push({ text: m[0].trim(), kind, value: Math.abs(value), tolerance, ...(cur ? { currency: currencyOf(cur) } : {}) });
  }
  return tokens;
}

export interface FactNumbers {
  byKind: Map<NumberKind, number[]>;
  dates: { value: number; year?: number }[];
  /** Every name found in the facts; removed from texts before checking. */
  names: string[];
}

/** Keys whose string values are names (user data), never facts. */
export const NAME_KEYS = new Set(['name', 'entity', 'client', 'campaign', 'from', 'to', 'fromCampaign', 'toCampaign', 'label']);

/** Reads every stated number out of a facts object (walking nested values). */
export function factNumbers(facts: unknown): FactNumbers {
  const byKind = new Map<NumberKind, number[]>();
  const dates: FactNumbers['dates'] = [];
  const names = new Set<string>();
  const add = (t: NumberToken) => {
    if (t.kind === 'date') dates.push({ value: t.value, year: t.year });
    else (byKind.get(t.kind) ?? byKind.set(t.kind, []).get(t.kind)!).push(t.value);
  };
  const walk = (v: unknown, key: string | null) => {
    if (v === null || v === undefined) return;
    if (typeof v === 'string') {
      if (key !== null && NAME_KEYS.has(key)) names.add(v);
      else extractNumbers(v).forEach(add);
    } else if (typeof v === 'number') {
      if (Number.isFinite(v)) add({ text: String(v), kind: 'plain', value: Math.abs(v), tolerance: 0 });
    } else if (Array.isArray(v)) v.forEach((x) => walk(x, key));
    else if (typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, k);
  };
  walk(facts, null);
  return { byKind, dates, names: [...names].filter((n) => n.trim().length > 0).sort((a, b) => b.length - a.length) };
}

/** Which fact kinds a stated number may be matched against. */
const COMPATIBLE: Record<Exclude<NumberKind, 'date'>, NumberKind[]> = {
  money: ['money', 'plain'],
  percent: ['percent'],
  multiplier: ['multiplier', 'plain'],
  // "3 campaigns", "$1,234" written without a symbol, "1.8" for a ROAS.
  plain: ['plain', 'money', 'multiplier', 'percent'],
};

function matches(t: NumberToken, facts: FactNumbers): boolean {
  if (t.kind === 'date') {
    return facts.dates.some((d) => d.value === t.value && (t.year === undefined || d.year === undefined || d.year === t.year));
  }
  const tol = Math.max(t.tolerance, 1e-9) + 1e-9 * t.value;
  for (const kind of COMPATIBLE[t.kind]) {
    for (const f of facts.byKind.get(kind) ?? []) if (Math.abs(f - t.value) <= tol) return true;
  }
  return false;
}

/** Removes quoted names so digits inside them are not read as claims. */
export function stripNames(text: string, names: string[]): string {
  let out = text;
  for (const n of names) if (n.length >= 2) out = out.split(n).join(' ');
  return out;
}

/** The numbers in `texts` that no fact supports. */
export function checkGrounding(texts: string[], facts: FactNumbers): Violation[] {
  const violations: Violation[] = [];
  for (const text of texts) {
    for (const t of extractNumbers(stripNames(text, facts.names))) {
      if (!matches(t, facts)) violations.push({ text: t.text, kind: t.kind, reason: `${t.kind} "${t.text}" is not in the facts` });
    }
  }
  return violations;
}
