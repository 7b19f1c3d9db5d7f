// REST: split tests of a client, scoped to the key's agency.
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { AppError } from '../../errors.ts';
import { METRICS, createTest, stopTest } from '../../splits/tests.ts';
import { localDate } from '../../time.ts';
import { Day, IdParam, errors, json, refToId, requireRole, scopedClient, security } from '../common.ts';
import type { AppEnv } from '../env.ts';
import { audit } from '../audit.ts';
import { splitTestAuditOf } from '../../audit/of.ts';

const tags = ['split tests'];
const Variant = z.object({ entityId: z.string(), label: z.string(), weight: z.number(), control: z.boolean() });
const Test = z.object({
  id: z.uuid(), name: z.string(), metric: z.enum(METRICS), status: z.enum(['running', 'decided', 'stopped']), startDate: z.string(),
  minClicks: z.number().int(), minConversions: z.number().int(), winnerEntityId: z.string().nullable(), decidedAt: z.string().nullable(),
  link: z.string().nullable().openapi({ description: 'the code whose /t/<code> link splits traffic between the variants' }),
  variants: z.array(Variant), result: z.any().openapi({ description: 'The latest evaluation: per variant, per comparison with the control (diff, lift, 95 % interval, fixed and sequential p, chance to beat), the verdict and what is still needed' }),
}).openapi('SplitTest');
const NewTest = z.object({
  name: z.string().min(1).max(200), metric: z.enum(METRICS),
  variants: z.array(z.object({ entity: z.string().min(1).max(2000).describe('id, external id or exact name'), weight: z.number().positive().optional(), label: z.string().max(200).optional() })).min(2).max(20),
  control: z.string().max(2000).optional(), startDate: Day.optional(), minClicks: z.number().int().min(1).optional(), minConversions: z.number().int().min(1).optional(),
  link: z.string().max(64).optional().describe('a tracking code of its own: GET /t/<link> sends each session to one variant (first-party campaigns, named by their codes) by weight, and keeps it there'),
}).strict().openapi('NewSplitTest');

type Row = Awaited<ReturnType<typeof createTest>>;
const out = (t: Row) => ({
  id: t.id, name: t.name, metric: t.metric as (typeof METRICS)[number], status: t.status as 'running', startDate: t.startDate.toISOString().slice(0, 10), minClicks: t.minClicks, minConversions: t.minConversions,
  winnerEntityId: t.winnerEntityId, decidedAt: t.decidedAt?.toISOString() ?? null, link: t.linkCode, variants: t.variants.map((v) => ({ entityId: v.entityId, label: v.label, weight: v.weight, control: v.control })), result: t.result,
});

async function scopedTest(c: Parameters<typeof scopedClient>[0], ref: string) {
  const id = await refToId(c, 'split_test', ref, 'split test');
  const t = await c.get('deps').db.prisma.splitTest.findFirst({ where: { id, client: { agencyId: c.get('key').agencyId } }, include: { variants: true } });
  if (!t) throw new AppError('not_found', `split test ${id} not found`);
  return t;
}

export function splitTestRoutes(app: OpenAPIHono<AppEnv>) {
  app.openapi(
    createRoute({ method: 'get', path: '/v1/clients/{id}/split-tests', tags, security, summary: 'The client\'s split tests', request: { params: IdParam }, responses: { 200: json(z.object({ data: z.array(Test) }), 'Tests'), ...errors } }),
    async (c) => {
      const client = await scopedClient(c, c.req.valid('param').id);
      const rows = await c.get('deps').db.prisma.splitTest.findMany({ where: { clientId: client.id }, include: { variants: true }, orderBy: { createdAt: 'asc' } });
      return c.json({ data: rows.map(out) }, 200);
    },
  );
  app.openapi(
    createRoute({ method: 'post', path: '/v1/clients/{id}/split-tests', tags, security, summary: 'Start a split test (member): the first variant is the control unless `control` names another', request: { params: IdParam, body: { content: { 'application/json': { schema: NewTest } }, required: true } }, responses: { 201: json(Test, 'Created'), ...errors } }),
    async (c) => {
      requireRole(c, 'member');
      const client = await scopedClient(c, c.req.valid('param').id);
      const b = c.req.valid('json');
      const t = await createTest(c.get('deps').db, client.id, { ...b, variants: b.variants.map((v) => ({ ref: v.entity, weight: v.weight, label: v.label })), startDate: b.startDate ?? localDate(client.timezone, c.get('deps').now()) });
      await audit(c, { action: 'split_test.create', entityType: 'split_test', entityId: t.id, clientId: client.id, after: splitTestAuditOf(t) });
      return c.json(out(t), 201);
    },
  );
  app.openapi(
    createRoute({ method: 'get', path: '/v1/split-tests/{id}', tags, security, summary: 'One split test with its latest evaluation', request: { params: IdParam }, responses: { 200: json(Test, 'The test'), ...errors } }),
    async (c) => c.json(out(await scopedTest(c, c.req.valid('param').id)), 200),
  );
  app.openapi(
    createRoute({ method: 'post', path: '/v1/split-tests/{id}/stop', tags, security, summary: 'Stop a running test without a call (member)', request: { params: IdParam }, responses: { 200: json(Test, 'Stopped'), ...errors } }),
    async (c) => {
      requireRole(c, 'member');
      const t = await scopedTest(c, c.req.valid('param').id);
      const stopped = await stopTest(c.get('deps').db, t.clientId, t.id);
      await audit(c, { action: 'split_test.stop', entityType: 'split_test', entityId: t.id, clientId: t.clientId, before: { status: t.status }, after: { status: stopped.status } });
      return c.json(out(stopped), 200);
    },
  );
}
