// REST: first-party campaigns (CRUD, activate / deactivate, children), conversions
// from the shop's server, and the public tracking link GET /t/<code>.
import { randomBytes } from 'node:crypto';
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { getCookie, setCookie } from 'hono/cookie';
import { AppError } from '../../errors.ts';
import type { TrackingCampaign } from '../../generated/prisma/client.ts';
import { campaignOut, campaignPatchSchema, createCampaign, deleteCampaign, newCampaignSchema, siteKeyOf, trackingUrl, updateCampaign } from '../../tracking/campaigns.ts';
import { recordConversion } from '../../tracking/conversions.ts';
import { describeAgent, hashIp, notAPerson, VisitWriter } from '../../tracking/visits.ts';
import { pickVariant } from '../../tracking/split-link.ts';
import { LinkResolver, type CampaignLink } from '../../tracking/link-resolver.ts';
import { checkTrackDomain, linkBase, parseTrackDomain } from '../../tracking/domains.ts';
import { rateLimiter } from 'hono-rate-limiter';
import { audit } from '../audit.ts';
import { clientKey } from '../client-address.ts';
import { IdParam, errors, json, refToId, requireRole, scopedClient, security } from '../common.ts';
import type { ApiDeps, AppEnv } from '../env.ts';

const tags = ['tracking'];
export const SESSION_COOKIE = 'adb_sid';
const Campaign = z.object({
  id: z.uuid(), clientId: z.uuid(), parentId: z.uuid().nullable(), name: z.string(), platform: z.string(), type: z.string(), postUrl: z.string().nullable(), code: z.string(),
  destinationUrl: z.string(), trackingUrl: z.string(), costCents: z.number().int(),
  adEntityId: z.uuid().nullable().openapi({ description: 'linked to ad spend: its cost is this ad-platform entity\'s spend per day (costCents is then not used)' }), budgetCents: z.number().int().nullable(), startsAt: z.string().nullable(), endsAt: z.string().nullable(),
  active: z.boolean(), metadata: z.record(z.string(), z.unknown()), createdAt: z.string(), updatedAt: z.string(),
}).openapi('TrackingCampaign');
const NewConversion = z.object({
  clientId: z.uuid(),
  orderId: z.string().min(1).max(200),
  revenueCents: z.number().int().min(0).max(1e13),
  currency: z.string().length(3),
  customerId: z.string().min(1).max(200).optional(),
  sessionId: z.string().min(8).max(100).optional().openapi({ description: 'the adb_sid the snippet keeps (window.adbrain.sessionId())' }),
  timestamp: z.iso.datetime({ offset: true }).optional().openapi({ description: 'when the order happened (history); default now' }),
  lineItems: z.array(z.object({ productId: z.string().max(200), name: z.string().max(500).optional(), quantity: z.number().int().min(1).max(1e6), priceCents: z.number().int().min(0) }).strict()).max(500).optional(),
}).strict().openapi('NewConversion');
const ConversionOut = z.object({ id: z.uuid(), orderId: z.string(), duplicate: z.boolean(), campaignId: z.uuid().nullable(), revenueCents: z.number().int(), at: z.string() }).openapi('Conversion');

const Settings = z.object({
  siteKey: z.string(), origins: z.array(z.string()), fallbackUrl: z.string().nullable(), attributionDays: z.number().int(), honorDnt: z.boolean(),
  domain: z.string().nullable().openapi({ description: 'the client\'s own tracking host: its links are https://<domain>/t/<code>' }),
  snippet: z.string().openapi({ description: 'the <script> tag to paste into every page of the shop' }),
}).openapi('TrackingSettings');
const SettingsPatch = z.object({
  origins: z.array(z.url({ protocol: /^https?$/ }).max(300)).max(50).optional().openapi({ description: 'the shop\'s origins (https://shop.example) allowed to send visits' }),
  fallbackUrl: z.url({ protocol: /^https?$/ }).max(2000).nullable().optional(),
  attributionDays: z.number().int().min(1).max(365).optional(),
  honorDnt: z.boolean().optional().openapi({ description: 'drop visits of browsers that send DNT: 1 or Sec-GPC: 1' }),
  domain: z.string().max(253).nullable().optional().openapi({ description: 'the client\'s own tracking host (go.brand.com; a CNAME to this server, TLS at your proxy); null removes it' }),
}).strict().openapi('TrackingSettingsPatch');

export function trackingRoutes(app: OpenAPIHono<AppEnv>, visits: VisitWriter, c0: Pick<ApiDeps, 'db' | 'config'>) {
  const settingsOf = async (c: Parameters<typeof audit>[0], clientId: string) => {
    const { prisma } = c.get('deps').db;
    const key = await siteKeyOf(prisma, clientId);
    const cl = await prisma.client.findUniqueOrThrow({ where: { id: clientId } });
    const base = linkBase(c.get('deps').config.sources.oauth.publicUrl, cl.trackDomain);
    return { siteKey: key, origins: cl.trackOrigins, fallbackUrl: cl.trackFallbackUrl, attributionDays: cl.attributionDays, honorDnt: cl.honorDnt, domain: cl.trackDomain, snippet: `<script src="${base}/t.js" data-site="${key}" defer></script>` };
  };
  app.openapi(
    createRoute({ method: 'get', path: '/v1/clients/{id}/tracking', tags, security, summary: 'The client\'s tracking settings: site key, allowed origins, fallback URL, attribution window, the snippet', request: { params: IdParam }, responses: { 200: json(Settings, 'Settings'), ...errors } }),
    async (c) => c.json(await settingsOf(c, (await scopedClient(c, c.req.valid('param').id)).id), 200),
  );
  app.openapi(
    createRoute({ method: 'patch', path: '/v1/clients/{id}/tracking', tags, security, summary: 'Change the tracking settings (admin)', request: { params: IdParam, body: { content: { 'application/json': { schema: SettingsPatch } }, required: true } }, responses: { 200: json(Settings, 'Updated'), ...errors } }),
    async (c) => {
      requireRole(c, 'admin');
      const client = await scopedClient(c, c.req.valid('param').id);
      const b = c.req.valid('json');
      if (Object.keys(b).length === 0) throw new AppError('invalid_input', 'nothing to change: send at least one field');
      const before = await settingsOf(c, client.id);
      const domain = b.domain === undefined || b.domain === null ? b.domain : parseTrackDomain(b.domain, c.get('deps').config.sources.oauth.publicUrl);
      await c.get('deps').db.prisma.client.update({
        where: { id: client.id },
        data: {
          ...(domain !== undefined && { trackDomain: domain }),
          ...(b.origins && { trackOrigins: [...new Set(b.origins.map((o) => new URL(o).origin))] }), ...(b.fallbackUrl !== undefined && { trackFallbackUrl: b.fallbackUrl }),
          ...(b.attributionDays !== undefined && { attributionDays: b.attributionDays }), ...(b.honorDnt !== undefined && { honorDnt: b.honorDnt }),
        },
      }).catch((err: { code?: string }) => {
        if (err.code === 'P2002') throw new AppError('conflict', `domain: ${domain} is already another client's tracking host`, [{ path: 'body.domain', message: 'taken' }]);
        throw err;
      });
      const after = await settingsOf(c, client.id);
      await audit(c, { action: 'client.tracking', entityType: 'client', entityId: client.id, clientId: client.id, before, after });
      return c.json(after, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get', path: '/v1/clients/{id}/tracking/domain-check', tags, security,
      summary: 'Whether the client\'s tracking host reaches this server: fetches https://<domain>/.well-known/adbrain-domain through DNS, the proxy and TLS, and says what is wrong',
      request: { params: IdParam }, responses: { 200: json(z.object({ domain: z.string(), url: z.string(), ok: z.boolean(), problem: z.string().nullable() }), 'The check'), ...errors },
    }),
    async (c) => {
      const client = await scopedClient(c, c.req.valid('param').id);
      if (!client.trackDomain) throw new AppError('invalid_input', 'this client has no tracking domain: PATCH /v1/clients/{id}/tracking with {"domain": "go.brand.com"}', [{ path: 'domain', message: 'not set' }]);
      return c.json(await checkTrackDomain(client.id, client.trackDomain, { resolve: c.get('deps').config.resolve }), 200);
    },
  );
  const scoped = async (c: Parameters<typeof audit>[0], ref: string): Promise<TrackingCampaign> => {
    const id = await refToId(c, 'tracking_campaign', ref, 'campaign');
    const t = await c.get('deps').db.prisma.trackingCampaign.findFirst({ where: { id, client: { agencyId: c.get('key').agencyId } } });
    if (!t) throw new AppError('not_found', `campaign ${id} not found`);
    return t;
  };
  // Campaigns as answered, with their tracking URLs: the site key is read once per client, not once per campaign.
  const outAll = async (c: Parameters<typeof audit>[0], rows: TrackingCampaign[]) => {
    const keys = new Map<string, string>(), bases = new Map<string, string>();
    const { prisma } = c.get('deps').db;
    for (const id of new Set(rows.map((t) => t.clientId))) {
      keys.set(id, await siteKeyOf(prisma, id));
      bases.set(id, linkBase(c.get('deps').config.sources.oauth.publicUrl, (await prisma.client.findUniqueOrThrow({ where: { id }, select: { trackDomain: true } })).trackDomain));
    }
    return rows.map((t) => campaignOut(t, trackingUrl(bases.get(t.clientId)!, t, keys.get(t.clientId)!)));
  };
  const out = async (c: Parameters<typeof audit>[0], t: TrackingCampaign) => (await outAll(c, [t]))[0]!;

  app.openapi(
    createRoute({ method: 'get', path: '/v1/clients/{id}/tracking-campaigns', tags, security, summary: 'The client\'s first-party campaigns', request: { params: IdParam, query: z.object({ active: z.enum(['true', 'false']).optional() }) }, responses: { 200: json(z.object({ data: z.array(Campaign) }), 'Campaigns'), ...errors } }),
    async (c) => {
      const client = await scopedClient(c, c.req.valid('param').id);
      const q = c.req.valid('query');
      const rows = await c.get('deps').db.prisma.trackingCampaign.findMany({ where: { clientId: client.id, ...(q.active ? { active: q.active === 'true' } : {}) }, orderBy: { createdAt: 'asc' } });
      return c.json({ data: await outAll(c, rows) }, 200);
    },
  );
  app.openapi(
    createRoute({ method: 'post', path: '/v1/clients/{id}/tracking-campaigns', tags, security, summary: 'Create a campaign (member); the answer carries its tracking URL. No code: one is made from the name (INSTA_SUMMER_DRESS_01)', request: { params: IdParam, body: { content: { 'application/json': { schema: newCampaignSchema } }, required: true } }, responses: { 201: json(Campaign, 'Created'), 409: json(z.any(), 'Code taken'), ...errors } }),
    async (c) => {
      requireRole(c, 'member');
      const client = await scopedClient(c, c.req.valid('param').id);
      const t = await createCampaign(c.get('deps').db.prisma, client.id, c.req.valid('json'));
      const body = await out(c, t);
      await audit(c, { action: 'tracking_campaign.create', entityType: 'tracking_campaign', entityId: t.id, clientId: client.id, after: body });
      return c.json(body, 201);
    },
  );
  app.openapi(
    createRoute({ method: 'get', path: '/v1/tracking-campaigns/{id}', tags, security, summary: 'One campaign', request: { params: IdParam }, responses: { 200: json(Campaign, 'The campaign'), ...errors } }),
    async (c) => c.json(await out(c, await scoped(c, c.req.valid('param').id)), 200),
  );
  app.openapi(
    createRoute({ method: 'get', path: '/v1/tracking-campaigns/{id}/children', tags, security, summary: 'The campaign\'s children', request: { params: IdParam }, responses: { 200: json(z.object({ data: z.array(Campaign) }), 'Children'), ...errors } }),
    async (c) => {
      const t = await scoped(c, c.req.valid('param').id);
      const rows = await c.get('deps').db.prisma.trackingCampaign.findMany({ where: { parentId: t.id }, orderBy: { createdAt: 'asc' } });
      return c.json({ data: await outAll(c, rows) }, 200);
    },
  );
  app.openapi(
    createRoute({ method: 'patch', path: '/v1/tracking-campaigns/{id}', tags, security, summary: 'Change a campaign (member)', request: { params: IdParam, body: { content: { 'application/json': { schema: campaignPatchSchema } }, required: true } }, responses: { 200: json(Campaign, 'Updated'), ...errors } }),
    async (c) => {
      requireRole(c, 'member');
      const t = await scoped(c, c.req.valid('param').id);
      const before = await out(c, t);
      const after = await out(c, await updateCampaign(c.get('deps').db.prisma, t, c.req.valid('json')));
      await audit(c, { action: 'tracking_campaign.update', entityType: 'tracking_campaign', entityId: t.id, clientId: t.clientId, before, after });
      return c.json(after, 200);
    },
  );
  for (const [verb, active] of [['activate', true], ['deactivate', false]] as const) {
    app.openapi(
      createRoute({ method: 'post', path: `/v1/tracking-campaigns/{id}/${verb}`, tags, security, summary: active ? 'Count its link again (member)' : 'Stop counting its link (member): clicks go to the client\'s fallback URL', request: { params: IdParam }, responses: { 200: json(Campaign, 'The campaign'), ...errors } }),
      async (c) => {
        requireRole(c, 'member');
        const t = await scoped(c, c.req.valid('param').id);
        const u = await c.get('deps').db.prisma.trackingCampaign.update({ where: { id: t.id }, data: { active } });
        await audit(c, { action: `tracking_campaign.${verb}`, entityType: 'tracking_campaign', entityId: t.id, clientId: t.clientId, before: { active: t.active }, after: { active } });
        return c.json(await out(c, u), 200);
      },
    );
  }
  app.openapi(
    createRoute({ method: 'delete', path: '/v1/tracking-campaigns/{id}', tags, security, summary: 'Delete a campaign (member); its children stay, without a parent; its visits and orders stay, unattributed', request: { params: IdParam }, responses: { 204: { description: 'Deleted' }, ...errors } }),
    async (c) => {
      requireRole(c, 'member');
      const t = await scoped(c, c.req.valid('param').id);
      const before = await out(c, t);
      await deleteCampaign(c.get('deps').db, t.id);
      await audit(c, { action: 'tracking_campaign.delete', entityType: 'tracking_campaign', entityId: t.id, clientId: t.clientId, before });
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'post', path: '/v1/track/conversion', tags, security,
      summary: 'An order from the shop\'s server (member key): counted once per (client, orderId), attributed by last touch over the session\'s visits in the client\'s window (30 days from the last activity, rolling)',
      request: { body: { content: { 'application/json': { schema: NewConversion } }, required: true } },
      responses: { 201: json(ConversionOut, 'Recorded'), 200: json(ConversionOut, 'Already recorded (the same orderId): nothing counted twice'), ...errors },
    }),
    async (c) => {
      requireRole(c, 'member');
      const b = c.req.valid('json');
      const client = await scopedClient(c, b.clientId);
      if (b.currency.toUpperCase() !== client.currency) throw new AppError('invalid_input', `currency: ${b.currency} is not the client's currency (${client.currency})`, [{ path: 'body.currency', message: `expected ${client.currency}` }]);
      const at = b.timestamp ? new Date(b.timestamp) : c.get('deps').now();
      // Visits still queued in this process belong to the session's history.
      await visits.flush();
      const r = await recordConversion(c.get('deps').db, { clientId: client.id, orderId: b.orderId, revenueCents: b.revenueCents, currency: client.currency, at, sessionId: b.sessionId, customerId: b.customerId, lineItems: b.lineItems });
      return c.json(r, r.duplicate ? 200 : 201);
    },
  );

  // The tracking link: no key; a person is counted and sent on, a bot is only sent on.
  // Beyond clickLimit a minute from one address the link still works, answered from
  // memory and not counted (a flood neither inflates the counts nor loads the
  // database; people behind one carrier address still get through); while the
  // database is unreachable the last known destination is used (src/tracking/link-resolver.ts).
  const links = new LinkResolver(c0.db);
  const overLimit = rateLimiter<AppEnv>({
    windowMs: 60_000,
    limit: c0.config.tracking.clickLimit,
    keyGenerator: (c) => `click:${clientKey(c)}`,
    standardHeaders: false,
    handler: async (c, next) => {
      c.set('uncounted', true);
      await next();
    },
  });
  app.on(['GET', 'HEAD'], '/t/:code', overLimit, async (c) => {
    const { config, now } = c.get('deps');
    const code = c.req.param('code');
    const site = c.req.query('s');
    const flooding = c.get('uncounted') === true;
    let resolved = flooding ? links.remembered(code, site) : null;
    if (flooding && !resolved) return c.text('Too many clicks from this address; wait a minute.', 429, { 'retry-after': '60' });
    let stale = false;
    if (!resolved) ({ resolved, stale } = await links.resolve(code, site));
    if (!resolved) {
      // The database is unreachable and this link was never seen by this process.
      if (config.tracking.fallbackUrl) return c.redirect(config.tracking.fallbackUrl, 302);
      return c.text('This link is briefly unavailable; please try again in a moment.', 503, { 'retry-after': '5' });
    }
    const at = now();
    let sid = getCookie(c, SESSION_COOKIE);
    if (!sid || !/^[A-Za-z0-9_-]{16,64}$/.test(sid)) sid = randomBytes(16).toString('base64url');
    let hit: CampaignLink | null = null;
    let shown = code;
    if (resolved.kind === 'campaign') hit = resolved.link;
    else if (resolved.kind === 'split') {
      // A split test's link: this session's variant, always the same one.
      const { split } = resolved;
      const v = pickVariant(sid, split.testId, split.variants);
      hit = { id: v.campaignId, clientId: split.clientId, destinationUrl: v.destinationUrl, active: true, startsAt: null, endsAt: null, fallback: split.fallback, honorDnt: split.honorDnt };
      shown = v.code;
    }
    // On a client's own host, another client's link does not exist.
    const onHost = c.get('domainClient');
    if (onHost && hit && hit.clientId !== onHost) return c.text('This link is not active.', 404);
    const live = hit && hit.active && (!hit.startsAt || new Date(hit.startsAt) <= at) && (!hit.endsAt || new Date(hit.endsAt) >= at);
    if (!hit || !live) {
      const fallback = (hit ? hit.fallback : resolved.kind === 'none' ? resolved.fallback : null) ?? config.tracking.fallbackUrl;
      if (fallback) return c.redirect(fallback, 302);
      return c.text('This link is not active.', 404);
    }
    const person = !flooding && !notAPerson(c.req.method, (h) => c.req.header(h)) && !(hit.honorDnt && (c.req.header('dnt') === '1' || c.req.header('sec-gpc') === '1'));
    const dest = new URL(hit.destinationUrl);
    dest.searchParams.set('utm_campaign', shown);
    if (person) {
      dest.searchParams.set(SESSION_COOKIE, sid);
      setCookie(c, SESSION_COOKIE, sid, { path: '/', maxAge: 60 * 60 * 24 * 400, httpOnly: true, sameSite: 'Lax', secure: new URL(c.req.url).protocol === 'https:' });
      const ua = describeAgent(c.req.header('user-agent'));
      const geo = config.tracking.geoHeader ? c.req.header(config.tracking.geoHeader) : undefined;
      // During an outage the visit waits in the writer's queue until the database is back;
      // a database slower than the clicks delays the redirect a little rather than pile them up.
      await visits.room();
      visits.add({
        clientId: hit.clientId, campaignId: hit.id, sessionId: sid, kind: 'click', at, ipHash: hashIp(clientKey(c), config.tracking.salt), ...ua,
        country: geo && /^[A-Za-z]{2}$/.test(geo) ? geo.toUpperCase() : null, referrer: c.req.header('referer') ?? null, path: null,
      });
    }
    c.header('cache-control', 'no-store');
    c.header('referrer-policy', 'no-referrer-when-downgrade');
    if (stale) c.header('x-adbrain-stale', '1');
    return c.redirect(dest.toString(), 302);
  });
}
