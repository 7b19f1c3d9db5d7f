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
  type FormatName,
  type Header,
} from './formats.ts';
import { createNormalizer, type NormalizeResult } from './normalize.ts';
import { groupRowErrors, type RowErrorGroup } from './error-groups.ts';
import { decodeText, streamCsv } from './read-csv.ts';
import type { DayOrder } from './values.ts';

export interface ParseRequest {
  fileName: string;
  format: FormatName | 'auto';
  client: { slug: string; currency: string };
  /** The client's local today: later dates are refused. */
  today: string;
  /** a/b/yyyy dates: month-first or day-first, as the user said; absent = read from the file. */
  dayOrder?: DayOrder;
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
  let plan: ColumnPlan | undefined;
  let normalizer: ReturnType<typeof createNormalizer> | undefined;
  const text = decodeText(Buffer.from(content.buffer, content.byteOffset, content.byteLength));
  const checkCharacters = text.includes('\u0000') || text.includes('\ufffd');
  streamCsv(text, req.fileName, (header) => {
    if (checkCharacters && header.some((h) => h.includes('\u0000') || h.includes('\ufffd'))) {
      throw new AppError('invalid_input', `${req.fileName}: the header has NUL bytes or bytes that are not UTF-8 (is it a binary file, or in another encoding?)`);
    }
    plan = planFor(header.map(normalizeHeader), req.format, req.fileName, req.client);
    normalizer = createNormalizer(plan, { currency: req.client.currency, today: req.today, checkCharacters, dayOrder: req.dayOrder }, req.fileName);
    return normalizer.push;
  });
  const result = normalizer!.finish();
  return { format: plan!.format.name, result, errorsTotal: result.errors.length, errorGroups: groupRowErrors(result.errors) };
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
