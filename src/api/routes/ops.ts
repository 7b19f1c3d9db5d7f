// Analysis on demand, reports, alerts, entities (kill list), API keys, health.
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { checkAsOf } from '../../analysis/as-of.ts';
import { createAnalysisRun } from '../../analysis/runs.ts';
import { createApiKey, listApiKeys, revokeApiKey, ROLES } from '../../domain/api-keys.ts';
import { killEntity, restoreEntity, setAccountBudget } from '../../domain/entities.ts';
import { AppError } from '../../errors.ts';
import { Day, IdParam, UuidParam, anyCase, errors, isoDay, json, requireRole, scopedAnalysis, scopedClient, scopedEntity, scopedReport, security } from '../common.ts';
import type { AppEnv } from '../env.ts';
import { audit } from '../audit.ts';

const AnalysisSchema = z.object({
  id: z.uuid(), clientId: z.uuid(), status: z.enum(['queued', 'running', 'succeeded', 'failed', 'partial']), asOf: z.string().nullable(),
  requestedBy: z.string(), createdAt: z.string(), finishedAt: z.string().nullable(), error: z.string().nullable(), result: z.any(),
}).openapi('AnalysisRun');

const ReportSchema = z.object({
  id: z.uuid(), clientId: z.uuid(), kind: z.string(), date: z.string(), from: z.string(), to: z.string(), status: z.string(), summary: z.string().nullable(),
  provider: z.string().nullable(), providerId: z.string().nullable(), error: z.string().nullable(), sentAt: z.string().nullable(),
}).openapi('Report');

const EntitySchema = z.object({
  id: z.uuid(), kind: z.string(), platform: z.string(), externalId: z.string(), name: z.string(), parentId: z.uuid().nullable(),
  status: z.string(), killedAt: z.string().nullable(), killedReason: z.string().nullable(),
}).openapi('Entity');

const KeySchema = z.object({ id: z.uuid(), name: z.string(), prefix: z.string(), role: z.enum(ROLES), createdAt: z.string(), lastUsedAt: z.string().nullable(), revokedAt: z.string().nullable() }).openapi('ApiKey');

const AlertSchema = z.object({
  id: z.uuid(), rule: z.string(), level: z.number().int(), severity: z.string(), value: z.number(),
  entity: z.object({ id: z.uuid(), name: z.string(), kind: z.string() }).nullable(), payload: z.record(z.string(), z.unknown()), sentAt: z.string().nullable(), createdAt: z.string(),
  sms: z.array(z.object({ to: z.string(), status: z.string(), providerId: z.string().nullable(), error: z.string().nullable(), at: z.string() })).openapi({ description: 'texts of this alert: sent, failed (with Twilio\'s code), held (quiet hours), capped, expired, unknown' }),
}).openapi('Alert');

const iso = (d: Date | null) => d?.toISOString() ?? null;
const entityOut = (e: { id: string; kind: string; platform: string; externalId: string; name: string; parentId: string | null; status: string; killedAt: Date | null; killedReason: string | null }) =>
  ({ id: e.id, kind: e.kind, platform: e.platform, externalId: e.externalId, name: e.name, parentId: e.parentId, status: e.status, killedAt: iso(e.killedAt), killedReason: e.killedReason });
const keyOut = (k: { id: string; name: string; prefix: string; role: (typeof ROLES)[number]; createdAt: Date; lastUsedAt: Date | null; revokedAt: Date | null }) =>
  ({ id: k.id, name: k.name, prefix: k.prefix, role: k.role, createdAt: k.createdAt.toISOString(), lastUsedAt: iso(k.lastUsedAt), revokedAt: iso(k.revokedAt) });

export function opsRoutes(app: OpenAPIHono<AppEnv>) {
  // ---- analysis
  app.openapi(
    createRoute({
      method: 'post', path: '/v1/clients/{id}/analysis', tags: ['analysis'], security, summary: 'Run the brain now (member). 202 with a run id to poll; no email unless asked',
      request: { params: IdParam, body: { content: { 'application/json': { schema: z.object({ asOf: Day.optional(), email: z.boolean().optional() }).strict() } }, required: false } },
      responses: { 202: json(AnalysisSchema, 'Queued'), ...errors },
    }),
    async (c) => {
      requireRole(c, 'member');
      const client = await scopedClient(c, c.req.valid('param').id);
      const body = (c.req.valid('json') ?? {}) as { asOf?: string; email?: boolean };
      const deps = c.get('deps');
      const requestedBy = `api-key:${c.get('key').keyId}`;
      if (body.asOf) await checkAsOf(deps.db, client, body.asOf, deps.now(), { field: 'body.asOf' });
      const run = await createAnalysisRun(deps.db, client.id, { asOf: body.asOf, requestedBy, email: body.email });
      await audit(c, { action: 'analysis.start', entityType: 'analysis_run', entityId: run.id, clientId: client.id, after: { asOf: body.asOf ?? null, email: body.email ?? false } });
      await deps.dispatchAnalysis({ runId: run.id, clientId: client.id, asOf: body.asOf, requestedBy, email: body.email ?? false });
      return c.json(analysisOut(run), 202);
    },
  );
  app.openapi(
    createRoute({ method: 'get', path: '/v1/analysis/{id}', tags: ['analysis'], security, summary: 'Status and result of an analysis run', request: { params: IdParam }, responses: { 200: json(AnalysisSchema, 'The run'), ...errors } }),
    async (c) => c.json(analysisOut(await scopedAnalysis(c, c.req.valid('param').id)), 200),
  );

  // ---- reports
  app.openapi(
    createRoute({ method: 'get', path: '/v1/clients/{id}/reports', tags: ['reports'], security, summary: 'Reports sent (daily, corrections, weekly, monthly), newest first, with the period each covers', request: { params: IdParam }, responses: { 200: json(z.object({ data: z.array(ReportSchema) }), 'Reports'), ...errors } }),
    async (c) => {
      const client = await scopedClient(c, c.req.valid('param').id);
      const rows = await c.get('deps').db.prisma.report.findMany({
        where: { clientId: client.id }, orderBy: { periodStart: 'desc' }, take: 100,
        select: { id: true, clientId: true, kind: true, periodStart: true, periodEnd: true, status: true, summary: true, provider: true, providerId: true, error: true, sentAt: true },
      });
      return c.json({ data: rows.map((r) => ({ id: r.id, clientId: r.clientId, kind: r.kind, date: isoDay(r.periodStart)!, from: isoDay(r.periodStart)!, to: isoDay(r.periodEnd)!, status: r.status, summary: r.summary, provider: r.provider, providerId: r.providerId, error: r.error, sentAt: iso(r.sentAt) })) }, 200);
    },
  );
  for (const format of ['html', 'pdf'] as const) {
    app.openapi(
      createRoute({
        method: 'get', path: `/v1/reports/{id}/${format}`, tags: ['reports'], security, summary: `The report as ${format.toUpperCase()}`,
        request: { params: IdParam },
        responses: { 200: { content: { [format === 'html' ? 'text/html' : 'application/pdf']: { schema: z.string() } }, description: 'The document' }, ...errors },
      }),
      async (c) => {
        const r = await scopedReport(c, c.req.valid('param').id);
        const doc = format === 'html' ? r.html : r.pdf;
        if (!doc) throw new AppError('not_found', `report ${r.id} has no ${format} (status ${r.status})`);
        return format === 'html'
          ? c.body(doc as string, 200, { 'content-type': 'text/html; charset=utf-8' })
          : c.body(new Uint8Array(doc as Uint8Array), 200, { 'content-type': 'application/pdf', 'content-disposition': `inline; filename="report-${isoDay(r.periodStart)}.pdf"` });
      },
    );
  }

  // ---- alerts
  app.openapi(
    createRoute({ method: 'get', path: '/v1/clients/{id}/alerts', tags: ['alerts'], security, summary: 'Alerts sent for a client, newest first', request: { params: IdParam, query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }) }, responses: { 200: json(z.object({ data: z.array(AlertSchema) }), 'Alerts'), ...errors } }),
    async (c) => {
      const client = await scopedClient(c, c.req.valid('param').id);
      const rows = await c.get('deps').db.prisma.alert.findMany({ where: { clientId: client.id }, orderBy: { createdAt: 'desc' }, take: c.req.valid('query').limit, include: { entity: { select: { id: true, name: true, kind: true } }, sms: { orderBy: { createdAt: 'asc' } } } });
      return c.json({ data: rows.map((a) => ({ id: a.id, rule: a.rule, level: a.level, severity: a.severity, value: a.value, entity: a.entity, payload: (a.payload ?? {}) as Record<string, unknown>, sentAt: iso(a.sentAt), createdAt: a.createdAt.toISOString(), sms: a.sms.map((s) => ({ to: s.to, status: s.status, providerId: s.providerId, error: s.error, at: s.updatedAt.toISOString() })) })) }, 200);
    },
  );

  // ---- entities and the kill list
  app.openapi(
    createRoute({
      method: 'get', path: '/v1/clients/{id}/entities', tags: ['entities'], security, summary: 'Accounts, campaigns, ad sets, ads, links, offers, spark codes',
      request: { params: IdParam, query: z.object({ kind: anyCase(['account', 'campaign', 'adset', 'ad', 'creative', 'link', 'offer', 'spark_code']).optional(), status: anyCase(['active', 'paused', 'killed', 'archived']).optional(), limit: z.coerce.number().int().min(1).max(1000).default(200) }) },
      responses: { 200: json(z.object({ data: z.array(EntitySchema) }), 'Entities'), ...errors },
    }),
    async (c) => {
      const client = await scopedClient(c, c.req.valid('param').id);
      const q = c.req.valid('query');
      const rows = await c.get('deps').db.prisma.entity.findMany({ where: { clientId: client.id, ...(q.kind ? { kind: q.kind } : {}), ...(q.status ? { status: q.status } : {}) }, orderBy: [{ kind: 'asc' }, { name: 'asc' }], take: q.limit });
      return c.json({ data: rows.map(entityOut) }, 200);
    },
  );
  for (const action of ['kill', 'restore'] as const) {
    app.openapi(
      createRoute({
        method: 'post', path: `/v1/entities/{id}/${action}`, tags: ['entities'], security,
        summary: action === 'kill' ? 'Put a link or ad on the kill list (member): no more alerts or "act now" items; history stays' : 'Take it off the kill list (member)',
        request: { params: IdParam, body: { content: { 'application/json': { schema: z.object({ reason: z.string().max(500).optional() }).strict() } }, required: false } },
        responses: { 200: json(EntitySchema, 'The entity'), ...errors },
      }),
      async (c) => {
        requireRole(c, 'member');
        const e = await scopedEntity(c, c.req.valid('param').id);
        const { prisma } = c.get('deps').db;
        const reason = (c.req.valid('json') as { reason?: string } | undefined)?.reason;
        const u = action === 'kill' ? await killEntity(prisma, e.id, { reason, now: c.get('deps').now() }) : await restoreEntity(prisma, e.id);
        await audit(c, { action: `entity.${action}`, entityType: e.kind, entityId: e.id, clientId: e.clientId, before: entityOut(e), after: entityOut(u) });
        return c.json(entityOut(u), 200);
      },
    );
  }

  app.openapi(
    createRoute({
      method: 'put', path: '/v1/entities/{id}/budget', tags: ['entities'], security,
      summary: 'An ad account\'s own monthly budget (admin), in the client\'s minor unit; null clears it. Paced, reported and alerted per account',
      request: { params: IdParam, body: { content: { 'application/json': { schema: z.object({ monthlyBudgetCents: z.number().int().positive().nullable() }).strict() } }, required: true } },
      responses: { 200: json(z.object({ id: z.uuid(), name: z.string(), monthlyBudgetCents: z.number().int().nullable() }), 'The account'), ...errors },
    }),
    async (c) => {
      requireRole(c, 'admin');
      const e = await scopedEntity(c, c.req.valid('param').id);
      const u = await setAccountBudget(c.get('deps').db.prisma, e, c.req.valid('json').monthlyBudgetCents);
      const out = (x: { monthlyBudgetCents: bigint | null }) => (x.monthlyBudgetCents === null ? null : Number(x.monthlyBudgetCents));
      await audit(c, { action: 'entity.budget', entityType: e.kind, entityId: e.id, clientId: e.clientId, before: { monthlyBudgetCents: out(e) }, after: { monthlyBudgetCents: out(u) } });
      return c.json({ id: u.id, name: u.name, monthlyBudgetCents: out(u) }, 200);
    },
  );

  // ---- API keys (admin)
  app.openapi(
    createRoute({ method: 'get', path: '/v1/api-keys', tags: ['api keys'], security, summary: 'The agency\'s API keys (admin); secrets are never shown again', responses: { 200: json(z.object({ data: z.array(KeySchema) }), 'Keys'), ...errors } }),
    async (c) => {
      requireRole(c, 'admin');
      return c.json({ data: (await listApiKeys(c.get('deps').db.sql, c.get('key').agencyId)).map(keyOut) }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'post', path: '/v1/api-keys', tags: ['api keys'], security, summary: 'Create a key (admin). The secret is in this response only',
      request: { body: { content: { 'application/json': { schema: z.object({ name: z.string().min(1).max(100).optional(), role: z.enum(ROLES) }).strict() } }, required: true } },
      responses: { 201: json(KeySchema.extend({ key: z.string() }), 'Created'), ...errors },
    }),
    async (c) => {
      requireRole(c, 'admin');
      const { key, row } = await createApiKey(c.get('deps').db.prisma, c.get('key').agencyId, c.req.valid('json'));
      await audit(c, { action: 'api_key.create', entityType: 'api_key', entityId: row.id, after: keyOut(row) });
      return c.json({ ...keyOut(row), key }, 201);
    },
  );
  app.openapi(
    createRoute({ method: 'delete', path: '/v1/api-keys/{id}', tags: ['api keys'], security, summary: 'Revoke a key (admin)', request: { params: IdParam }, responses: { 200: json(KeySchema, 'Revoked'), ...errors } }),
    async (c) => {
      requireRole(c, 'admin');
      const revoked = await revokeApiKey(c.get('deps').db.prisma, c.get('key').agencyId, c.req.valid('param').id, c.get('deps').now());
      await audit(c, { action: 'api_key.revoke', entityType: 'api_key', entityId: revoked.id, after: keyOut(revoked) });
      return c.json(keyOut(revoked), 200);
    },
  );
}

function analysisOut(r: { id: string; clientId: string; status: 'queued' | 'running' | 'succeeded' | 'failed' | 'partial'; asOf: Date | null; requestedBy: string; createdAt: Date; finishedAt: Date | null; error: string | null; result: unknown }) {
  return { id: r.id, clientId: r.clientId, status: r.status, asOf: isoDay(r.asOf), requestedBy: r.requestedBy, createdAt: r.createdAt.toISOString(), finishedAt: iso(r.finishedAt), error: r.error, result: r.result ?? null };
}
