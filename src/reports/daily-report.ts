// The report step of a day: load → model → render → deliver once. The Report
// row's idempotency key makes a re-run of the same day a no-op.
import type { Db } from '../db/client.ts';
import type { DailySummary } from './daily-summary.ts';
import { loadReportModel, type ReportClient } from './load-model.ts';
import { writeOutbox } from './outbox.ts';
import { renderSummaryText } from './render-text.ts';
import { deterministicSummary } from '../llm/deterministic.ts';
import { summaryFacts } from '../llm/facts.ts';
import type { Summary } from '../llm/schema.ts';

export { loadReportModel as buildSummaryFor, type ReportClient } from './load-model.ts';

export interface DeliverResult {
  status: 'delivered' | 'already-delivered';
  reportId: string;
  location: string | null;
  summary: DailySummary;
}

export async function deliverDailyReport(
  db: Db,
  client: ReportClient,
  date: string,
  opts: { outboxDir: string; now: Date; summary?: Summary },
): Promise<DeliverResult> {
  const key = `report:${client.id}:${date}`;
  const summary = await loadReportModel(db, client, date);
  const existing = await db.prisma.report.findUnique({ where: { idempotencyKey: key } });
  if (existing?.status === 'sent') {
    return { status: 'already-delivered', reportId: existing.id, location: existing.providerId, summary };
  }
  const words = opts.summary ?? deterministicSummary(summaryFacts(summary));
  const text = renderSummaryText(summary, words);
  const day = new Date(`${date}T00:00:00Z`);
  const report = await db.prisma.report.upsert({
    where: { idempotencyKey: key },
    update: { text, summary: words.headline, status: 'rendered' },
    create: {
      clientId: client.id,
      kind: 'daily',
      periodStart: day,
      periodEnd: day,
      idempotencyKey: key,
      text,
      summary: words.headline,
      status: 'rendered',
    },
  });
  const dir = await writeOutbox(opts.outboxDir, client.slug, date, {
    'report.txt': text,
    'report.json': JSON.stringify(summary, null, 2) + '\n',
  });
  await db.prisma.report.update({
    where: { id: report.id },
    data: { status: 'sent', provider: 'outbox', providerId: dir, sentAt: opts.now },
  });
  return { status: 'delivered', reportId: report.id, location: dir, summary };
}
