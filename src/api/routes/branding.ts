// Branding and report layout over REST: the agency's brand (admin), a client's
// overrides (admin), its logo as the raw image body, a client's report layout
// (member) and a preview of its report (HTML / text / PDF; nothing is sent).
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { describeBrand, logoFile, patchBrand, removeLogo, setLogo, type BrandScope } from '../../branding/store.ts';
import { parseBrandPatch } from '../../branding/settings.ts';
import { AppError } from '../../errors.ts';
import { parseLayout, saveLayout, storedLayout, SECTIONS, KPIS } from '../../reports/layout.ts';
import { previewDailyReport } from '../../reports/preview.ts';
import { isSaneDay, lastCompleteDay } from '../../time.ts';
import { IdParam, errors, json, requireRole, scopedClient, security, type Scope } from '../common.ts';
import type { AppEnv } from '../env.ts';
import { audit } from '../audit.ts';

const tags = ['branding'];
const BrandSchema = z.any().openapi('Brand', { example: { scope: 'agency', settings: { name: 'Acme Growth', primary: '#0a5c4e' }, logo: { type: 'image/png', bytes: 18231, width: 200, height: 56 }, effective: { whiteLabel: true, name: 'Acme Growth' } } });
const LayoutSchema = z.object({ sections: z.array(z.enum(SECTIONS)), kpis: z.array(z.enum(KPIS)).optional() }).openapi('ReportLayout');
const LOGO_TYPES = ['image/png', 'image/jpeg', 'image/svg+xml'];

/** The agency's scope, or a client's ({id} of this agency). */
async function scopeOf(c: Scope, clientRef?: string): Promise<BrandScope> {
  const agencyId = c.get('key').agencyId;
  if (!clientRef) return { agencyId };
  const client = await scopedClient(c, clientRef);
  return { agencyId, clientId: client.id };
}

const entity = (s: BrandScope) => ({ entityType: 'brand', entityId: s.clientId ?? s.agencyId, clientId: s.clientId ?? null });

async function readLogoBody(c: Context<AppEnv>): Promise<Buffer> {
  const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (!LOGO_TYPES.includes(type)) throw new AppError('invalid_input', `send the logo as the raw body with Content-Type ${LOGO_TYPES.join(', ')} (got ${type || 'none'})`, [{ path: 'content-type', message: type || 'missing' }]);
  return Buffer.from(await c.req.arrayBuffer());
}

export function brandingRoutes(app: OpenAPIHono<AppEnv>) {
  for (const [path, params, who] of [['/v1/brand', undefined, 'the agency'], ['/v1/clients/{id}/brand', IdParam, 'a client (its overrides of the agency\'s)']] as const) {
    const ref = (c: Scope & { req: { param: (k: string) => string | undefined } }) => (params ? c.req.param('id') : undefined);
    app.openapi(
      createRoute({ method: 'get', path, tags, security, summary: `The branding of ${who}: what it sets and what reports show`, request: params ? { params } : {}, responses: { 200: json(BrandSchema, 'Brand'), ...errors } }),
      async (c) => c.json(await describeBrand(c.get('deps').db, await scopeOf(c, ref(c))), 200),
    );
    app.openapi(
      createRoute({
        method: 'patch', path, tags, security, summary: `Set branding fields of ${who} (admin); null clears a field. A name white-labels the reports. Colours need 4.5:1 contrast against white`,
        request: { ...(params ? { params } : {}), body: { content: { 'application/json': { schema: z.any().openapi({ example: { name: 'Acme Growth', primary: '#0a5c4e', accent: '#7a1fa2', replyTo: 'team@acme.example', footer: 'Acme Growth Ltd · acme.example' } }) } }, required: true } },
        responses: { 200: json(BrandSchema, 'The brand now'), ...errors },
      }),
      async (c) => {
        requireRole(c, 'admin');
        const scope = await scopeOf(c, ref(c));
        const patch = parseBrandPatch(await c.req.json().catch(() => {
          throw new AppError('invalid_input', 'the body is not JSON', [{ path: 'body', message: 'not JSON' }]);
        }));
        const r = await patchBrand(c.get('deps').db, scope, patch);
        await audit(c, { action: 'brand.update', ...entity(scope), before: r.before, after: r.after });
        return c.json(await describeBrand(c.get('deps').db, scope), 200);
      },
    );
    app.openapi(
      createRoute({
        method: 'put', path: `${path}/logo`, tags, security, summary: `Set the logo of ${who} (admin): the raw PNG, JPEG or SVG as the body, at most 1 MB; shown within 240×56 px`,
        request: { ...(params ? { params } : {}), body: { content: Object.fromEntries(LOGO_TYPES.map((t) => [t, { schema: z.any().openapi({ type: 'string', format: 'binary' }) }])), required: true } },
        responses: { 200: json(z.object({ type: z.string(), bytes: z.number().int(), width: z.number().int(), height: z.number().int() }), 'Stored'), ...errors },
      }),
      async (c) => {
        requireRole(c, 'admin');
        const scope = await scopeOf(c, ref(c));
        const r = await setLogo(c.get('deps').db, scope, await readLogoBody(c));
        const after = { type: r.type, bytes: r.bytes, width: r.width, height: r.height };
        await audit(c, { action: 'brand.logo_set', ...entity(scope), after });
        return c.json(after, 200);
      },
    );
    app.openapi(
      createRoute({ method: 'get', path: `${path}/logo`, tags, security, summary: `The logo file of ${who}, as uploaded`, request: params ? { params } : {}, responses: { 200: { description: 'The image', content: Object.fromEntries(LOGO_TYPES.map((t) => [t, { schema: z.any() }])) }, ...errors } }),
      async (c) => {
        const f = await logoFile(c.get('deps').db, await scopeOf(c, ref(c)));
        // An SVG is served as a download with no script rights: never rendered as a page of this origin.
        return c.body(new Uint8Array(f.bytes), 200, { 'content-type': f.type, 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; sandbox", 'x-content-type-options': 'nosniff' });
      },
    );
    app.openapi(
      createRoute({ method: 'delete', path: `${path}/logo`, tags, security, summary: `Remove the logo of ${who} (admin)`, request: params ? { params } : {}, responses: { 200: json(z.object({ removed: z.boolean() }), 'Removed (false: there was none)'), ...errors } }),
      async (c) => {
        requireRole(c, 'admin');
        const scope = await scopeOf(c, ref(c));
        const removed = await removeLogo(c.get('deps').db, scope);
        if (removed) await audit(c, { action: 'brand.logo_removed', ...entity(scope) });
        return c.json({ removed }, 200);
      },
    );
  }

  app.openapi(
    createRoute({ method: 'get', path: '/v1/clients/{id}/report-layout', tags, security, summary: 'Which sections the client\'s reports show, in order, and which KPI tiles', request: { params: IdParam }, responses: { 200: json(z.object({ custom: z.boolean(), layout: LayoutSchema }), 'Layout'), ...errors } }),
    async (c) => {
      const client = await scopedClient(c, c.req.valid('param').id);
      return c.json({ custom: client.reportLayout !== null, layout: storedLayout(client.reportLayout) }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'put', path: '/v1/clients/{id}/report-layout', tags, security, summary: 'Store the client\'s report layout (member)',
      request: { params: IdParam, body: { content: { 'application/json': { schema: z.any().openapi({ example: { sections: ['summary', 'kpis', 'burning', 'trend'], kpis: ['spend', 'revenue', 'roas'] } }) } }, required: true } },
      responses: { 200: json(z.object({ custom: z.boolean(), layout: LayoutSchema }), 'Stored'), ...errors },
    }),
    async (c) => {
      requireRole(c, 'member');
      const client = await scopedClient(c, c.req.valid('param').id);
      const layout = parseLayout(await c.req.json().catch(() => null), 'body');
      await saveLayout(c.get('deps').db.prisma, client.id, layout);
      await audit(c, { action: 'client.report_layout', entityType: 'client', entityId: client.id, clientId: client.id, before: client.reportLayout, after: layout });
      return c.json({ custom: true, layout }, 200);
    },
  );
  app.openapi(
    createRoute({ method: 'delete', path: '/v1/clients/{id}/report-layout', tags, security, summary: 'Back to every section in the default order (member)', request: { params: IdParam }, responses: { 200: json(z.object({ custom: z.boolean(), layout: LayoutSchema }), 'Reset'), ...errors } }),
    async (c) => {
      requireRole(c, 'member');
      const client = await scopedClient(c, c.req.valid('param').id);
      await saveLayout(c.get('deps').db.prisma, client.id, null);
      await audit(c, { action: 'client.report_layout', entityType: 'client', entityId: client.id, clientId: client.id, before: client.reportLayout, after: null });
      return c.json({ custom: false, layout: storedLayout(null) }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get', path: '/v1/clients/{id}/report-preview', tags, security,
      summary: 'The client\'s report as it would go out, with its brand and layout (or `layout`, JSON, to try one): HTML, text or PDF. Sends and records nothing',
      request: {
        params: IdParam,
        query: z.object({
          date: z.string().optional().openapi({ example: '2026-11-30' }),
          format: z.enum(['html', 'text', 'pdf']).default('html'),
          layout: z.string().max(2000).optional().openapi({ example: '{"sections":["summary","kpis","trend"]}' }),
        }),
      },
      responses: { 200: { description: 'The report', content: { 'text/html': { schema: z.string() }, 'text/plain': { schema: z.string() }, 'application/pdf': { schema: z.any() } } }, ...errors },
    }),
    async (c) => {
      const client = await scopedClient(c, c.req.valid('param').id);
      const q = c.req.valid('query');
      if (q.date !== undefined && !isSaneDay(q.date)) throw new AppError('invalid_input', 'date: expected YYYY-MM-DD', [{ path: 'query.date', message: 'expected YYYY-MM-DD' }]);
      let layout;
      if (q.layout !== undefined) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(q.layout);
        } catch {
          throw new AppError('invalid_input', 'layout: not JSON', [{ path: 'query.layout', message: 'not JSON' }]);
        }
        layout = parseLayout(parsed, 'layout');
      }
      const now = c.get('deps').now();
      const p = await previewDailyReport(c.get('deps').db, client, q.date ?? lastCompleteDay(client.timezone, now), now, layout);
      if (q.format === 'pdf') return c.body(new Uint8Array(p.pdf), 200, { 'content-type': 'application/pdf' });
      if (q.format === 'text') return c.text(p.text, 200);
      return c.html(p.html, 200);
    },
  );
}
