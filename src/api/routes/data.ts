// Imports (CSV upload → import run) and metrics (by entity, date range, grouping).
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { HonoRequest } from 'hono';
import { AppError } from '../../errors.ts';
import { importCsv } from '../../import/import-csv.ts';
import { parseColumnMap, type ColumnChoices } from '../../import/parse.ts';
import { parseDateFormat } from '../../import/date-plan.ts';
import { readNameLookup, type NameLookup } from '../../import/names-lookup.ts';
import type { Platform } from '../../generated/prisma/enums.ts';
import { amountUnit } from '../../domain/currency.ts';
import { checkRange, METRIC_GROUPS, queryMetrics } from '../../reports/metrics-query.ts';
import { Day, IdParam, anyCase, errors, isoDay, json, requireRole, scopedClient, security } from '../common.ts';
import type { AppEnv } from '../env.ts';
import { audit } from '../audit.ts';
import { importAuditOf } from '../../audit/of.ts';

export const MAX_IMPORT_BYTES = 50 * 1024 * 1024;

const ImportQuery = z.object({
  format: anyCase(['auto', 'generic', 'tiktok', 'meta', 'google']).default('auto'),
  skipInvalid: z.enum(['true', 'false']).default('false'),
  sumRows: z.enum(['true', 'false']).default('false').openapi({ description: 'a breakdown export: add up the rows of one entity and day' }),
  allowDrop: z.enum(['true', 'false']).default('false').openapi({ description: 'with skipInvalid: import even when the rejected rows carry more than 5 % of the spend' }),
  dateFormat: z.string().max(40).default('auto').openapi({ description: 'a/b/yyyy dates: auto (per separator, from the file), mdy, dmy, or per separator "/=mdy,-=dmy"' }),
  map: z.string().max(2000).optional().openapi({ description: 'your headers for our fields: campaign=Kampagne,spend=Kosten (saved for the client)' }),
  conversions: z.string().max(100).optional().openapi({ description: 'the conversions column: purchases, leads, results, checkouts_initiated, … or a header (saved)' }),
  platform: anyCase(['tiktok', 'meta', 'google', 'shopify', 'redtrack', 'other']).optional().openapi({ description: 'platform of a file without a platform column (saved)' }),
  setCampaign: z.string().min(1).max(500).optional().openapi({ description: 'the campaign of every row, for a file without a campaign column' }),
  setAccount: z.string().min(1).max(500).optional().openapi({ description: 'the account of every row' }),
  setAdset: z.string().min(1).max(500).optional().openapi({ description: 'the ad set of every row' }),
  setCurrency: z.string().length(3).optional().openapi({ description: 'the currency of every row' }),
  fileName: z.string().max(200).default('upload.csv'),
});

const ImportRunSchema = z.object({
  id: z.uuid(), fileName: z.string(), format: z.string(), status: z.string(), rowsTotal: z.number(), rowsImported: z.number(), rowsRejected: z.number(),
  rejected: z.any(), dateFrom: z.string().nullable(), dateTo: z.string().nullable(), startedAt: z.string(),
}).openapi('ImportRun');

const MetricsQuery = z.object({
  from: Day,
  to: Day,
  groupBy: z.enum(METRIC_GROUPS).default('day'),
  entityId: z.uuid().optional(),
});

const tags = ['data'];

const AmountUnit = z.object({ field: z.string(), minorUnitsPerUnit: z.number().int(), exponent: z.number().int() })
  .openapi('AmountUnit', { description: 'Amounts (…Cents fields) are integers in the currency\'s minor unit: 100 per USD, 1 per JPY (ISO 4217 exponents)' });

export function dataRoutes(app: OpenAPIHono<AppEnv>) {
  app.openapi(
    createRoute({
      method: 'post', path: '/v1/clients/{id}/imports', tags, security,
      summary: 'Upload a CSV (generic, TikTok or Meta export) as the request body (member). Strict by default: any bad row → 422 listing every bad row, nothing imported',
      request: {
        params: IdParam, query: ImportQuery,
        body: {
          content: {
            'text/csv': { schema: z.string() },
            // A plain schema (not zod): the handler reads the form itself, after the key, role and client are checked.
            'multipart/form-data': { schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary', description: 'the CSV' }, names: { type: 'array', items: { type: 'string', format: 'binary' }, description: 'names files (ids → names), joined by id; repeat the part for several' } } } },
          },
          required: true,
        },
      },
      responses: { 201: json(z.any(), 'Imported: the import summary'), 413: json(z.any(), 'File too large'), ...errors },
    }),
    async (c) => {
      requireRole(c, 'member');
      const client = await scopedClient(c, c.req.valid('param').id);
      const q = c.req.valid('query');
      const { buf, names } = await importBody(c.req);
      if (buf.length === 0) throw new AppError('invalid_input', 'the request body is empty: send the CSV file as the body (Content-Type: text/csv)');
      if (buf.length > MAX_IMPORT_BYTES) throw new AppError('invalid_input', `the file is larger than ${MAX_IMPORT_BYTES / 1024 / 1024} MB`);
      const deps = c.get('deps');
      const dateFormat = parseDateFormat(q.dateFormat);
      if (!dateFormat.ok) throw new AppError('invalid_input', `dateFormat ${dateFormat.reason}`);
      const r = await importCsv(deps.db, buf, q.fileName, { clientSlug: client.slug, format: q.format, skipInvalid: q.skipInvalid === 'true', allowDrop: q.allowDrop === 'true', sumRows: q.sumRows === 'true', dateFormat: dateFormat.value, names,
        set: { ...(q.setCampaign && { campaign: q.setCampaign }), ...(q.setAccount && { account: q.setAccount }), ...(q.setAdset && { adset: q.setAdset }), ...(q.setCurrency && { currency: q.setCurrency }) }, now: deps.now(), choices: choicesOf(q), dbRetry: deps.config.dbRetry });
      await audit(c, { action: 'import.create', entityType: 'import_run', entityId: r.importRunId, clientId: client.id, after: importAuditOf(r) });
      if (r.dateFrom && r.dateTo && deps.notifySync) await deps.notifySync({ clientId: client.id, source: 'csv', from: r.dateFrom, to: r.dateTo });
      return c.json(r, 201);
    },
  );
  app.openapi(
    createRoute({ method: 'get', path: '/v1/clients/{id}/imports', tags, security, summary: 'Import runs, newest first, with their rejected rows', request: { params: IdParam }, responses: { 200: json(z.object({ data: z.array(ImportRunSchema) }), 'Import runs'), ...errors } }),
    async (c) => {
      const client = await scopedClient(c, c.req.valid('param').id);
      const rows = await c.get('deps').db.prisma.importRun.findMany({ where: { clientId: client.id }, orderBy: { startedAt: 'desc' }, take: 100 });
      return c.json({ data: rows.map((r) => ({ id: r.id, fileName: r.fileName, format: r.format, status: r.status, rowsTotal: r.rowsTotal, rowsImported: r.rowsImported, rowsRejected: r.rowsRejected, rejected: r.rejected, dateFrom: isoDay(r.dateFrom), dateTo: isoDay(r.dateTo), startedAt: r.startedAt.toISOString() })) }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get', path: '/v1/clients/{id}/metrics', tags, security, summary: 'Spend, revenue, profit, ROAS, ROI, conversions, CPA over a date range, grouped by day, entity, campaign or platform',
      request: { params: IdParam, query: MetricsQuery },
      responses: { 200: json(z.object({ currency: z.string(), amountUnit: AmountUnit, from: z.string(), to: z.string(), groupBy: z.string(), rows: z.array(z.any()) }), 'Metrics'), ...errors },
    }),
    async (c) => {
      const client = await scopedClient(c, c.req.valid('param').id);
      const q = c.req.valid('query');
      checkRange(q.from, q.to);
      const rows = await queryMetrics(c.get('deps').db, client.id, q);
      return c.json({ currency: client.currency, amountUnit: amountUnit(client.currency), from: q.from, to: q.to, groupBy: q.groupBy, rows }, 200);
    },
  );
}

function choicesOf(q: { map?: string; conversions?: string; platform?: Platform }): ColumnChoices | undefined {
  if (!q.map && !q.conversions && !q.platform) return undefined;
  const map = q.map ? parseColumnMap(q.map) : undefined;
  if (typeof map === 'string') throw new AppError('invalid_input', `map: ${map}`, [{ path: 'query.map', message: map }]);
  return { map, conversions: q.conversions, platform: q.platform };
}

/** The CSV as the body (text/csv), or as the `file` part of a form with `names` parts (names files joined by id). */
async function importBody(req: HonoRequest): Promise<{ buf: Buffer; names?: NameLookup }> {
  if (!(req.header('content-type') ?? '').toLowerCase().startsWith('multipart/form-data')) return { buf: Buffer.from(await req.arrayBuffer()) };
  let form: FormData;
  try {
    form = await req.formData();
  } catch {
    throw new AppError('invalid_input', 'the form could not be read: send multipart/form-data with a "file" part (and "names" parts)');
  }
  const file = form.get('file');
  if (!(file instanceof Blob)) throw new AppError('invalid_input', 'the form has no "file" part: the CSV goes in a part named "file"');
  const parts = form.getAll('names');
  const named: { fileName: string; content: Buffer }[] = [];
  for (const [i, p] of parts.entries()) {
    if (!(p instanceof Blob)) throw new AppError('invalid_input', `names part ${i + 1} is not a file`);
    named.push({ fileName: p instanceof File && p.name ? p.name : `names-${i + 1}.csv`, content: Buffer.from(await p.arrayBuffer()) });
  }
  if (named.length + 1 > 20) throw new AppError('invalid_input', 'at most 19 names files per import');
  return { buf: Buffer.from(await file.arrayBuffer()), names: named.length ? readNameLookup(named) : undefined };
}
