// Signing in to the web inbox: an emailed magic link (single use, 15 minutes) for
// the agency's users, or an API key pasted once. The answer to an email address is
// the same whether or not it belongs to anyone (no list of users to probe), and
// opening a link never signs in by itself (mail scanners open links): its page has
// a button. Sign-in forms carry a double-submit token (a form cookie and the same
// value in the form), so another site cannot sign a browser into its own account.
import { randomBytes } from 'node:crypto';
import type { Context, Hono } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { html } from 'hono/html';
import { rateLimiter } from 'hono-rate-limiter';
import { clientKey } from '../api/client-address.ts';
import { recordAudit } from '../audit/log.ts';
import { verifyApiKey } from '../domain/api-keys.ts';
import { senderFor } from '../reports/senders.ts';
import { escapeHtml } from '../html-escape.ts';
import { checkedForm, clearSessionCookie, isHttps, requireSession, sameToken, setSessionCookie, webActor, type WebEnv } from './auth.ts';
import { page } from './layout.ts';
import { checkMagicLink, endSession, issueMagicLink, MAGIC_LINK_MINUTES, redeemMagicLink, safeNext, startSession } from './session.ts';

const FORM_COOKIE = 'adbrain_form';
/** Links a person may be sent per 15 minutes (more requests are answered the same and send nothing). */
const LINKS_PER_WINDOW = 5;

function formToken(c: Context) {
  const t = randomBytes(24).toString('base64url');
  setCookie(c, FORM_COOKIE, t, { httpOnly: true, sameSite: 'Strict', path: '/app', maxAge: 3600, secure: isHttps(c) });
  return t;
}

async function signInForm(c: Context<WebEnv>) {
  const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
  const sent = typeof form.csrf === 'string' ? form.csrf : '';
  return sameToken(sent, getCookie(c, FORM_COOKIE) ?? '') ? form : null;
}

function signInPage(c: Context<WebEnv>, status: 200 | 401 | 403 | 429, next: string | null, message?: { kind: 'flash' | 'error'; text: string }) {
  const csrf = formToken(c);
  return page(c, status === 401 ? 403 : status === 429 ? 429 : status === 403 ? 403 : 200, {
    title: 'Sign in to adbrain',
    viewer: null,
    body: html`<div class="signin">${message ? html`<p class="${message.kind}" role="status">${message.text}</p>` : ''}
<div class="card"><form method="post" action="/app/sign-in"><input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="next" value="${next ?? ''}">
<label for="email">Your work email</label><input type="email" id="email" name="email" autocomplete="email" required maxlength="320">
<p><button>Email me a sign-in link</button></p><p class="muted">The link works once, for ${MAGIC_LINK_MINUTES} minutes.</p></form></div>
<details class="card"><summary>Sign in with an API key</summary><form method="post" action="/app/sign-in"><input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="next" value="${next ?? ''}">
<label for="key">API key</label><input type="password" id="key" name="apiKey" autocomplete="off" maxlength="200" required><p><button class="secondary">Sign in</button></p></form></details></div>`,
  });
}

async function sendMagicLink(c: Context<WebEnv>, user: { id: string; agencyId: string; email: string; name: string }, next: string | null) {
  const deps = c.get('deps');
  const now = deps.now();
  const recent = await deps.db.prisma.magicLink.count({ where: { userId: user.id, createdAt: { gt: new Date(now.getTime() - MAGIC_LINK_MINUTES * 60_000) } } });
  if (recent >= LINKS_PER_WINDOW) return;
  const token = await issueMagicLink(deps.db.prisma, user, next, now);
  const url = `${deps.config.sources.oauth.publicUrl}/app/magic/${token}`;
  const id = token.slice(0, 10);
  await senderFor(deps.config.email, deps.config.outboxDir).send({
    idempotencyKey: `sign-in:${user.id}:${id}`,
    from: deps.config.email.from,
    to: [user.email],
    subject: 'Your adbrain sign-in link',
    html: `<!doctype html><html><body style="font-family:system-ui,sans-serif"><p>Hello ${escapeHtml(user.name)},</p><p><a href="${escapeHtml(url)}" style="display:inline-block;padding:12px 18px;background:#0b5fff;color:#fff;border-radius:8px;text-decoration:none">Sign in to adbrain</a></p><p style="color:#555;font-size:13px">The link works once, for ${MAGIC_LINK_MINUTES} minutes. If you did not ask for it, ignore this email.</p></body></html>`,
    text: `Hello ${user.name},\n\nSign in to adbrain: ${url}\n\nThe link works once, for ${MAGIC_LINK_MINUTES} minutes. If you did not ask for it, ignore this email.\n`,
    attachments: [],
    outbox: { client: '_sign-in', date: now.toISOString().slice(0, 10), stem: `sign-in-${id}` },
  });
}

export function signInRoutes(web: Hono<WebEnv>, perMinute: number) {
  web.get('/sign-in', (c) => signInPage(c, 200, safeNext(c.req.query('next'))));

  // Sign-in attempts per address and minute: enough for a person, too few to guess keys or flood inboxes.
  web.post(
    '/sign-in',
    rateLimiter<WebEnv>({ windowMs: 60_000, limit: perMinute, keyGenerator: (c) => clientKey(c), handler: (c) => signInPage(c as Context<WebEnv>, 429, null, { kind: 'error', text: 'Too many sign-in attempts from here. Wait a minute and try again.' }) }),
    async (c) => {
      const form = await signInForm(c);
      if (!form) return signInPage(c, 403, null, { kind: 'error', text: 'The form had expired. Please try again.' });
      const next = safeNext(form.next);
      const deps = c.get('deps');
      if (typeof form.apiKey === 'string' && form.apiKey) {
        const key = await verifyApiKey(deps.db.prisma, form.apiKey, deps.now());
        if (!key) return signInPage(c, 401, next, { kind: 'error', text: 'That API key is unknown or revoked.' });
        const token = await startSession(deps.db.prisma, { agencyId: key.agencyId, apiKeyId: key.keyId }, deps.now());
        await recordAudit(deps.db.prisma, { kind: 'web', id: key.keyId, name: `web: ${key.keyName} (${key.prefix})` }, { agencyId: key.agencyId, action: 'web.sign_in', entityType: 'api_key', entityId: key.keyId, after: { method: 'api key' } }, c.get('requestId'));
        setSessionCookie(c, token);
        return c.redirect(next ?? '/app/inbox', 303);
      }
      const email = typeof form.email === 'string' ? form.email.trim().toLowerCase() : '';
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) || email.length > 320) return signInPage(c, 200, next, { kind: 'error', text: 'Enter an email address like name@agency.com.' });
      const users = await deps.db.prisma.user.findMany({ where: { email } });
      for (const u of users) await sendMagicLink(c, u, next);
      return signInPage(c, 200, next, { kind: 'flash', text: `If ${email} belongs to a user of adbrain, a sign-in link is on its way. It works once, for ${MAGIC_LINK_MINUTES} minutes.` });
    },
  );

  web.get('/magic/:token', async (c) => {
    const deps = c.get('deps');
    const m = await checkMagicLink(deps.db.prisma, c.req.param('token'), deps.now());
    if (!m.ok) return magicRefused(c, m.why);
    const csrf = formToken(c);
    return page(c, 200, {
      title: 'Sign in to adbrain',
      viewer: null,
      body: html`<div class="signin card"><p>Sign in as <strong>${m.name}</strong> (${m.email})?</p><form method="post"><input type="hidden" name="csrf" value="${csrf}"><button>Sign in</button></form><p class="muted">Nothing happens until you press the button.</p></div>`,
    });
  });

  web.post('/magic/:token', async (c) => {
    const form = await signInForm(c);
    if (!form) return page(c, 403, { title: 'Please confirm again', viewer: null, body: html`<p>This sign-in came without its form (or the form is older than an hour). Open the link from the email again and press the button.</p>` });
    const deps = c.get('deps');
    const m = await redeemMagicLink(deps.db.prisma, c.req.param('token'), deps.now());
    if (!m.ok) return magicRefused(c, m.why);
    const token = await startSession(deps.db.prisma, { agencyId: m.agencyId, userId: m.userId }, deps.now());
    await recordAudit(deps.db.prisma, { kind: 'web', id: m.userId, name: `${m.name} <${m.email}>` }, { agencyId: m.agencyId, action: 'web.sign_in', entityType: 'user', entityId: m.userId, after: { method: 'email link' } }, c.get('requestId'));
    setSessionCookie(c, token);
    return c.redirect(m.next ?? '/app/inbox', 303);
  });

  web.post('/sign-out', requireSession(), async (c) => {
    const form = await checkedForm(c);
    if (!form) return page(c, 403, { title: 'Please try again', viewer: c.get('viewer'), body: html`<p>The form had expired. Nothing was changed.</p>` });
    const v = c.get('viewer');
    await endSession(c.get('deps').db.prisma, v.sessionId, c.get('deps').now());
    await recordAudit(c.get('deps').db.prisma, webActor(v), { agencyId: v.agencyId, action: 'web.sign_out', entityType: 'web_session', entityId: v.sessionId }, c.get('requestId'));
    clearSessionCookie(c);
    return c.redirect('/app/sign-in', 303);
  });
}

function magicRefused(c: Context<WebEnv>, why: 'unknown' | 'used' | 'expired') {
  const text = why === 'used' ? 'This sign-in link was already used.' : why === 'expired' ? `This sign-in link has expired (they work for ${MAGIC_LINK_MINUTES} minutes).` : 'This sign-in link is not valid.';
  return page(c, why === 'unknown' ? 400 : 410, { title: 'Sign-in link not valid', viewer: null, body: html`<p>${text} Ask for a new one on the <a href="/app/sign-in">sign-in page</a>.</p>` });
}
