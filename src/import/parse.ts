// A CSV file → the rows to write, or every reason it cannot be imported. Pure CPU
// work (no database), so it can run on the main thread or in a worker.
import { AppError } from '../errors.ts';
import {
  describeMissing,
  detectFormat,
  FORMATS,
  normalizeHeader,
  planColumns,
  type ColumnPlan,
  type Field,
  type FormatName,
  type FormatSpec,
  type Header,
} from './formats.ts';
import type { Platform } from '../generated/prisma/enums.ts';
import { createNormalizer, type NormalizeResult } from './normalize.ts';
import { groupRowErrors, type RowErrorGroup } from './error-groups.ts';
import { decodeText, streamCsv } from './read-csv.ts';
import { lookupSupplies, type NameLookup } from './names-lookup.ts';
import { DatePlanChanged, type DateOrderChoice } from './date-plan.ts';

export interface ParseRequest {
  fileName: string;
  format: FormatName | 'auto';
  client: { slug: string; currency: string };
  /** The client's local today: later dates are refused. */
  today: string;
  /** a/b/yyyy dates: month-first or day-first (for all, or per separator), as the user said; absent = read from the file. */
  dayOrder?: DateOrderChoice;
  /** The user's say on columns: a mapping, the conversions column, a fixed platform. */
  choices?: ColumnChoices;
  /** Add up several rows of one entity and day (a breakdown export) instead of refusing them. */
  sumRows?: boolean;
  /** A constant column: every row's campaign, account, ad set or currency (--set campaign="Spring sale"). */
  set?: Partial<Record<SettableField, string>>;
  /** Names by id from lookup files (--names): a file of ids needs no name columns. */
  names?: NameLookup;
}

export interface ColumnChoices {
  /** field → header as written in the file ("spend" → "Kosten"): any language, any tool. */
  map?: Partial<Record<Field, string>>;
  /** Which column counts as conversions: a kind (purchases, leads, results, …) or a header. */
  conversions?: string;
  /** The platform of a file without a platform column. */
  platform?: Platform;
}

/** Fields a file may lack that --set can give one value for every row. */
export const SETTABLE_FIELDS = ['campaign', 'account', 'adset', 'currency'] as const;
export type SettableField = (typeof SETTABLE_FIELDS)[number];

/** Conversion kinds and the headers the platforms give them (Meta's result types among them). */
export const CONVERSION_KINDS: Record<string, string[]> = {
  purchases: ['purchases', 'website purchases', 'purchase', 'complete payment', 'conversions'],
  leads: ['leads', 'website leads', 'on-facebook leads', 'meta leads', 'lead', 'form submissions'],
  results: ['results', 'result'],
  checkouts_initiated: ['checkouts initiated', 'website checkouts initiated', 'initiate checkout', 'initiated checkout'],
  adds_to_cart: ['adds to cart', 'website adds to cart', 'add to cart'],
  registrations: ['registrations completed', 'website registrations completed', 'complete registration', 'registrations'],
  messaging: ['messaging conversations started', 'new messaging contacts', 'messaging contacts'],
  installs: ['app installs', 'installs', 'mobile app installs'],
};

const FIELD_NAMES = new Set<string>(Object.keys({ ...FORMATS.generic.columns, ...FORMATS.meta.columns, ...FORMATS.tiktok.columns }));
export function isField(s: string): s is Field {
  return FIELD_NAMES.has(s);
}
export const FIELDS = [...FIELD_NAMES];

/** "campaign=Kampagne,spend=Kosten" → { campaign: 'Kampagne', spend: 'Kosten' }, or what is wrong with it. */
export function parseColumnMap(v: string): Partial<Record<Field, string>> | string {
  const map: Partial<Record<Field, string>> = {};
  for (const pair of v.split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = pair.indexOf('=');
    const field = pair.slice(0, eq).trim().toLowerCase();
    const header = pair.slice(eq + 1).trim();
    if (eq < 1 || !header) return `"${pair}" is not field=Header (e.g. campaign=Kampagne)`;
    if (!isField(field)) return `unknown field "${field}" (fields: ${FIELDS.join(', ')})`;
    map[field] = header;
  }
  return map;
}

export interface ParsedImport {
  format: FormatName;
  result: NormalizeResult;
  /** Every row error; `result.errors` may hold only the first ones (from a worker). */
  errorsTotal: number;
  /** All row errors grouped by reason (computed over every error, before any cap). */
  errorGroups: RowErrorGroup[];
}

export function parseImportSync(content: Uint8Array, req: ParseRequest): ParsedImport {
  try {
    return parseOnce(content, req);
  } catch (err) {
    // Dates late in the file changed how earlier ones read (rare): once more, every date known.
    if (err instanceof DatePlanChanged) return parseOnce(content, req, err.samples);
    throw err;
  }
}

function parseOnce(content: Uint8Array, req: ParseRequest, dateSamples?: { raw: string; line: number }[]): ParsedImport {
  let plan: ColumnPlan | undefined;
  let normalizer: ReturnType<typeof createNormalizer> | undefined;
  const text = decodeText(Buffer.from(content.buffer, content.byteOffset, content.byteLength));
  const checkCharacters = text.includes('\u0000') || text.includes('\ufffd');
  streamCsv(text, req.fileName, (header) => {
    if (checkCharacters && header.some((h) => h.includes('\u0000') || h.includes('\ufffd'))) {
      throw new AppError('invalid_input', `${req.fileName}: the header has NUL bytes or bytes that are not UTF-8 (is it a binary file, or in another encoding?)`);
    }
    const headers = header.map(normalizeHeader);
    const original = headers.map((h) => ({ ...h }));
    const mapped = applyMap(headers, req.choices?.map, req.fileName);
    const constants = Object.entries(req.set ?? {}) as [SettableField, string][];
    const supplied = new Set<Field>([...constants.map(([f]) => f), ...lookupSupplies(req.names)]);
    // --map adds to what the file's own headers say: a format recognised without the
    // mapping stays recognised (mapping Meta's "Amount spent" turned Meta detection off).
    plan = (mapped.length ? planOrNothing(() => planFor(original, req.format, req.fileName, req.client, req.choices?.platform, supplied)) : undefined)
      ?? planFor(headers, req.format, req.fileName, req.client, req.choices?.platform, supplied);
    for (const [field, i] of mapped) plan.index[field] = i;
    // --set: one value for every row, read as an extra column at the end of each row.
    for (const [k, [field]] of constants.entries()) {
      if (plan.index[field] !== undefined) throw new AppError('invalid_input', `${req.fileName}: --set ${field}=…: the file has a ${field} column ("${headers[plan.index[field]!]!.raw}"); map or fix that column instead`);
      plan.index[field] = header.length + k;
    }
    if (constants.length) plan = { ...plan, headers: [...plan.headers, ...constants.map(([f]) => normalizeHeader(`${f} (--set)`))] };
    if (req.choices?.conversions) plan.index.conversions = conversionsColumn(headers, req.choices.conversions, req.fileName);
    normalizer = createNormalizer(plan, { currency: req.client.currency, today: req.today, checkCharacters, dayOrder: req.dayOrder, dateSamples, sumRows: req.sumRows, names: req.names }, req.fileName);
    if (constants.length === 0) return normalizer.push;
    const values = constants.map(([, v]) => v);
    const push = normalizer.push;
    // A blank line stays blank (it is skipped, not a row of constants).
    return (records) => push(records.map((r) => (r.cells.length === 1 && r.cells[0]!.trim() === '' ? r : { line: r.line, cells: [...r.cells, ...values] })));
  });
  const result = normalizer!.finish();
  return { format: plan!.format.name, result, errorsTotal: result.errors.length, errorGroups: groupRowErrors(result.errors) };
}

const shownHeaders = (headers: Header[]) =>
  headers.slice(0, 20).map((h) => `"${h.raw.length > 60 ? `${h.raw.slice(0, 59)}…` : h.raw}"`).join(', ') + (headers.length > 20 ? `, … ${headers.length - 20} more` : '');

/** Renames mapped headers to the generic names (so detection sees them) and returns field → column. */
function applyMap(headers: Header[], map: ColumnChoices['map'], fileName: string): [Field, number][] {
  const out: [Field, number][] = [];
  for (const [field, name] of Object.entries(map ?? {}) as [Field, string][]) {
    const key = normalizeHeader(name).key;
    const i = headers.findIndex((h) => h.key === key);
    if (i < 0) throw new AppError('invalid_input', `${fileName}: --map ${field}=${name}: the file has no column "${name}" (columns: ${shownHeaders(headers)})`);
    headers[i] = { ...headers[i]!, key: FORMATS.generic.columns[field]?.[0] ?? field };
    out.push([field, i]);
  }
  return out;
}

function conversionsColumn(headers: Header[], choice: string, fileName: string): number {
  const wanted = CONVERSION_KINDS[choice.toLowerCase()] ?? [normalizeHeader(choice).key];
  for (const w of wanted) {
    const i = headers.findIndex((h) => h.key === w);
    if (i >= 0) return i;
  }
  const known = new Set(Object.values(CONVERSION_KINDS).flat());
  const present = headers.filter((h) => known.has(h.key)).map((h) => `"${h.raw}"`);
  throw new AppError('invalid_input', `${fileName}: --conversions ${choice}: no such column (${wanted.map((w) => `"${w}"`).join(', ')}). ` +
    (present.length ? `Conversion columns in this file: ${present.join(', ')}.` : 'The file has no conversion column adbrain knows; name the header itself.'));
}

function planOrNothing(f: () => ColumnPlan): ColumnPlan | undefined {
  try {
    return f();
  } catch (err) {
    if (err instanceof AppError && err.code === 'invalid_input') return undefined;
    throw err;
  }
}

/** The format the headers come closest to, and the fields it still lacks. */
function closest(headers: Header[]): { format: FormatSpec; missing: Field[] } {
  const tries = (Object.keys(FORMATS) as FormatName[]).map((n) => ({ format: FORMATS[n], missing: planColumns(FORMATS[n], headers).missing }));
  return tries.sort((a, b) => a.missing.length - b.missing.length)[0]!;
}

function planFor(headers: Header[], wanted: FormatName | 'auto', fileName: string, client: { slug: string; currency: string }, platform?: Platform, supplied?: ReadonlySet<Field>): ColumnPlan {
  let plan: ColumnPlan | undefined;
  // A fixed platform stands in for a platform column in generic files.
  const generic: FormatSpec = platform ? { ...FORMATS.generic, platform, required: FORMATS.generic.required.filter((f) => f !== 'platform') } : FORMATS.generic;
  if (wanted === 'auto') {
    plan = platform ? (planColumns(generic, headers, supplied).plan ?? detectFormat(headers, supplied)) : detectFormat(headers, supplied);
    if (!plan) {
      const found = shownHeaders(headers);
      const near = closest(headers);
      throw new AppError(
        'invalid_input',
        `${fileName}: could not recognise the columns (${found}). Closest: a ${near.format.label}, missing ${describeMissing(near.format, near.missing)}. Expected the generic columns ` +
          `(${FORMATS.generic.required.join(', ')}; optional account, adset, ad, link, reach, frequency), ` +
          'a TikTok / Meta Ads Manager export or a Google Ads report with a daily breakdown, or map your columns with --map field=Header.' +
          idsHint(headers, near.missing),
      );
    }
  } else {
    const format = wanted === 'generic' ? generic : FORMATS[wanted];
    const r = planColumns(format, headers, supplied);
    if (!r.plan) {
      throw new AppError('invalid_input', `${fileName}: not a ${format.label}: missing column(s) ${describeMissing(format, r.missing)}`);
    }
    plan = r.plan;
  }
  // Money columns that name a currency must match the client's.
  for (const f of ['spend', 'revenue'] as const) {
    const i = plan.index[f];
    const cur = i === undefined ? undefined : headers[i]!.currency;
    if (cur && cur !== client.currency) {
      throw new AppError(
        'invalid_input',
        `${fileName}: column "${headers[i!]!.raw}" is in ${cur} but client '${client.slug}' reports in ${client.currency}. ` +
          'Export in the client currency or change the client currency.',
      );
    }
  }
  return plan;
}

/** A file of ids without names: say that names files join them. */
function idsHint(headers: Header[], missing: Field[]): string {
  if (!missing.includes('campaign')) return '';
  const ids = headers.filter((h) => /^(campaign|ad set|adset|ad group|ad) id$/.test(h.key));
  return ids.length ? ` The file has ids (${ids.map((h) => `"${h.raw}"`).join(', ')}): names files join their names by id (--names adsets.csv --names campaigns.csv).` : '';
}
