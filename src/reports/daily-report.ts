// The report step of a day: load → model → words → view → HTML, text, PDF →
// deliver once. The Report row's idempotency key (`daily:${clientId}:${date}`,
// also Resend's idempotency key) makes a re-run of the same day a no-op.
import type { Db } from '../db/client.ts';
import { emitEvent } from '../webhooks/events.ts';
import { withLease } from '../db/lease.ts';
import { withDbRetry, type RetryOptions } from '../db/retry.ts';
import { AppError } from '../errors.ts';
import { deterministicSummary } from '../llm/deterministic.ts';
import { summaryFacts } from '../llm/facts.ts';
import type { Summary } from '../llm/schema.ts';
import type { DailySummary } from './daily-summary.ts';
import { loadReportModel, type ReportClient } from './load-model.ts';
import { renderReportHtml } from './render-html.tsx';
import { renderReportPdf } from './render-pdf.tsx';
import { burningCsv } from './burning-csv.ts';
import { renderReportText } from './render-text.ts';
import type { OutgoingEmail, Sender } from './senders.ts';
import { BURNING_CSV, BURNING_SHOWN, buildReportView, type ReportView } from './view.ts';

export interface RenderedReport {
  model: DailySummary;
  view: ReportView;
  html: string;
  text: string;
  pdf: Buffer;
}

export async function renderDailyReport(model: DailySummary, words?: Summary): Promise<RenderedReport> {
  const view = buildReportView(model, words ?? deterministicSummary(summaryFacts(model)));
  const [html, pdf] = await Promise.all([renderReportHtml(view), renderReportPdf(view)]);
  return { model, view, html, text: renderReportText(view), pdf };
}

export const reportKey = (clientId: string, date: string) => `daily:${clientId}:${date}`;

/** The PDF, and the full list of burning links when the report shows only the worst. */
export function reportAttachments(r: RenderedReport): OutgoingEmail['attachments'] {
  return [
    { filename: 'report.pdf', content: r.pdf, contentType: 'application/pdf' },
    ...(r.model.burning.length > BURNING_SHOWN
      ? [{ filename: BURNING_CSV, content: Buffer.from(burningCsv(r.model.burning, r.model.client.currency)), contentType: 'text/csv' }]
      : []),
  ];
}

export interface DeliverResult {
  status: 'delivered' | 'already-delivered';
  reportId: string;
  provider: string | null;
  location: string | null;
  summary: DailySummary | null;
}

type DeliverOptions = {
  sender: Sender; from: string; now: Date; summary?: Summary;
  /** Retries of recording a sent report while the database is unreachable (default 7 from 500 ms, about two minutes). */
  recordRetry?: RetryOptions;
};

/**
 * Delivers one client's report of one day, holding that report's lease: the day
 * run, an Inngest retry of it and `adbrain report send` may overlap, and two
 * deliveries that both found it unsent would both send it and both announce it.
 * The second waits (a big report renders in seconds), then finds it delivered.
 */
export async function deliverDailyReport(db: Db, client: ReportClient, date: string, opts: DeliverOptions): Promise<DeliverResult> {
  const key = reportKey(client.id, date);
  return withLease(db.sql, `report:${key}`, { waitMs: 300_000, what: `the delivery of ${client.slug}'s report of ${date}` }, () => deliver(db, client, date, key, opts));
}

async function deliver(db: Db, client: ReportClient, date: string, key: string, opts: DeliverOptions): Promise<DeliverResult> {
  const existing = await db.prisma.report.findUnique({ where: { idempotencyKey: key } });
  // Emailed once is final. Written to the outbox is final for the outbox, but an
  // email provider configured since then still sends it (nobody received it yet).
  if (existing?.status === 'sent' || (existing?.status === 'written' && opts.sender.name === 'outbox')) {
    return { status: 'already-delivered', reportId: existing.id, provider: existing.provider, location: existing.providerId, summary: null };
  }
  const r = await renderDailyReport(await loadReportModel(db, client, date, opts.now), opts.summary);
  const day = new Date(`${date}T00:00:00Z`);
  const content = { html: r.html, text: r.text, pdf: new Uint8Array(r.pdf), summary: r.view.headline, status: 'rendered' as const, error: null };
  const report = await db.prisma.report.upsert({
    where: { idempotencyKey: key },
    update: content,
    create: { clientId: client.id, kind: 'daily', periodStart: day, periodEnd: day, idempotencyKey: key, ...content },
  });
  const { recipients } = await db.prisma.client.findUniqueOrThrow({ where: { id: client.id }, select: { recipients: true } });
  const msg: OutgoingEmail = {
    idempotencyKey: key,
    from: opts.from,
    to: recipients,
    subject: r.view.subject,
    html: r.html,
    text: r.text,
    attachments: reportAttachments(r),
    outbox: { client: client.slug, date, stem: 'report', extra: { 'report.json': JSON.stringify(r.model, null, 2) + '\n' } },
  };
  let sent: Awaited<ReturnType<Sender['send']>>;
  try {
    sent = await opts.sender.send(msg);
  } catch (err) {
    const message = (err as Error).message;
    // Best effort: the database may be what is failing.
    await db.prisma.report.update({ where: { id: report.id }, data: { status: 'failed', error: message.slice(0, 1000) } }).catch(() => undefined);
    throw err instanceof AppError ? err : new AppError('provider_error', `delivery failed: ${message}`);
  }
  // Sent: the record of it (and its event, in the same transaction) survives an outage
  // of the database, retried for about two minutes. Left unrecorded, a re-run would
  // find the report unsent and send it again — Resend refuses the repeat by the
  // idempotency key for 24 hours, but nothing else would.
  await withDbRetry(
    () =>
      db.prisma.$transaction(async (tx) => {
        await tx.report.update({ where: { id: report.id }, data: { status: sent.provider === 'outbox' ? 'written' : 'sent', provider: sent.provider, providerId: sent.providerId, sentAt: opts.now, error: null } });
        await emitEvent({ prisma: tx as unknown as Db['prisma'] }, { clientId: client.id, type: 'report.sent', now: opts.now, data: { reportId: report.id, date, delivery: sent.provider === 'outbox' ? 'written to the outbox' : 'emailed', recipients, headline: r.view.headline, spendCents: r.model.day.spendCents, revenueCents: r.model.day.revenueCents, profitCents: r.model.day.profitCents } });
      }),
    opts.recordRetry ?? { retries: 7, minTimeoutMs: 500 },
  );
  return { status: 'delivered', reportId: report.id, provider: sent.provider, location: sent.providerId, summary: r.model };
}
