// /a/<token>: the pages behind an email's "Apply", "Dismiss" and "Kill link" buttons.
// Opening a link never acts (mail scanners and link unfurlers fetch every link):
// GET shows one confirmation screen whose button POSTs the form with a CSRF token
// (double-submit: a SameSite=Strict cookie and the same value in the form); POST acts
// once and says what changed. A used, expired, edited or revoked link gets a clear
// page and changes nothing. No API key: the signed link is the credential.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { events } from '../../../inngest.config.ts';
import { verifyAction, type ActionClaim } from '../../actions/tokens.ts';
import { recordAudit, type AuditEntry } from '../../audit/log.ts';
import { formatMoney } from '../../domain/currency.ts';
import { credentialKey } from '../../sources/sync.ts';
import { killEntity } from '../../domain/entities.ts';
import { AppError } from '../../errors.ts';
import { escapeHtml } from '../../html-escape.ts';
import { SNOOZE_DAYS, snoozeInsight, transition } from '../../insights/inbox.ts';
import type { AppEnv } from '../env.ts';
import { DEFAULT_BRAND, type Brand } from '../../branding/brand.ts';
import { loadBrand } from '../../branding/store.ts';

const CSRF_COOKIE = 'adbrain_csrf';
const VERB = { apply: 'Mark as applied', dismiss: 'Dismiss', snooze: 'Snooze 7 days', kill: 'Kill this link', pause: 'Pause it on the platform' } as const;
const DONE = { apply: 'marked applied', dismiss: 'dismissed', snooze: 'snoozed', kill: 'killed: it leaves alerts and the "act now" lists; its history stays', pause: 'paused' } as const;
const PLATFORM_NAME: Record<string, string> = { meta: 'Meta', tiktok: 'TikTok', google: 'Google Ads' };

/** A bare page: system fonts, no script, no external asset; readable on a phone. */
function page(c: Context<AppEnv>, status: 200 | 400 | 403 | 404 | 410 | 503, title: string, body: string, brand: Brand = DEFAULT_BRAND) {
  c.header('Cache-Control', 'no-store');
  // The token is in the URL: never leak it to another site, never frame the page.
  c.header('Referrer-Policy', 'no-referrer');
  c.header('X-Frame-Options', 'DENY');
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
  // The page a client's recipient lands on wears the client's brand: its logo and colour.
  const logo = brand.logo ? `<img src="data:image/png;base64,${brand.logo.png.toString('base64')}" width="${brand.logo.width}" height="${brand.logo.height}" alt="${escapeHtml(brand.name)}" style="display:block;margin:0 0 16px">` : '';
  return c.html(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title>` +
      '<style>body{font:16px/1.5 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;padding:24px;color:#111;background:#f6f7f9}main{max-width:520px;margin:auto;background:#fff;border-radius:10px;padding:24px;box-shadow:0 1px 3px #0002}' +
      `h1{font-size:20px;margin:0 0 12px}button{font-size:17px;padding:12px 20px;border:0;border-radius:8px;background:${brand.whiteLabel ? brand.primary : '#0b5fff'};color:#fff;width:100%}button.danger{background:#c62828}textarea{width:100%;box-sizing:border-box;font:inherit;margin:8px 0 16px}.muted{color:#555;font-size:14px}</style>` +
      `</head><body><main>${logo}<h1>${escapeHtml(title)}</h1>${body}</main></body></html>`,
    status,
  );
}

type Target = { claim: ActionClaim; what: string; clientName: string; verb: string; brand: Brand };

/** The link's claim, checked (signature, expiry, revocation, still bound to what it names); or the page that says why not. */
async function resolve(c: Context<AppEnv>, token: string): Promise<Target | Response> {
  const deps = c.get('deps');
  const key = deps.actionLinkKey();
  if (!key) return page(c, 503, 'Links are not set up', '<p>This server has no encryption key, so it cannot check action links. Ask whoever runs adbrain to set ADBRAIN_ENCRYPTION_KEY.</p>');
  const v = verifyAction(key, token, deps.now());
  if (!v.ok) {
    if (v.why === 'expired') return page(c, 410, 'This link has expired', `<p>Links in emails work for ${Math.round((v.claim!.expiresAt - v.claim!.issuedAt) / 86_400)} days. Nothing was changed. Use today's email or the inbox.</p>`);
    return page(c, 400, 'This link is not valid', '<p>It was changed or cut short on its way (some mail programs wrap long links). Nothing was changed. Open it from the email again.</p>');
  }
  const { claim } = v;
  const prisma = deps.db.prisma;
  const client = await prisma.client.findFirst({ where: { id: claim.clientId, agencyId: claim.agencyId }, include: { agency: { select: { actionLinksValidAfter: true } } } });
  if (!client) return page(c, 404, 'Nothing to act on', '<p>The client this link was for no longer exists. Nothing was changed.</p>');
  const revokedAfter = client.agency.actionLinksValidAfter;
  if (revokedAfter && claim.issuedAt * 1000 < revokedAfter.getTime()) return page(c, 410, 'This link was revoked', '<p>Links sent before ' + escapeHtml(revokedAfter.toISOString().slice(0, 16).replace('T', ' ')) + ' UTC were revoked. Nothing was changed.</p>');
  let what: string;
  let verb: string = VERB[claim.action];
  if (claim.action === 'kill' || claim.action === 'pause') {
    const e = claim.entityId ? await prisma.entity.findFirst({ where: { id: claim.entityId, clientId: client.id } }) : null;
    if (!e) return page(c, 404, 'Nothing to act on', '<p>That link or ad no longer exists. Nothing was changed.</p>');
    what = `${e.kind === 'link' ? 'link' : e.kind} ${e.name}`;
    if (claim.action === 'pause') verb = `Pause it on ${PLATFORM_NAME[e.platform] ?? e.platform}`;
    else if (e.kind === 'ad') verb = 'Kill this ad';
  } else {
    const i = claim.insightId ? await prisma.insight.findFirst({ where: { id: claim.insightId, clientId: client.id } }) : null;
    if (!i) return page(c, 404, 'Nothing to act on', '<p>That insight no longer exists. Nothing was changed.</p>');
    what = i.title;
  }
  return { claim, what, clientName: client.name, verb, brand: await loadBrand(deps.db, { agencyId: client.agencyId, clientId: client.id }) };
}

/** What acting on a platform needs, from the server's config (the credentials' key). */
function platformDeps(c: Context<AppEnv>) {
  const deps = c.get('deps');
  const key = credentialKey(deps.config);
  if (!key) throw new AppError('config', 'this server has no encryption key to open the connection');
  return { db: deps.db, config: deps.config, key, now: deps.now() };
}

async function alreadyUsed(c: Context<AppEnv>, nonce: string): Promise<Response | null> {
  const used = await c.get('deps').db.prisma.actionLinkUse.findUnique({ where: { nonce } });
  if (!used) return null;
  const said = (used.outcome as { message?: string } | null)?.message ?? 'it was used';
  return page(c, 410, 'This link was already used', `<p>On ${escapeHtml(used.usedAt.toISOString().slice(0, 16).replace('T', ' '))} UTC: ${escapeHtml(said)}. Nothing more was changed.</p>`);
}

export function actionLinkRoutes(app: OpenAPIHono<AppEnv>) {
  app.get('/a/:token', async (c) => {
    const t = await resolve(c, c.req.param('token'));
    if (t instanceof Response) return t;
    const used = await alreadyUsed(c, t.claim.nonce);
    if (used) return used;
    const csrf = randomBytes(24).toString('base64url');
    setCookie(c, CSRF_COOKIE, csrf, { httpOnly: true, sameSite: 'Strict', path: '/a/', maxAge: 3600, secure: new URL(c.req.url).protocol === 'https:' });
    const a = t.claim.action;
    if (a === 'pause') {
      // The preview, read from the platform now (nothing is stored until the button).
      let preview: string;
      try {
        const { planAction } = await import('../../ad-actions/actions.ts');
        const plan = await planAction(platformDeps(c), { entityId: t.claim.entityId!, kind: 'pause', insightId: t.claim.insightId ?? undefined, by: 'email link' });
        const perDay = Number(plan.data.moneyPerDayCents ?? 0n);
        const currency = (await c.get('deps').db.prisma.client.findUniqueOrThrow({ where: { id: t.claim.clientId }, select: { currency: true } })).currency;
        preview = `${plan.node.kind} <strong>${escapeHtml(plan.node.name)}</strong> on ${escapeHtml(PLATFORM_NAME[plan.platform] ?? plan.platform)}: active → paused` + (perDay > 0 ? `; it spent about ${escapeHtml(formatMoney(perDay, currency))} a day over the last week` : '');
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        return page(c, 200, 'Nothing to pause', `<p>${escapeHtml(err.message)}.</p><p class="muted">Nothing was changed.</p>`, t.brand);
      }
      return page(c, 200, `${t.verb}?`,
        `<p class="muted">${escapeHtml(t.clientName)}</p><p>${preview}.</p>` +
          `<form method="post"><input type="hidden" name="csrf" value="${csrf}"><button class="danger">${escapeHtml(t.verb)}</button></form>` +
          (t.brand.whiteLabel
            ? `<p class="muted">${escapeHtml(t.brand.name)} reads it again before it writes: if someone changed it since, nothing happens. It can be undone.</p>`
            : '<p class="muted">adbrain reads it again before it writes: if someone changed it since, nothing happens. Undo with <code>adbrain actions undo</code> or the API.</p>'), t.brand);
    }
    const reason = a === 'snooze' ? '<label for="note">Note (optional)</label><textarea id="note" name="note" rows="2" maxlength="500"></textarea>' : a === 'dismiss' ? '<label for="note">Why (optional) — the brain learns from it</label><textarea id="note" name="note" rows="3" maxlength="500"></textarea>' : a === 'apply' ? '<label for="note">Note (optional)</label><textarea id="note" name="note" rows="2" maxlength="500"></textarea>' : '';
    return page(c, 200, `${t.verb}?`,
      `<p class="muted">${escapeHtml(t.clientName)}</p><p><strong>${escapeHtml(t.what)}</strong></p>` +
        `<form method="post">${reason}<input type="hidden" name="csrf" value="${csrf}"><button${a === 'kill' ? ' class="danger"' : ''}>${t.verb}</button></form>` +
        '<p class="muted">Nothing changes until you press the button.</p>', t.brand);
  });

  app.post('/a/:token', async (c) => {
    const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    const sent = typeof form.csrf === 'string' ? form.csrf : '';
    const cookie = getCookie(c, CSRF_COOKIE) ?? '';
    if (!sent || sent.length !== cookie.length || !timingSafeEqual(Buffer.from(sent), Buffer.from(cookie))) {
      return page(c, 403, 'Please confirm again', '<p>This confirmation came without its form (or the form is older than an hour). Nothing was changed. Open the link from the email again and press the button.</p>');
    }
    const t = await resolve(c, c.req.param('token'));
    if (t instanceof Response) return t;
    const used = await alreadyUsed(c, t.claim.nonce);
    if (used) return used;
    const { claim } = t;
    const deps = c.get('deps');
    const prisma = deps.db.prisma;
    const note = typeof form.note === 'string' ? form.note.trim().slice(0, 500) : '';
    const actor = { kind: 'email_link' as const, id: claim.nonce, name: 'email link' };
    let message: string;
    try {
      if (claim.action === 'pause') {
        const { proposeFor, decideFor } = await import('../../ad-actions/service.ts');
        const d = platformDeps(c);
        const caller = { by: `email link ${claim.nonce.slice(0, 8)}`, audit: (e: AuditEntry) => recordAudit(prisma, actor, { agencyId: claim.agencyId, clientId: claim.clientId, ...e, after: { ...(e.after as object), origin: 'email link' } }, c.get('requestId')) };
        const { action } = await proposeFor(d, { entityId: claim.entityId!, kind: 'pause', insightId: claim.insightId ?? undefined }, caller);
        const done = await decideFor(d, action.id, 'approve', caller);
        message = done.state === 'done' ? `${action.object.level} ${action.object.name ?? action.object.id} paused on the platform${t.brand.whiteLabel ? ' (it can be undone)' : ` (undo: adbrain actions undo ${action.id.slice(0, 8)})`}` : `nothing changed: could not pause ${action.object.name ?? action.object.id}: ${done.error ?? done.state}`;
      } else if (claim.action === 'kill') {
        const before = await prisma.entity.findUniqueOrThrow({ where: { id: claim.entityId! } });
        const after = before.status === 'killed' ? before : await killEntity(prisma, before.id, { reason: 'killed from an email link', now: deps.now() });
        await recordAudit(prisma, actor, { agencyId: claim.agencyId, clientId: claim.clientId, action: 'entity.kill', entityType: before.kind, entityId: before.id, before: { status: before.status }, after: { status: after.status, origin: 'email link' } }, c.get('requestId'));
        message = `${t.what} ${before.status === 'killed' ? 'was already killed' : DONE.kill}`;
      } else {
        const before = await prisma.insight.findUniqueOrThrow({ where: { id: claim.insightId! } });
        if (claim.action === 'snooze') {
          const { until } = await snoozeInsight(prisma, before.id, { actor: 'email link', note: note || undefined, days: SNOOZE_DAYS, now: deps.now() });
          await recordAudit(prisma, actor, { agencyId: claim.agencyId, clientId: claim.clientId, action: 'insight.snoozed', entityType: 'insight', entityId: before.id, before: { snoozedUntil: before.snoozedUntil }, after: { snoozedUntil: until, origin: 'email link' } }, c.get('requestId'));
          message = `"${t.what}" snoozed until ${until}: it leaves "act now" and its alerts wait until then`;
        } else {
          // The same transition as the CLI and the API: the brain learns from it the same way.
          const updated = await transition(prisma, before.id, claim.action as 'apply' | 'dismiss', { actor: 'email link', note: note || undefined, now: deps.now() });
          if (deps.inngest) await deps.inngest.send({ name: events.insightStatusChanged.name, data: { insightId: before.id, clientId: before.clientId, from: before.status, to: updated.status, actor: 'email link' } }).catch(() => undefined);
          await recordAudit(prisma, actor, { agencyId: claim.agencyId, clientId: claim.clientId, action: 'insight.status_changed', entityType: 'insight', entityId: before.id, before: { status: before.status }, after: { status: updated.status, note: note || null, origin: 'email link' } }, c.get('requestId'));
          message = `"${t.what}" ${DONE[claim.action]}`;
        }
      }
    } catch (err) {
      // Already decided elsewhere (the CLI, the API, another email): say so; the link stays usable for nothing else.
      // Pausing on a platform can fail in its own named ways (no connection, already paused, no permission): each said, never a 500.
      if (!(err instanceof AppError && (err.code === 'conflict' || claim.action === 'pause'))) throw err;
      message = `nothing changed: ${err.message}`;
    }
    await prisma.actionLinkUse.createMany({ data: [{ nonce: claim.nonce, agencyId: claim.agencyId, clientId: claim.clientId, insightId: claim.insightId, action: claim.action, outcome: { message }, usedAt: deps.now() }], skipDuplicates: true });
    return page(c, 200, message.startsWith('nothing changed') ? 'Nothing changed' : 'Done', `<p>${escapeHtml(message[0]!.toUpperCase() + message.slice(1))}.</p><p class="muted">${escapeHtml(t.clientName)}</p>`, t.brand);
  });
}
