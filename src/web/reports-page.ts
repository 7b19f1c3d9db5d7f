// The report archive: every daily report of the agency's clients, newest first,
// each day's HTML (as the email showed it) and PDF a click away.
import type { Hono } from 'hono';
import { html } from 'hono/html';
import { refToId } from '../api/common.ts';
import { AppError } from '../errors.ts';
import { requireSession, type WebEnv } from './auth.ts';
import { clientChoices, clientFilter } from './common.ts';
import { page, shell, securityHeaders } from './layout.ts';

const PAGE = 60;

export function reportRoutes(web: Hono<WebEnv>) {
  web.get('/reports', requireSession(), async (c) => {
    const v = c.get('viewer');
    const q = c.req.query();
    const { clientId, error } = await clientFilter(c, q.client);
    if (error) return page(c, 422, { title: 'Reports', viewer: v, nav: 'reports', body: html`<p class="error">${error}</p><p><a href="/app/reports">All reports</a></p>` });
    const before = q.before && /^\d{4}-\d{2}-\d{2}$/.test(q.before) ? new Date(`${q.before}T00:00:00Z`) : undefined;
    const [clients, rows] = await Promise.all([
      clientChoices(c),
      c.get('deps').db.prisma.report.findMany({
        where: { client: { agencyId: v.agencyId }, ...(clientId && { clientId }), ...(before && { periodEnd: { lt: before } }) },
        orderBy: [{ periodEnd: 'desc' }, { id: 'desc' }], take: PAGE + 1,
        select: { id: true, kind: true, periodEnd: true, status: true, sentAt: true, error: true, html: false, client: { select: { name: true } } },
      }),
    ]);
    // Which have a document, without loading the documents.
    const ids = rows.map((r) => r.id);
    const docs = new Map(
      (await c.get('deps').db.sql.query<{ id: string; h: boolean; p: boolean }>('SELECT id::text, html IS NOT NULL AS h, pdf IS NOT NULL AS p FROM report WHERE id = ANY($1::uuid[])', [ids])).map((d) => [d.id, d]),
    );
    const shown = rows.slice(0, PAGE);
    const last = shown.at(-1);
    securityHeaders(c);
    return c.html(shell({
      title: 'Reports', viewer: v, nav: 'reports',
      body: html`<form class="filters" method="get" action="/app/reports" data-autosubmit><div><label for="f-client">Client</label><select id="f-client" name="client"><option value="all">All clients</option>${clients.map((x) => html`<option value="${x.slug}"${x.id === clientId ? ' selected' : ''}>${x.name}</option>`)}</select></div><div><button class="secondary">Show</button></div></form>
${shown.length === 0 ? html`<p>No reports yet.</p>` : html`<div class="table-wrap"><table><thead><tr><th>Day</th><th>Client</th><th>Status</th><th>Open</th></tr></thead><tbody>
${shown.map((r) => html`<tr><td>${r.periodEnd.toISOString().slice(0, 10)}</td><td>${r.client.name}</td><td>${r.status}${r.error ? html` <span class="muted">${r.error.slice(0, 120)}</span>` : ''}</td>
<td>${docs.get(r.id)?.h ? html`<a href="/app/reports/${r.id}/html">HTML</a>` : ''} ${docs.get(r.id)?.p ? html`<a href="/app/reports/${r.id}/pdf">PDF</a>` : ''}</td></tr>`)}</tbody></table></div>`}
${rows.length > PAGE && last ? html`<nav class="pager"><a rel="next" href="/app/reports?${new URLSearchParams({ ...(clientId && { client: q.client! }), before: last.periodEnd.toISOString().slice(0, 10) })}">Older</a></nav>` : ''}`,
    }));
  });

  for (const format of ['html', 'pdf'] as const) {
    web.get(`/reports/:id/${format}`, requireSession(), async (c) => {
      const id = await refToId(c, 'report', c.req.param('id'), 'report');
      const r = await c.get('deps').db.prisma.report.findFirst({ where: { id, client: { agencyId: c.get('viewer').agencyId } }, select: { html: format === 'html', pdf: format === 'pdf', periodEnd: true, status: true } });
      const doc = r && (format === 'html' ? r.html : r.pdf);
      if (!r || !doc) throw new AppError('not_found', r ? `this report has no ${format} (status ${r.status})` : 'no such report');
      c.header('Cache-Control', 'private, no-store');
      c.header('X-Content-Type-Options', 'nosniff');
      if (format === 'pdf') return c.body(new Uint8Array(doc as Uint8Array), 200, { 'Content-Type': 'application/pdf', 'Content-Disposition': `inline; filename="report-${r.periodEnd.toISOString().slice(0, 10)}.pdf"` });
      // The email's HTML: its styles are inline (email clients need that); it runs no script and loads nothing.
      c.header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; sandbox allow-popups allow-popups-to-escape-sandbox");
      return c.body(doc as string, 200, { 'Content-Type': 'text/html; charset=utf-8' });
    });
  }
}
