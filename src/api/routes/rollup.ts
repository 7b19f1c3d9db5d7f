// The agency roll-up over REST: every client in the agency's currency for a day,
// week or month (JSON, or the report as HTML / text / PDF). Reads only.
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { AppError } from '../../errors.ts';
import { inlineImages, logoParts } from '../../branding/email.ts';
import { renderAgencyRollup, rollupPeriod } from '../../reports/agency-report.ts';
import { isSaneDay } from '../../time.ts';
import { errors, security } from '../common.ts';
import type { AppEnv } from '../env.ts';

export function rollupRoutes(app: OpenAPIHono<AppEnv>) {
  app.openapi(
    createRoute({
      method: 'get', path: '/v1/rollup', tags: ['reports'], security,
      summary: 'The agency across its clients in its currency (each client day converted at that day\'s reference rate): per client spend, revenue, profit, ROAS; burning spend, pacing, open critical insights; the rates used. 409 when a rate is missing',
      request: { query: z.object({ period: z.enum(['daily', 'weekly', 'monthly']).default('daily'), date: z.string().optional().openapi({ example: '2026-11-30' }), format: z.enum(['json', 'html', 'text', 'pdf']).default('json') }) },
      responses: { 200: { description: 'The roll-up', content: { 'application/json': { schema: z.any() }, 'text/html': { schema: z.string() }, 'text/plain': { schema: z.string() }, 'application/pdf': { schema: z.any() } } }, ...errors },
    }),
    async (c) => {
      const q = c.req.valid('query');
      if (q.date !== undefined && !isSaneDay(q.date)) throw new AppError('invalid_input', 'date: expected YYYY-MM-DD', [{ path: 'query.date', message: 'expected YYYY-MM-DD' }]);
      const date = q.date ?? new Date(c.get('deps').now().getTime() - 86_400_000).toISOString().slice(0, 10);
      const r = await renderAgencyRollup(c.get('deps').db, c.get('key').agencyId, rollupPeriod(q.period, date));
      if (q.format === 'pdf') return c.body(new Uint8Array(r.pdf), 200, { 'content-type': 'application/pdf' });
      if (q.format === 'text') return c.text(r.text, 200);
      if (q.format === 'html') return c.html(inlineImages(r.html, logoParts(r.brand)), 200);
      return c.json(r.rollup, 200);
    },
  );
}
