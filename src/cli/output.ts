// Printing for the CLI: JSON for machines, aligned text for people, and errors
// without stack traces.
import { ConfigError } from '../config.ts';
import { redact } from '../crypto/redact.ts';
import { isTransientDbError, userMessage } from '../db/retry.ts';
import { AppError } from '../errors.ts';

export function printJson(value: unknown) {
  process.stdout.write(JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? Number(v) : v), 2) + '\n');
}

export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

interface RowErrorLike {
  line: number;
  column: string | null;
  value: string | null;
  reason: string;
}

interface RowErrorGroupLike {
  column: string | null;
  reason: string;
  count: number;
  lines: string;
  example: string | null;
}

/** Grouped errors: one line per reason, with how many rows and which lines. */
export function formatErrorGroups(groups: RowErrorGroupLike[], total: number): string[] {
  const lines = groups.map((g) => {
    const value = g.example !== null && g.example !== '' ? ` (value: ${JSON.stringify(g.example)})` : '';
    if (g.count === 1) return `  line ${g.lines}${g.column ? `, ${g.column}` : ''}: ${g.reason}${value}`;
    return `  ${g.count} rows${g.column ? `, ${g.column}` : ''}: ${g.reason}${value.replace('value', 'e.g.')} — lines ${g.lines}`;
  });
  const shown = groups.reduce((n, g) => n + g.count, 0);
  if (total > shown) lines.push(`  … and ${total - shown} more`);
  return lines;
}

export function formatRowErrors(errors: RowErrorLike[], limit = 50, total = errors.length): string[] {
  const lines = errors.slice(0, limit).map((e) => {
    const where = `line ${e.line}${e.column ? `, ${e.column}` : ''}`;
    const value = e.value !== null && e.value !== '' ? ` (value: ${JSON.stringify(e.value)})` : '';
    return `  ${where}: ${e.reason}${value}`;
  });
  const shown = Math.min(limit, errors.length);
  if (total > shown) lines.push(`  … and ${total - shown} more (the import run keeps the first 10,000)`);
  return lines;
}

/** Each line at most `max` characters: a message that quotes what the user typed (100 KB of it) stays readable. */
export const clipLines = (s: string, max = 300) => s.split('\n').map((l) => (l.length > max ? `${l.slice(0, max - 1)}…` : l)).join('\n');

/** Prints an error for the user and returns the exit code. */
export function reportError(err: unknown, json: boolean, debug: boolean): number {
  if (err instanceof ConfigError) {
    if (json) printJson({ error: { code: 'config', message: err.message } });
    else process.stderr.write(`error: ${err.message}\n`);
    return 2;
  }
  if (err instanceof AppError) {
    if (json) {
      printJson({ error: { code: err.code, message: redact(err.message), details: err.details ?? null } });
    } else {
      process.stderr.write(`error: ${clipLines(redact(err.message))}\n`);
      const d = err.details as { errors?: RowErrorLike[]; errorsTotal?: number; errorGroups?: RowErrorGroupLike[] } | RowErrorLike[] | { path: string; message: string }[] | undefined;
      if (d && !Array.isArray(d) && Array.isArray(d.errorGroups)) process.stderr.write(formatErrorGroups(d.errorGroups, d.errorsTotal ?? 0).join('\n') + '\n');
      else if (d && !Array.isArray(d) && Array.isArray(d.errors)) process.stderr.write(formatRowErrors(d.errors, 50, d.errorsTotal).join('\n') + '\n');
      else if (Array.isArray(d)) {
        for (const i of d as { path?: string; message?: string }[]) {
          if (i.path !== undefined) process.stderr.write(`  ${clipLines(`${i.path}: ${i.message}`)}\n`);
        }
      }
    }
    return err.exitCode;
  }
  const message = userMessage(err);
  const transient = isTransientDbError(err);
  const code = transient ? 'database_unavailable' : 'internal';
  if (json) printJson({ error: { code, message } });
  else process.stderr.write(`error: ${transient ? '' : 'unexpected failure: '}${message}${debug ? '' : ' (set ADBRAIN_DEBUG=1 for details)'}\n`);
  if (debug) process.stderr.write(`${redact((err as Error)?.stack ?? '')}\n`);
  return 1;
}
