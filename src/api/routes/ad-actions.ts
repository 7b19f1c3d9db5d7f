// Actions on the ad platforms (src/ad-actions/): propose with a preview read from
// the platform, approve (which executes), undo, cancel; members act, viewers read.
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { ACTION_KINDS } from '../../ad-actions/actions.ts';
import { decideFor, listFor, proposeFor, viewAction, type Caller } from '../../ad-actions/service.ts';
import { toMinorUnits } from '../../domain/currency.ts';
import type { Context } from 'hono';
import { IdParam, errors, json, keyOf, requireRole, scopedAdAction, scopedClient, scopedEntity, scopedInsight, security } from '../common.ts';
import type { AppEnv } from '../env.ts';
import { audit } from '../audit.ts';
import { AppError } from '../../errors.ts';

const tags = ['actions'];
const ActionSchema = z.object({
  id: z.uuid(), clientId: z.uuid(), state: z.string().openapi({ description: 'proposed, approved, executing, done, failed, undone or cancelled' }), kind: z.string(),
  entity: z.object({ id: z.uuid(), name: z.string().nullable() }),
  object: z.object({ level: z.string(), id: z.string(), entityId: z.uuid(), name: z.string().nullable() }),
  field: z.string(), from: z.string(), to: z.string(), moneyPerDay: z.string().nullable(),
  insightId: z.string().nullable(), proposedBy: z.string(), approvedBy: z.string().nullable(), approvedAt: z.string().nullable(),
  executedAt: z.string().nullable(), undoneAt: z.string().nullable(), undoneBy: z.string().nullable(), error: z.string().nullable(), answer: z.any(), createdAt: z.string(),
}).openapi('AdAction');

const NewAction = z.object({
  entity: z.string().min(1).max(200).openapi({ description: 'the link, ad, ad set or campaign (id or 8+ character prefix)' }),
  kind: z.enum(ACTION_KINDS),
  percent: z.number().min(-90).max(100).optional().openapi({ description: 'budget: change by this percentage' }),
  amount: z.string().max(30).optional().openapi({ description: 'budget: the new daily budget in the client\'s currency ("45", "45.50")' }),
  insight: z.string().max(64).optional().openapi({ description: 'the insight this acts on' }),
}).strict().openapi('NewAdAction');

function caller(c: Context<AppEnv>): Caller {
  return { by: `api-key:${c.get('key').keyId}`, audit: (e) => audit(c, e) };
}
const depsOf = (c: Context<AppEnv>) => {
  const d = c.get('deps');
  return { db: d.db, config: d.config, key: keyOf(c, 'connection credentials'), now: d.now() };
};

export function adActionRoutes(app: OpenAPIHono<AppEnv>) {
  app.openapi(
    createRoute({ method: 'get', path: '/v1/clients/{id}/actions', tags, security, summary: 'Changes on the ad platforms, newest first', request: { params: IdParam, query: z.object({ state: z.string().max(20).optional() }) }, responses: { 200: json(z.object({ data: z.array(ActionSchema) }), 'Actions'), ...errors } }),
    async (c) => {
      const client = await scopedClient(c, c.req.valid('param').id);
      return c.json({ data: await listFor(c.get('deps').db, client.id, { state: c.req.valid('query').state }) }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'post', path: '/v1/clients/{id}/actions', tags, security,
      summary: 'Propose a change (member): pause, resume or a daily budget; the preview is read from the platform. The same open change proposed again is the same action (200)',
      request: { params: IdParam, body: { content: { 'application/json': { schema: NewAction } }, required: true } },
      responses: { 201: json(ActionSchema, 'Proposed'), 200: json(ActionSchema, 'Already proposed'), 409: json(z.any(), 'Already in that state'), ...errors },
    }),
    async (c) => {
      requireRole(c, 'member');
      const client = await scopedClient(c, c.req.valid('param').id);
      const b = c.req.valid('json');
      const entity = await scopedEntity(c, b.entity);
      if (entity.clientId !== client.id) throw new AppError('not_found', `entity ${b.entity} not found in client ${client.slug}`);
      const insight = b.insight ? await scopedInsight(c, b.insight) : null;
      const toMinor = b.amount !== undefined ? toMinorUnits(b.amount, client.currency, 'amount') : undefined;
      const r = await proposeFor(depsOf(c), { entityId: entity.id, kind: b.kind, percent: b.percent, toMinor, insightId: insight?.id, idempotencyKey: c.req.header('idempotency-key') ?? undefined }, caller(c));
      return c.json(r.action, r.created ? 201 : 200);
    },
  );
  app.openapi(
    createRoute({ method: 'get', path: '/v1/actions/{id}', tags, security, summary: 'One action with its preview, state and the platform\'s answer', request: { params: IdParam }, responses: { 200: json(ActionSchema, 'The action'), ...errors } }),
    async (c) => c.json(await viewAction(c.get('deps').db, await scopedAdAction(c, c.req.valid('param').id)), 200),
  );
  for (const what of ['approve', 'undo', 'cancel'] as const) {
    app.openapi(
      createRoute({
        method: 'post', path: `/v1/actions/{id}/${what}`, tags, security,
        summary: what === 'approve' ? 'Approve and execute (member): the object is read again and written only if it still is the preview\'s' : what === 'undo' ? 'Restore the value the action replaced (member)' : 'Cancel a proposed or approved action (member)',
        request: { params: IdParam },
        responses: { 200: json(ActionSchema, 'The action'), 409: json(z.any(), 'Not allowed in its state'), ...errors },
      }),
      async (c) => {
        requireRole(c, 'member');
        const a = await scopedAdAction(c, c.req.valid('param').id);
        return c.json(await decideFor(depsOf(c), a.id, what, caller(c)), 200);
      },
    );
  }
}
