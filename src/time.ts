// Calendar days as 'YYYY-MM-DD' strings in a client's timezone. Day arithmetic
// is done in UTC on those strings, so DST never shifts a day.

const fmtCache = new Map<string, Intl.DateTimeFormat>();

export function localDate(timeZone: string, at: Date): string {
  let fmt = fmtCache.get(timeZone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    fmtCache.set(timeZone, fmt);
  }
  return fmt.format(at);
}

export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** Monday = 0 … Sunday = 6 */
export function weekday(day: string): number {
  return (new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7;
}

export function isDay(s: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) &&
    new Date(`${s}T00:00:00Z`).toISOString().startsWith(s);
}

/** The days adbrain accepts anywhere: real calendar dates in 2000–2100. */
export const FIRST_DAY = '2000-01-01';
export const LAST_DAY = '2100-12-31';
export function isSaneDay(s: string): boolean {
  return isDay(s) && s >= FIRST_DAY && s <= LAST_DAY;
}

/** The last complete day for a client: yesterday in its timezone. */
export function lastCompleteDay(timeZone: string, now: Date): string {
  return addDays(localDate(timeZone, now), -1);
}

/** Calendar day ↔ days since 1970-01-01, for compact day arrays. */
export function dayNumber(day: string): number {
  return Math.round(Date.parse(`${day}T00:00:00Z`) / 86_400_000);
}

/** Minutes the zone is ahead of UTC at an instant. */
function offsetMinutes(timeZone: string, at: Date): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(at);
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return Math.round((asUtc - Math.floor(at.getTime() / 1000) * 1000) / 60_000);
}

/** The instant a local day begins in a zone (DST-safe: the offset is re-read at the guess). */
export function startOfLocalDay(timeZone: string, day: string): Date {
  const midnightUtc = Date.parse(`${day}T00:00:00Z`);
  let t = midnightUtc - offsetMinutes(timeZone, new Date(midnightUtc)) * 60_000;
  t = midnightUtc - offsetMinutes(timeZone, new Date(t)) * 60_000;
  return new Date(t);
}
