import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { events } from '../../../inngest.config.ts';
import { snoozeInsight, TARGET, transition, type InboxAction } from '../../insights/inbox.ts';
import { AppError } from '../../errors.ts';
import type { Prisma } from '../../generated/prisma/client.ts';
import { INSIGHT_TYPES, SYSTEM_INSIGHT_TYPES } from '../../brain/types.ts';
import { IdParam, anyCase, cents, errors, isoDay, json, requireRole, scopedClient, scopedInsight, security } from '../common.ts';
import type { AppEnv } from '../env.ts';
import { audit } from '../audit.ts';

const STATUSES = ['PENDING', 'IN_PROGRESS', 'APPLIED', 'DISMISSED', 'RESOLVED'] as const;

const InsightSchema = z
  .object({
    id: z.uuid(),
    clientId: z.uuid(),
    entity: z.object({ id: z.uuid(), kind: z.string(), name: z.string(), platform: z.string() }).nullable(),
    type: z.string(),
    severity: z.string(),
    status: z.enum(STATUSES),
    title: z.string(),
    impactCents: z.number().int(),
    confidence: z.number(),
    since: z.string().nullable(),
    firstSeen: z.string(),
    lastSeen: z.string(),
    resolvedAt: z.string().nullable(),
    appliedOn: z.string().nullable(),
    realisedCents: z.number().int().nullable(),
    call: z.object({ on: z.string(), probability: z.number().nullable(), outcome: z.string().nullable(), roi: z.number().nullable() }).nullable().openapi({ description: 'a burning / winner call: the day made, the probability stated, and 7 days later whether its ROI stayed on the called side of the line (right | wrong | unjudged)' }),
    payload: z.any(),
  })
  .openapi('Insight');

type Row = Prisma.InsightGetPayload<{ include: { entity: { select: { id: true; kind: true; name: true; platform: true } } } }>;
const out = (i: Row) => ({
  id: i.id,
  clientId: i.clientId,
  entity: i.entity,
  type: i.type,
  severity: i.severity,
  status: i.status,
  title: i.title,
  impactCents: Number(i.impactCents),
  confidence: i.confidence,
  since: isoDay(i.since),
  firstSeen: i.firstSeen.toISOString(),
  lastSeen: i.lastSeen.toISOString(),
  resolvedAt: i.resolvedAt?.toISOString() ?? null,
  appliedOn: isoDay(i.appliedOn),
  realisedCents: cents(i.realisedCents),
  call: i.calledOn ? { on: isoDay(i.calledOn)!, probability: i.callProbability, outcome: i.callOutcome, roi: i.callRoi } : null,
  payload: i.payload,
});
const include = { entity: { select: { id: true, kind: true, name: true, platform: true } } } as const;

const ListQuery = z.object({
  clientId: z.string().min(1).max(200).optional().openapi({ description: 'the client\'s id, id prefix or slug' }),
  status: anyCase(STATUSES).optional(),
  type: anyCase([...INSIGHT_TYPES, ...SYSTEM_INSIGHT_TYPES] as [string, ...string[]]).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  sort: z.enum(['impact', 'recent']).default('impact').describe('impact: most money at stake first (default); recent: last seen first'),
  cursor: z.string().max(200).optional(),
});

const Patch = z
  .object({
    status: anyCase(['IN_PROGRESS', 'APPLIED', 'DISMISSED', 'PENDING']).describe('PENDING reopens a decision; any letter case'),
    note: z.string().max(2000).optional(),
  })
  .strict()
  .openapi('InsightStatusChange');

/** The inbox action that leads to each status a caller may ask for. */
const ACTION = Object.fromEntries(Object.entries(TARGET).map(([action, status]) => [status, action])) as Record<(typeof TARGET)[InboxAction], InboxAction>;

/** Keyset paging on (impact, id) or (lastSeen, id), descending; the cursor is opaque to callers and names its order. */
type Sort = 'impact' | 'recent';
const encode = (sort: Sort, i: { lastSeen: Date; impactCents: bigint; id: string }) =>
  Buffer.from(JSON.stringify([sort, sort === 'impact' ? i.impactCents.toString() : i.lastSeen.toISOString(), i.id])).toString('base64url');
function decode(cursor: string, sort: Sort) {
  const bad = () => new AppError('invalid_input', 'cursor is not one this API returned for this sort', [{ path: 'query.cursor', message: 'invalid cursor' }]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString());
  } catch {
    throw bad();
  }
  const [s, key, id] = Array.isArray(parsed) ? (parsed as unknown[]) : [];
  if (s !== sort || typeof key !== 'string' || typeof id !== 'string' || !/^[0-9a-f-]{36}$/.test(id)) throw bad();
  if (sort === 'impact') {
    if (!/^-?\d{1,19}$/.test(key)) throw bad();
    return { OR: [{ impactCents: { lt: BigInt(key) } }, { impactCents: BigInt(key), id: { lt: id } }] };
  }
  const lastSeen = new Date(key);
  if (Number.isNaN(lastSeen.getTime())) throw bad();
  return { OR: [{ lastSeen: { lt: lastSeen } }, { lastSeen, id: { lt: id } }] };
}

const tags = ['insights'];

export function insightRoutes(app: OpenAPIHono<AppEnv>) {
  app.openapi(
    createRoute({
      method: 'get', path: '/v1/insights', tags, security, summary: 'The inbox: filter by client, status and type; most money at stake first (or sort=recent), paged',
      request: { query: ListQuery },
      responses: { 200: json(z.object({ data: z.array(InsightSchema), nextCursor: z.string().nullable() }), 'A page of insights'), ...errors },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const clientId = q.clientId ? (await scopedClient(c, q.clientId)).id : undefined;
      const after = q.cursor ? decode(q.cursor, q.sort) : null;
      const rows = await c.get('deps').db.prisma.insight.findMany({
        where: {
          client: { agencyId: c.get('key').agencyId },
          ...(clientId ? { clientId } : {}),
          ...(q.status ? { status: q.status } : {}),
          ...(q.type ? { type: q.type } : {}),
          ...(after ?? {}),
        },
        include,
        orderBy: q.sort === 'impact' ? [{ impactCents: 'desc' }, { id: 'desc' }] : [{ lastSeen: 'desc' }, { id: 'desc' }],
        take: q.limit + 1,
      });
      const page = rows.slice(0, q.limit);
      return c.json({ data: page.map(out), nextCursor: rows.length > q.limit ? encode(q.sort, page.at(-1)!) : null }, 200);
    },
  );
  app.openapi(
    createRoute({ method: 'get', path: '/v1/insights/{id}', tags, security, summary: 'One insight with its history', request: { params: IdParam }, responses: { 200: json(InsightSchema.extend({ events: z.array(z.any()) }), 'The insight'), ...errors } }),
    async (c) => {
      const i = await scopedInsight(c, c.req.valid('param').id);
      const full = await c.get('deps').db.prisma.insight.findUniqueOrThrow({ where: { id: i.id }, include: { ...include, events: { orderBy: { at: 'asc' } } } });
      return c.json({ ...out(full), events: full.events.map((e) => ({ actor: e.actor, at: e.at.toISOString(), from: e.fromStatus, to: e.toStatus, note: e.note })) }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'patch', path: '/v1/insights/{id}', tags, security, summary: 'Mark an insight in progress, applied or dismissed (with a note), or reopen it (member)',
      request: { params: IdParam, body: { content: { 'application/json': { schema: Patch } }, required: true } },
      responses: { 200: json(InsightSchema, 'Updated'), 409: json(z.any(), 'Not allowed from the current status'), ...errors },
    }),
    async (c) => {
      requireRole(c, 'member');
      const i = await scopedInsight(c, c.req.valid('param').id);
      const body = c.req.valid('json');
      const deps = c.get('deps');
      const updated = await transition(deps.db.prisma, i.id, ACTION[body.status], { actor: `api-key:${c.get('key').keyId}`, note: body.note, now: deps.now() });
      if (deps.inngest) {
        await deps.inngest
          .send({ name: events.insightStatusChanged.name, data: { insightId: i.id, clientId: i.clientId, from: i.status, to: updated.status, actor: `api-key:${c.get('key').keyId}` } })
          .catch(() => undefined);
      }
      await audit(c, { action: 'insight.status_changed', entityType: 'insight', entityId: i.id, clientId: i.clientId, before: { status: i.status }, after: { status: updated.status, note: body.note ?? null } });
      const row = await deps.db.prisma.insight.findUniqueOrThrow({ where: { id: i.id }, include });
      return c.json(out(row), 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'post', path: '/v1/insights/{id}/snooze', tags, security, summary: 'Remind me later (member): out of the report\'s "act now" and its alerts held back for `days` (default 7); it stays open',
      request: { params: IdParam, body: { content: { 'application/json': { schema: z.object({ days: z.number().int().min(1).max(90).default(7), note: z.string().max(2000).optional() }).strict() } }, required: false } },
      responses: { 200: json(z.object({ id: z.uuid(), status: z.string(), snoozedUntil: z.string() }), 'Snoozed'), 409: json(z.any(), 'Not open'), ...errors },
    }),
    async (c) => {
      requireRole(c, 'member');
      const i = await scopedInsight(c, c.req.valid('param').id);
      const body = (c.req.valid('json') as { days?: number; note?: string } | undefined) ?? {};
      const deps = c.get('deps');
      const r = await snoozeInsight(deps.db.prisma, i.id, { actor: `api-key:${c.get('key').keyId}`, days: body.days ?? 7, note: body.note, now: deps.now() });
      await audit(c, { action: 'insight.snoozed', entityType: 'insight', entityId: i.id, clientId: i.clientId, before: { snoozedUntil: isoDay(i.snoozedUntil) }, after: { snoozedUntil: r.until, note: body.note ?? null } });
      return c.json({ id: i.id, status: r.insight.status, snoozedUntil: r.until }, 200);
    },
  );
}
