// The web inbox under /app: sign-in, the inbox, one insight, the link table, the
// report archive. Server-rendered, no build step; errors are pages, never JSON or a
// stack trace; the API's scoping makes another agency's id a plain 404.
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { html } from 'hono/html';
import { HTTPException } from 'hono/http-exception';
import { AppError, httpStatusFor } from '../errors.ts';
import { redact } from '../crypto/redact.ts';
import type { WebEnv } from './auth.ts';
import { inboxRoutes } from './inbox-page.ts';
import { insightActionRoutes } from './insight-actions.ts';
import { insightRoutes } from './insight-page.ts';
import { page } from './layout.ts';
import { linkRoutes } from './links-page.ts';
import { reportRoutes } from './reports-page.ts';
import { actionsRoutes } from './actions-page.ts';
import { signInRoutes } from './sign-in.ts';
import { ASSET_VERSION, CSS, JS } from './static.ts';

export function webApp(o: { signInLimit?: number } = {}) {
  const web = new Hono<WebEnv>();
  web.onError((err, c) => {
    const viewer = c.get('viewer') ?? null;
    if (err instanceof AppError && err.code !== 'internal') {
      const status = httpStatusFor[err.code] as 404;
      return page(c, status === 404 || status === 403 || status === 422 || status === 429 || status === 503 ? status : 400, { title: status === 404 ? 'Not found' : 'Cannot do that', viewer, body: html`<p>${err.message}</p><p><a href="/app/inbox">Back to the inbox</a></p>` });
    }
    if (err instanceof HTTPException && err.status < 500) return page(c, 400, { title: 'Bad request', viewer, body: html`<p>${err.message || 'The request could not be read.'}</p>` });
    console.error(`adbrain web: unexpected error on ${c.req.method} ${c.req.path}: ${redact(err.stack ?? err.message)}`);
    return c.html('<!doctype html><title>Error</title><p>Something went wrong on our side; it has been logged.</p>', 500);
  });
  web.use('*', bodyLimit({ maxSize: 64 * 1024, onError: (c) => c.text('request body too large', 413) }));

  const asset = (body: string, type: string) => (c: import('hono').Context) =>
    c.body(body, 200, { 'Content-Type': type, 'Cache-Control': c.req.query('v') === ASSET_VERSION ? 'public, max-age=31536000, immutable' : 'no-cache', 'X-Content-Type-Options': 'nosniff' });
  web.get('/static/app.css', asset(CSS, 'text/css; charset=utf-8'));
  web.get('/static/app.js', asset(JS, 'text/javascript; charset=utf-8'));

  signInRoutes(web, o.signInLimit ?? 10);
  inboxRoutes(web);
  insightRoutes(web);
  insightActionRoutes(web);
  linkRoutes(web);
  reportRoutes(web);
  actionsRoutes(web);
  web.all('*', (c) => page(c, 404, { title: 'Not found', viewer: null, body: html`<p>No page here. <a href="/app/inbox">Go to the inbox</a>.</p>` }));
  return web;
}
