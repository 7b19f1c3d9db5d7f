// `adbrain import`: a CSV file → one ImportRun and its metrics, in a single
// transaction. Strict by default: any bad row rejects the whole file and the
// database is not touched. With skipInvalid the good rows land and the bad ones
// are stored on the ImportRun.
import { createHash, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Db } from '../db/client.ts';
import { writeBatch } from '../db/metrics-write.ts';
import { withDbRetry, type RetryOptions } from '../db/retry.ts';
import { getClientBySlug } from '../domain/clients.ts';
import { AppError } from '../errors.ts';
import { localDate } from '../time.ts';
import type { RowErrorGroup } from './error-groups.ts';
import type { FormatName } from './formats.ts';
import { money } from '../reports/format.ts';
import { similarCampaignNames } from '../domain/entities.ts';
import type { DateOrderChoice } from './date-plan.ts';
import { readNameLookup, type NameLookup } from './names-lookup.ts';
import type { RowError } from './normalize.ts';
import { parseImport, type OffThread } from './parse-off-thread.ts';
import type { ColumnChoices, ParseRequest } from './parse.ts';

export const CSV_SOURCE = 'csv';
const MAX_STORED_ERRORS = 10_000;
export const MAX_LISTED_ERRORS = 100;
/** The share of a file's spend (or rows) --skip-invalid may drop without --allow-drop. */
export const MAX_DROP_SHARE = 0.05;
/** Repeated rows of one entity and day are what a breakdown export looks like: say how to read it. */
const breakdownHint = (errors: { reason: string }[]) =>
  errors.some((e) => e.reason.startsWith('duplicate row')) ? '. Several rows per entity and day are what a breakdown export (age, gender, placement, country) looks like: --sum-rows adds them up' : '';
const pctOf = (x: number) => `${(100 * x).toFixed(x < 0.1 ? 1 : 0)} %`;

export interface ImportOptions {
  clientSlug: string;
  format?: FormatName | 'auto';
  skipInvalid?: boolean;
  /** With skipInvalid: import even when the rejected rows carry more than 5 % of the file's spend. */
  allowDrop?: boolean;
  /** A breakdown export: add up the rows of one entity and day (age, gender, placement, country). */
  sumRows?: boolean;
  /** Constant columns: every row's campaign, account, ad set or currency. */
  set?: ParseRequest['set'];
  now?: Date;
  /** Retries of the write after a lost database connection (the write is one transaction). */
  dbRetry?: RetryOptions;
  /** a/b/yyyy dates: 'mdy' or 'dmy', or one per separator ({ '/': 'mdy', '-': 'dmy' }); 'auto' (default) reads the order from the file, per separator, and refuses what it cannot settle. */
  dateFormat?: 'auto' | DateOrderChoice;
  /** Names by id from lookup files (--names adsets.csv): see readNameLookup. */
  names?: NameLookup;
  /** Column mapping, conversions column, fixed platform. Given: used and saved on the client
   * for the next import; absent: the client's saved choices are used. */
  choices?: ColumnChoices;
  /** Parse in a worker thread: 'auto' (default) for files of 1 MB and more. */
  offThread?: OffThread;
}

export interface ImportSummary {
  /** Campaigns of one platform and account whose names differ only in case, spaces or punctuation. */
  similarNames?: { platform: string; names: string[] }[];
  importRunId: string | null;
  client: string;
  file: string;
  format: FormatName;
  status: 'succeeded' | 'partial' | 'failed';
  rows: number;
  imported: number;
  rejected: number;
  inserted: number;
  updated: number;
  unchanged: number;
  skippedSummaryRows: number;
  /** Rows without a single reported number. */
  skippedEmptyRows: number;
  /** Imported rows per metric whose value was not reported: stored as unknown, never as 0. */
  unknown: { impressions: number; clicks: number; conversions: number; revenue: number };
  entities: number;
  dateFrom: string | null;
  dateTo: string | null;
  /** How the dates were read ('YYYY-MM-DD', 'MM/DD/YYYY', 'DD-MM-YYYY', …, comma-separated). */
  dateFormat: string | null;
  /** How mixed or ambiguous dates were read: which the file's other dates settled, and how. */
  dateNotes: string[];
  /** Names files joined by id (--names), and what each gave. */
  names?: NameLookup['files'];
  /** The column choices used: given with this import (and saved), the client's saved ones, or none (the file's headers). */
  columns: ColumnChoices & { from: 'given' | 'saved' | 'file' };
  errors: RowError[];
  /** All row errors; `errors` lists the first MAX_LISTED_ERRORS. */
  errorsTotal: number;
  /** Every row error grouped by reason and column, with line ranges. */
  errorGroups: RowErrorGroup[];
}

export async function importCsvFile(db: Db, filePath: string, opts: ImportOptions): Promise<ImportSummary> {
  return importCsv(db, await readOrRefuse(filePath), path.basename(filePath), opts);
}

/** Reads names files from disk (--names), refusing a missing or unreadable one by name. */
export async function readNamesFiles(paths: string[]): Promise<NameLookup> {
  const files = await Promise.all(paths.map(async (p) => ({ fileName: path.basename(p), content: await readOrRefuse(p) })));
  return readNameLookup(files);
}

async function readOrRefuse(filePath: string): Promise<Buffer> {
  try {
    return await readFile(filePath);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new AppError('invalid_input', code === 'ENOENT' ? `file not found: ${filePath}` : `cannot read ${filePath} (${code})`);
  }
}

export async function importCsv(db: Db, content: Buffer, fileName: string, opts: ImportOptions): Promise<ImportSummary> {
  const client = await withDbRetry(() => getClientBySlug(db.prisma, opts.clientSlug), opts.dbRetry);
  const today = localDate(client.timezone, opts.now ?? new Date());
  // Parsing and validation are CPU work: large files go to a worker thread so the
  // server keeps answering while a 300k-row upload is read.
  const saved = (client.importSettings ?? {}) as ColumnChoices;
  const given = opts.choices && Object.values(opts.choices).some((v) => v !== undefined) ? opts.choices : undefined;
  const choices = given ?? saved;
  const parsed = await parseImport(content, {
    fileName, format: opts.format ?? 'auto', client: { slug: client.slug, currency: client.currency }, today,
    dayOrder: opts.dateFormat === 'auto' ? undefined : opts.dateFormat, choices, sumRows: opts.sumRows, set: opts.set, names: opts.names,
  }, opts.offThread);
  const { result, format } = parsed;
  const base = {
    client: client.slug,
    file: fileName,
    format,
    rows: result.rowsTotal,
    rejected: result.rejectedLines,
    skippedSummaryRows: result.skippedSummaryRows,
    skippedEmptyRows: result.skippedEmptyRows,
    unknown: result.unknown,
    dateFrom: result.dateFrom,
    dateTo: result.dateTo,
    dateFormat: result.dateFormat,
    dateNotes: result.dateNotes,
    ...(opts.names && { names: opts.names.files }),
    columns: { ...choices, from: given ? ('given' as const) : Object.keys(saved).length ? ('saved' as const) : ('file' as const) },
    // A response lists the first errors and how many there are; the import run keeps more.
    errors: result.errors.slice(0, MAX_LISTED_ERRORS),
    errorsTotal: parsed.errorsTotal,
    errorGroups: parsed.errorGroups,
  };
  if (result.rowsTotal === 0) {
    throw new AppError('invalid_input', `${fileName}: the file has a header but no data rows`);
  }
  if (result.errors.length > 0 && !opts.skipInvalid) {
    throw new AppError(
      'invalid_input',
      `${fileName}: ${result.rejectedLines} of ${result.rowsTotal} rows have errors; nothing was imported ` +
        `(fix them, or use --skip-invalid to import the valid rows)${breakdownHint(result.errors)}`,
      { ...base, importRunId: null, status: 'failed', imported: 0, inserted: 0, updated: 0, unchanged: 0, entities: 0 },
    );
  }

  if (result.rowsValid === 0) {
    // Even with skipInvalid: a call that imports nothing writes nothing.
    throw new AppError('invalid_input', `${fileName}: every row has errors; nothing was imported`, {
      ...base, importRunId: null, status: 'failed', imported: 0, inserted: 0, updated: 0, unchanged: 0, entities: 0,
    });
  }
  // --skip-invalid is for a few bad rows, not for keeping 17 of 316: dropping more
  // than 5 % of the spend (or, where the rejected rows' spend cannot be read, more than
  // 5 % of the rows) is refused unless asked for.
  const sp = result.spend;
  const droppedShare = sp.droppedCents / Math.max(1, sp.keptCents + sp.droppedCents);
  const rowShare = result.rejectedLines / Math.max(1, result.rowsTotal);
  if (result.errors.length > 0 && !opts.allowDrop && (droppedShare > MAX_DROP_SHARE || (sp.droppedUnreadRows > 0 && rowShare > MAX_DROP_SHARE))) {
    const what = sp.droppedCents > 0 ? `${pctOf(droppedShare)} of the spend (${money(sp.droppedCents, client.currency)} of ${money(sp.keptCents + sp.droppedCents, client.currency)}), ` : '';
    throw new AppError(
      'invalid_input',
      `${fileName}: --skip-invalid would drop ${what}${result.rejectedLines} of ${result.rowsTotal} rows; nothing was imported ` +
        `(fix the rows, or add --allow-drop to import the rest anyway)${breakdownHint(result.errors)}`,
      { ...base, importRunId: null, status: 'failed', imported: 0, inserted: 0, updated: 0, unchanged: 0, entities: 0, spend: sp },
    );
  }

  const importRunId = randomUUID();
  const status = result.errors.length > 0 ? 'partial' : 'succeeded';
  const sha = createHash('sha256').update(content).digest('hex');
  // All or nothing, retried whole when the connection drops. A retry after a lost
  // COMMIT acknowledgement finds its import run already there and rewrites nothing.
  const written = await withDbRetry(() => db.sql.tx(async (sql) => {
    await sql.query(
      `INSERT INTO import_run (id, client_id, source, format, file_name, file_sha256, status, rows_total,
                               rows_imported, rows_rejected, rejected, date_from, date_to, finished_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7::"RunStatus", $8, $9, $10, $11::jsonb, $12::date, $13::date, now())
       ON CONFLICT (id) DO NOTHING`,
      [
        importRunId, client.id, CSV_SOURCE, format, fileName, sha, status, result.rowsTotal,
        result.rowsValid, result.rejectedLines, JSON.stringify(result.errors.slice(0, MAX_STORED_ERRORS)),
        result.dateFrom, result.dateTo,
      ],
    );
    // Choices that worked are remembered for this client's next file.
    if (given) await sql.query('UPDATE client SET import_settings = $2::jsonb WHERE id = $1::uuid', [client.id, JSON.stringify(given)]);
    return writeBatch(sql, result.batch, { clientId: client.id, source: CSV_SOURCE, importRunId, yieldBetweenChunks: true, chunkRows: db.kind === 'pglite' ? 500 : 20_000 });
  }), opts.dbRetry);
  const summary: ImportSummary = {
    ...base,
    importRunId,
    status,
    imported: result.rowsValid,
    inserted: written.inserted,
    updated: written.updated,
    unchanged: written.unchanged,
    entities: written.entitiesTouched,
    // Two spellings of one campaign are pointed out (the brain never weighs them against each other).
    similarNames: await similarCampaignNames(db.sql, client.id),
  };
  return summary;
}
