// One insight with its evidence: what the brain measured and expects (the facts it
// stored with the insight), the day the change began, the chart of the days it
// judged (the brain's own series of the entity), its history, and the buttons.
import type { Hono } from 'hono';
import { html } from 'hono/html';
import { refToId } from '../api/common.ts';
import { loadVerdicts } from '../run/verdicts.ts';
import { AppError } from '../errors.ts';
import { lastCompleteDay } from '../time.ts';
import { requireSession, type WebEnv } from './auth.ts';
import { dayChart, type ChartDay } from './chart.ts';
import { flashOf } from './insight-actions.ts';
import { insightButtons } from './inbox-page.ts';
import { count, money, pct, shell, securityHeaders, type Html } from './layout.ts';

const CHART_DAYS = 30;

/** A stored fact as a person reads it: money for *Cents, percent for rates, the rest as is. */
function factValue(key: string, v: unknown, currency: string): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') {
    if (/cents$/i.test(key)) return money(v, currency);
    if (/(roi|rate|share|probability|confidence|ctr|cvr|change|drop|lift|pacing|ratio|^p[A-Z])/i.test(key) && Math.abs(v) <= 50) return pct(v, 1);
    return count(v);
  }
  if (typeof v === 'string' || typeof v === 'boolean') return String(v);
  const s = JSON.stringify(v);
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}
const label = (k: string) => k.replace(/Cents$/, '').replace(/([a-z])([A-Z])/g, '$1 $2').replace(/_/g, ' ').toLowerCase();

export function insightRoutes(web: Hono<WebEnv>) {
  web.get('/insights/:id', requireSession(), async (c) => {
    const v = c.get('viewer');
    const deps = c.get('deps');
    const id = await refToId(c, 'insight', c.req.param('id'), 'insight');
    const i = await deps.db.prisma.insight.findFirst({
      where: { id, client: { agencyId: v.agencyId } },
      include: { client: true, entity: { select: { id: true, kind: true, name: true, platform: true, status: true } }, events: { orderBy: { at: 'asc' } } },
    });
    if (!i) throw new AppError('not_found', `insight ${c.req.param('id')} not found`);
    const cur = i.client.currency;
    const since = i.since?.toISOString().slice(0, 10) ?? null;
    const asOf = i.seenAsOf?.toISOString().slice(0, 10) ?? lastCompleteDay(i.client.timezone, deps.now());
    let chart: Html = html``;
    if (i.entityId) {
      const { series, settings } = await loadVerdicts(deps.db.sql, i.client, asOf);
      const s = series.byId.get(i.entityId);
      if (s) {
        const end = series.length - 1;
        const sinceIdx = since ? series.length - 1 - Math.round((Date.parse(asOf) - Date.parse(since)) / 86_400_000) : end;
        const first = Math.max(0, Math.min(end - CHART_DAYS + 1, sinceIdx - 14));
        const byRevenue = (settings.objective?.kind ?? 'revenue') === 'revenue';
        const days: ChartDay[] = [];
        for (let k = first; k <= end; k++) {
          const val = byRevenue ? s.revenueCents[k]! : s.conversions[k]!;
          days.push({ day: series.dayOf(k), spendCents: s.spendCents[k]!, value: Number.isNaN(val) ? null : val });
        }
        chart = html`<h2>The days judged</h2>${dayChart(days, { since, valueLabel: byRevenue ? `revenue (${cur})` : 'conversions', spendLabel: `spend (${cur})`, sameScale: byRevenue })}`;
      }
    }
    const facts = ((i.payload as { facts?: Record<string, unknown> } | null)?.facts ?? {}) as Record<string, unknown>;
    const action = (i.payload as { action?: { kind?: string; impactCents?: number } | null } | null)?.action ?? null;
    securityHeaders(c);
    return c.html(shell({
      title: i.title, viewer: v, nav: 'inbox', flash: flashOf(c.req.query('done')),
      body: html`<div class="card"><div class="row"><span class="badge sev-${i.severity}">${i.severity}</span><span class="badge">${i.type.replace(/_/g, ' ')}</span><span class="badge">${i.status.toLowerCase().replace('_', ' ')}</span>${i.snoozedUntil ? html`<span class="badge">snoozed until ${i.snoozedUntil.toISOString().slice(0, 10)}</span>` : ''}<span class="muted">${i.client.name}</span></div>
${i.body !== i.title ? html`<p>${i.body}</p>` : ''}
<dl class="facts"><dt>At stake</dt><dd><strong>${money(Number(i.impactCents), cur)}</strong></dd><dt>How sure</dt><dd>${pct(i.confidence)}</dd>
${i.entity ? html`<dt>About</dt><dd>${i.entity.kind} ${i.entity.name} (${i.entity.platform}${i.entity.status === 'killed' ? ', killed' : ''})</dd>` : ''}
<dt>Change began</dt><dd>${since ?? '—'}</dd><dt>First seen</dt><dd>${i.firstSeen.toISOString().slice(0, 10)}</dd><dt>Last judged</dt><dd>${asOf}</dd>
${i.calledOn ? html`<dt>Called</dt><dd>${i.calledOn.toISOString().slice(0, 10)}, ${pct(i.callProbability)} sure${i.callOutcome ? ` — 7 days later: ${i.callOutcome}${i.callRoi !== null ? ` (ROI ${pct(i.callRoi)})` : ''}` : ''}</dd>` : ''}
${i.appliedOn ? html`<dt>Applied on</dt><dd>${i.appliedOn.toISOString().slice(0, 10)}</dd>` : ''}${i.realisedCents !== null ? html`<dt>Delivered since (vs. expected)</dt><dd>${money(Number(i.realisedCents), cur)}</dd>` : ''}</dl>
${insightButtons(v, i, `/app/insights/${i.id}`)}</div>
${chart}
<h2>What the brain measured and expects</h2>${Object.keys(facts).length || action
        ? html`<dl class="facts card">${action?.kind ? html`<dt>suggested move</dt><dd>${action.kind}${typeof action.impactCents === 'number' ? ` · ${money(action.impactCents, cur)} expected` : ''}</dd>` : ''}${Object.entries(facts).map(([k, val]) => html`<dt>${label(k)}</dt><dd>${factValue(k, val, cur)}</dd>`)}</dl>`
        : html`<p class="muted">No stored facts.</p>`}
<h2>History</h2>${i.events.length
        ? html`<div class="table-wrap"><table><thead><tr><th>When (UTC)</th><th>Who</th><th>Change</th><th>Note</th></tr></thead><tbody>${i.events.map((e) => html`<tr><td>${e.at.toISOString().slice(0, 16).replace('T', ' ')}</td><td>${e.actor}</td><td>${e.fromStatus ? `${e.fromStatus.toLowerCase()} → ` : ''}${e.toStatus.toLowerCase()}</td><td class="name">${e.note ?? ''}</td></tr>`)}</tbody></table></div>`
        : html`<p class="muted">No changes yet.</p>`}
<p><a href="/app/inbox">← Inbox</a></p>`,
    }));
  });
}
