// Lookup files: the names of accounts, campaigns, ad sets and ads by id, for exports
// that carry only ids (Meta's ad-level breakdowns, warehouse dumps, API extracts).
// `adbrain import data.csv --names adsets.csv --names campaigns.csv` joins them, so a
// campaign shows by its name instead of "120210…". A lookup file may also say an ad
// set's campaign (or an ad's ad set), which fills a data file that lacks those ids.
import { AppError } from '../errors.ts';
import { normalizeHeader } from './formats.ts';
import Papa from 'papaparse';
import { decodeText } from './read-csv.ts';

export type NamedKind = 'account' | 'campaign' | 'adset' | 'ad';
const KINDS: NamedKind[] = ['account', 'campaign', 'adset', 'ad'];

const ID_HEADERS: Record<NamedKind, string[]> = {
  account: ['account id', 'advertiser id', 'customer id'],
  campaign: ['campaign id'],
  adset: ['ad set id', 'adset id', 'ad group id', 'adgroup id'],
  ad: ['ad id'],
};
const NAME_HEADERS: Record<NamedKind, string[]> = {
  account: ['account name', 'advertiser name', 'account'],
  campaign: ['campaign name', 'campaign'],
  adset: ['ad set name', 'adset name', 'ad group name', 'adgroup name', 'ad set', 'adset', 'ad group'],
  ad: ['ad name', 'ad'],
};
const PARENT: Partial<Record<NamedKind, NamedKind>> = { adset: 'campaign', ad: 'adset', campaign: 'account' };

/** id → name per kind, and id → parent id where a lookup file says it. Plain objects: it crosses to the parse worker. */
export interface NameLookup {
  names: Record<NamedKind, Record<string, string>>;
  parents: Record<NamedKind, Record<string, string>>;
  /** For the summary: each file and what it gave. */
  files: { file: string; kinds: NamedKind[]; rows: number }[];
}

export const emptyLookup = (): NameLookup => ({
  names: { account: {}, campaign: {}, adset: {}, ad: {} },
  parents: { account: {}, campaign: {}, adset: {}, ad: {} },
  files: [],
});

const MAX_LOOKUP_ROWS = 1_000_000;

/** Reads lookup files into one lookup; a file without an id + name pair, or one id with two names, is refused naming the file and lines. */
export function readNameLookup(files: { fileName: string; content: Buffer }[]): NameLookup {
  const out = emptyLookup();
  const firstLine: Record<NamedKind, Map<string, { line: number; file: string }>> = { account: new Map(), campaign: new Map(), adset: new Map(), ad: new Map() };
  for (const { fileName, content } of files) {
    const { header, records } = readTable(decodeText(content), fileName);
    if (records.length > MAX_LOOKUP_ROWS) throw new AppError('invalid_input', `${fileName}: a names file of more than ${MAX_LOOKUP_ROWS.toLocaleString('en-US')} rows`);
    const keys = header.map((h) => normalizeHeader(h).key);
    const col = (wanted: string[]) => {
      for (const w of wanted) {
        const i = keys.indexOf(w);
        if (i >= 0) return i;
      }
      return -1;
    };
    const given: NamedKind[] = [];
    for (const kind of KINDS) {
      const idCol = col(ID_HEADERS[kind]);
      const nameCol = col(NAME_HEADERS[kind]);
      if (idCol < 0) continue;
      const parent = PARENT[kind];
      const parentCol = parent ? col(ID_HEADERS[parent]) : -1;
      if (nameCol < 0 && parentCol < 0) continue;
      given.push(kind);
      for (const r of records) {
        const id = (r.cells[idCol] ?? '').trim();
        if (!id) continue;
        const name = nameCol >= 0 ? (r.cells[nameCol] ?? '').trim() : '';
        if (name) {
          const had = out.names[kind][id];
          if (had !== undefined && had !== name) {
            const at = firstLine[kind].get(id)!;
            throw new AppError('invalid_input', `${fileName}, line ${r.line}: ${kind} id ${id} is named "${name}" here and "${had}" in ${at.file}, line ${at.line}`);
          }
          out.names[kind][id] = name;
          if (!firstLine[kind].has(id)) firstLine[kind].set(id, { line: r.line, file: fileName });
        }
        const pid = parentCol >= 0 ? (r.cells[parentCol] ?? '').trim() : '';
        if (pid && parent) out.parents[kind][id] = pid;
      }
    }
    if (given.length === 0) {
      throw new AppError('invalid_input', `${fileName}: not a names file — it needs an id column and a name column of one kind ` +
        `(e.g. "campaign_id,campaign_name" or "ad set id,ad set name,campaign id"); its columns are ${header.slice(0, 12).map((h) => `"${h}"`).join(', ')}`);
    }
    out.files.push({ file: fileName, kinds: given, rows: records.length });
  }
  return out;
}

/** Fields that a lookup can stand in for: a data file without a campaign column but with campaign ids is complete with campaign names. */
export function lookupSupplies(lookup: NameLookup | undefined): NamedKind[] {
  if (!lookup) return [];
  return KINDS.filter((k) => Object.keys(lookup.names[k]).length > 0);
}

/** A names file is small and may have two columns (which the export reader would take for a report title): read it whole. */
function readTable(text: string, fileName: string): { header: string[]; records: { line: number; cells: string[] }[] } {
  const parsed = Papa.parse<string[]>(text, { skipEmptyLines: false });
  const quote = parsed.errors.find((e) => e.type === 'Quotes');
  if (quote) throw new AppError('invalid_input', `${fileName}: ${quote.message.toLowerCase()} (a quote that is never closed)`);
  const rows = parsed.data;
  // Papa's rows are physical lines unless a quoted cell holds a newline: count those to keep line numbers true.
  let line = 1;
  let header: string[] | undefined;
  const records: { line: number; cells: string[] }[] = [];
  for (const cells of rows) {
    const at = line;
    for (const c of cells) if (c.includes('\n')) line += c.split('\n').length - 1;
    line++;
    if (cells.every((c) => c.trim() === '')) continue;
    if (!header) header = cells;
    else records.push({ line: at, cells });
  }
  if (!header) throw new AppError('invalid_input', `${fileName} is empty`);
  return { header, records };
}
