// Checking what an agent says against what adbrain's tools returned: every
// number in a text is matched to a value in a tool result (money to money in the
// same currency, a percentage to a percentage, a multiplier to a multiplier, a
// count to a count, each within the rounding its own digits imply) and reported
// with the tool call that produced it — or flagged as unsupported, with why.
// Stricter than the summary guard on units: "$123,456" is not the $1,234.56 a
// result shows (cents read as dollars), "2.3%" is not a ROAS of 2.31×, and
// "€1,234" is not $1,234. Names are data: digits in a name are never a fact, and
// a name quoted in the text is not a claim.
import { extractNumbers, NAME_KEYS, sameCurrency, stripNames, type NumberKind } from './grounding.ts';

export interface Source {
  tool: string;
  args: Record<string, unknown>;
}

export interface Fact {
  kind: NumberKind;
  value: number;
  /** As the result wrote it ("$1,234.56", "45.0%", "12"). */
  text: string;
  /** Where in the result ("rows[Spring Sale].spend"). */
  label: string;
  currency?: string;
  year?: number;
  source: Source;
}

export interface FactIndex {
  facts: Fact[];
  names: string[];
  /** Periods the results cover: a date inside one is a reference, not a claim. */
  periods: { from: string; to: string }[];
}

export interface ClaimCheck {
  text: string;
  kind: NumberKind;
  supported: boolean;
  /** The fact it matched (supported), or the nearest fact of that kind (unsupported). */
  fact?: { text: string; label: string; source: Source };
  reason?: string;
}

// Keys whose values are identifiers, links or labels of a kind: never numbers to quote.
const SKIP = new Set(['id', 'key', 'cursor', 'nextCursor', 'html', 'pdf', 'currency', 'kind', 'type', 'status', 'severity', 'platform', 'by', 'at', 'firstSeen', 'lastSeen', 'sentAt', 'range', 'basis', 'note']);
// The summary facts' name keys, less from / to (here they are dates of a period).
const NAMES = new Set([...[...NAME_KEYS].filter((k) => k !== 'from' && k !== 'to'), 'path', 'slug']);
// Labels of array items: what a person would call the row.
const ROW_NAME = ['name', 'label', 'date', 'title', 'metric', 'slug'];

export function emptyIndex(): FactIndex {
  return { facts: [], names: [], periods: [] };
}

/** Adds a tool result's numbers (and names, and periods) to the index. */
export function addResult(index: FactIndex, source: Source, result: unknown) {
  const strings: { label: string; text: string }[] = [];
  const numbers: { label: string; value: number }[] = [];
  const walk = (v: unknown, key: string, label: string) => {
    if (v === null || v === undefined || SKIP.has(key)) return;
    if (typeof v === 'string') {
      if (NAMES.has(key)) index.names.push(v);
      else strings.push({ label, text: v });
    } else if (typeof v === 'number') {
      if (Number.isFinite(v)) numbers.push({ label, value: v });
    } else if (Array.isArray(v)) {
      v.forEach((x, i) => {
        const named = x && typeof x === 'object' ? ROW_NAME.map((k) => (x as Record<string, unknown>)[k]).find((n) => typeof n === 'string') : undefined;
        walk(x, key, `${label}[${named ?? i}]`);
      });
    } else if (typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.from === 'string' && typeof o.to === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(o.from) && /^\d{4}-\d{2}-\d{2}$/.test(o.to)) index.periods.push({ from: o.from, to: o.to });
      for (const [k, x] of Object.entries(o)) walk(x, k, label ? `${label}.${k}` : k);
    }
  };
  walk(result, '', '');
  index.names = [...new Set(index.names.filter((n) => n.trim().length >= 2))].sort((a, b) => b.length - a.length);
  for (const s of strings) {
    // Dates in the from / to of a period are references; other strings are read like a person reads them.
    for (const t of extractNumbers(stripNames(s.text, index.names))) {
      index.facts.push({ kind: t.kind, value: t.value, text: t.text, label: s.label, currency: t.currency, year: t.year, source });
    }
  }
  for (const n of numbers) index.facts.push({ kind: 'plain', value: Math.abs(n.value), text: String(n.value), label: n.label, source });
}

// Which fact kinds a claim of each kind may rest on.
const RESTS_ON: Record<Exclude<NumberKind, 'date'>, NumberKind[]> = {
  money: ['money'],
  percent: ['percent'],
  multiplier: ['multiplier'],
  // "12 conversions", "spent 1,234" without a symbol, "a ROAS of 2.31".
  plain: ['plain', 'money', 'multiplier'],
};

const dayOf = (d: string) => Number(d.slice(5, 7)) * 100 + Number(d.slice(8, 10));

function inPeriod(t: { value: number; year?: number }, periods: FactIndex['periods']) {
  for (const p of periods) {
    for (let d = new Date(`${p.from}T00:00:00Z`), i = 0; d <= new Date(`${p.to}T00:00:00Z`) && i < 400; d.setUTCDate(d.getUTCDate() + 1), i++) {
      const iso = d.toISOString().slice(0, 10);
      if (dayOf(iso) === t.value && (t.year === undefined || Number(iso.slice(0, 4)) === t.year)) return true;
    }
  }
  return false;
}

/** Every number in `text`, matched to a fact or flagged. `currency` is the client's (a bare "$" agrees with any dollar). */
export function verifyText(text: string, index: FactIndex, currency?: string): ClaimCheck[] {
  const out: ClaimCheck[] = [];
  for (const t of extractNumbers(stripNames(text, index.names))) {
    if (t.kind === 'date') {
      const f = index.facts.find((x) => x.kind === 'date' && x.value === t.value && (t.year === undefined || x.year === undefined || x.year === t.year));
      if (f) out.push({ text: t.text, kind: t.kind, supported: true, fact: { text: f.text, label: f.label, source: f.source } });
      else if (inPeriod(t, index.periods)) out.push({ text: t.text, kind: t.kind, supported: true, reason: 'a day inside the period the tools covered' });
      else out.push({ text: t.text, kind: t.kind, supported: false, reason: `date "${t.text}" is not in any tool result or period` });
      continue;
    }
    if (t.kind === 'money' && t.currency && currency && !sameCurrency(t.currency, currency)) {
      out.push({ text: t.text, kind: t.kind, supported: false, reason: `"${t.text}" is in ${t.currency}; this client's numbers are in ${currency}` });
      continue;
    }
    const tol = Math.max(t.tolerance, 1e-9) + 1e-9 * t.value;
    const kinds = RESTS_ON[t.kind];
    const candidates = index.facts.filter((f) => kinds.includes(f.kind) && (t.kind !== 'money' || sameCurrency(t.currency, f.currency)));
    const hit = candidates.find((f) => Math.abs(f.value - t.value) <= tol);
    if (hit) {
      out.push({ text: t.text, kind: t.kind, supported: true, fact: { text: hit.text, label: hit.label, source: hit.source } });
      continue;
    }
    // Why not: the same digits under another unit, cents read as dollars, or simply not there.
    const otherUnit = index.facts.find((f) => !kinds.includes(f.kind) && f.kind !== 'date' && Math.abs(f.value - t.value) <= tol);
    const centsAsDollars = t.kind === 'money' ? candidates.find((f) => Math.abs(f.value * 100 - t.value) <= tol || Math.abs(f.value / 100 - t.value) <= tol) : undefined;
    const near = candidates.reduce<Fact | undefined>((b, f) => (b === undefined || Math.abs(f.value - t.value) < Math.abs(b.value - t.value) ? f : b), undefined);
    const reason = centsAsDollars
      ? `"${t.text}" is 100 times off ${centsAsDollars.text} (${centsAsDollars.label}): cents and whole units confused`
      : otherUnit
        ? `"${t.text}" is written as ${t.kind}, but the tools gave ${otherUnit.text} (${otherUnit.label}) as ${otherUnit.kind}`
        : `${t.kind} "${t.text}" is in no tool result${near ? ` (nearest: ${near.text}, ${near.label})` : ''}`;
    const ref = centsAsDollars ?? (otherUnit as Fact | undefined) ?? near;
    out.push({ text: t.text, kind: t.kind, supported: false, reason, ...(ref ? { fact: { text: ref.text, label: ref.label, source: ref.source } } : {}) });
  }
  return out;
}
