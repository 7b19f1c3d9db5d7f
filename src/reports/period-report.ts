// Weekly and monthly reports: load → period numbers → view (brand, layout) →
// HTML, text, PDF → deliver once. The Report row's idempotency key
// (`weekly:<client>:<first day>`, `monthly:<client>:<YYYY-MM>`, also Resend's)
// makes a second run of the period a no-op; the lease makes two at once one.
import type { ActionLinkSigner } from '../actions/links.ts';
import { lookOf } from '../branding/brand.ts';
import { brandMessage } from '../branding/email.ts';
import type { Db } from '../db/client.ts';
import { withLease } from '../db/lease.ts';
import { loadDaily, loadEntities } from '../db/metrics-read.ts';
import { emitEvent } from '../webhooks/events.ts';
import { recipientsAndDress, reportAttachments, sendRecorded, storeRendered, type DeliverOptions, type Dress, type RenderedReport } from './daily-report.ts';
import type { ReportLayout } from './layout.ts';
import { loadReportModel, type ReportClient } from './load-model.ts';
import { buildPeriodSummary, type PeriodSummary } from './period-summary.ts';
import { buildPeriodView } from './period-view.ts';
import { periodKey, type Period } from './periods.ts';
import { renderReportHtml } from './render-html.tsx';
import { renderReportPdf } from './render-pdf.tsx';
import { renderReportText } from './render-text.ts';
import type { OutgoingEmail } from './senders.ts';

export interface RenderedPeriodReport extends RenderedReport {
  period: PeriodSummary;
}

export async function loadPeriodSummary(db: Db, clientId: string, period: Period): Promise<PeriodSummary> {
  const [entities, daily] = await Promise.all([loadEntities(db.sql, clientId), loadDaily(db.sql, clientId, period.lastYear.from, period.to)]);
  return buildPeriodSummary({ period, entities, daily });
}

/** The period's report, dressed; the burning links and actions are those of its last day. */
export async function renderPeriodReport(db: Db, client: ReportClient, period: Period, now: Date, dress: Dress, links?: ActionLinkSigner, layout?: ReportLayout): Promise<RenderedPeriodReport> {
  const [model, p] = await Promise.all([loadReportModel(db, client, period.to, now, links), loadPeriodSummary(db, client.id, period)]);
  const view = buildPeriodView(model, p, lookOf(dress.brand, `${period.kind} report`), layout ?? dress.layout);
  const [html, pdf] = await Promise.all([renderReportHtml(view), renderReportPdf(view)]);
  return { model, view, html, text: renderReportText(view), pdf, period: p };
}

export interface PeriodDeliverResult {
  status: 'delivered' | 'already-delivered';
  kind: Period['kind'];
  from: string;
  to: string;
  reportId: string;
  provider: string | null;
  location: string | null;
}

export async function deliverPeriodReport(db: Db, client: ReportClient, period: Period, opts: DeliverOptions): Promise<PeriodDeliverResult> {
  const key = periodKey(client.id, period);
  const what = `the ${period.kind} report of ${client.slug} for ${period.from} – ${period.to}`;
  return withLease(db.sql, `report:${key}`, { waitMs: 300_000, what }, async () => {
    const base = { kind: period.kind, from: period.from, to: period.to };
    const existing = await db.prisma.report.findUnique({ where: { idempotencyKey: key } });
    if (existing?.status === 'sent' || (existing?.status === 'written' && opts.sender.name === 'outbox')) {
      return { ...base, status: 'already-delivered' as const, reportId: existing.id, provider: existing.provider, location: existing.providerId };
    }
    const { recipients, dress } = await recipientsAndDress(db, client.id);
    const r = await renderPeriodReport(db, client, period, opts.now, dress, opts.links);
    const stem = `${period.kind}-report`;
    const msg: OutgoingEmail = brandMessage(dress.brand, {
      idempotencyKey: key,
      from: opts.from,
      to: recipients,
      subject: r.view.subject,
      html: r.html,
      text: r.text,
      attachments: reportAttachments(r, stem),
      outbox: { client: client.slug, date: period.to, stem, extra: { [`${stem}.json`]: JSON.stringify(r.period, null, 2) + '\n' } },
    });
    const row = await storeRendered(db, client.id, period, key, period.kind, r, msg);
    const c = r.period.current;
    const sent = await sendRecorded(db, row.id, msg, opts, (tx, s) =>
      emitEvent({ prisma: tx }, { clientId: client.id, type: 'report.sent', now: opts.now, data: { reportId: row.id, kind: period.kind, from: period.from, to: period.to, date: period.to, delivery: s.provider === 'outbox' ? 'written to the outbox' : 'emailed', recipients, headline: r.view.headline, spendCents: c.spendCents, revenueCents: c.revenueCents, profitCents: c.profitCents } }).then(() => undefined),
    );
    return { ...base, status: 'delivered' as const, reportId: row.id, provider: sent.provider, location: sent.providerId };
  });
}
