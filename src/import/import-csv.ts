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
import {
  describeMissing,
  detectFormat,
  FORMATS,
  normalizeHeader,
  planColumns,
  type ColumnPlan,
  type FormatName,
  type Header,
} from './formats.ts';
import { createNormalizer, type RowError } from './normalize.ts';
import { decodeText, streamCsv } from './read-csv.ts';

export const CSV_SOURCE = 'csv';
const MAX_STORED_ERRORS = 10_000;
export const MAX_LISTED_ERRORS = 100;

export interface ImportOptions {
  clientSlug: string;
  format?: FormatName | 'auto';
  skipInvalid?: boolean;
  now?: Date;
  /** Retries of the write after a lost database connection (the write is one transaction). */
  dbRetry?: RetryOptions;
}

export interface ImportSummary {
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
  entities: number;
  dateFrom: string | null;
  dateTo: string | null;
  errors: RowError[];
  /** All row errors; `errors` lists the first MAX_LISTED_ERRORS. */
  errorsTotal: number;
}

export async function importCsvFile(db: Db, filePath: string, opts: ImportOptions): Promise<ImportSummary> {
  let buf: Buffer;
  try {
    buf = await readFile(filePath);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new AppError('invalid_input', code === 'ENOENT' ? `file not found: ${filePath}` : `cannot read ${filePath} (${code})`);
  }
  return importCsv(db, buf, path.basename(filePath), opts);
}

export async function importCsv(db: Db, content: Buffer, fileName: string, opts: ImportOptions): Promise<ImportSummary> {
  const client = await withDbRetry(() => getClientBySlug(db.prisma, opts.clientSlug), opts.dbRetry);
  const today = localDate(client.timezone, opts.now ?? new Date());
  let plan: ColumnPlan | undefined;
  let normalizer: ReturnType<typeof createNormalizer> | undefined;
  const text = decodeText(content);
  const checkCharacters = text.includes('\u0000') || text.includes('\ufffd');
  streamCsv(text, fileName, (header) => {
    if (checkCharacters && header.some((h) => h.includes('\u0000') || h.includes('\ufffd'))) {
      throw new AppError('invalid_input', `${fileName}: the header has NUL bytes or bytes that are not UTF-8 (is it a binary file, or in another encoding?)`);
    }
    plan = planFor(header.map(normalizeHeader), opts.format ?? 'auto', fileName, client);
    normalizer = createNormalizer(plan, { currency: client.currency, today, checkCharacters });
    return normalizer.push;
  });
  const result = normalizer!.finish();
  const base = {
    client: client.slug,
    file: fileName,
    format: plan!.format.name,
    rows: result.rowsTotal,
    rejected: result.rejectedLines,
    skippedSummaryRows: result.skippedSummaryRows,
    dateFrom: result.dateFrom,
    dateTo: result.dateTo,
    // A response lists the first errors and how many there are; the import run keeps more.
    errors: result.errors.slice(0, MAX_LISTED_ERRORS),
    errorsTotal: result.errors.length,
  };
  if (result.rowsTotal === 0) {
    throw new AppError('invalid_input', `${fileName}: the file has a header but no data rows`);
  }
  if (result.errors.length > 0 && !opts.skipInvalid) {
    throw new AppError(
      'invalid_input',
      `${fileName}: ${result.rejectedLines} of ${result.rowsTotal} rows have errors; nothing was imported ` +
        '(fix them, or use --skip-invalid to import the valid rows)',
      { ...base, importRunId: null, status: 'failed', imported: 0, inserted: 0, updated: 0, unchanged: 0, entities: 0 },
    );
  }

  if (result.rowsValid === 0) {
    // Even with skipInvalid: a call that imports nothing writes nothing.
    throw new AppError('invalid_input', `${fileName}: every row has errors; nothing was imported`, {
      ...base, importRunId: null, status: 'failed', imported: 0, inserted: 0, updated: 0, unchanged: 0, entities: 0,
    });
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
        importRunId, client.id, CSV_SOURCE, plan!.format.name, fileName, sha, status, result.rowsTotal,
        result.rowsValid, result.rejectedLines, JSON.stringify(result.errors.slice(0, MAX_STORED_ERRORS)),
        result.dateFrom, result.dateTo,
      ],
    );
    return writeBatch(sql, result.batch, { clientId: client.id, source: CSV_SOURCE, importRunId });
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
  };
  return summary;
}

function planFor(headers: Header[], wanted: FormatName | 'auto', fileName: string, client: { slug: string; currency: string }): ColumnPlan {
  let plan: ColumnPlan | undefined;
  if (wanted === 'auto') {
    plan = detectFormat(headers);
    if (!plan) {
      const shown = headers.slice(0, 20).map((h) => `"${h.raw.length > 60 ? `${h.raw.slice(0, 59)}…` : h.raw}"`);
      const found = shown.join(', ') + (headers.length > 20 ? `, … ${headers.length - 20} more` : '');
      throw new AppError(
        'invalid_input',
        `${fileName}: could not recognise the columns (${found}). Expected the generic columns ` +
          `(${FORMATS.generic.required.join(', ')}; optional adset, ad, link, reach, frequency) ` +
          'or a TikTok / Meta Ads Manager export with a daily breakdown.',
      );
    }
  } else {
    const format = FORMATS[wanted];
    const r = planColumns(format, headers);
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
