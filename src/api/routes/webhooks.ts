// REST: the agency's webhook endpoints (admin). A secret is in the answer that
// makes or rotates it, never again.
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { webhookOptions } from '../../webhooks/deliver.ts';
import { addEndpoint, endpointOut, findEndpoint, removeEndpoint, rotateSecret, sendTest, updateEndpoint } from '../../webhooks/endpoints.ts';
import { EVENT_TYPES } from '../../webhooks/events.ts';
import { IdParam, errors, json, keyOf, requireRole, security } from '../common.ts';
import type { AppEnv } from '../env.ts';
import { audit } from '../audit.ts';

const tags = ['webhooks'];
const Endpoint = z.object({
  id: z.uuid(), url: z.string(), description: z.string(), events: z.array(z.string()), enabled: z.boolean(), rotating: z.boolean(), previousSecretUntil: z.string().nullable(),
  failedInARow: z.number().int(), disabledAt: z.string().nullable(), disabledReason: z.string().nullable(), createdAt: z.string(),
}).openapi('WebhookEndpoint');
const WithSecret = z.object({ endpoint: Endpoint, secret: z.string().openapi({ description: 'whsec_…: shown this once' }) }).openapi('WebhookEndpointWithSecret');
const NewEndpoint = z.object({ url: z.string().max(2000), description: z.string().max(500).optional(), events: z.array(z.enum(EVENT_TYPES)).optional().describe('empty or absent: every event') }).strict().openapi('NewWebhookEndpoint');
const Delivery = z.object({
  messageId: z.string(), eventType: z.string(), status: z.string(), attempts: z.number().int(), nextAttemptAt: z.string().nullable(), createdAt: z.string(), deliveredAt: z.string().nullable(),
  log: z.array(z.object({ attempt: z.number().int(), at: z.string(), status: z.number().int().nullable(), latencyMs: z.number().int(), error: z.string().nullable(), excerpt: z.string().nullable() })),
}).openapi('WebhookDelivery');
const Patch = z.object({ enabled: z.boolean().optional(), description: z.string().max(500).optional(), events: z.array(z.enum(EVENT_TYPES)).optional() }).strict().openapi('WebhookEndpointPatch');


export function webhookRoutes(app: OpenAPIHono<AppEnv>) {
  app.openapi(
    createRoute({ method: 'get', path: '/v1/webhooks', tags, security, summary: 'The agency\'s webhook endpoints (admin)', responses: { 200: json(z.object({ data: z.array(Endpoint) }), 'Endpoints'), ...errors } }),
    async (c) => {
      requireRole(c, 'admin');
      const rows = await c.get('deps').db.prisma.webhookEndpoint.findMany({ where: { agencyId: c.get('key').agencyId }, orderBy: { createdAt: 'asc' } });
      return c.json({ data: rows.map(endpointOut) }, 200);
    },
  );
  app.openapi(
    createRoute({ method: 'post', path: '/v1/webhooks', tags, security, summary: 'Add an endpoint (admin): events are signed per Standard Webhooks with the secret in the answer', request: { body: { content: { 'application/json': { schema: NewEndpoint } }, required: true } }, responses: { 201: json(WithSecret, 'Added'), ...errors } }),
    async (c) => {
      requireRole(c, 'admin');
      const { db, config } = c.get('deps');
      const r = await addEndpoint(db, keyOf(c, 'webhook secrets'), c.get('key').agencyId, c.req.valid('json'), config.webhooks.allowPrivate);
      await audit(c, { action: 'webhook.create', entityType: 'webhook_endpoint', entityId: r.endpoint.id, after: r.endpoint });
      return c.json(r, 201);
    },
  );
  app.openapi(
    createRoute({ method: 'patch', path: '/v1/webhooks/{id}', tags, security, summary: 'Enable, disable or change an endpoint (admin)', request: { params: IdParam, body: { content: { 'application/json': { schema: Patch } }, required: true } }, responses: { 200: json(Endpoint, 'Updated'), ...errors } }),
    async (c) => {
      requireRole(c, 'admin');
      const { db } = c.get('deps');
      const before = endpointOut(await findEndpoint(db, c.get('key').agencyId, c.req.valid('param').id));
      const after = await updateEndpoint(db, c.get('key').agencyId, before.id, c.req.valid('json'));
      await audit(c, { action: 'webhook.update', entityType: 'webhook_endpoint', entityId: before.id, before, after });
      return c.json(after, 200);
    },
  );
  app.openapi(
    createRoute({ method: 'post', path: '/v1/webhooks/{id}/rotate-secret', tags, security, summary: 'A new secret (admin); the old one keeps signing too for 24 hours', request: { params: IdParam }, responses: { 200: json(WithSecret, 'Rotated'), ...errors } }),
    async (c) => {
      requireRole(c, 'admin');
      const r = await rotateSecret(c.get('deps').db, keyOf(c, 'webhook secrets'), c.get('key').agencyId, c.req.valid('param').id, c.get('deps').now());
      await audit(c, { action: 'webhook.rotate_secret', entityType: 'webhook_endpoint', entityId: r.endpoint.id, after: { rotating: r.endpoint.rotating, previousSecretUntil: r.endpoint.previousSecretUntil } });
      return c.json(r, 200);
    },
  );
  app.openapi(
    createRoute({ method: 'post', path: '/v1/webhooks/{id}/test', tags, security, summary: 'Send a webhook.test event now and answer how it went (admin)', request: { params: IdParam }, responses: { 200: json(z.object({ messageId: z.string(), delivered: z.boolean(), status: z.number().int().nullable(), latencyMs: z.number().int(), error: z.string().nullable(), excerpt: z.string().nullable() }), 'The attempt'), ...errors } }),
    async (c) => {
      requireRole(c, 'admin');
      const { db, config, now } = c.get('deps');
      const r = await sendTest(db, c.get('key').agencyId, c.req.valid('param').id, webhookOptions(config, keyOf(c, 'webhook secrets'), { now }));
      await audit(c, { action: 'webhook.test', entityType: 'webhook_endpoint', entityId: c.req.valid('param').id, after: { messageId: r.messageId, delivered: r.delivered, status: r.status } });
      return c.json(r, 200);
    },
  );
  app.openapi(
    createRoute({ method: 'get', path: '/v1/webhooks/{id}/deliveries', tags, security, summary: 'The latest deliveries of an endpoint with every attempt (admin)', request: { params: IdParam }, responses: { 200: json(z.object({ data: z.array(Delivery) }), 'Deliveries'), ...errors } }),
    async (c) => {
      requireRole(c, 'admin');
      const e = await findEndpoint(c.get('deps').db, c.get('key').agencyId, c.req.valid('param').id);
      const rows = await c.get('deps').db.prisma.webhookDelivery.findMany({ where: { endpointId: e.id }, orderBy: { id: 'desc' }, take: 100, include: { log: { orderBy: { attempt: 'asc' } } } });
      return c.json({ data: rows.map((d) => ({ messageId: d.messageId, eventType: d.eventType, status: d.status, attempts: d.attempts, nextAttemptAt: d.nextAttemptAt?.toISOString() ?? null, createdAt: d.createdAt.toISOString(), deliveredAt: d.deliveredAt?.toISOString() ?? null, log: d.log.map((l) => ({ attempt: l.attempt, at: l.at.toISOString(), status: l.status, latencyMs: l.latencyMs, error: l.error, excerpt: l.excerpt })) })) }, 200);
    },
  );
  app.openapi(
    createRoute({ method: 'delete', path: '/v1/webhooks/{id}', tags, security, summary: 'Remove an endpoint and its delivery log (admin)', request: { params: IdParam }, responses: { 204: { description: 'Removed' }, ...errors } }),
    async (c) => {
      requireRole(c, 'admin');
      const { db } = c.get('deps');
      const before = await removeEndpoint(db, c.get('key').agencyId, c.req.valid('param').id);
      await audit(c, { action: 'webhook.delete', entityType: 'webhook_endpoint', entityId: before.id, before });
      return c.body(null, 204);
    },
  );
}
