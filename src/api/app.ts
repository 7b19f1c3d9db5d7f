// The HTTP face of adbrain: REST under /v1 (API keys, roles, tenant scope),
// OpenAPI 3.1 at /openapi.json, and the Inngest endpoint at /api/inngest.
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context, Next } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { requestId } from 'hono/request-id';
import { rateLimiter } from 'hono-rate-limiter';
import type { InngestFunction, Inngest } from 'inngest';
import { serve as inngestServe } from 'inngest/hono';
import { verifyApiKey } from '../domain/api-keys.ts';
import { clientKey, isLoopback, isProxied, remoteAddress } from './client-address.ts';
import { createMetrics, type Metrics } from '../ops/metrics.ts';
import { authFailureLimiter } from './auth-failures.ts';
import { nulGuard } from './nul-guard.ts';
import type { ApiDeps, AppEnv } from './env.ts';
import { errorBody, onError, validationError } from './errors.ts';
import { inngestGuard, inngestMode } from './inngest-guard.ts';
import { clientRoutes } from './routes/clients.ts';
import { dataRoutes, MAX_IMPORT_BYTES } from './routes/data.ts';
import { insightRoutes } from './routes/insights.ts';
import { opsRoutes } from './routes/ops.ts';
import { connectionRoutes } from './routes/connections.ts';
import { exportRoutes } from './routes/exports.ts';
import { splitTestRoutes } from './routes/split-tests.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import { auditRoutes } from './routes/audit.ts';
import { trackingRoutes } from './routes/tracking.ts';
import { trackingAnalyticsRoutes } from './routes/tracking-analytics.ts';
import { processVisitWriter, type VisitWriter } from '../tracking/visits.ts';
import { SiteCache } from '../tracking/sites.ts';
import { BEACON_PATHS, beaconRoutes } from './routes/beacon.ts';
import { DomainCache, DOMAIN_PROOF_PATH, domainProof } from '../tracking/domains.ts';
import { actionLinkRoutes } from './routes/action-links.ts';
import { userRoutes } from './routes/users.ts';
import { askRoutes } from './routes/ask.ts';
import { adActionRoutes } from './routes/ad-actions.ts';
import { actionRuleRoutes } from './routes/action-rules.ts';
import { brandingRoutes } from './routes/branding.ts';
import { rollupRoutes } from './routes/rollup.ts';
import { webApp } from '../web/app.ts';

export interface AppOptions {
  /** Requests per key per minute. */
  rateLimit?: number;
  /** The batched visit writer (the server passes its own, to flush it on close). */
  visits?: VisitWriter;
  /** Tracking events per client address and minute on the public beacons (default 600). */
  beaconLimit?: number;
  /** Requests with a missing or wrong key per client address and minute (default 30). */
  authFailureLimit?: number;
  /** Sign-in attempts of the web inbox per client address and minute (default 10). */
  signInLimit?: number;
  /** Prometheus metrics at /metrics (src/ops/metrics.ts); made for the app when absent. */
  metrics?: Metrics;
  /** Served as the config says (src/api/inngest-guard.ts): signed, loopback-only dev mode, or off. */
  inngest?: { client: Inngest; functions: InngestFunction.Any[] };
}

export function createApp(deps: ApiDeps, opts: AppOptions = {}) {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (!result.success) return validationError(c, result.error, result.target === 'json' ? 'body' : result.target);
    },
  });
  app.onError(onError);
  app.notFound((c) => c.json(errorBody('not_found', `no route ${c.req.method} ${c.req.path}`), 404));
  // Every answer names its request (x-request-id; a caller's own id is kept), and the audit log records it.
  app.use('*', requestId({ limitLength: 100 }));
  // Latency by route pattern (never the raw path: ids would explode the label set).
  const metrics = opts.metrics ?? createMetrics(deps.db, deps.now);
  app.use('*', async (c, next) => {
    const t0 = performance.now();
    await next();
    metrics.observeRequest(c.req.method, c.req.routePath || 'unmatched', c.res.status, (performance.now() - t0) / 1000);
  });
  app.use('*', async (c, next) => {
    c.set('deps', deps);
    await next();
  });
  app.use('*', nulGuard({ skip: (p) => p.endsWith('/imports') }));
  // A client's own tracking host (src/tracking/domains.ts): its links, the snippet and
  // beacons, and the routing proof — nothing else of this server is served there.
  const domains = new DomainCache(deps.db.prisma);
  const ownHost = new URL(deps.config.sources.oauth.publicUrl).hostname;
  app.use('*', async (c, next) => {
    const host = (c.req.header('host') ?? '').toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '');
    if (!host.includes('.') || host === ownHost || /^[\d.]+$|^\[/.test(host)) return next();
    const clientId = await domains.clientOf(host);
    if (!clientId) return next();
    if (c.req.path === DOMAIN_PROOF_PATH) return c.text(domainProof(clientId, host), 200, { 'cache-control': 'no-store' });
    if (!/^\/t\/[^/]+$/.test(c.req.path) && c.req.path !== '/t.js' && !(BEACON_PATHS as readonly string[]).includes(c.req.path)) return c.text('Not found', 404);
    c.set('domainClient', clientId);
    return next();
  });

  app.get('/v1/health', async (c) => {
    // The embedded database runs in this process and serialises its work: while a
    // transaction (an import) holds it, "busy" is the honest answer, given at once.
    // A server that does not answer in time counts as unreachable.
    if (deps.db.busy()) return c.json({ ok: true, database: deps.db.kind, busy: true }, 200);
    const probe = deps.db.sql.query('SELECT 1').then(() => true, () => false);
    const timer = new Promise<false>((r) => setTimeout(() => r(false), 3_000).unref());
    if (await Promise.race([probe, timer])) return c.json({ ok: true, database: deps.db.kind }, 200);
    return c.json({ ok: false, database: 'unreachable' }, 503, { 'retry-after': '5' });
  });

  // Prometheus: loopback callers (a scraper beside the server) or an admin key; never through a proxy without the key.
  app.get('/metrics', async (c) => {
    const local = isLoopback(remoteAddress(c)) && !isProxied(c);
    if (!local) {
      const m = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '');
      const key = m ? await verifyApiKey(deps.db.prisma, m[1]!, deps.now()) : null;
      if (!key) return c.json(errorBody('unauthorized', 'metrics need an admin API key ("Authorization: Bearer adb_…") unless scraped from this machine'), 401, { 'www-authenticate': 'Bearer' });
      if (key.role !== 'admin') return c.json(errorBody('forbidden', `metrics need an admin key; yours is ${key.role}`), 403);
    }
    const m = await metrics.render();
    return c.body(m.body, 200, { 'content-type': m.contentType });
  });

  // Email action links carry their own signed token, not an API key. Their form is a
  // note and a CSRF token: a large body is refused before it is read.
  app.use('/a/*', bodyLimit({ maxSize: 16 * 1024, onError: (c) => c.text('request body too large', 413) }));
  actionLinkRoutes(app);
  // The web inbox (src/web/): its own sign-in (emailed links, sessions), HTML pages.
  app.route('/app', webApp({ signInLimit: opts.signInLimit }) as never);
  // The snippet's beacons carry a public site key, not an API key (src/api/routes/beacon.ts).
  const publicPath = (p: string) => (BEACON_PATHS as readonly string[]).includes(p);
  const visits = opts.visits ?? processVisitWriter(deps.db);
  beaconRoutes(app, visits, new SiteCache(deps.db), { perMinute: opts.beaconLimit });
  // The REST API and the MCP endpoint take the same keys, limits and roles.
  const failures = authFailureLimiter({
    windowMs: 60_000,
    limit: opts.authFailureLimit ?? 30,
    keyOf: (c) => clientKey(c),
    skip: publicPath,
    refuse: (c) => c.json(errorBody('rate_limited', 'too many requests with a missing or wrong API key from this address; wait a minute'), 429, { 'retry-after': '60' }),
  });
  const keyAuth = async (c: Context<AppEnv>, next: Next) => {
    if (publicPath(c.req.path)) return next();
    const header = c.req.header('authorization') ?? '';
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    const key = m ? await verifyApiKey(deps.db.prisma, m[1]!, deps.now()) : null;
    if (!key) {
      return c.json(errorBody('unauthorized', m ? 'unknown or revoked API key' : 'send an API key as "Authorization: Bearer adb_…"'), 401, { 'www-authenticate': 'Bearer' });
    }
    c.set('key', key);
    await next();
  };
  const perKey = rateLimiter<AppEnv>({
    windowMs: 60_000,
    limit: opts.rateLimit ?? 600,
    standardHeaders: 'draft-6',
    keyGenerator: (c) => c.get('key').keyId,
    skip: (c) => publicPath(c.req.path),
    handler: (c) => c.json(errorBody('rate_limited', 'too many requests for this API key; wait a minute and retry'), 429),
  });
  for (const path of ['/v1/*', '/mcp']) {
    app.use(path, failures);
    app.use(path, keyAuth);
    app.use(path, perKey);
  }
  app.use('/mcp', bodyLimit({ maxSize: 1024 * 1024, onError: (cc) => cc.json(errorBody('payload_too_large', 'request body larger than 1 MB'), 413) }));
  // MCP (src/mcp/): Streamable HTTP, stateless, answered as JSON.
  app.on(['GET', 'POST', 'DELETE'], '/mcp', async (c) => (await import('../mcp/http.ts')).mcpHandler(c));
  app.use('/v1/clients/:id/imports', bodyLimit({ maxSize: MAX_IMPORT_BYTES, onError: (c) => c.json(errorBody('payload_too_large', `the file is larger than ${MAX_IMPORT_BYTES / 1024 / 1024} MB`), 413) }));
  app.use('/v1/*', async (c, next) => {
    if (c.req.path.endsWith('/imports')) return next();
    return bodyLimit({ maxSize: 1024 * 1024, onError: (cc) => cc.json(errorBody('payload_too_large', 'request body larger than 1 MB'), 413) })(c, next);
  });

  clientRoutes(app);
  insightRoutes(app);
  dataRoutes(app);
  opsRoutes(app);
  connectionRoutes(app);
  exportRoutes(app);
  splitTestRoutes(app);
  webhookRoutes(app);
  auditRoutes(app);
  trackingRoutes(app, visits, deps);
  trackingAnalyticsRoutes(app);
  userRoutes(app);
  askRoutes(app);
  adActionRoutes(app);
  actionRuleRoutes(app);
  brandingRoutes(app);
  rollupRoutes(app);

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', description: 'An adbrain API key: adb_<prefix>_<secret>' });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'adbrain API', version: '1', description: 'Insights, reports, alerts and analyses for every client of your agency. Every id is scoped to the API key\'s agency.' },
  });

  if (opts.inngest) {
    const handler = inngestServe({ client: opts.inngest.client, functions: opts.inngest.functions });
    const guard = inngestGuard(inngestMode(deps.config));
    app.on(['GET', 'POST', 'PUT'], '/api/inngest', guard, (c) => handler(c));
  }
  return app;
}
