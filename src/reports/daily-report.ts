// The report step of a day: load → model → render → deliver once. The Report
// row's idempotency key makes a re-run of the same day a no-op.
import { latestDayByPlatform, loadDaily, loadEntities } from '../db/metrics-read.ts';
import type { Db } from '../db/client.ts';
import { describeAction, type Action } from '../brain/curiosity/actions.ts';
import { addDays } from '../time.ts';
import { buildDailySummary, type DailySummary } from './daily-summary.ts';
import { writeOutbox } from './outbox.ts';
import { renderSummaryText } from './render-text.ts';
import { deterministicSummary } from '../llm/deterministic.ts';
import { summaryFacts } from '../llm/facts.ts';
import type { Summary } from '../llm/schema.ts';

export interface ReportClient {
  id: string;
  slug: string;
  name: string;
  currency: string;
  timezone: string;
}

export async function buildSummaryFor(db: Db, client: ReportClient, date: string): Promise<DailySummary> {
  const [entities, daily, latest, brainRun] = await Promise.all([
    loadEntities(db.sql, client.id),
    loadDaily(db.sql, client.id, addDays(date, -7), date),
    latestDayByPlatform(db.sql, client.id),
    db.prisma.brainRun.findUnique({ where: { clientId_asOf: { clientId: client.id, asOf: new Date(`${date}T00:00:00Z`) } }, select: { curiosity: true } }),
  ]);
  const ranked = ((brainRun?.curiosity as { actions?: Action[] } | null)?.actions ?? []).map((a) => ({
    rank: a.rank,
    what: describeAction(a),
    kind: a.kind,
    urgency: a.urgency,
    impactCents: a.impactCents,
    confidence: a.confidence,
    entity: a.entity && { id: a.entity.id, kind: a.entity.kind, name: a.entity.name, platform: a.entity.platform },
    basis: a.basedOn?.type ?? null,
    since: a.basedOn?.since ?? null,
    inputs: a.inputs,
  }));
  return buildDailySummary({
    client: { slug: client.slug, name: client.name, currency: client.currency, timezone: client.timezone },
    date,
    entities,
    daily,
    latestByPlatform: latest,
    actions: ranked,
  });
}

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
  const summary = await buildSummaryFor(db, client, date);
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
