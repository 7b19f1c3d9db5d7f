// Many rows failing for one reason are one finding: "299 rows: duplicate row … —
// lines 4–302", not 299 lines of output. Groups keep the first example value.
import type { RowError } from './normalize.ts';

export interface RowErrorGroup {
  column: string | null;
  reason: string;
  count: number;
  /** Compressed line ranges: "4–302, 310, 400–402" (at most 20 ranges, then "…"). */
  lines: string;
  example: string | null;
}

const MAX_GROUPS = 50;

export function groupRowErrors(errors: RowError[]): RowErrorGroup[] {
  const groups = new Map<string, { column: string | null; reason: string; lines: number[]; example: string | null }>();
  for (const e of errors) {
    // Line references inside reasons ("same day and entity as line 12") differ per row.
    const reason = e.reason.replace(/\bline \d+\b/g, 'an earlier line');
    const key = `${e.column ?? ''}\u0000${reason.replace(/\d+(\.\d+)?/g, '#')}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { column: e.column, reason, lines: [], example: e.value }));
    g.lines.push(e.line);
  }
  return [...groups.values()]
    .sort((a, b) => b.lines.length - a.lines.length || a.lines[0]! - b.lines[0]!)
    .slice(0, MAX_GROUPS)
    .map((g) => ({ column: g.column, reason: g.lines.length === 1 ? errors.find((e) => e.line === g.lines[0] && (e.column ?? null) === g.column)?.reason ?? g.reason : g.reason, count: g.lines.length, lines: ranges(g.lines), example: g.example }));
}

function ranges(lines: number[]): string {
  const sorted = [...new Set(lines)].sort((a, b) => a - b);
  const out: string[] = [];
  for (let i = 0; i < sorted.length && out.length < 20; i++) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    out.push(j > i ? `${sorted[i]}–${sorted[j]}` : `${sorted[i]}`);
    i = j;
  }
  const covered = out.length;
  return covered < countRanges(sorted) ? `${out.join(', ')}, …` : out.join(', ');
}

function countRanges(sorted: number[]): number {
  let n = 0;
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]! + 1) n++;
  return n;
}
