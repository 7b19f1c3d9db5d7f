// How a file's a/b/yyyy dates are read, decided over the file's distinct dates.
//
// Exports write month-first with "/" and day-first with "-" in one file (a Google
// sales export does), so the order is decided per separator. A date that reads
// both ways (05/11/2024) takes its separator's order; where that order is itself
// mixed or unknown, the file's unambiguous dates settle it only when exactly one
// reading lies near them — and the summary says so. Anything else is refused by
// line: a misdated row moves money between days silently.
import { dateEvidence, parseDate, type DateEvidence, type DayOrder, type Parsed } from './values.ts';

export type DateSep = '/' | '-' | '.';
/** The user's word: one order for every separator, or one per separator ("/=mdy,-=dmy"). */
export type DateOrderChoice = DayOrder | Partial<Record<DateSep, DayOrder>>;

/** A reading this far (days) from every unambiguous date in the file is not plausible. */
export const PLAUSIBLE_DAYS = 31;

const NUMERIC = /^(\d{1,2})([-/.])(\d{1,2})\2(\d{2}|\d{4})$/;
const SEPS: DateSep[] = ['/', '-', '.'];
const LABEL: Record<DayOrder, string> = { mdy: 'month-first', dmy: 'day-first' };

export interface DatePlan {
  /** The day a raw date cell stands for, or why it cannot be read. */
  read(raw: string): Parsed<string>;
  /** 'YYYY-MM-DD', 'MM/DD/YYYY', 'DD-MM-YYYY', … as read, for the summary. */
  describe(): string | null;
  /** How mixed or ambiguous dates were read (for the summary); empty for ordinary files. */
  notes: string[];
  /** The whole file cannot be dated without the user's word. */
  fileError: string | null;
}

interface Sample {
  raw: string;
  line: number;
}

/** The date part of a cell ("11/16/2024 13:00" → "11/16/2024"). */
export function datePart(raw: string): string {
  const t = raw.trim();
  const sp = t.search(/[ T]/);
  return sp > 0 && /^\d/.test(t) ? t.slice(0, sp) : t;
}

const dayNo = (iso: string) => Math.round(Date.parse(`${iso}T00:00:00Z`) / 86_400_000);

/**
 * Plans the reading of every distinct date cell (`samples`: each distinct date part
 * with the first line it is on). `choice` is the user's order, if given.
 */
export function planDates(samples: Iterable<Sample>, choice?: DateOrderChoice): DatePlan {
  // ev: what the date says in auto mode (dotted = day-first by convention); strict: what its numbers alone say.
  const numeric: (Sample & { sep: DateSep; ev: DateEvidence; strict: DateEvidence })[] = [];
  const fixedDays: number[] = [];
  const seen = new Set<string>();
  let anyFixed = false;
  // Per separator: the first line showing each order.
  const evidence: Record<DateSep, Partial<Record<DayOrder, Sample>>> = { '/': {}, '-': {}, '.': {} };
  const ambiguousAt: Partial<Record<DateSep, Sample>> = {};
  for (const s of samples) {
    if (seen.has(s.raw)) continue;
    seen.add(s.raw);
    const m = NUMERIC.exec(s.raw);
    if (!m) {
      const p = parseDate(s.raw);
      if (p.ok) {
        anyFixed = true;
        fixedDays.push(dayNo(p.value));
      }
      continue;
    }
    const sep = m[2] as DateSep;
    const ev = dateEvidence(s.raw);
    const strict: DateEvidence = Number(m[1]) > 12 ? 'dmy' : Number(m[3]) > 12 ? 'mdy' : 'either';
    numeric.push({ ...s, sep, ev, strict });
    if (ev === 'mdy' || ev === 'dmy') {
      const e = evidence[sep];
      if (!e[ev] || s.line < e[ev]!.line) e[ev] = s;
    } else if (ev === 'either' && (!ambiguousAt[sep] || s.line < ambiguousAt[sep]!.line)) ambiguousAt[sep] = s;
  }
  const given = (sep: DateSep): DayOrder | undefined => (typeof choice === 'string' ? choice : choice?.[sep]);

  // The days the file states without doubt: ISO / month names, and a/b/yyyy that reads one way only.
  const sure: number[] = [...fixedDays];
  for (const n of numeric) {
    if (n.ev !== 'mdy' && n.ev !== 'dmy') continue;
    const p = parseDate(n.raw, n.ev);
    if (p.ok) sure.push(dayNo(p.value));
  }
  sure.sort((a, b) => a - b);
  const nearest = (d: number): number => {
    let lo = 0;
    let hi = sure.length - 1;
    let best = Infinity;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      best = Math.min(best, Math.abs(sure[mid]! - d));
      if (sure[mid]! < d) lo = mid + 1;
      else hi = mid - 1;
    }
    return best;
  };
  const plausible = (iso: string) => sure.length > 0 && nearest(dayNo(iso)) <= PLAUSIBLE_DAYS;

  const at = (s: Sample) => `line ${s.line}: ${s.raw}`;
  const notes: string[] = [];
  const readings = new Map<string, Parsed<string>>();
  const settled: { raw: string; line: number; chosen: string; other: string }[] = [];
  let fileError: string | null = null;
  const orderOf: Partial<Record<DateSep, DayOrder | 'mixed'>> = {};

  // Both readings of a date that reads both ways, and the one the file's sure dates leave plausible (if only one).
  type Day = { ok: true; value: string };
  type Both = { one: Parsed<string> } | { asMdy: Day; asDmy: Day; onlyOne: DayOrder | undefined };
  const both = (raw: string): Both => {
    const asMdy = parseDate(raw, 'mdy');
    const asDmy = parseDate(raw, 'dmy');
    if (!asMdy.ok || !asDmy.ok || asMdy.value === asDmy.value) return { one: asMdy.ok ? asMdy : asDmy };
    const [pm, pd] = [plausible(asMdy.value), plausible(asDmy.value)];
    return { asMdy, asDmy, onlyOne: pm && !pd ? 'mdy' : pd && !pm ? 'dmy' : undefined };
  };

  for (const sep of SEPS) {
    const e = evidence[sep];
    const user = given(sep);
    // Dotted dates are day-first by convention (DIN 5008 and its kin): dateEvidence says so already.
    let own: DayOrder | 'mixed' | undefined = e.mdy && e.dmy ? 'mixed' : e.mdy ? 'mdy' : e.dmy ? 'dmy' : undefined;
    orderOf[sep] = user ?? own;
    if (user) continue;
    if (own === 'mixed') {
      notes.push(`dates written with "${sep}" are both ${LABEL.mdy} (${at(e.mdy!)}) and ${LABEL.dmy} (${at(e.dmy!)}): each is read the only way it can be, and one that reads both ways only when the file's other dates leave one reading within ${PLAUSIBLE_DAYS} days`);
    } else if (own) {
      // A date whose reading in this order lies far from every sure date, while the other
      // reading lies among them ("5/11/2024" among November's "11/16/2024"), shows the
      // separator carries both orders: then no date of it is read by the order alone.
      const odd = numeric.filter((n) => n.sep === sep && n.ev === 'either').sort((a, b) => a.line - b.line)
        .find((n) => { const b = both(n.raw); return 'onlyOne' in b && b.onlyOne !== undefined && b.onlyOne !== own; });
      if (odd) {
        own = 'mixed';
        orderOf[sep] = own;
        const e0 = e.mdy ?? e.dmy!;
        notes.push(`dates written with "${sep}" are ${LABEL[e.mdy ? 'mdy' : 'dmy']} (${at(e0)}), but ${at(odd)} is near the file's other dates only ${e.mdy ? LABEL.dmy : LABEL.mdy}: the file mixes both orders, so a date that reads both ways is read only when the file's other dates leave one reading within ${PLAUSIBLE_DAYS} days`);
      }
    }
  }

  for (const n of numeric) {
    const user = given(n.sep);
    const e = evidence[n.sep];
    if (user) {
      const other: DayOrder = user === 'mdy' ? 'dmy' : 'mdy';
      if (n.strict === other) {
        readings.set(n.raw, { ok: false, reason: `date ${n.raw} is ${LABEL[other]}, but --date-format says ${LABEL[user]} for dates written with "${n.sep}"` });
      } else if (n.strict === 'either' && e[other] && !e[user] && n.sep !== '.') {
        // Every other date with this separator contradicts the user's order: reading this one their way would misdate it.
        readings.set(n.raw, { ok: false, reason: `date ${n.raw} would be ${LABEL[user]} by --date-format, but dates written with "${n.sep}" in this file are ${LABEL[other]} (${at(e[other]!)}); give the order per separator, e.g. --date-format "/=mdy,-=dmy"` });
      } else {
        // The user's order, unless it puts this date far from every sure date while the other order puts it among them.
        const b = n.strict === 'either' ? both(n.raw) : undefined;
        if (b && 'onlyOne' in b && b.onlyOne && b.onlyOne !== user) {
          const [mine, theirs] = user === 'mdy' ? [b.asMdy.value, b.asDmy.value] : [b.asDmy.value, b.asMdy.value];
          readings.set(n.raw, { ok: false, reason: `date ${n.raw} read ${LABEL[user]} is ${mine}, more than ${PLAUSIBLE_DAYS} days from every other date in the file; ${LABEL[other]} it would be ${theirs} — fix the row, or give the order per separator (e.g. --date-format "/=mdy,-=dmy")` });
        } else readings.set(n.raw, parseDate(n.raw, user));
      }
      continue;
    }
    if (n.ev !== 'either') {
      readings.set(n.raw, parseDate(n.raw, n.ev === 'fixed' ? 'mdy' : n.ev));
      continue;
    }
    const b = both(n.raw);
    if ('one' in b) {
      readings.set(n.raw, b.one);
      continue;
    }
    const { asMdy, asDmy, onlyOne } = b;
    const own = orderOf[n.sep];
    if (own === 'mdy' || own === 'dmy') {
      readings.set(n.raw, own === 'mdy' ? asMdy : asDmy);
    } else if (onlyOne) {
      settled.push({ raw: n.raw, line: n.line, chosen: (onlyOne === 'mdy' ? asMdy : asDmy).value, other: (onlyOne === 'mdy' ? asDmy : asMdy).value });
      readings.set(n.raw, onlyOne === 'mdy' ? asMdy : asDmy);
    } else if (own === 'mixed') {
      readings.set(n.raw, { ok: false, reason: `date could be ${asMdy.value} or ${asDmy.value}: dates written with "${n.sep}" in this file are both ${LABEL.mdy} and ${LABEL.dmy}, and both readings are near its other dates; fix these rows or say the order with --date-format` });
    } else if (sure.length === 0) {
      // Nothing in the file says which order: the user must.
      fileError ??= `every date could be ${LABEL.mdy} or ${LABEL.dmy} (${at(ambiguousAt[n.sep] ?? n)}); ` +
        'say which with --date-format mdy (MM/DD/YYYY) or dmy (DD/MM/YYYY) (API: ?dateFormat=)';
      readings.set(n.raw, asMdy);
    } else {
      readings.set(n.raw, { ok: false, reason: `date could be ${asMdy.value} or ${asDmy.value}: no date written with "${n.sep}" in this file says which order, and both readings are near its other dates; say it with --date-format (per separator: "/=mdy,-=dmy")` });
    }
  }

  if (settled.length) {
    settled.sort((a, b) => a.line - b.line);
    const shown = settled.slice(0, 3).map((s) => `line ${s.line}: ${s.raw} → ${s.chosen} (not ${s.other})`).join('; ');
    notes.push(`${settled.length} date${settled.length === 1 ? '' : 's'} that read both ways ${settled.length === 1 ? 'was' : 'were'} settled by the file's unambiguous dates, which leave only one reading within ${PLAUSIBLE_DAYS} days: ${shown}${settled.length > 3 ? `; … ${settled.length - 3} more` : ''}`);
  }

  const pattern = (order: DayOrder, sep: DateSep) => (order === 'mdy' ? ['MM', 'DD', 'YYYY'] : ['DD', 'MM', 'YYYY']).join(sep);
  const describe = () => {
    const parts: string[] = anyFixed ? ['YYYY-MM-DD'] : [];
    for (const sep of SEPS) {
      if (!numeric.some((n) => n.sep === sep)) continue;
      const o = orderOf[sep];
      if (o === 'mixed') parts.push(`${pattern('mdy', sep)} and ${pattern('dmy', sep)}`);
      else parts.push(pattern(o ?? 'mdy', sep));
    }
    return parts.length ? parts.join(', ') : null;
  };

  return {
    read: (raw) => {
      const key = datePart(raw);
      const r = readings.get(key);
      if (r) return r;
      // Not planned (a date seen after the plan was made): read by its own evidence, checked at the end.
      const ev = dateEvidence(key);
      const m = NUMERIC.exec(key);
      const sep = m?.[2] as DateSep | undefined;
      const o = sep ? (given(sep) ?? orderOf[sep]) : undefined;
      return parseDate(raw, ev === 'mdy' || ev === 'dmy' ? ev : o === 'dmy' ? 'dmy' : 'mdy');
    },
    describe,
    notes,
    fileError,
  };
}

/**
 * `--date-format` / `?dateFormat=`: 'auto', 'mdy', 'dmy', or per separator
 * ("/=mdy,-=dmy"). Returns the choice, 'auto', or what is wrong with the text.
 */
export function parseDateFormat(v: string): { ok: true; value: DateOrderChoice | 'auto' } | { ok: false; reason: string } {
  const t = v.trim().toLowerCase();
  if (t === 'auto' || t === 'mdy' || t === 'dmy') return { ok: true, value: t };
  const per: Partial<Record<DateSep, DayOrder>> = {};
  for (const pair of t.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^([-/.])\s*[=:]\s*(mdy|dmy)$/.exec(pair);
    if (!m) return { ok: false, reason: `"${pair}" is not an order: use auto, mdy, dmy, or one per separator like "/=mdy,-=dmy"` };
    per[m[1] as DateSep] = m[2] as DayOrder;
  }
  if (Object.keys(per).length === 0) return { ok: false, reason: 'is empty: use auto, mdy, dmy, or one per separator like "/=mdy,-=dmy"' };
  return { ok: true, value: per };
}

/** Raised when the file's later dates change how its earlier ones must be read: parse again with every date known. */
export class DatePlanChanged extends Error {
  constructor(readonly samples: { raw: string; line: number }[]) {
    super('the date plan changed');
  }
}
