// Sessions of the web inbox on every request: the cookie is read, the viewer
// looked up, and the API's own scoped lookups and role checks (src/api/common.ts)
// work unchanged because the viewer is presented to them as the request's key.
// Every POST carries the session's form token; a viewer's POST is refused.
import { timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Actor } from '../audit/log.ts';
import { recordAudit, type AuditEntry } from '../audit/log.ts';
import type { AppEnv } from '../api/env.ts';
import { SESSION_DAYS, sessionOf, type Viewer } from './session.ts';

export const SESSION_COOKIE = 'adbrain_session';
export type WebEnv = { Variables: AppEnv['Variables'] & { viewer: Viewer } };

export const isHttps = (c: Context) => new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https';

export function setSessionCookie(c: Context, token: string) {
  setCookie(c, SESSION_COOKIE, token, { httpOnly: true, sameSite: 'Lax', path: '/app', secure: isHttps(c), maxAge: SESSION_DAYS * 86_400 });
}
export const clearSessionCookie = (c: Context) => deleteCookie(c, SESSION_COOKIE, { path: '/app', secure: isHttps(c) });

/** Pages behind sign-in: without a session, to the sign-in page (and back here after). */
export function requireSession(): MiddlewareHandler<WebEnv> {
  return async (c, next) => {
    const deps = c.get('deps');
    const viewer = await sessionOf(deps.db.prisma, getCookie(c, SESSION_COOKIE), deps.now());
    if (!viewer) {
      const u = new URL(c.req.url);
      const back = c.req.method === 'GET' ? `?next=${encodeURIComponent(u.pathname + u.search)}` : '';
      return c.redirect(`/app/sign-in${back}`, 303);
    }
    c.set('viewer', viewer);
    c.set('key', { keyId: viewer.userId ?? viewer.apiKeyId ?? viewer.sessionId, keyName: viewer.name, prefix: '', agencyId: viewer.agencyId, role: viewer.role });
    await next();
  };
}

export const sameToken = (a: string, b: string) => a.length > 0 && a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** The form's fields, once its token matched the session's (else null: the caller answers 403). */
export async function checkedForm(c: Context<WebEnv>): Promise<Record<string, string> | null> {
  const body = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
  const form: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) if (typeof v === 'string') form[k] = v;
  return sameToken(form.csrf ?? '', c.get('viewer').csrf) ? form : null;
}

export const canAct = (v: Viewer) => v.role !== 'viewer';

export function webActor(v: Viewer): Actor {
  return v.userId ? { kind: 'web', id: v.userId, name: v.email ? `${v.name} <${v.email}>` : v.name } : { kind: 'web', id: v.apiKeyId, name: `web: ${v.name}` };
}

/** The insight inbox's own actor text (insight_event.actor): who, and from where. */
export const eventActor = (v: Viewer) => (v.email ? `web:${v.email}` : `web:${v.name}`);

export async function webAudit(c: Context<WebEnv>, e: AuditEntry) {
  const v = c.get('viewer');
  await recordAudit(c.get('deps').db.prisma, webActor(v), { agencyId: v.agencyId, ...e }, c.get('requestId'));
}
