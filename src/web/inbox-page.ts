// The inbox: every open insight of the agency, most money first, filtered by
// client, status and type, 25 to a page (keyset paging: page 400 is as fast as
// page 1). Each card has its buttons (members and admins): apply, dismiss or
// snooze, with a note the brain keeps.
import type { Context, Hono } from 'hono';
import { html } from 'hono/html';
import { INSIGHT_TYPES, SYSTEM_INSIGHT_TYPES } from '../brain/types.ts';
import { AppError } from '../errors.ts';
import type { InsightStatus } from '../generated/prisma/enums.ts';
import { listInbox, type InboxRow } from '../insights/list.ts';
import { canAct, requireSession, type WebEnv } from './auth.ts';
import { clientChoices, clientFilter } from './common.ts';
import { flashOf } from './insight-actions.ts';
import { money, page, pct, shell, securityHeaders, type Html } from './layout.ts';
import type { Viewer } from './session.ts';

export const INBOX_PAGE_SIZE = 25;
const STATUS_FILTERS: Record<string, { label: string; statuses: InsightStatus[] | undefined }> = {
  open: { label: 'Open', statuses: ['PENDING', 'IN_PROGRESS'] },
  pending: { label: 'New', statuses: ['PENDING'] },
  in_progress: { label: 'In progress', statuses: ['IN_PROGRESS'] },
  applied: { label: 'Applied', statuses: ['APPLIED'] },
  dismissed: { label: 'Dismissed', statuses: ['DISMISSED'] },
  resolved: { label: 'Resolved by itself', statuses: ['RESOLVED'] },
  all: { label: 'All', statuses: undefined },
};
const TYPES = [...INSIGHT_TYPES, ...SYSTEM_INSIGHT_TYPES] as readonly string[];

const cursorOf = (n: { impactCents: number; id: string }) => `${n.impactCents}_${n.id}`;
function readCursor(s: string | undefined) {
  if (!s) return undefined;
  const m = /^(-?\d{1,19})_([0-9a-f-]{36})$/.exec(s);
  if (!m) throw new AppError('invalid_input', 'after: not a page this inbox links to');
  return { impactCents: Number(m[1]), id: m[2]! };
}

/** The buttons of one insight, for whoever may act. */
export function insightButtons(v: Viewer, i: { id: string; status: string }, back: string): Html {
  if (!canAct(v)) return html``;
  const open = i.status === 'PENDING' || i.status === 'IN_PROGRESS';
  return html`<form method="post" action="/app/insights/${i.id}/act" class="actions"><input type="hidden" name="csrf" value="${v.csrf}"><input type="hidden" name="back" value="${back}">
${open
    ? html`<button name="action" value="apply">Mark applied</button><button name="action" value="dismiss" class="secondary">Dismiss</button><button name="action" value="snooze" class="secondary">Snooze 7 days</button>${i.status === 'PENDING' ? html`<button name="action" value="start" class="secondary">In progress</button>` : ''}
<details><summary class="muted">Add a note</summary><label for="note-${i.id}">Note (why you applied or dismissed it: the brain keeps it)</label><textarea id="note-${i.id}" name="note" rows="2" maxlength="2000"></textarea></details>`
    : i.status === 'RESOLVED' ? '' : html`<button name="action" value="reopen" class="secondary">Reopen</button>`}</form>`;
}

function card(v: Viewer, r: InboxRow, back: string): Html {
  const path = r.entity ? [r.entity.parent?.parent?.name, r.entity.parent?.name, r.entity.name].filter(Boolean).join(' › ') : null;
  return html`<article class="card" id="i-${r.id}"><div class="row"><span class="badge sev-${r.severity}">${r.severity}</span><span class="badge">${r.type.replace(/_/g, ' ')}</span><span class="muted">${r.clientName}</span>
${r.status !== 'PENDING' ? html`<span class="badge">${r.status.toLowerCase().replace('_', ' ')}</span>` : ''}${r.snoozedUntil ? html`<span class="badge">snoozed until ${r.snoozedUntil}</span>` : ''}</div>
<h3><a href="/app/insights/${r.id}">${r.title}</a></h3>${path ? html`<div class="muted">${r.entity!.platform} · ${path}</div>` : ''}
<div class="row"><span class="impact">${money(r.impactCents, r.client.currency)}</span><span class="muted">at stake · ${pct(r.confidence)} sure${r.since ? ` · since ${r.since}` : ''} · id ${r.id.slice(0, 8)}</span></div>
${insightButtons(v, r, back)}</article>`;
}

async function inbox(c: Context<WebEnv>) {
  const v = c.get('viewer');
  const q = c.req.query();
  const status = q.status && q.status in STATUS_FILTERS ? q.status : 'open';
  const errors: string[] = [];
  if (q.status && !(q.status in STATUS_FILTERS)) errors.push(`status: one of ${Object.keys(STATUS_FILTERS).join(', ')}`);
  const type = q.type && q.type !== 'all' ? q.type : undefined;
  if (type && !TYPES.includes(type)) errors.push(`type: one of ${TYPES.join(', ')}`);
  const { clientId, error } = await clientFilter(c, q.client);
  if (error) errors.push(error);
  if (errors.length) return page(c, 422, { title: 'Inbox', viewer: v, nav: 'inbox', body: html`${errors.map((e) => html`<p class="error">${e}</p>`)}<p><a href="/app/inbox">Show the whole inbox</a></p>` });
  const after = readCursor(q.after);
  const [clients, { rows, total, next }] = await Promise.all([
    clientChoices(c),
    listInbox(c.get('deps').db.sql, { agencyId: v.agencyId, clientId, statuses: STATUS_FILTERS[status]!.statuses, type, limit: INBOX_PAGE_SIZE, after }),
  ]);
  const filters = new URLSearchParams({ ...(q.client && { client: q.client }), status, ...(type && { type }) });
  const here = `/app/inbox?${new URLSearchParams({ ...Object.fromEntries(filters), ...(q.after && { after: q.after }) })}`;
  securityHeaders(c);
  return c.html(shell({
    title: 'Inbox', viewer: v, nav: 'inbox', flash: flashOf(q.done),
    body: html`<form class="filters" method="get" action="/app/inbox" data-autosubmit>
<div><label for="f-client">Client</label><select id="f-client" name="client"><option value="all">All clients</option>${clients.map((x) => html`<option value="${x.slug}"${x.id === clientId ? ' selected' : ''}>${x.name}</option>`)}</select></div>
<div><label for="f-status">Status</label><select id="f-status" name="status">${Object.entries(STATUS_FILTERS).map(([k, s]) => html`<option value="${k}"${k === status ? ' selected' : ''}>${s.label}</option>`)}</select></div>
<div><label for="f-type">Type</label><select id="f-type" name="type"><option value="all">All types</option>${TYPES.map((t) => html`<option value="${t}"${t === type ? ' selected' : ''}>${t.replace(/_/g, ' ')}</option>`)}</select></div>
<div><button class="secondary">Show</button></div></form>
<p class="muted">${total} ${total === 1 ? 'insight' : 'insights'}, most money first</p>
${rows.length ? rows.map((r) => card(v, r, here)) : html`<p>Nothing here. ${status === 'open' ? 'No open insights: the brain found nothing to act on.' : ''}</p>`}
<nav class="pager">${q.after ? html`<a href="/app/inbox?${filters}">First page</a>` : ''}${next ? html`<a rel="next" href="/app/inbox?${filters}&after=${cursorOf(next)}">Next page</a>` : ''}</nav>`,
  }));
}

export function inboxRoutes(web: Hono<WebEnv>) {
  web.get('/', requireSession(), (c) => c.redirect('/app/inbox', 303));
  web.get('/inbox', requireSession(), inbox);
}
