// The link table the affiliate operator asked for: every link and ad of a client
// over 7 / 30 days or a chosen range, sortable by profit, ROI, clicks, CVR, spend,
// revenue or name (links in the header: sorting works without script), ROI red
// below 0 %, yellow 0–100 %, green above; a platform filter, a CSV of exactly what
// is shown, and the kill switch on each row (members and admins).
import type { Context, Hono } from 'hono';
import { html } from 'hono/html';
import type { Client } from '../generated/prisma/client.ts';
import { killEntity, restoreEntity } from '../domain/entities.ts';
import { linkTable, LINK_TABLE_MAX_DAYS, type LinkLine } from '../reports/link-table.ts';
import { sheetAmount, sheetCsv, sheetText } from '../reports/sheet-csv.ts';
import { refToId } from '../api/common.ts';
import { AppError } from '../errors.ts';
import { addDays, daysBetween, isSaneDay, lastCompleteDay } from '../time.ts';
import { canAct, checkedForm, requireSession, webAudit, type WebEnv } from './auth.ts';
import { count, money, page, pct, shell, securityHeaders } from './layout.ts';
import { clientChoices, forbidden, formExpired } from './common.ts';

const SORTS = { profit: 'Profit', roi: 'ROI', clicks: 'Clicks', cvr: 'CVR', spend: 'Spend', revenue: 'Revenue', name: 'Name' } as const;
type SortKey = keyof typeof SORTS;
const PLATFORMS = ['meta', 'google', 'tiktok', 'redtrack', 'shopify', 'other'] as const;

interface TableQuery {
  client: Client;
  /** The agency's clients, for the filter (read once per page). */
  clients: Awaited<ReturnType<typeof clientChoices>>;
  from: string;
  to: string;
  range: '7' | '30' | 'custom';
  platform: string | null;
  sort: SortKey;
  dir: 'asc' | 'desc';
  show: 'live' | 'killed' | 'all';
}

/** The query string, read and checked: a wrong value is named, never guessed. */
async function readQuery(c: Context<WebEnv>): Promise<TableQuery | { error: string; clients: Awaited<ReturnType<typeof clientChoices>> }> {
  const q = c.req.query();
  const clients = await clientChoices(c);
  if (clients.length === 0) return { error: 'This agency has no clients yet.', clients };
  let clientId = clients[0]!.id;
  if (q.client) {
    try {
      clientId = await refToId(c, 'client', q.client, 'client');
    } catch (e) {
      if (e instanceof AppError) return { error: e.message, clients };
      throw e;
    }
  }
  const client = clients.find((x) => x.id === clientId);
  if (!client) return { error: `client ${q.client} not found`, clients };
  const full = await c.get('deps').db.prisma.client.findUniqueOrThrow({ where: { id: client.id } });
  const range = q.range === '30' || q.range === 'custom' ? q.range : '7';
  let to = lastCompleteDay(full.timezone, c.get('deps').now());
  let from = addDays(to, range === '30' ? -29 : -6);
  if (range === 'custom') {
    if (!q.from || !isSaneDay(q.from)) return { error: 'from: expected a date (YYYY-MM-DD)', clients };
    if (!q.to || !isSaneDay(q.to)) return { error: 'to: expected a date (YYYY-MM-DD)', clients };
    if (q.from > q.to) return { error: 'from: must be on or before to', clients };
    if (daysBetween(q.from, q.to) + 1 > LINK_TABLE_MAX_DAYS) return { error: `the range may span at most ${LINK_TABLE_MAX_DAYS} days`, clients };
    from = q.from;
    to = q.to;
  }
  const platform = q.platform && (PLATFORMS as readonly string[]).includes(q.platform) ? q.platform : null;
  if (q.platform && q.platform !== 'all' && !platform) return { error: `platform: one of ${PLATFORMS.join(', ')}`, clients };
  const sort = (q.sort && q.sort in SORTS ? q.sort : 'profit') as SortKey;
  // Profit and ROI: worst first (what to kill); the rest: most first; name: A→Z.
  const dir = q.dir === 'asc' || q.dir === 'desc' ? q.dir : sort === 'profit' || sort === 'roi' || sort === 'name' ? 'asc' : 'desc';
  const show = q.show === 'killed' || q.show === 'all' ? q.show : 'live';
  return { client: full, clients, from, to, range, platform, sort, dir, show };
}

async function rowsOf(c: Context<WebEnv>, t: TableQuery): Promise<LinkLine[]> {
  const lines = await linkTable(c.get('deps').db, t.client, t.to, { days: daysBetween(t.from, t.to) + 1, killed: t.show === 'all' ? undefined : t.show === 'killed' });
  const shown = t.platform ? lines.filter((l) => l.platform === t.platform) : lines;
  const value = (l: LinkLine): number | string | null => (t.sort === 'name' ? l.name.toLowerCase() : t.sort === 'spend' ? l.spendCents : t.sort === 'revenue' ? l.revenueCents : t.sort === 'profit' ? l.profitCents : t.sort === 'roi' ? l.roi : t.sort === 'clicks' ? l.clicks : l.cvr);
  const sign = t.dir === 'asc' ? 1 : -1;
  // Unknown values (no revenue reported, no clicks) sort last either way.
  return shown.sort((a, b) => {
    const x = value(a);
    const y = value(b);
    if (x === null || y === null) return x === y ? b.spendCents - a.spendCents : x === null ? 1 : -1;
    return (x < y ? -1 : x > y ? 1 : 0) * sign || b.spendCents - a.spendCents || (a.name < b.name ? -1 : 1);
  });
}

const roiClass = (roi: number | null) => (roi === null ? '' : roi < 0 ? 'roi-red' : roi <= 1 ? 'roi-yellow' : 'roi-green');

function queryOf(t: TableQuery, over: Partial<Record<string, string>> = {}): string {
  const p = new URLSearchParams({ client: t.client.slug, range: t.range, ...(t.range === 'custom' && { from: t.from, to: t.to }), ...(t.platform && { platform: t.platform }), sort: t.sort, dir: t.dir, show: t.show, ...over });
  return p.toString();
}

export function linkTableCsv(lines: LinkLine[], currency: string): string {
  const amount = sheetAmount(currency);
  return sheetCsv(
    ['name', 'kind', 'platform', 'under', `spend_${currency}`, 'clicks', 'conversions', 'cvr', `revenue_${currency}`, `profit_${currency}`, 'roi', 'verdict', 'probability', 'since', 'status', 'id'],
    lines.map((l) => [sheetText(l.name), l.kind, l.platform, sheetText(l.path), amount(l.spendCents), l.clicks ?? '', l.conversions ?? '', l.cvr === null ? '' : l.cvr.toFixed(4), amount(l.revenueCents), amount(l.profitCents), l.roi === null ? '' : l.roi.toFixed(4), l.verdict ?? '', l.probability ?? '', l.since ?? '', l.killed ? 'killed' : 'live', l.id]),
  );
}

/** A row's button press: the form's token checked, a member, the link or ad in the viewer's agency, where to go back to. */
async function rowAction(c: Context<WebEnv>) {
  const form = await checkedForm(c);
  if (!form) return formExpired(c);
  const v = c.get('viewer');
  if (!canAct(v)) return forbidden(c);
  const id = await refToId(c, 'entity', c.req.param('id') ?? '', 'link');
  const e = await c.get('deps').db.prisma.entity.findFirst({ where: { id, client: { agencyId: v.agencyId } } });
  if (!e) throw new AppError('not_found', 'no such link or ad');
  const back = typeof form.back === 'string' && form.back.startsWith('/app/links?') ? form.back : '/app/links';
  return { e, v, back };
}

/** What became of the action a Pause button made: read from the action, never from the URL's words. */
async function actionFlash(c: Context<WebEnv>, ref: string | undefined): Promise<string | null> {
  if (!ref || !/^[0-9a-f-]{36}$/.test(ref)) return null;
  const a = await c.get('deps').db.prisma.adAction.findFirst({ where: { id: ref, client: { agencyId: c.get('viewer').agencyId } } });
  if (!a) return null;
  return a.state === 'done' ? `Paused ${a.level} ${a.externalId} on the platform. Undo: adbrain actions undo ${a.id.slice(0, 8)}.` : `Nothing changed on the platform: ${a.error ?? a.state}.`;
}

export function linkRoutes(web: Hono<WebEnv>) {
  web.get('/links', requireSession(), async (c) => {
    const t = await readQuery(c);
    const v = c.get('viewer');
    if ('error' in t) return page(c, 422, { title: 'Links', viewer: v, nav: 'links', body: html`<p class="error">${t.error}</p><p><a href="/app/links">Back to the link table</a></p>` });
    const rows = await rowsOf(c, t);
    const clients = t.clients;
    const cur = t.client.currency;
    const back = `/app/links?${queryOf(t)}`;
    const head = (k: SortKey, numeric = true) => {
      const active = t.sort === k;
      const dir = active ? (t.dir === 'asc' ? 'desc' : 'asc') : k === 'profit' || k === 'roi' || k === 'name' ? 'asc' : 'desc';
      return html`<th class="${numeric ? 'num' : ''}"><a href="/app/links?${queryOf(t, { sort: k, dir })}"${active ? html` aria-sort="${t.dir === 'asc' ? 'ascending' : 'descending'}"` : ''}>${SORTS[k]}</a></th>`;
    };
    securityHeaders(c);
    // Platforms this client's ads can be paused on (a connection there, ADBRAIN_ACTIONS not off).
    const writable = c.get('deps').config.actions === 'off' ? new Set<string>() : new Set((await c.get('deps').db.prisma.connection.findMany({ where: { clientId: t.client.id, platform: { in: ['meta', 'tiktok', 'google'] } }, select: { platform: true } })).map((x) => x.platform as string));
    const flash = c.req.query('done') === 'killed'
      ? `Killed: it leaves alerts and the "act now" lists; its history stays.${writable.size ? ' It still runs on the ad platform: press Pause on its row to stop its spend there.' : ''}`
      : c.req.query('done') === 'restored' ? 'Restored.' : await actionFlash(c, c.req.query('action'));
    return c.html(shell({
      title: `Links · ${t.client.name}`, viewer: v, nav: 'links', flash,
      body: html`<form class="filters" method="get" action="/app/links" data-autosubmit>
<div><label for="f-client">Client</label><select id="f-client" name="client">${clients.map((x) => html`<option value="${x.slug}"${x.id === t.client.id ? ' selected' : ''}>${x.name}</option>`)}</select></div>
<div><label for="f-range">Days</label><select id="f-range" name="range"><option value="7"${t.range === '7' ? ' selected' : ''}>Last 7 days</option><option value="30"${t.range === '30' ? ' selected' : ''}>Last 30 days</option><option value="custom"${t.range === 'custom' ? ' selected' : ''}>Custom</option></select></div>
<div><label for="f-from">From</label><input type="date" id="f-from" name="from" value="${t.from}"></div><div><label for="f-to">To</label><input type="date" id="f-to" name="to" value="${t.to}"></div>
<div><label for="f-platform">Platform</label><select id="f-platform" name="platform"><option value="all">All</option>${PLATFORMS.map((p) => html`<option value="${p}"${t.platform === p ? ' selected' : ''}>${p}</option>`)}</select></div>
<div><label for="f-show">Show</label><select id="f-show" name="show"><option value="live"${t.show === 'live' ? ' selected' : ''}>Live</option><option value="killed"${t.show === 'killed' ? ' selected' : ''}>Killed</option><option value="all"${t.show === 'all' ? ' selected' : ''}>All</option></select></div>
<div><label for="f-sort">Sort by</label><select id="f-sort" name="sort">${(Object.keys(SORTS) as SortKey[]).map((k) => html`<option value="${k}"${t.sort === k ? ' selected' : ''}>${SORTS[k]}</option>`)}</select></div>
<div><label for="f-dir">Order</label><select id="f-dir" name="dir"><option value="asc"${t.dir === 'asc' ? ' selected' : ''}>${t.sort === 'name' ? 'A → Z' : 'Lowest first'}</option><option value="desc"${t.dir === 'desc' ? ' selected' : ''}>${t.sort === 'name' ? 'Z → A' : 'Highest first'}</option></select></div>
<div><button class="secondary">Show</button></div>
<div><a href="/app/links.csv?${queryOf(t)}" download>Download CSV</a></div></form>
<p class="muted">${t.from} → ${t.to} · ${rows.length} ${rows.length === 1 ? 'row' : 'rows'} · ${cur} · ROI: <span class="badge sev-critical">below 0 %</span> <span class="badge sev-warning">0–100 %</span> <span class="badge sev-good">above 100 %</span></p>
${rows.length === 0 ? html`<p>No links or ads here for these filters.</p>` : html`<div class="table-wrap"><table id="links"><thead><tr>${head('name', false)}<th>Platform</th>${head('spend')}${head('clicks')}${head('cvr')}${head('revenue')}${head('profit')}${head('roi')}<th>Verdict</th>${canAct(v) ? html`<th></th>` : ''}</tr></thead><tbody>
${rows.map((l) => html`<tr class="${roiClass(l.roi)}${l.killed ? ' killed' : ''}" data-id="${l.id}"><td class="name">${l.name}<div class="muted">${l.kind}${l.path ? html` · ${l.path}` : ''}</div></td><td data-label="Platform">${l.platform}</td>
<td class="num" data-label="Spend">${money(l.spendCents, cur)}</td><td class="num" data-label="Clicks">${count(l.clicks)}</td><td class="num" data-label="CVR">${pct(l.cvr, 1)}</td><td class="num" data-label="Revenue">${money(l.revenueCents, cur)}</td><td class="num" data-label="Profit">${money(l.profitCents, cur)}</td><td class="num roi" data-label="ROI">${pct(l.roi)}</td>
<td class="verdict">${l.killed ? 'killed' : l.verdict ? `${l.verdict} · ${pct(l.probability)} sure · since ${l.since}` : ''}</td>
${canAct(v) ? html`<td class="act">${l.killed
        ? html`<form class="inline" method="post" action="/app/links/${l.id}/restore"><input type="hidden" name="csrf" value="${v.csrf}"><input type="hidden" name="back" value="${back}"><button class="secondary">Restore</button></form>`
        : html`<form class="inline" method="post" action="/app/links/${l.id}/kill" data-confirm="Kill ${l.name}?"><input type="hidden" name="csrf" value="${v.csrf}"><input type="hidden" name="back" value="${back}"><button class="danger">Kill</button></form>`}${writable.has(l.platform) ? html` <form class="inline" method="post" action="/app/links/${l.id}/pause" data-confirm="Pause ${l.kind === 'link' ? 'the ad of ' : ''}${l.name} on ${l.platform}? adbrain reads it first and changes nothing if it changed since."><input type="hidden" name="csrf" value="${v.csrf}"><input type="hidden" name="back" value="${back}"><button class="danger">Pause on ${l.platform}</button></form>` : ''}</td>` : ''}</tr>`)}
</tbody></table></div>`}`,
    }));
  });

  web.get('/links.csv', requireSession(), async (c) => {
    const t = await readQuery(c);
    if ('error' in t) return c.text(`${t.error}\n`, 422);
    const rows = await rowsOf(c, t);
    c.header('Cache-Control', 'no-store');
    c.header('Content-Disposition', `attachment; filename="links-${t.client.slug}-${t.from}-${t.to}.csv"`);
    return c.body(linkTableCsv(rows, t.client.currency), 200, { 'Content-Type': 'text/csv; charset=utf-8' });
  });

  web.post('/links/:id/pause', requireSession(), async (c) => {
    const t = await rowAction(c);
    if (t instanceof Response) return t;
    const { pauseFromWeb } = await import('./pause-action.ts');
    const actionId = await pauseFromWeb(c, t.e.id);
    if (actionId instanceof Response) return actionId;
    return c.redirect(`${t.back}${t.back.includes('?') ? '&' : '?'}action=${actionId}`, 303);
  });

  for (const act of ['kill', 'restore'] as const) {
    web.post(`/links/:id/${act}`, requireSession(), async (c) => {
      const t = await rowAction(c);
      if (t instanceof Response) return t;
      const { e, v, back } = t;
      const deps = c.get('deps');
      if (act === 'kill' && e.status !== 'killed') await killEntity(deps.db.prisma, e.id, { reason: `killed in the web inbox by ${v.name}`, now: deps.now() });
      if (act === 'restore' && e.status === 'killed') await restoreEntity(deps.db.prisma, e.id);
      await webAudit(c, { action: act === 'kill' ? 'entity.kill' : 'entity.restore', entityType: e.kind, entityId: e.id, clientId: e.clientId, before: { status: e.status }, after: { status: act === 'kill' ? 'killed' : 'active', origin: 'web' } });
      return c.redirect(`${back}${back.includes('?') ? '&' : '?'}done=${act === 'kill' ? 'killed' : 'restored'}`, 303);
    });
  }
}
