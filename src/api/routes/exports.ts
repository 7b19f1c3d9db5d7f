// REST: CSV exports streamed as they are read, and the schedules that email them.
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { EXPORT_KINDS, addSchedule, exportCsv, exportRange, listSchedules, removeSchedule, type ExportKind } from '../../exports/index.ts';
import { Day, IdParam, errors, json, requireRole, scopedClient, security } from '../common.ts';
import type { AppEnv } from '../env.ts';
import { audit } from '../audit.ts';

const tags = ['exports'];
const FileParam = IdParam.extend({
  file: z.string().regex(new RegExp(`^(${EXPORT_KINDS.join('|')})\\.csv$`), `one of ${EXPORT_KINDS.map((k) => `${k}.csv`).join(', ')}`).openapi({ param: { name: 'file', in: 'path' }, example: 'metrics.csv' }),
});
const Schedule = z.object({ id: z.uuid(), every: z.enum(['week', 'month']), kinds: z.array(z.enum(EXPORT_KINDS)), recipients: z.array(z.string()), createdAt: z.string(), lastPeriod: z.string().nullable() }).openapi('ExportSchedule');
const NewSchedule = z.object({ every: z.enum(['week', 'month']), kinds: z.array(z.enum(EXPORT_KINDS)).min(1), recipients: z.array(z.string().max(320)).min(1).max(50) }).strict().openapi('NewExportSchedule');

export function exportRoutes(app: OpenAPIHono<AppEnv>) {
  app.openapi(
    createRoute({
      method: 'get', path: '/v1/clients/{id}/exports/{file}', tags, security,
      summary: `A CSV export (${EXPORT_KINDS.join(', ')}): RFC 4180, money in the client's currency (a currency column), local days, formula cells neutralised; streamed`,
      request: { params: FileParam, query: z.object({ from: Day.optional(), to: Day.optional() }) },
      responses: { 200: { content: { 'text/csv': { schema: z.string() } }, description: 'The CSV' }, ...errors },
    }),
    async (c) => {
      const { id, file } = c.req.valid('param');
      const client = await scopedClient(c, id);
      const q = c.req.valid('query');
      const range = exportRange(client, q, c.get('deps').now());
      const kind = file.replace(/\.csv$/, '') as ExportKind;
      const { db } = c.get('deps');
      await audit(c, { action: 'export.download', entityType: 'client', entityId: client.id, clientId: client.id, after: { kind, from: range.from, to: range.to } });
      const chunks = exportCsv(db, client, kind, range);
      // Pulled as the client reads: memory stays at one week of rows however long the range.
      const body = new ReadableStream<Uint8Array>({
        async pull(ctl) {
          try {
            const n = await chunks.next();
            if (n.done) ctl.close();
            else ctl.enqueue(new TextEncoder().encode(n.value));
          } catch (err) {
            ctl.error(err);
          }
        },
        async cancel() {
          await chunks.return(undefined);
        },
      });
      return new Response(body, { status: 200, headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${client.slug}-${kind}-${range.from}-${range.to}.csv"` } }) as never;
    },
  );
  app.openapi(
    createRoute({ method: 'get', path: '/v1/clients/{id}/export-schedules', tags, security, summary: 'Scheduled exports of the client', request: { params: IdParam }, responses: { 200: json(z.object({ data: z.array(Schedule) }), 'Schedules'), ...errors } }),
    async (c) => {
      const client = await scopedClient(c, c.req.valid('param').id);
      return c.json({ data: await listSchedules(c.get('deps').db, client.id) }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'post', path: '/v1/clients/{id}/export-schedules', tags, security, summary: 'Email these exports every week (the week before, Monday to Sunday) or month (member)',
      request: { params: IdParam, body: { content: { 'application/json': { schema: NewSchedule } }, required: true } },
      responses: { 201: json(Schedule, 'Scheduled'), ...errors },
    }),
    async (c) => {
      requireRole(c, 'member');
      const client = await scopedClient(c, c.req.valid('param').id);
      const created = await addSchedule(c.get('deps').db, client.id, c.req.valid('json'), c.get('deps').now());
      await audit(c, { action: 'export_schedule.create', entityType: 'export_schedule', entityId: created.id, clientId: client.id, after: created });
      return c.json(created, 201);
    },
  );
  app.openapi(
    createRoute({ method: 'delete', path: '/v1/clients/{id}/export-schedules/{scheduleId}', tags, security, summary: 'Stop a scheduled export (member)', request: { params: IdParam.extend({ scheduleId: z.uuid() }) }, responses: { 204: { description: 'Removed' }, ...errors } }),
    async (c) => {
      requireRole(c, 'member');
      const { id, scheduleId } = c.req.valid('param');
      const client = await scopedClient(c, id);
      const before = await removeSchedule(c.get('deps').db, client.id, scheduleId);
      await audit(c, { action: 'export_schedule.delete', entityType: 'export_schedule', entityId: scheduleId, clientId: client.id, before });
      return c.body(null, 204);
    },
  );
}
