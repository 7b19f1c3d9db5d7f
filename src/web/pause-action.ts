// The web inbox's "Pause on <platform>" button: proposes and approves the pause in
// one step for the signed-in member (the confirmation was the button's dialog),
// read before write like every action; audited as the person in the web inbox.
import type { Context } from 'hono';
import { html } from 'hono/html';
import { AppError } from '../errors.ts';
import { credentialKey } from '../sources/sync.ts';
import { webAudit, type WebEnv } from './auth.ts';
import { page } from './layout.ts';

/** The action's id, or the page that says why nothing was proposed (already paused, no connection, …). */
export async function pauseFromWeb(c: Context<WebEnv>, entityId: string): Promise<string | Response> {
  const deps = c.get('deps');
  const v = c.get('viewer');
  const key = credentialKey(deps.config);
  const { proposeFor, decideFor } = await import('../ad-actions/service.ts');
  const caller = { by: v.userId ? `user:${v.userId}` : `api-key:${v.apiKeyId}`, audit: (e: Parameters<typeof webAudit>[1]) => webAudit(c, { ...e, after: { ...(e.after as object), origin: 'web' } }) };
  try {
    if (!key) throw new AppError('config', 'this server has no encryption key to open the connection');
    const d = { db: deps.db, config: deps.config, key, now: deps.now() };
    const { action } = await proposeFor(d, { entityId, kind: 'pause' }, caller);
    return (await decideFor(d, action.id, 'approve', caller)).id;
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    return page(c, 422, { title: 'Nothing changed', viewer: v, nav: 'links', body: html`<p>${err.message}.</p><p><a href="/app/links">Back to the link table</a></p>` });
  }
}
