// REST: what first-party campaigns did (per campaign with its children, leaderboard,
// platforms, overview), where an order and a customer came from, and the
// server-side history endpoint (visits and page views with their own times).
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { AppError } from '../../errors.ts';
import { byPlatform, CAMPAIGN_REF, campaignAnalytics, leaderboard, LEADERBOARD_ORDERS, type CampaignRef } from '../../tracking/analytics.ts';
import { creditsOf, reattributeSessions } from '../../tracking/conversions.ts';
import { describeAgent, insertVisits, type VisitRow } from '../../tracking/visits.ts';
import { addDays, daysBetween, lastCompleteDay } from '../../time.ts';
import { Day, IdParam, errors, json, refToId, requireRole, scopedClient, security } from '../common.ts';
import type { AppEnv } from '../env.ts';

const tags = ['tracking'];
const Model = z.enum(['last_touch', 'first_touch', 'linear']).default('last_touch');
const RangeQuery = z.object({ from: Day.optional(), to: Day.optional(), model: Model });
type C = Parameters<Parameters<OpenAPIHono<AppEnv>['openapi']>[1]>[0];

const Events = z.object({
  clientId: z.uuid(),
  events: z.array(z.object({
    type: z.enum(['visit', 'activity']),
    sessionId: z.string().regex(/^[A-Za-z0-9_-]{8,100}$/, 'letters, digits, _ and -'),
    timestamp: z.iso.datetime({ offset: true }),
    code: z.string().max(64).optional().openapi({ description: 'visit: the campaign code it came with (a touch)' }),
    path: z.string().max(500).optional(),
    referrer: z.string().max(2000).optional(),
    userAgent: z.string().max(1000).optional(),
    country: z.string().regex(/^[A-Za-z]{2}$/).optional(),
  }).strict()).min(1).max(1000),
}).strict().openapi('TrackingHistory');

export function trackingAnalyticsRoutes(app: OpenAPIHono<AppEnv>) {
  const campaignsOf = async (c: C, clientId: string): Promise<CampaignRef[]> =>
    c.get('deps').db.prisma.trackingCampaign.findMany({ where: { clientId }, orderBy: { createdAt: 'asc' }, select: CAMPAIGN_REF });
  const rangeOf = (c: C, client: { timezone: string }, q: { from?: string; to?: string }) => {
    const to = q.to ?? lastCompleteDay(client.timezone, c.get('deps').now());
    const from = q.from ?? addDays(to, -29);
    if (from > to) throw new AppError('invalid_input', '`from` is after `to`', [{ path: 'query.from', message: 'must not be after to' }]);
    if (daysBetween(from, to) > 400) throw new AppError('invalid_input', 'ask for at most 400 days at a time', [{ path: 'query.to', message: 'range longer than 400 days' }]);
    return { from, to, timezone: client.timezone };
  };

  app.openapi(
    createRoute({
      method: 'get', path: '/v1/tracking-campaigns/{id}/analytics', tags, security,
      summary: 'Visits, unique visitors, conversions, conversion rate, revenue, AOV, ROI, cost per visit / conversion, daily timeline, devices, countries, top products (default: the last 30 days); include_children sums the children and lists them',
      request: { params: IdParam, query: RangeQuery.extend({ include_children: z.enum(['true', 'false']).default('false'), granularity: z.enum(['day', 'hour']).default('day').openapi({ description: 'the timeline by local day or hour' }) }) },
      responses: { 200: json(z.any(), 'Analytics'), ...errors },
    }),
    async (c) => {
      const id = await refToId(c, 'tracking_campaign', c.req.valid('param').id, 'campaign');
      const q = c.req.valid('query');
      const t = await c.get('deps').db.prisma.trackingCampaign.findFirst({ where: { id, client: { agencyId: c.get('key').agencyId } }, include: { client: true } });
      if (!t) throw new AppError('not_found', `campaign ${id} not found`);
      const all = await campaignsOf(c, t.clientId);
      const r = await campaignAnalytics(c.get('deps').db, t.clientId, all.find((x) => x.id === t.id)!, all, rangeOf(c, t.client, q), { includeChildren: q.include_children === 'true', model: q.model, granularity: q.granularity });
      return c.json({ currency: t.client.currency, ...r }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get', path: '/v1/clients/{id}/tracking/leaderboard', tags, security, summary: 'Campaigns best first by roi, revenue, conversions or conversion_rate',
      request: { params: IdParam, query: RangeQuery.extend({ by: z.enum(LEADERBOARD_ORDERS).default('roi'), limit: z.coerce.number().int().min(1).max(500).default(20) }) },
      responses: { 200: json(z.any(), 'The leaderboard'), ...errors },
    }),
    async (c) => {
      const client = await scopedClient(c, c.req.valid('param').id);
      const q = c.req.valid('query');
      const range = rangeOf(c, client, q);
      const data = await leaderboard(c.get('deps').db, client.id, await campaignsOf(c, client.id), range, q.by, q.limit, q.model);
      return c.json({ currency: client.currency, from: range.from, to: range.to, by: q.by, model: q.model, data }, 200);
    },
  );
  app.openapi(
    createRoute({ method: 'get', path: '/v1/clients/{id}/tracking/overview', tags, security, summary: 'All campaigns: totals, per platform, and each campaign', request: { params: IdParam, query: RangeQuery }, responses: { 200: json(z.any(), 'Overview'), ...errors } }),
    async (c) => {
      const client = await scopedClient(c, c.req.valid('param').id);
      const q = c.req.valid('query');
      const range = rangeOf(c, client, q);
      const all = await campaignsOf(c, client.id);
      const rows = await leaderboard(c.get('deps').db, client.id, all, range, 'revenue', all.length || 1, q.model);
      const platforms = byPlatform(rows);
      const total = byPlatform(rows.map((x) => ({ ...x, platform: 'all' })))[0] ?? null;
      return c.json({ currency: client.currency, from: range.from, to: range.to, model: q.model, total, platforms, campaigns: rows }, 200);
    },
  );
  app.openapi(
    createRoute({ method: 'get', path: '/v1/clients/{id}/orders/{orderId}/campaign-source', tags, security, summary: 'Where an order came from: its campaign by last touch, and the credits of the other models', request: { params: IdParam.extend({ orderId: z.string().min(1).max(200) }) }, responses: { 200: json(z.any(), 'The source'), ...errors } }),
    async (c) => {
      const { id, orderId } = c.req.valid('param');
      const client = await scopedClient(c, id);
      const { prisma } = c.get('deps').db;
      const o = await prisma.conversion.findUnique({ where: { clientId_orderId: { clientId: client.id, orderId } } });
      if (!o) throw new AppError('not_found', `order ${orderId} not found`);
      const campaign = o.campaignId ? await prisma.trackingCampaign.findUnique({ where: { id: o.campaignId }, select: { id: true, name: true, code: true, platform: true } }) : null;
      const [first, linear] = await Promise.all([creditsOf(c.get('deps').db, o.id, 'first_touch'), creditsOf(c.get('deps').db, o.id, 'linear')]);
      return c.json({ orderId, at: o.at.toISOString(), revenueCents: Number(o.revenueCents), sessionId: o.sessionId, customerId: o.customerId, campaign, attributed: Boolean(campaign), firstTouch: first[0]?.campaignId ?? null, linear: linear.map((x) => ({ campaignId: x.campaignId, share: x.share })) }, 200);
    },
  );
  app.openapi(
    createRoute({ method: 'get', path: '/v1/clients/{id}/customers/{customerId}/acquisition', tags, security, summary: 'The campaign that brought a customer (their first attributed order)', request: { params: IdParam.extend({ customerId: z.string().min(1).max(200) }) }, responses: { 200: json(z.any(), 'Acquisition'), ...errors } }),
    async (c) => {
      const { id, customerId } = c.req.valid('param');
      const client = await scopedClient(c, id);
      const { prisma } = c.get('deps').db;
      const t = await prisma.trackCustomer.findUnique({ where: { clientId_customerId: { clientId: client.id, customerId } } });
      if (!t) throw new AppError('not_found', `customer ${customerId} not found`);
      const campaign = t.acquisitionCampaignId ? await prisma.trackingCampaign.findUnique({ where: { id: t.acquisitionCampaignId }, select: { id: true, name: true, code: true, platform: true } }) : null;
      return c.json({ customerId, firstOrderAt: t.firstOrderAt.toISOString(), campaign }, 200);
    },
  );
  app.openapi(
    createRoute({ method: 'get', path: '/v1/clients/{id}/customers/{customerId}/campaign-history', tags, security, summary: 'Every order of a customer with the campaign each came from, oldest first', request: { params: IdParam.extend({ customerId: z.string().min(1).max(200) }) }, responses: { 200: json(z.any(), 'History'), ...errors } }),
    async (c) => {
      const { id, customerId } = c.req.valid('param');
      const client = await scopedClient(c, id);
      const { prisma } = c.get('deps').db;
      const orders = await prisma.conversion.findMany({ where: { clientId: client.id, customerId }, orderBy: { at: 'asc' }, take: 1000 });
      const names = new Map((await prisma.trackingCampaign.findMany({ where: { id: { in: orders.map((o) => o.campaignId).filter((x): x is string => Boolean(x)) } }, select: { id: true, name: true, code: true } })).map((x) => [x.id, x]));
      return c.json({ customerId, orders: orders.map((o) => ({ orderId: o.orderId, at: o.at.toISOString(), revenueCents: Number(o.revenueCents), campaign: o.campaignId ? names.get(o.campaignId) ?? null : null })) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post', path: '/v1/track/events', tags, security,
      summary: 'History from a server (member key): visits and page views with their own timestamps (another tracker\'s export, a replayed log); attribution runs on those times as it would have live, and the sessions\' later orders are attributed again',
      request: { body: { content: { 'application/json': { schema: Events } }, required: true } },
      responses: { 201: json(z.object({ accepted: z.number().int(), touches: z.number().int(), unknownCodes: z.array(z.string()), reattributed: z.number().int() }), 'Stored'), ...errors },
    }),
    async (c) => {
      requireRole(c, 'member');
      const b = c.req.valid('json');
      const client = await scopedClient(c, b.clientId);
      const { db, now } = c.get('deps');
      const latest = now().getTime() + 5 * 60_000;
      const bad = b.events.findIndex((e) => new Date(e.timestamp).getTime() > latest);
      if (bad >= 0) throw new AppError('invalid_input', `events.${bad}.timestamp is in the future`, [{ path: `body.events.${bad}.timestamp`, message: 'in the future' }]);
      const campaigns = new Map((await db.prisma.trackingCampaign.findMany({ where: { clientId: client.id }, select: { id: true, code: true } })).map((x) => [x.code, x.id]));
      const unknown = new Set<string>();
      const rows: VisitRow[] = b.events.map((e) => {
        const campaignId = e.type === 'visit' && e.code ? campaigns.get(e.code) ?? null : null;
        if (e.type === 'visit' && e.code && !campaignId) unknown.add(e.code);
        return { clientId: client.id, campaignId, sessionId: e.sessionId, kind: campaignId ? 'click' : 'view', at: new Date(e.timestamp), ipHash: null, ...describeAgent(e.userAgent), country: e.country?.toUpperCase() ?? null, referrer: e.referrer ?? null, path: e.path ?? null };
      });
      await db.sql.tx((sql) => insertVisits({ sql }, rows));
      const sessions = new Map<string, Date>();
      for (const r of rows) if (!sessions.has(r.sessionId) || sessions.get(r.sessionId)! > r.at) sessions.set(r.sessionId, r.at);
      const reattributed = await reattributeSessions(db, client.id, sessions);
      return c.json({ accepted: rows.length, touches: rows.filter((r) => r.campaignId).length, unknownCodes: [...unknown], reattributed }, 201);
    },
  );
}
