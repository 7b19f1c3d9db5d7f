// The report step of a day: load → model → words → view → HTML, text, PDF →
// deliver once. The Report row's idempotency key (`daily:${clientId}:${date}`,
// also Resend's idempotency key) makes a re-run of the same day a no-op.
import type { ActionLinkSigner } from '../actions/links.ts';
import type { Db } from '../db/client.ts';
import { emitEvent } from '../webhooks/events.ts';
import { DEFAULT_BRAND, lookOf, type Brand } from '../branding/brand.ts';
import { brandMessage, inlineImages } from '../branding/email.ts';
import { loadBrand } from '../branding/store.ts';
import { storedLayout, type ReportLayout } from './layout.ts';
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
import type { OutgoingEmail, SendResult, Sender } from './senders.ts';
import { BURNING_CSV, BURNING_SHOWN, buildReportView, type ReportView } from './view.ts';

export interface RenderedReport {
  model: DailySummary;
  view: ReportView;
  html: string;
  text: string;
  pdf: Buffer;
}

/** How a client's report is dressed: its brand and its layout. */
export interface Dress {
  brand: Brand;
  layout: ReportLayout;
}

export async function renderDailyReport(model: DailySummary, words?: Summary, correction?: Correction, dress?: Dress): Promise<RenderedReport> {
  const said = words ?? deterministicSummary(summaryFacts(model));
  const look = lookOf(dress?.brand ?? DEFAULT_BRAND, 'daily report');
  const base = buildReportView(model, correction ? { ...said, paragraphs: [correctionNote(correction), ...said.paragraphs] } : said, look, dress?.layout);
  const view = correction ? { ...base, subject: `Correction: ${base.subject}`.slice(0, 180) } : base;
  const [html, pdf] = await Promise.all([renderReportHtml(view), renderReportPdf(view)]);
  return { model, view, html, text: renderReportText(view), pdf };
}

export const reportKey = (clientId: string, date: string) => `daily:${clientId}:${date}`;

/** A report made again for a day already reported: the n-th correction, and when the first went out. */
export interface Correction {
  n: number;
  originalSentAt: Date | null;
}

const correctionNote = (c: Correction) =>
  `This is a corrected report${c.originalSentAt ? `: it replaces the one sent on ${c.originalSentAt.toISOString().slice(0, 10)}` : ''}. Its numbers are recomputed from the data and settings as they are now.`;

/** The PDF, and the full list of burning links when the report shows only the worst. */
export function reportAttachments(r: RenderedReport, stem = 'report'): OutgoingEmail['attachments'] {
  return [
    { filename: `${stem}.pdf`, content: r.pdf, contentType: 'application/pdf' },
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

export type DeliverOptions = {
  sender: Sender; from: string; now: Date; summary?: Summary;
  /** Signs the report's apply / dismiss / kill buttons; absent: no buttons. */
  links?: ActionLinkSigner;
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
  const { recipients, dress } = await recipientsAndDress(db, client.id);
  const r = await renderDailyReport(await loadReportModel(db, client, date, opts.now, opts.links), opts.summary, undefined, dress);
  const msg: OutgoingEmail = brandMessage(dress.brand, {
    idempotencyKey: key,
    from: opts.from,
    to: recipients,
    subject: r.view.subject,
    html: r.html,
    text: r.text,
    attachments: reportAttachments(r),
    outbox: { client: client.slug, date, stem: 'report', extra: { 'report.json': JSON.stringify(r.model, null, 2) + '\n' } },
  });
  const report = await storeRendered(db, client.id, date, key, 'daily', r, msg);
  const sent = await sendRecorded(db, report.id, msg, opts, (tx, sent) =>
    emitEvent({ prisma: tx }, { clientId: client.id, type: 'report.sent', now: opts.now, data: { reportId: report.id, date, delivery: sent.provider === 'outbox' ? 'written to the outbox' : 'emailed', recipients, headline: r.view.headline, spendCents: r.model.day.spendCents, revenueCents: r.model.day.revenueCents, profitCents: r.model.day.profitCents } }).then(() => undefined),
  );
  return { status: 'delivered', reportId: report.id, provider: sent.provider, location: sent.providerId, summary: r.model };
}

/** Who gets a client's reports, and how they are dressed. */
export async function recipientsAndDress(db: Db, clientId: string): Promise<{ recipients: string[]; dress: Dress }> {
  const c = await db.prisma.client.findUniqueOrThrow({ where: { id: clientId }, select: { recipients: true, agencyId: true, reportLayout: true } });
  return { recipients: c.recipients, dress: { brand: await loadBrand(db, { agencyId: c.agencyId, clientId }), layout: storedLayout(c.reportLayout) } };
}

/** The rendered report kept as its row (status rendered), before it is sent; its HTML opens in a browser (the logo inline). */
export async function storeRendered(db: Db, clientId: string, period: string | { from: string; to: string }, key: string, kind: 'daily' | 'correction' | 'weekly' | 'monthly', r: Pick<RenderedReport, 'html' | 'text' | 'pdf' | 'view'>, msg: OutgoingEmail) {
  const { from, to } = typeof period === 'string' ? { from: period, to: period } : period;
  const content = { html: inlineImages(r.html, msg.attachments), text: r.text, pdf: new Uint8Array(r.pdf), summary: r.view.headline, status: 'rendered' as const, error: null };
  return db.prisma.report.upsert({
    where: { idempotencyKey: key },
    update: content,
    create: { clientId, kind, periodStart: new Date(`${from}T00:00:00Z`), periodEnd: new Date(`${to}T00:00:00Z`), idempotencyKey: key, ...content },
  });
}

type Tx = Db['prisma'];

/**
 * Sends the message and records the outcome. A refusal marks the row failed (best
 * effort: the database may be what is failing). Once sent, the status — with what
 * `alsoInTx` writes (the report.sent event), in one transaction — survives an outage
 * of the database, retried for about two minutes: left unrecorded, a re-run would
 * find the report unsent and send it again (Resend refuses the repeat by the
 * idempotency key for 24 hours, nothing else would).
 */
export async function sendRecorded(db: Db, reportId: string, msg: OutgoingEmail, opts: DeliverOptions, alsoInTx?: (tx: Tx, sent: SendResult) => Promise<void>) {
  return sendRecordedTo('report', db, reportId, msg, opts, alsoInTx);
}

/** Rows that record a sent message: a client's report, or an agency's roll-up. */
type SentRows = { update(args: { where: { id: string }; data: Record<string, unknown> }): Promise<unknown> };

export async function sendRecordedTo(table: 'report' | 'agencyReport', db: Db, id: string, msg: OutgoingEmail, opts: DeliverOptions, alsoInTx?: (tx: Tx, sent: SendResult) => Promise<void>) {
  const rows = (p: Tx) => p[table] as unknown as SentRows;
  let sent: SendResult;
  try {
    sent = await opts.sender.send(msg);
  } catch (err) {
    const message = (err as Error).message;
    await rows(db.prisma).update({ where: { id }, data: { status: 'failed', error: message.slice(0, 1000) } }).catch(() => undefined);
    throw err instanceof AppError ? err : new AppError('provider_error', `delivery failed: ${message}`);
  }
  await withDbRetry(
    () =>
      db.prisma.$transaction(async (t) => {
        const tx = t as unknown as Tx;
        await rows(tx).update({ where: { id }, data: { status: sent.provider === 'outbox' ? 'written' : 'sent', provider: sent.provider, providerId: sent.providerId, sentAt: opts.now, error: null } });
        await alsoInTx?.(tx, sent);
      }),
    opts.recordRetry ?? { retries: 7, minTimeoutMs: 500 },
  );
  return sent;
}

export interface RemakeResult {
  reportId: string;
  correction: number;
  provider: string;
  location: string | null;
}

/**
 * Makes a day's report again from the data and settings as they are now — after a
 * late import, a changed objective — as a correction: its own report row (the
 * original stays in the log), its own idempotency key (`correction:<client>:<date>:<n>`)
 * so the provider sends it although the day's report was sent, "Correction:" in the
 * subject and a first paragraph saying what it replaces. A retry of a correction that
 * did not go out reuses its key: never two emails for one correction.
 */
export async function remakeDailyReport(db: Db, client: ReportClient, date: string, opts: DeliverOptions): Promise<RemakeResult> {
  return withLease(db.sql, `report:${reportKey(client.id, date)}`, { waitMs: 300_000, what: `the delivery of ${client.slug}'s report of ${date}` }, async () => {
    const day = new Date(`${date}T00:00:00Z`);
    const original = await db.prisma.report.findUnique({ where: { idempotencyKey: reportKey(client.id, date) } });
    const earlier = await db.prisma.report.findMany({ where: { clientId: client.id, kind: 'correction', periodStart: day }, orderBy: { createdAt: 'asc' } });
    const unsent = earlier.find((r) => r.status !== 'sent' && r.status !== 'written');
    const n = unsent ? earlier.indexOf(unsent) + 1 : earlier.length + 1;
    const key = unsent?.idempotencyKey ?? `correction:${client.id}:${date}:${n}`;
    const { recipients, dress } = await recipientsAndDress(db, client.id);
    const r = await renderDailyReport(await loadReportModel(db, client, date, opts.now, opts.links), opts.summary, { n, originalSentAt: original?.sentAt ?? null }, dress);
    const stem = `correction-${n}`;
    const msg = brandMessage(dress.brand, {
      idempotencyKey: key, from: opts.from, to: recipients, subject: r.view.subject, html: r.html, text: r.text,
      attachments: reportAttachments(r, `report-${stem}`),
      outbox: { client: client.slug, date, stem, extra: { [`${stem}.json`]: JSON.stringify(r.model, null, 2) + '\n' } },
    });
    const row = await storeRendered(db, client.id, date, key, 'correction', r, msg);
    const sent = await sendRecorded(db, row.id, msg, opts);
    return { reportId: row.id, correction: n, provider: sent.provider, location: sent.providerId };
  });
}
