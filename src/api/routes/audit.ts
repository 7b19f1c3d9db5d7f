// REST: the audit log, the agency's retention, and a client's whole data as one zip (admin).
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { listAudit } from '../../audit/list.ts';
import { retentionColumns, retentionOf, retentionSchema } from '../../retention/settings.ts';
import { clientArchiveStream } from '../../client-data/archive.ts';
import { audit } from '../audit.ts';
import { IdParam, errors, json, requireRole, scopedClient, security } from '../common.ts';
import type { AppEnv } from '../env.ts';

const AuditRow = z.object({
  id: z.string(), at: z.string(), actor: z.object({ kind: z.enum(['api_key', 'cli', 'system']), id: z.string().nullable(), name: z.string() }),
  action: z.string(), entity: z.object({ type: z.string(), id: z.string().nullable() }), clientId: z.string().nullable(),
  before: z.any(), after: z.any(), requestId: z.string().nullable(),
}).openapi('AuditEntry');

const Query = z.object({
  clientId: z.uuid().optional(),
  action: z.string().max(100).optional().openapi({ description: 'client.update, or a prefix ending in a dot: webhook.' }),
  entityType: z.string().max(50).optional(),
  entityId: z.string().max(100).optional(),
  actor: z.string().max(200).optional().openapi({ description: 'an API key id, or part of an actor name (cli:ana)' }),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().regex(/^\d{1,19}$/, 'the nextCursor of the previous page').optional(),
});

export function auditRoutes(app: OpenAPIHono<AppEnv>) {
  app.openapi(
    createRoute({
      method: 'get', path: '/v1/audit', tags: ['audit'], security, summary: 'Who changed what (admin): every mutation through the API and the CLI, newest first, paged',
      request: { query: Query }, responses: { 200: json(z.object({ data: z.array(AuditRow), nextCursor: z.string().nullable() }), 'A page of the log'), ...errors },
    }),
    async (c) => {
      requireRole(c, 'admin');
      const q = c.req.valid('query');
      if (q.clientId) await scopedClient(c, q.clientId);
      const r = await listAudit(c.get('deps').db.prisma, {
        agencyId: c.get('key').agencyId, clientId: q.clientId, action: q.action, entityType: q.entityType, entityId: q.entityId, actor: q.actor,
        since: q.since ? new Date(q.since) : undefined, until: q.until ? new Date(q.until) : undefined, limit: q.limit, before: q.cursor ? BigInt(q.cursor) : undefined,
      });
      return c.json({ data: r.rows as z.infer<typeof AuditRow>[], nextCursor: r.next }, 200);
    },
  );
  const RetentionSchema = z.object({
    metricsMonths: z.number().int().openapi({ description: 'raw daily metrics; older months are kept as monthly totals (default 37, at least 14)' }),
    visitsMonths: z.number().int().openapi({ description: 'first-party visits (default 13)' }),
    llmDays: z.number().int().openapi({ description: 'LLM call records (default 90)' }),
    reportMonths: z.number().int().openapi({ description: 'delivered report bodies: HTML, text, PDF (default 24)' }),
  }).openapi('Retention');
  const agencyOf = (c: Parameters<typeof audit>[0]) => c.get('deps').db.prisma.agency.findUniqueOrThrow({ where: { id: c.get('key').agencyId } });
  app.openapi(
    createRoute({ method: 'get', path: '/v1/settings/retention', tags: ['settings'], security, summary: 'How long the agency\'s data is kept (admin)', responses: { 200: json(RetentionSchema, 'Retention'), ...errors } }),
    async (c) => {
      requireRole(c, 'admin');
      return c.json(retentionOf(await agencyOf(c)), 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'patch', path: '/v1/settings/retention', tags: ['settings'], security, summary: 'Change how long the agency\'s data is kept (admin); the daily prune applies it',
      request: { body: { content: { 'application/json': { schema: retentionSchema.partial() } }, required: true } },
      responses: { 200: json(RetentionSchema, 'Updated'), ...errors },
    }),
    async (c) => {
      requireRole(c, 'admin');
      const a = await agencyOf(c);
      const before = retentionOf(a);
      const u = await c.get('deps').db.prisma.agency.update({ where: { id: a.id }, data: retentionColumns(c.req.valid('json')) });
      await audit(c, { action: 'agency.retention', entityType: 'agency', entityId: a.id, before, after: retentionOf(u) });
      return c.json(retentionOf(u), 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get', path: '/v1/clients/{id}/export.zip', tags: ['clients'], security,
      summary: 'Everything the client owns as one zip (admin): a CSV or JSON file per table, the report bodies, manifest.json with rows and SHA-256 per file',
      request: { params: IdParam }, responses: { 200: { content: { 'application/zip': { schema: z.string().openapi({ format: 'binary' }) } }, description: 'The archive' }, ...errors },
    }),
    async (c) => {
      requireRole(c, 'admin');
      const client = await scopedClient(c, c.req.valid('param').id);
      // Handing a client its data is recorded like a change: who took it, when.
      await audit(c, { action: 'client.export', entityType: 'client', entityId: client.id, clientId: client.id });
      const body = clientArchiveStream(c.get('deps').db, client, c.get('deps').now());
      return new Response(body, { status: 200, headers: { 'content-type': 'application/zip', 'content-disposition': `attachment; filename="${client.slug}-export.zip"` } }) as never;
    },
  );
}
