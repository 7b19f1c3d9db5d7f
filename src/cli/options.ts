import { InvalidArgumentError, Option } from 'commander';
import { parsePlatform, PLATFORM_NAMES } from '../import/formats.ts';
import { parseColumnMap, SETTABLE_FIELDS, type SettableField } from '../import/parse.ts';
import { isSaneDay } from '../time.ts';
import { parseDateFormat } from '../import/date-plan.ts';
import { AppError } from '../errors.ts';

export const json = () => new Option('--json', 'print JSON for machines');

export const day = (v: string) => {
  if (!isSaneDay(v)) throw new InvalidArgumentError('expected a real date as YYYY-MM-DD (2000–2100)');
  return v;
};

export const int = (v: string) => {
  if (!/^\d+$/.test(v)) throw new InvalidArgumentError('expected a whole number');
  return Number(v);
};

/** A plain number such as an ROI (-0.5 = −50 %); the example is what the user is shown. */
export const numberLike = (example: string) => (v: string) => {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`must be a number like ${example}`);
  return n;
};

/**
 * Validation errors of the domain name its fields (reportHour); a command's user
 * typed flags (--report-hour). Rewrites an AppError's message and details with
 * the flags of this command; anything else passes through.
 */
/** "recipients.1" → "--recipients (value 2)": the flag, and which of its comma-separated values. */
function flagOf(flags: Record<string, string>, path: string): string {
  const m = /^(?:body\.)?([a-zA-Z]+)(?:\.(\d+))?$/.exec(path);
  const flag = m ? flags[m[1]!] : undefined;
  if (!m || !flag) return path;
  return m[2] === undefined ? flag : `${flag} (value ${Number(m[2]) + 1})`;
}

export function inFlags<T>(flags: Record<string, string>, run: () => Promise<T>): Promise<T> {
  return run().catch((err: unknown) => {
    if (!(err instanceof AppError)) throw err;
    // "reportHour: must be …" → "--report-hour: must be …" (only names before a colon: the wording stays).
    const swap = (s: string) => s.replace(/\b(?:body\.)?([a-zA-Z]+)(?=:)/g, (m, f: string) => flags[f] ?? m);
    const details = Array.isArray(err.details)
      ? (err.details as { path?: string; message?: string }[]).map((d) => ({ ...d, path: d.path === undefined ? d.path : flagOf(flags, d.path) }))
      : err.details;
    throw new AppError(err.code, swap(err.message), details, err.exitCode);
  });
}

/** An amount in the client's currency (converted to its minor unit once the client is known); "off" clears it. */
export const amountOrOff = (v: string) => {
  if (v === 'off') return null;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a non-negative amount or "off"');
  return v;
};

export const columnMap = (v: string) => {
  const r = parseColumnMap(v);
  if (typeof r === 'string') throw new InvalidArgumentError(r);
  return r;
};

/** --set field=value, repeatable: a constant column (campaign, account, adset, currency). */
export const setOption = (v: string, prev: Partial<Record<SettableField, string>> = {}) => {
  const eq = v.indexOf('=');
  const field = v.slice(0, eq).trim().toLowerCase();
  const value = v.slice(eq + 1).trim();
  if (eq < 1 || !value) throw new InvalidArgumentError(`"${v}" is not field=value (e.g. campaign="Spring sale")`);
  if (!(SETTABLE_FIELDS as readonly string[]).includes(field)) throw new InvalidArgumentError(`--set takes ${SETTABLE_FIELDS.join(', ')} (the platform: --platform)`);
  return { ...prev, [field]: value };
};

export const platformOption = (v: string) => {
  const p = parsePlatform(v);
  if (!p) throw new InvalidArgumentError(`unknown platform (one of: ${PLATFORM_NAMES.join(', ')})`);
  return p;
};

export const dateFormatOption = (v: string) => {
  const r = parseDateFormat(v);
  if (!r.ok) throw new InvalidArgumentError(r.reason);
  return r.value;
};

/** An option with fixed values that takes any letter case (--status applied = APPLIED). */
export function anyCaseChoice(flags: string, description: string, values: readonly string[]) {
  const canonical = new Map(values.map((v) => [v.toLowerCase(), v]));
  return new Option(flags, `${description ? `${description} ` : ''}(${values.join(', ')}; any case)`).argParser((v: string) => {
    const c = canonical.get(v.trim().toLowerCase());
    if (!c) throw new InvalidArgumentError(`expected one of ${values.join(', ')}`);
    return c;
  });
}
