// On-demand analysis (REST POST /v1/clients/{id}/analysis): an AnalysisRun row
// the caller polls, executed by Inngest (analysis-requested) or in-process.
import { amountUnit } from '../domain/currency.ts';
import type { Db } from '../db/client.ts';
import { runBrain } from '../run/brain-run.ts';
import { presentAnalysis } from '../brain/present.ts';
import { lastCompleteDay } from '../time.ts';

export async function createAnalysisRun(db: Db, clientId: string, opts: { asOf?: string; requestedBy: string; email?: boolean }) {
  return db.prisma.analysisRun.create({
    data: { clientId, asOf: opts.asOf ? new Date(`${opts.asOf}T00:00:00Z`) : null, requestedBy: opts.requestedBy, email: opts.email ?? false },
  });
}

/**
 * Runs the brain for a client and settles every queued run of that client with
 * the result (requests debounced into one execution all get their answer).
 */
export async function executeAnalysis(db: Db, clientId: string, opts: { asOf?: string; now: Date; runId?: string }) {
  const client = await db.prisma.client.findUnique({ where: { id: clientId } });
  if (!client) return { status: 'skipped' as const, reason: 'client no longer exists' };
  const asOf = opts.asOf ?? lastCompleteDay(client.timezone, opts.now);
  const pending = await db.prisma.analysisRun.findMany({ where: { clientId, status: { in: ['queued', 'running'] } }, select: { id: true } });
  const ids = [...new Set([...pending.map((p) => p.id), ...(opts.runId ? [opts.runId] : [])])];
  await db.prisma.analysisRun.updateMany({ where: { id: { in: ids } }, data: { status: 'running', startedAt: opts.now } });
  try {
    const r = await runBrain(db, client, asOf, { now: opts.now });
    const entities = new Map((await db.prisma.entity.findMany({ where: { clientId }, select: { id: true, kind: true, externalId: true, name: true, platform: true } })).map((e) => [e.id, e]));
    const view = presentAnalysis(r.output, entities, client.currency);
    const result = JSON.parse(JSON.stringify({ brainRunId: r.brainRunId, asOf, currency: client.currency, amountUnit: amountUnit(client.currency), insights: view.insights, trackRecord: view.trackRecord, pacing: view.pacing }));
    await db.prisma.analysisRun.updateMany({ where: { id: { in: ids } }, data: { status: 'succeeded', result, finishedAt: new Date() } });
    return { status: 'succeeded' as const, asOf, runs: ids.length, insights: view.insights.length };
  } catch (err) {
    await db.prisma.analysisRun.updateMany({ where: { id: { in: ids } }, data: { status: 'failed', error: (err as Error).message.slice(0, 1000), finishedAt: new Date() } });
    throw err;
  }
}
