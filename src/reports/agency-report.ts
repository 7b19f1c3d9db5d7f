// The agency roll-up as a report: its view (the daily report's shape, so the same
// templates draw it as HTML, text and PDF under the agency's brand) and its
// delivery to the agency's notify list, once per period (agency_report's key).
import { lookOf, type BrandLook } from '../branding/brand.ts';
import { brandMessage, inlineImages } from '../branding/email.ts';
import { loadBrand } from '../branding/store.ts';
import type { Db } from '../db/client.ts';
import { withLease } from '../db/lease.ts';
import { AppError } from '../errors.ts';
import { addDays } from '../time.ts';
import { atRisk, buildAgencyRollup, type AgencyRollup, type RollupKind, type RollupPeriod } from './agency-rollup.ts';
import { sendRecordedTo, type DeliverOptions } from './daily-report.ts';
import { count, money, pct, ratio, signedPct } from './format.ts';
import type { Kpis } from './kpis.ts';
import { periodEndingBy, periodLabel } from './periods.ts';
import { renderReportHtml } from './render-html.tsx';
import { renderReportPdf } from './render-pdf.tsx';
import { renderReportText } from './render-text.ts';
import { change, type ReportView, type Row, type Tile } from './view.ts';

/** The day, week or month up to `date`, with what it is compared against. */
export function rollupPeriod(kind: RollupKind, date: string): RollupPeriod {
  if (kind !== 'daily') return periodEndingBy(kind, date);
  return { kind, from: date, to: date, previous: { from: addDays(date, -1), to: addDays(date, -1) }, lastYear: { from: addDays(date, -364), to: addDays(date, -364) } };
}

const label = (r: AgencyRollup) => (r.kind === 'daily' ? new Intl.DateTimeFormat('en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${r.to}T00:00:00Z`)) : periodLabel({ kind: r.kind, from: r.from, to: r.to }));
const NOUN = { daily: 'day', weekly: 'week', monthly: 'month' } as const;

export function buildRollupView(r: AgencyRollup, look: BrandLook): ReportView {
  const cur = r.agency.currency;
  const $ = (c: number | null) => money(c, cur);
  const noun = NOUN[r.kind];
  const when = label(r);
  const tile = (l: string, key: keyof Kpis, value: string): Tile => ({ label: l, value, vsPreviousDay: change(r.change.vsPrevious[key], key), vs7DayAverage: change(r.change.vsLastYear?.[key], key) });
  const t = r.total;
  const headline = t.profitCents === null
    ? `${r.agency.name}: ${$(t.spendCents)} of spend across ${count(r.clients.length)} clients, ${when}`
    : `${r.agency.name}: ${$(t.profitCents)} profit on ${$(t.spendCents)} of spend across ${count(r.clients.length)} clients, ${when} (ROAS ${ratio(t.roas)})`;
  const risky = atRisk(r);
  const rates = r.rates.length
    ? `Amounts in ${cur}: each client's days converted at that day's ECB reference rate. At ${r.to}: ${r.rates.map((x) => `1 ${x.currency} = ${x.rate.toPrecision(6)} ${cur} (rate of ${x.day})`).join('; ')}.`
    : `Amounts in ${cur}; every client reports in ${cur}.`;
  const tone = (k: Kpis) => (k.profitCents === null ? 'flat' : k.profitCents > 0 ? 'good' : k.profitCents < 0 ? 'bad' : 'flat') as Row['tone'];
  const kpiCells = (k: Kpis) => [$(k.spendCents), $(k.revenueCents), $(k.profitCents), ratio(k.roas)];
  const sentence = risky.length
    ? `Most at risk: ${risky.slice(0, 3).map((c) => `${c.name}${c.burning?.links ? ` (${count(c.burning.links)} burning, ${$(c.burning.spendCents)})` : c.pacing && c.pacing.ratio > 1.05 ? ` (on pace for ${pct(c.pacing.ratio)} of its budget)` : ` (${count(c.critical.length)} critical)`}`).join(', ')}.`
    : 'No client has burning links, a month over its budget or a critical insight open.';
  return {
    brand: look,
    sections: ['summary', 'kpis', 'rollups'],
    subject: `${look.whiteLabel ? '' : 'adbrain roll-up: '}${headline}`.slice(0, 180),
    preview: headline,
    client: r.agency.name,
    dateLabel: when,
    date: r.to,
    timezone: `all clients, their own days; amounts in ${cur}`,
    headline,
    paragraphs: [sentence, rates],
    tiles: [tile('Spend', 'spendCents', $(t.spendCents)), tile('Revenue', 'revenueCents', $(t.revenueCents)), tile('Profit', 'profitCents', $(t.profitCents)), tile('ROAS', 'roas', ratio(t.roas))],
    compare: [`vs previous ${noun}`, `vs ${noun} last year`],
    actions: [],
    burning: null,
    budgets: null,
    periods: { title: '', columns: [], rows: [] },
    chart: { title: '', legend: ['', ''], bars: [], axis: { max: '', mid: '', zero: '' } },
    top: null,
    bottom: null,
    rollups: [
      {
        title: `Clients (${cur})`,
        columns: ['Client', 'Spend', 'Revenue', 'Profit', 'ROAS', 'Spend, own currency'],
        rows: [
          ...r.clients.map((c) => ({ name: c.name, cells: [...kpiCells(c.kpis), c.currency === cur ? '' : money(c.own.spendCents, c.currency)], tone: tone(c.kpis) })),
          { name: 'All clients', cells: [...kpiCells(t), ''], tone: tone(t) },
        ],
      },
      {
        title: `Against the previous ${noun} and a year ago`,
        columns: ['Period', 'Spend', 'Revenue', 'Profit', 'ROAS', 'Profit change'],
        rows: [
          { name: `This ${noun}`, cells: [...kpiCells(t), ''], tone: tone(t) },
          { name: `Previous ${noun}`, cells: [...kpiCells(r.previousTotal), signedPct(r.change.vsPrevious.profitCents ?? null)], tone: tone(r.previousTotal) },
          r.lastYearTotal
            ? { name: 'A year ago', cells: [...kpiCells(r.lastYearTotal), signedPct(r.change.vsLastYear?.profitCents ?? null)], tone: tone(r.lastYearTotal) }
            : { name: 'A year ago', cells: ['no data', '', '', '', ''] },
        ],
      },
      ...(r.clients.some((c) => c.accounts.length)
        ? [{
          title: `Ad account budgets this month (${cur})`,
          columns: ['Account', 'Client', 'Spent', 'Budget', 'Month end (projected)', 'Of budget'],
          rows: r.clients.flatMap((c) => c.accounts.map((a) => ({ name: `${a.name} (${a.platform})`, cells: [c.name, $(a.spentCents), $(a.budgetCents), $(a.projectedCents), pct(a.ratio)], tone: a.ratio > 1.05 ? 'bad' as const : 'flat' as const }))),
        }]
        : []),
      ...(risky.length
        ? [{
          title: 'Most at risk',
          columns: ['Client', 'Burning spend', 'Burning links', 'Month: projected / budget', 'Critical insights'],
          rows: risky.map((c) => ({
            name: c.name,
            cells: [c.burning ? $(c.burning.spendCents) : 'not judged', c.burning ? count(c.burning.links) : '', c.pacing ? `${$(c.pacing.projectedCents)} / ${$(c.pacing.budgetCents)}` : 'no budget', count(c.critical.length)],
            tone: 'bad' as const,
          })),
        }]
        : []),
      ...(r.clients.some((c) => c.critical.length)
        ? [{
          title: 'Open critical insights',
          columns: ['Client', 'Insight', 'Since'],
          rows: r.clients.flatMap((c) => c.critical.map((i) => ({ name: c.name, cells: [i.title, i.since ?? ''] }))),
        }]
        : []),
    ],
    splitTests: null,
    firstParty: null,
    platformChanges: null,
    forecast: null,
    trackRecord: null,
    freshness: [],
    revenueNote: null,
    objective: 'Profit is revenue minus the spend whose revenue was reported',
    footer: `${look.whiteLabel ? look.kicker : 'adbrain agency roll-up'} for ${r.agency.name} · ${r.from === r.to ? r.to : `${r.from} to ${r.to}`} · amounts in ${cur}`,
  };
}

export interface RenderedRollup {
  rollup: AgencyRollup;
  view: ReportView;
  html: string;
  text: string;
  pdf: Buffer;
}

export async function renderAgencyRollup(db: Db, agencyId: string, period: RollupPeriod): Promise<RenderedRollup & { brand: Awaited<ReturnType<typeof loadBrand>> }> {
  const [rollup, brand] = await Promise.all([buildAgencyRollup(db, agencyId, period), loadBrand(db, { agencyId })]);
  const view = buildRollupView(rollup, lookOf(brand, 'agency roll-up'));
  const [html, pdf] = await Promise.all([renderReportHtml(view), renderReportPdf(view)]);
  return { rollup, view, html, text: renderReportText(view), pdf, brand };
}

export const rollupKey = (agencyId: string, p: Pick<RollupPeriod, 'kind' | 'from'>) => `rollup:${agencyId}:${p.kind}:${p.from}`;

export interface RollupDeliverResult {
  status: 'delivered' | 'already-delivered';
  reportId: string;
  provider: string | null;
  location: string | null;
}

/** Sends the roll-up of a period to the agency's notify list, once. */
export async function deliverAgencyRollup(db: Db, agencyId: string, period: RollupPeriod, opts: DeliverOptions): Promise<RollupDeliverResult> {
  const key = rollupKey(agencyId, period);
  return withLease(db.sql, `report:${key}`, { waitMs: 300_000, what: `the agency roll-up of ${period.from} – ${period.to}` }, async () => {
    const existing = await db.prisma.agencyReport.findUnique({ where: { idempotencyKey: key } });
    if (existing?.status === 'sent' || (existing?.status === 'written' && opts.sender.name === 'outbox')) {
      return { status: 'already-delivered' as const, reportId: existing.id, provider: existing.provider, location: existing.providerId };
    }
    const agency = await db.prisma.agency.findUniqueOrThrow({ where: { id: agencyId }, select: { slug: true, notifyEmails: true } });
    if (agency.notifyEmails.length === 0) throw new AppError('invalid_input', `no one to send the roll-up to: set the agency's addresses with adbrain agencies notify ${agency.slug} a@agency.example`);
    const r = await renderAgencyRollup(db, agencyId, period);
    const stem = `rollup-${period.kind}`;
    const msg = brandMessage(r.brand, {
      idempotencyKey: key, from: opts.from, to: agency.notifyEmails, subject: r.view.subject, html: r.html, text: r.text,
      attachments: [{ filename: `${stem}.pdf`, content: r.pdf, contentType: 'application/pdf' }],
      outbox: { client: `_agency-${agency.slug}`, date: period.to, stem, extra: { [`${stem}.json`]: JSON.stringify(r.rollup, null, 2) + '\n' } },
    });
    const content = { html: inlineImages(r.html, msg.attachments), text: r.text, pdf: new Uint8Array(r.pdf), summary: r.view.headline, status: 'rendered' as const, error: null };
    const row = await db.prisma.agencyReport.upsert({
      where: { idempotencyKey: key },
      update: content,
      create: { agencyId, kind: period.kind, periodStart: new Date(`${period.from}T00:00:00Z`), periodEnd: new Date(`${period.to}T00:00:00Z`), idempotencyKey: key, ...content },
    });
    const sent = await sendRecordedTo('agencyReport', db, row.id, msg, opts);
    return { status: 'delivered' as const, reportId: row.id, provider: sent.provider, location: sent.providerId };
  });
}
