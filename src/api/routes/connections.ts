// REST: a client's ad-account connections. Tokens go in, never out; every id is
// scoped to the key's agency like the rest of the API.
import { escapeHtml } from '../../html-escape.ts';
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { rememberSecret } from '../../crypto/redact.ts';
import { connectAccount, connectionOut, testConnection } from '../../domain/connections.ts';
import { AppError } from '../../errors.ts';
import { syncConnection } from '../../sources/sync.ts';
import { authorize, callback, OAUTH_PLATFORMS, type OAuthPlatform } from '../../sources/oauth.ts';
import { Day, IdParam, errors, json, keyOf, requireRole, scopedClient, scopedConnection, security } from '../common.ts';
import type { AppEnv } from '../env.ts';
import { audit } from '../audit.ts';
import { recordAudit } from '../../audit/log.ts';

const ConnectionSchema = z
  .object({
    id: z.uuid(), platform: z.string(), label: z.string(), status: z.string().openapi({ description: 'active, error, disabled or needs_reauth' }),
    accountId: z.string().nullable(), accountName: z.string().nullable(), currency: z.string().nullable(), timezone: z.string().nullable(),
    actionType: z.string().nullable(), settleDays: z.number().int().nullable(), lastSyncAt: z.string().nullable(), lastError: z.string().nullable(), createdAt: z.string(),
  })
  .openapi('Connection');

const NewConnection = z
  .object({
    platform: z.enum(['meta', 'google', 'tiktok', 'redtrack', 'shopify']),
    accountId: z.string().min(1).max(64).optional().describe('Meta: the ad account id, with or without act_; Google: the customer id; TikTok: the advertiser id; Shopify: the shop (the-shop or the-shop.myshopify.com); RedTrack: none (the key names the account)'),
    accessToken: z.string().min(1).max(4096).optional().describe('Meta, TikTok and Shopify (an Admin API token); stored AES-256-GCM encrypted, never returned'),
    refreshToken: z.string().min(1).max(4096).optional().describe('Google: an OAuth refresh token with the adwords scope; stored encrypted'),
    apiKey: z.string().min(1).max(4096).optional().describe('RedTrack: the API key (Tools → Integrations → API); stored encrypted'),
    appClientId: z.string().min(1).max(200).optional().describe('Shopify: a custom app\'s client id, for the client-credentials grant instead of an access token'),
    appClientSecret: z.string().min(1).max(4096).optional().describe('Shopify: that app\'s client secret; stored encrypted'),
    loginCustomerId: z.string().max(20).optional().describe('Google: the manager account the access goes through'),
    actionType: z.string().max(200).optional(),
    settleDays: z.number().int().min(0).max(90).optional(),
  })
  .strict()
  .openapi('NewConnection');

const SyncBody = z.object({ from: Day.optional(), to: Day.optional() }).strict().openapi('SyncRequest');
const SyncResultSchema = z.object({
  connectionId: z.string(), platform: z.string(), account: z.string().nullable(), status: z.enum(['succeeded', 'failed', 'needs_reauth']),
  warning: z.string().optional().openapi({ description: 'Succeeded, but not all that was asked could be read (why)' }),
  syncRunId: z.string().nullable(), range: z.object({ from: z.string(), to: z.string() }).nullable(),
  rowsFetched: z.number().int(), inserted: z.number().int(), updated: z.number().int(), unchanged: z.number().int(), error: z.string().optional(),
}).openapi('SyncResult');

const tags = ['connections'];


export function connectionRoutes(app: OpenAPIHono<AppEnv>) {
  app.openapi(
    createRoute({ method: 'get', path: '/v1/clients/{id}/connections', tags, security, summary: 'The client\'s connections (ad accounts, RedTrack, Shopify)', request: { params: IdParam }, responses: { 200: json(z.object({ data: z.array(ConnectionSchema) }), 'Connections'), ...errors } }),
    async (c) => {
      const client = await scopedClient(c, c.req.valid('param').id);
      const rows = await c.get('deps').db.prisma.connection.findMany({ where: { clientId: client.id }, orderBy: { createdAt: 'asc' } });
      return c.json({ data: rows.map(connectionOut) }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'post', path: '/v1/clients/{id}/connections', tags, security, summary: 'Connect an ad account (admin); the platform is called to check the token and the currency',
      request: { params: IdParam, body: { content: { 'application/json': { schema: NewConnection } }, required: true } },
      responses: { 201: json(ConnectionSchema, 'Connected'), ...errors },
    }),
    async (c) => {
      requireRole(c, 'admin');
      const client = await scopedClient(c, c.req.valid('param').id);
      const body = c.req.valid('json');
      rememberSecret(body.accessToken, body.refreshToken, body.apiKey, body.appClientSecret);
      const { db, config } = c.get('deps');
      const conn = await connectAccount(db, keyOf(c, 'connection credentials'), config.sources, { clientId: client.id, ...body }, { now: c.get('deps').now() });
      await audit(c, { action: 'connection.create', entityType: 'connection', entityId: conn.id, clientId: client.id, after: connectionOut(conn) });
      return c.json(connectionOut(conn), 201);
    },
  );
  app.openapi(
    createRoute({
      method: 'get', path: '/v1/clients/{id}/connections/{platform}/authorize', tags, security,
      summary: 'A consent link to connect one ad account (admin): open `url`, the platform sends the user back to /oauth/{platform}/callback',
      request: {
        params: IdParam.extend({ platform: z.enum(OAUTH_PLATFORMS) }),
        query: z.object({ accountId: z.string().min(1).max(64), loginCustomerId: z.string().max(20).optional(), actionType: z.string().max(200).optional() }),
      },
      responses: { 200: json(z.object({ url: z.string(), state: z.string(), expiresAt: z.string(), redirectUri: z.string() }), 'The consent link (valid 15 minutes, once)'), ...errors },
    }),
    async (c) => {
      requireRole(c, 'admin');
      const { id, platform } = c.req.valid('param');
      const client = await scopedClient(c, id);
      const q = c.req.valid('query');
      const { db, config } = c.get('deps');
      const r = await authorize(db, keyOf(c, 'connection credentials'), config.sources, { clientId: client.id, platform, accountId: q.accountId, settings: { loginCustomerId: q.loginCustomerId, actionType: q.actionType } }, c.get('deps').now());
      return c.json(r, 200);
    },
  );
  // The platform's redirect back: no API key (the signed one-time state is the proof), a page for a person.
  app.get('/oauth/:platform/callback', async (c) => {
    const platform = c.req.param('platform');
    const page = (status: 200 | 400 | 502, title: string, text: string) =>
      c.html(`<!doctype html><meta charset="utf-8"><title>${escapeHtml(title)}</title><body style="font:16px system-ui;margin:3em"><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p></body>`, status);
    if (!(OAUTH_PLATFORMS as readonly string[]).includes(platform)) return page(400, 'Unknown platform', `adbrain connects ${OAUTH_PLATFORMS.join(', ')}.`);
    const { db, config } = c.get('deps');
    try {
      const conn = await callback(db, keyOf(c, 'connection credentials'), config.sources, platform as OAuthPlatform, c.req.query(), c.get('deps').now());
      const owner = await db.prisma.client.findUniqueOrThrow({ where: { id: conn.clientId }, select: { agencyId: true } });
      await recordAudit(db.prisma, { kind: 'system', id: null, name: `oauth:${platform} consent` }, { action: 'connection.create', entityType: 'connection', entityId: conn.id, agencyId: owner.agencyId, clientId: conn.clientId, after: connectionOut(conn) }, c.get('requestId'));
      const s = conn.settings as { accountName?: string; accountId?: string };
      return page(200, 'Connected', `${s.accountName ?? s.accountId} is connected to adbrain. Its numbers sync every day; you can close this tab.`);
    } catch (err) {
      if (err instanceof AppError) return page(err.code === 'provider_error' ? 502 : 400, 'Not connected', err.message);
      throw err;
    }
  });
  app.openapi(
    createRoute({ method: 'post', path: '/v1/connections/{id}/test', tags, security, summary: 'Call the platform with the stored token (member)', request: { params: IdParam }, responses: { 200: json(z.object({ ok: z.boolean(), problem: z.string().nullable(), connection: ConnectionSchema }), 'Result'), ...errors } }),
    async (c) => {
      requireRole(c, 'member');
      const conn = await scopedConnection(c, c.req.valid('param').id);
      const { db, config } = c.get('deps');
      await audit(c, { action: 'connection.test', entityType: 'connection', entityId: conn.id, clientId: conn.clientId });
      const r = await testConnection(db, keyOf(c, 'connection credentials'), config.sources, conn.id, { now: c.get('deps').now() });
      return c.json({ ok: r.ok, problem: r.problem, connection: connectionOut(r.connection) }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'post', path: '/v1/connections/{id}/sync', tags, security, summary: 'Sync now (member): the settling window, a pending backfill, or from/to',
      request: { params: IdParam, body: { content: { 'application/json': { schema: SyncBody } }, required: false } },
      responses: { 200: json(SyncResultSchema, 'The sync'), ...errors },
    }),
    async (c) => {
      requireRole(c, 'member');
      const conn = await scopedConnection(c, c.req.valid('param').id);
      const body = (c.req.valid('json') ?? {}) as z.infer<typeof SyncBody>;
      if (body.to && !body.from) throw new AppError('invalid_input', '`to` needs `from`', [{ path: 'body.from', message: 'required with to' }]);
      if (body.from && body.to && body.from > body.to) throw new AppError('invalid_input', '`from` is after `to`', [{ path: 'body.from', message: 'must not be after to' }]);
      const { db, config } = c.get('deps');
      // The request is what is recorded (before the work: a failing sync was still asked for); its outcome is the sync run.
      await audit(c, { action: 'connection.sync', entityType: 'connection', entityId: conn.id, clientId: conn.clientId, after: { from: body.from ?? null, to: body.to ?? null } });
      const r = await syncConnection(db, conn.id, { key: keyOf(c, 'connection credentials'), sources: config.sources, now: c.get('deps').now(), range: body.from ? { from: body.from, to: body.to ?? '9999-12-31' } : undefined });
      return c.json(r, 200);
    },
  );
  app.openapi(
    createRoute({ method: 'delete', path: '/v1/connections/{id}', tags, security, summary: 'Forget a connection and its token (admin); synced numbers stay', request: { params: IdParam }, responses: { 204: { description: 'Removed' }, ...errors } }),
    async (c) => {
      requireRole(c, 'admin');
      const conn = await scopedConnection(c, c.req.valid('param').id);
      await c.get('deps').db.prisma.connection.delete({ where: { id: conn.id } });
      await audit(c, { action: 'connection.delete', entityType: 'connection', entityId: conn.id, clientId: conn.clientId, before: connectionOut(conn) });
      return c.body(null, 204);
    },
  );
}

