// Which reports a client gets (client.report_schedules) and the periods they
// cover, in the client's local days: `daily`; `weekly:<mon..sun>` — sent on that
// weekday, covering the 7 days before it; `monthly:<1..28>` — sent on that day of
// the month, covering the previous calendar month. A period is sent once (its
// idempotency key names it); a run missed by up to a week still sends it.
import { z } from 'zod';
import { addDays, daysBetween } from '../time.ts';

const DOW = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type PeriodKind = 'weekly' | 'monthly';

export const scheduleSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(daily|weekly:(mon|tue|wed|thu|fri|sat|sun)|monthly:([1-9]|1\d|2[0-8]))$/, 'daily, weekly:<mon…sun> or monthly:<1…28> (the day of the month it is sent on)');

export const schedulesSchema = z
  .array(scheduleSchema)
  .max(3)
  .superRefine((xs, ctx) => {
    for (const kind of ['daily', 'weekly', 'monthly']) {
      if (xs.filter((x) => x.split(':')[0] === kind).length > 1) ctx.addIssue({ code: 'custom', message: `one ${kind} schedule at most` });
    }
  });

/** A missed run (the server was down) still sends the period up to this many days after its day. */
export const CATCH_UP_DAYS = 6;

export interface Range {
  from: string;
  to: string;
}

export interface Period extends Range {
  kind: PeriodKind;
  /** The local day it is sent on. */
  due: string;
  /** Compared against: the period before, and the same period a year earlier. */
  previous: Range;
  lastYear: Range;
}

const weekday = (d: string) => new Date(`${d}T00:00:00Z`).getUTCDay();
const monthStart = (y: number, m: number) => new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 10);
const monthRange = (y: number, m: number): Range => ({ from: monthStart(y, m), to: addDays(monthStart(y, m + 1), -1) });

/** The latest period of a weekly or monthly schedule whose day is `today` or before. */
export function latestPeriod(schedule: string, today: string): Period | null {
  const [kind, arg] = schedule.split(':');
  if (kind === 'weekly') {
    const dow = DOW.indexOf(arg as (typeof DOW)[number]);
    const due = addDays(today, -((weekday(today) - dow + 7) % 7));
    const from = addDays(due, -7), to = addDays(due, -1);
    // 364 days back: the same weekdays a year earlier.
    return { kind: 'weekly', from, to, due, previous: { from: addDays(from, -7), to: addDays(from, -1) }, lastYear: { from: addDays(from, -364), to: addDays(to, -364) } };
  }
  if (kind === 'monthly') {
    const n = Number(arg);
    const t = new Date(`${today}T00:00:00Z`);
    // Date.UTC carries month -1 into the year before.
    const dueDate = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth() - (t.getUTCDate() < n ? 1 : 0), n));
    const y = dueDate.getUTCFullYear(), m = dueDate.getUTCMonth() - 1;
    return { kind: 'monthly', ...monthRange(y, m), due: dueDate.toISOString().slice(0, 10), previous: monthRange(y, m - 1), lastYear: monthRange(y - 1, m) };
  }
  return null;
}

/** On demand: the 7 days up to `date`, or the last calendar month complete by `date`. */
export function periodEndingBy(kind: PeriodKind, date: string): Period {
  const next = addDays(date, 1);
  return latestPeriod(kind === 'weekly' ? `weekly:${DOW[weekday(next)]}` : 'monthly:1', next)!;
}

/** The weekly and monthly periods due by the run for `asOf` (the last complete local day). */
export function duePeriods(schedules: string[], asOf: string): Period[] {
  const today = addDays(asOf, 1);
  return schedules
    .map((s) => latestPeriod(s, today))
    .filter((p): p is Period => p !== null && daysBetween(p.due, today) <= CATCH_UP_DAYS);
}

export const periodKey = (clientId: string, p: Pick<Period, 'kind' | 'from'>) => `${p.kind}:${clientId}:${p.kind === 'monthly' ? p.from.slice(0, 7) : p.from}`;

/** "16 – 22 November 2026", "29 March – 4 April 2026", "November 2026". */
export function periodLabel(p: Pick<Period, 'kind' | 'from' | 'to'>): string {
  const f = (d: string, o: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat('en-GB', { ...o, timeZone: 'UTC' }).format(new Date(`${d}T00:00:00Z`));
  if (p.kind === 'monthly') return f(p.from, { month: 'long', year: 'numeric' });
  const sameMonth = p.from.slice(0, 7) === p.to.slice(0, 7);
  const sameYear = p.from.slice(0, 4) === p.to.slice(0, 4);
  return `${f(p.from, sameMonth ? { day: 'numeric' } : sameYear ? { day: 'numeric', month: 'long' } : { day: 'numeric', month: 'long', year: 'numeric' })} – ${f(p.to, { day: 'numeric', month: 'long', year: 'numeric' })}`;
}
