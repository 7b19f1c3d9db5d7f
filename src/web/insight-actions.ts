// Apply / dismiss / snooze / start / reopen from the web inbox: the same transition
// the CLI, the API and the email links make (src/insights/inbox.ts), the same event
// to Inngest, so the brain learns from a web "applied" exactly as from any other;
// audited with the signed-in person as the actor.
import type { Context, Hono } from 'hono';
import { events } from '../../inngest.config.ts';
import { refToId } from '../api/common.ts';
import { AppError } from '../errors.ts';
import { SNOOZE_DAYS, snoozeInsight, transition, type InboxAction } from '../insights/inbox.ts';
import { canAct, checkedForm, eventActor, requireSession, webAudit, type WebEnv } from './auth.ts';
import { forbidden, formExpired } from './common.ts';

export const WEB_ACTIONS = ['apply', 'dismiss', 'snooze', 'start', 'reopen'] as const;
export type WebAction = (typeof WEB_ACTIONS)[number];

/** Where to go back to: a page of the inbox or the insight itself (never another site). */
function backTo(form: Record<string, string>, insightId: string): string {
  const b = form.back ?? '';
  return /^\/app\/(inbox|insights\/[0-9a-f-]{36})(\?[\w\-.=&%]*)?$/.test(b) ? b : `/app/insights/${insightId}`;
}

async function act(c: Context<WebEnv>, insightId: string, action: WebAction, note: string | undefined): Promise<string> {
  const deps = c.get('deps');
  const prisma = deps.db.prisma;
  const v = c.get('viewer');
  const before = await prisma.insight.findFirst({ where: { id: insightId, client: { agencyId: v.agencyId } } });
  if (!before) throw new AppError('not_found', 'no such insight in your agency');
  if (action === 'snooze') {
    const r = await snoozeInsight(prisma, before.id, { actor: eventActor(v), days: SNOOZE_DAYS, note, now: deps.now() });
    await webAudit(c, { action: 'insight.snoozed', entityType: 'insight', entityId: before.id, clientId: before.clientId, before: { snoozedUntil: before.snoozedUntil }, after: { snoozedUntil: r.until, note: note ?? null, origin: 'web' } });
    return 'snoozed';
  }
  const updated = await transition(prisma, before.id, action as InboxAction, { actor: eventActor(v), note, now: deps.now() });
  if (deps.inngest) {
    await deps.inngest.send({ name: events.insightStatusChanged.name, data: { insightId: before.id, clientId: before.clientId, from: before.status, to: updated.status, actor: eventActor(v) } }).catch(() => undefined);
  }
  await webAudit(c, { action: 'insight.status_changed', entityType: 'insight', entityId: before.id, clientId: before.clientId, before: { status: before.status }, after: { status: updated.status, note: note ?? null, origin: 'web' } });
  return updated.status.toLowerCase();
}

export function insightActionRoutes(web: Hono<WebEnv>) {
  web.post('/insights/:id/act', requireSession(), async (c) => {
    const form = await checkedForm(c);
    if (!form) return formExpired(c);
    if (!canAct(c.get('viewer'))) return forbidden(c);
    const action = form.action as WebAction;
    if (!(WEB_ACTIONS as readonly string[]).includes(action)) throw new AppError('invalid_input', `action: one of ${WEB_ACTIONS.join(', ')}`);
    const id = await refToId(c, 'insight', c.req.param('id'), 'insight');
    const note = form.note?.trim().slice(0, 2000) || undefined;
    const back = backTo(form, id);
    let done: string;
    try {
      done = await act(c, id, action, note);
    } catch (err) {
      // Decided elsewhere meanwhile (another tab, the CLI, an email link): say so, change nothing.
      if (!(err instanceof AppError && err.code === 'conflict')) throw err;
      done = 'conflict';
    }
    return c.redirect(`${back}${back.includes('?') ? '&' : '?'}done=${done}&i=${id}`, 303);
  });
}

const DONE: Record<string, string> = {
  applied: 'Marked applied. The brain will compare what it delivers with what it expected.',
  dismissed: 'Dismissed. The brain learns from it.',
  snoozed: `Snoozed for ${SNOOZE_DAYS} days: out of "act now" and its alerts wait.`,
  in_progress: 'Marked in progress.',
  pending: 'Reopened.',
  conflict: 'Nothing changed: it was already decided (elsewhere or in another tab).',
};

/** The line a page shows after an action (a fixed text per outcome: nothing from the URL is shown). */
export const flashOf = (done: string | undefined) => (done ? (DONE[done] ?? null) : null);
