// A client's rules over REST (admin: a rule may act on the platforms by itself):
// list, add, replay over the history, switch mode. Same checks as the CLI.
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { checkAutoAllowed, replayRule, ruleInputSchema } from '../../ad-actions/rules.ts';
import { AppError } from '../../errors.ts';
import type { ActionRule } from '../../generated/prisma/client.ts';
import { lastCompleteDay } from '../../time.ts';
import { IdParam, errors, json, refToId, requireRole, scopedClient, security, type Scope } from '../common.ts';
import type { AppEnv } from '../env.ts';
import { audit } from '../audit.ts';

const tags = ['actions'];
const RuleSchema = z.object({
  id: z.uuid(), clientId: z.uuid(), name: z.string(), kind: z.string(), mode: z.string(), enabled: z.boolean(), minProbability: z.number(), minSpendCents: z.number().int(),
  percent: z.number().nullable(), cooldownDays: z.number().int(), allowProvisional: z.boolean(), replayedAt: z.string().nullable(), replay: z.any(),
}).openapi('ActionRule');
const out = (r: ActionRule) => ({ id: r.id, clientId: r.clientId, name: r.name, kind: r.kind, mode: r.mode, enabled: r.enabled, minProbability: r.minProbability, minSpendCents: Number(r.minSpendCents), percent: r.percent, cooldownDays: r.cooldownDays, allowProvisional: r.allowProvisional, replayedAt: r.replayedAt?.toISOString() ?? null, replay: r.replay });

async function scopedRule(c: Scope, ref: string) {
  const id = await refToId(c, 'action_rule', ref, 'rule');
  const r = await c.get('deps').db.prisma.actionRule.findFirst({ where: { id, client: { agencyId: c.get('key').agencyId } } });
  if (!r) throw new AppError('not_found', `rule ${ref} not found`);
  return r;
}

export function actionRuleRoutes(app: OpenAPIHono<AppEnv>) {
  app.openapi(
    createRoute({ method: 'get', path: '/v1/clients/{id}/rules', tags, security, summary: 'The client\'s rules that propose (or make) changes on the ad platforms', request: { params: IdParam }, responses: { 200: json(z.object({ data: z.array(RuleSchema) }), 'Rules'), ...errors } }),
    async (c) => {
      const client = await scopedClient(c, c.req.valid('param').id);
      return c.json({ data: (await c.get('deps').db.prisma.actionRule.findMany({ where: { clientId: client.id }, orderBy: { createdAt: 'asc' } })).map(out) }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'post', path: '/v1/clients/{id}/rules', tags, security, summary: 'Add a rule in propose mode (admin): pause_burning or scale_winner',
      request: { params: IdParam, body: { content: { 'application/json': { schema: z.any().openapi({ example: { name: 'burners', kind: 'pause_burning', minProbability: 0.95, minSpendCents: 10000 } }) } }, required: true } },
      responses: { 201: json(RuleSchema, 'Added'), 409: json(z.any(), 'A rule of that name exists'), ...errors },
    }),
    async (c) => {
      requireRole(c, 'admin');
      const client = await scopedClient(c, c.req.valid('param').id);
      const parsed = ruleInputSchema.safeParse(await c.req.json().catch(() => null));
      if (!parsed.success) throw new AppError('invalid_input', 'invalid rule', parsed.error.issues.map((i) => ({ path: `body.${i.path.join('.')}`, message: i.message })));
      const { minSpendCents, ...rest } = parsed.data;
      const r = await c.get('deps').db.prisma.actionRule.create({ data: { clientId: client.id, ...rest, minSpendCents: BigInt(minSpendCents) } }).catch((err: { code?: string }) => {
        if (err.code === 'P2002') throw new AppError('conflict', `${client.slug} already has a rule named "${rest.name}"`);
        throw err;
      });
      await audit(c, { action: 'action_rule.create', entityType: 'action_rule', entityId: r.id, clientId: client.id, after: out(r) });
      return c.json(out(r), 201);
    },
  );
  app.openapi(
    createRoute({
      method: 'post', path: '/v1/rules/{id}/replay', tags, security, summary: 'Replay the rule over the client\'s settled history (admin): when it would have acted and what that saved or cost',
      request: { params: IdParam, query: z.object({ days: z.coerce.number().int().min(7).max(365).default(90) }) },
      responses: { 200: json(z.any(), 'The replay'), ...errors },
    }),
    async (c) => {
      requireRole(c, 'admin');
      const rule = await scopedRule(c, c.req.valid('param').id);
      const deps = c.get('deps');
      const client = await deps.db.prisma.client.findUniqueOrThrow({ where: { id: rule.clientId } });
      const r = await replayRule(deps.db, client, rule, lastCompleteDay(client.timezone, deps.now()), c.req.valid('query').days);
      const summary = { fires: r.fires, netCents: r.netCents, right: r.right, wrong: r.wrong, from: r.from, to: r.to };
      await deps.db.prisma.actionRule.update({ where: { id: rule.id }, data: { replayedAt: deps.now(), replay: summary } });
      await audit(c, { action: 'action_rule.replay', entityType: 'action_rule', entityId: rule.id, clientId: rule.clientId, after: summary });
      return c.json(r, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'patch', path: '/v1/rules/{id}', tags, security, summary: 'Switch a rule\'s mode (propose | auto, auto only after a replay of the last 30 days) or turn it off (admin)',
      request: { params: IdParam, body: { content: { 'application/json': { schema: z.object({ mode: z.enum(['propose', 'auto']).optional(), enabled: z.boolean().optional() }).strict() } }, required: true } },
      responses: { 200: json(RuleSchema, 'Updated'), 409: json(z.any(), 'Not replayed'), ...errors },
    }),
    async (c) => {
      requireRole(c, 'admin');
      const rule = await scopedRule(c, c.req.valid('param').id);
      const b = c.req.valid('json');
      if (b.mode === 'auto') checkAutoAllowed(rule, c.get('deps').now());
      const u = await c.get('deps').db.prisma.actionRule.update({ where: { id: rule.id }, data: { ...(b.mode ? { mode: b.mode } : {}), ...(b.enabled !== undefined ? { enabled: b.enabled } : {}) } });
      await audit(c, { action: 'action_rule.mode', entityType: 'action_rule', entityId: rule.id, clientId: rule.clientId, before: { mode: rule.mode, enabled: rule.enabled }, after: { mode: u.mode, enabled: u.enabled } });
      return c.json(out(u), 200);
    },
  );
}
