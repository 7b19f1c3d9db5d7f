// The web inbox's changes on the ad platforms: what rules and people proposed
// (waiting for approval), and what was done, failed or undone — with Approve,
// Cancel and Undo for members. The same service as the CLI, API and MCP.
import type { Context, Hono } from 'hono';
import { html } from 'hono/html';
import { refToId } from '../api/common.ts';
import { AppError } from '../errors.ts';
import { credentialKey } from '../sources/sync.ts';
import { canAct, checkedForm, requireSession, webAudit, type WebEnv } from './auth.ts';
import { forbidden, formExpired } from './common.ts';
import { page, shell, securityHeaders } from './layout.ts';

const ACTS = ['approve', 'cancel', 'undo'] as const;

export function actionsRoutes(web: Hono<WebEnv>) {
  web.get('/actions', requireSession(), async (c) => {
    const v = c.get('viewer');
    const rows = await c.get('deps').db.prisma.adAction.findMany({ where: { client: { agencyId: v.agencyId } }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: 100, include: { client: { select: { name: true, currency: true } } } });
    const { viewAction } = await import('../ad-actions/service.ts');
    const views = await Promise.all(rows.map(async (a) => ({ a, v: await viewAction(c.get('deps').db, a) })));
    const done = c.req.query('done');
    const flash = done && /^[0-9a-f-]{36}$/.test(done) ? views.find((x) => x.a.id === done) : undefined;
    const button = (id: string, act: (typeof ACTS)[number], label: string, danger = false) =>
      html`<form class="inline" method="post" action="/app/actions/${id}/${act}"${act === 'approve' ? html` data-confirm="Make this change on the platform now?"` : ''}><input type="hidden" name="csrf" value="${v.csrf}"><button class="${danger ? 'danger' : 'secondary'}">${label}</button></form>`;
    securityHeaders(c);
    return c.html(shell({
      title: 'Changes on the ad platforms', viewer: v, nav: 'actions',
      flash: flash ? `${flash.v.state === 'failed' ? 'Nothing changed' : flash.v.state}: ${flash.v.error ?? `${flash.v.kind} ${flash.v.object.level} ${flash.v.object.name ?? flash.v.object.id}`}` : null,
      body: rows.length === 0 ? html`<p>No changes proposed or made yet. Propose one from a link's row, the API, the CLI or a rule.</p>` : html`<div class="table-wrap"><table id="actions"><thead><tr><th>When</th><th>Client</th><th>Change</th><th>Per day</th><th>State</th><th>By</th>${canAct(v) ? html`<th></th>` : ''}</tr></thead><tbody>
${views.map(({ a, v: x }) => html`<tr data-id="${a.id}"><td>${a.createdAt.toISOString().slice(0, 16).replace('T', ' ')}</td><td>${a.client.name}</td><td>${x.kind} ${x.object.level} <strong>${x.object.name ?? x.object.id}</strong><div class="muted">${x.field}: ${x.from} → ${x.to}</div></td><td class="num">${x.moneyPerDay ?? ''}</td>
<td>${x.state}${x.error ? html`<div class="muted">${x.error}</div>` : ''}</td><td class="muted">${x.approvedBy ?? x.proposedBy}</td>
${canAct(v) ? html`<td class="act">${x.state === 'proposed' || x.state === 'approved' ? html`${button(a.id, 'approve', 'Approve', true)} ${button(a.id, 'cancel', 'Cancel')}` : x.state === 'done' ? button(a.id, 'undo', 'Undo') : ''}</td>` : ''}</tr>`)}
</tbody></table></div>`,
    }));
  });

  for (const act of ACTS) {
    web.post(`/actions/:id/${act}`, requireSession(), async (c: Context<WebEnv>) => {
      if (!(await checkedForm(c))) return formExpired(c);
      const v = c.get('viewer');
      if (!canAct(v)) return forbidden(c);
      const deps = c.get('deps');
      const id = await refToId(c, 'ad_action', c.req.param('id') ?? '', 'action');
      const a = await deps.db.prisma.adAction.findFirst({ where: { id, client: { agencyId: v.agencyId } } });
      if (!a) throw new AppError('not_found', 'no such action');
      const key = credentialKey(deps.config);
      if (!key) throw new AppError('config', 'this server has no encryption key to open the connections');
      const { decideFor } = await import('../ad-actions/service.ts');
      try {
        await decideFor({ db: deps.db, config: deps.config, key, now: deps.now() }, a.id, act, { by: v.userId ? `user:${v.userId}` : `api-key:${v.apiKeyId}`, audit: (e) => webAudit(c, { ...e, after: { ...(e.after as object), origin: 'web' } }) });
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        return page(c, 422, { title: 'Nothing changed', viewer: v, nav: 'actions', body: html`<p>${err.message}.</p><p><a href="/app/actions">Back to the changes</a></p>` });
      }
      return c.redirect(`/app/actions?done=${a.id}`, 303);
    });
  }
}
