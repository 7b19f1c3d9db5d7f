// The thin DB-facing side of the brain: load one client's inputs as of a day,
// run the pure cycle, and persist the BrainRun, its predictions (scoring older
// ones whose actuals have arrived) and its insights (one per condition episode).
import type { Db } from '../db/client.ts';
import { loadDaily, loadEntities } from '../db/metrics-read.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import { addDays } from '../time.ts';
import { runCycle, type BrainOutput } from './cycle.ts';
import { round } from './memory.ts';
import { buildSeries, type Metric } from './series.ts';
import { describeAction, type Action } from './curiosity/actions.ts';
import type { BrainInput, Finding, PastInsight, ScoredPrediction } from './types.ts';

/** Days of history loaded for a cycle: enough for forecasts and baselines. */
export const HISTORY_DAYS = 400;
const TRACK_RECORD_DAYS = 28;

export interface BrainClient {
  id: string;
  currency: string;
  monthlyBudgetCents: bigint | null;
  burnRoiBelow: Prisma.Decimal | number;
  burnMinSpendCents: bigint;
  winRoiAbove: Prisma.Decimal | number;
  winMinRevenueCents: bigint;
}

export async function loadBrainInput(db: Db, client: BrainClient, asOf: string): Promise<BrainInput> {
  const [entities, days, insights] = await Promise.all([
    loadEntities(db.sql, client.id),
    loadDaily(db.sql, client.id, addDays(asOf, -(HISTORY_DAYS - 1)), asOf),
    db.prisma.insight.findMany({ where: { clientId: client.id }, select: { id: true, type: true, entityId: true, status: true, since: true, impactCents: true, payload: true } }),
  ]);
  const past: PastInsight[] = insights.map((i) => {
    const p = (i.payload ?? {}) as { action?: { kind?: string }; realisedCents?: number };
    return {
      id: i.id,
      type: i.type as PastInsight['type'],
      entityId: i.entityId,
      status: i.status,
      since: i.since ? i.since.toISOString().slice(0, 10) : null,
      impactCents: Number(i.impactCents),
      realisedCents: typeof p.realisedCents === 'number' ? p.realisedCents : null,
      action: (p.action?.kind as PastInsight['action']) ?? null,
    };
  });
  return {
    asOf,
    settings: {
      currency: client.currency,
      monthlyBudgetCents: client.monthlyBudgetCents === null ? null : Number(client.monthlyBudgetCents),
      burnRoiBelow: Number(client.burnRoiBelow),
      burnMinSpendCents: Number(client.burnMinSpendCents),
      winRoiAbove: Number(client.winRoiAbove),
      winMinRevenueCents: Number(client.winMinRevenueCents),
    },
    entities,
    days,
    insights: past,
    scored: await loadScored(db, client.id, asOf),
  };
}

async function loadScored(db: Db, clientId: string, asOf: string): Promise<ScoredPrediction[]> {
  const rows = await db.prisma.prediction.findMany({
    where: {
      entity: { clientId },
      actual: { not: null },
      targetDate: { gte: new Date(`${addDays(asOf, -TRACK_RECORD_DAYS)}T00:00:00Z`), lte: new Date(`${asOf}T00:00:00Z`) },
    },
    select: { metric: true, targetDate: true, point: true, actual: true, hit: true, scale: true },
  });
  return rows.map((r) => ({
    metric: r.metric,
    targetDate: r.targetDate.toISOString().slice(0, 10),
    point: r.point,
    actual: r.actual!,
    hit: Boolean(r.hit),
    scale: r.scale,
  }));
}

export interface BrainRunResult {
  brainRunId: string;
  output: BrainOutput;
  insights: { created: number; updated: number; ids: string[] };
  predictions: { written: number; scored: number };
}

export async function runBrain(db: Db, client: BrainClient, asOf: string, opts: { now: Date; clock?: () => number }): Promise<BrainRunResult> {
  const input = await loadBrainInput(db, client, asOf);
  const scored = await scorePredictions(db, client.id, input);
  // The track record includes what was just scored.
  if (scored > 0) input.scored = await loadScored(db, client.id, asOf);
  const output = runCycle(input, { clock: opts.clock });
  const written = await writePredictions(db, output);
  const insights = await upsertInsights(db, client.id, output, opts.now);
  const asOfDate = new Date(`${asOf}T00:00:00Z`);
  const data = {
    status: 'succeeded' as const,
    memory: json(output.memory),
    oracle: json({ ...output.oracle, forecasts: output.oracle.forecasts.length }),
    curiosity: json(output.curiosity),
    timings: json(output.timings),
    error: null,
  };
  const run = await db.prisma.brainRun.upsert({
    where: { clientId_asOf: { clientId: client.id, asOf: asOfDate } },
    update: data,
    create: { clientId: client.id, asOf: asOfDate, ...data },
  });
  return { brainRunId: run.id, output, insights, predictions: { written, scored } };
}

const json = (v: unknown) => JSON.parse(JSON.stringify(v)) as Prisma.InputJsonValue;

/** Fills actual, error and interval hit for earlier predictions whose day is now known. */
async function scorePredictions(db: Db, clientId: string, input: BrainInput): Promise<number> {
  const open = await db.prisma.prediction.findMany({
    where: { entity: { clientId }, actual: null, targetDate: { lte: new Date(`${input.asOf}T00:00:00Z`) } },
    select: { id: true, entityId: true, metric: true, targetDate: true, lower: true, upper: true },
  });
  if (open.length === 0) return 0;
  const s = buildSeries(input.entities, input.days, input.asOf);
  const ids: string[] = [], actuals: number[] = [], hits: boolean[] = [];
  for (const p of open) {
    const series = s.byId.get(p.entityId);
    const day = p.targetDate.toISOString().slice(0, 10);
    const i = Math.round((Date.parse(`${day}T00:00:00Z`) - Date.parse(`${s.start}T00:00:00Z`)) / 86_400_000);
    if (!series || i < 0 || i >= s.length) continue;
    const actual = series[p.metric as Metric][i]!;
    ids.push(p.id.toString());
    actuals.push(actual);
    hits.push(actual >= p.lower && actual <= p.upper);
  }
  if (ids.length === 0) return 0;
  await db.sql.query(
    `UPDATE prediction p SET actual = u.actual, error = u.actual - p.point, hit = u.hit, scored_at = now()
       FROM unnest($1::int8[], $2::float8[], $3::bool[]) AS u(id, actual, hit) WHERE p.id = u.id`,
    [ids, actuals, hits],
  );
  return ids.length;
}

async function writePredictions(db: Db, output: BrainOutput): Promise<number> {
  const madeOn = output.asOf;
  const rows = output.oracle.forecasts.flatMap((f) =>
    f.days.map((d) => [f.entityId, f.metric, madeOn, d.date, d.point, d.lower, d.upper, f.model, f.scale] as const),
  );
  if (rows.length === 0) return 0;
  const col = <K extends number>(k: K) => rows.map((r) => r[k]);
  // One statement; a re-run of the same day replaces that day's predictions.
  await db.sql.query(
    `INSERT INTO prediction (entity_id, metric, made_on, target_date, point, lower, upper, model, scale)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::date[], $4::date[], $5::float8[], $6::float8[], $7::float8[], $8::text[], $9::float8[])
     ON CONFLICT (entity_id, metric, made_on, target_date) DO UPDATE SET
       point = EXCLUDED.point, lower = EXCLUDED.lower, upper = EXCLUDED.upper, model = EXCLUDED.model, scale = EXCLUDED.scale`,
    [col(0), col(1), col(2), col(3), col(4), col(5), col(6), col(7), col(8)],
  );
  return rows.length;
}

/** One insight per condition and episode: fingerprint = type, entity and the day it began. */
export function fingerprintOf(f: Pick<Finding, 'type' | 'entity' | 'since'>): string {
  return `${f.type}:${f.entity?.id ?? 'client'}:${f.since}`;
}

async function upsertInsights(db: Db, clientId: string, output: BrainOutput, now: Date) {
  const actionFor = new Map<string, Action>();
  for (const a of output.curiosity.actions) if (a.basedOn) actionFor.set(`${a.basedOn.type}:${a.entity?.id ?? 'client'}:${a.basedOn.since}`, a);
  const items: { fingerprint: string; finding: Omit<Finding, 'type'> & { type: Finding['type'] | 'action' }; action: Action | null }[] = [];
  for (const f of output.oracle.findings) items.push({ fingerprint: fingerprintOf(f), finding: f, action: actionFor.get(fingerprintOf(f)) ?? null });
  // Actions that rest on no finding (budget moves, tests) are inbox items of their own.
  for (const a of output.curiosity.actions) {
    if (a.basedOn) continue;
    const since = output.asOf;
    items.push({
      fingerprint: `action:${a.kind}:${a.entity?.id ?? 'client'}`,
      finding: { type: 'action', entity: a.entity, severity: a.urgency, impactCents: a.impactCents, confidence: a.confidence, since, title: describeAction(a), facts: a.inputs },
      action: a,
    });
  }
  let created = 0, updated = 0;
  const ids: string[] = [];
  for (const it of items) {
    const f = it.finding;
    const payload = json({ facts: f.facts, action: it.action && { kind: it.action.kind, rank: it.action.rank, score: it.action.score, impactCents: it.action.impactCents } });
    const existing = await db.prisma.insight.findUnique({ where: { clientId_fingerprint: { clientId, fingerprint: it.fingerprint } } });
    if (existing) {
      await db.prisma.insight.update({
        where: { id: existing.id },
        data: { severity: f.severity, title: f.title, body: f.title, payload, impactCents: BigInt(f.impactCents), confidence: f.confidence, lastSeen: now },
      });
      updated++;
      ids.push(existing.id);
    } else {
      const row = await db.prisma.insight.create({
        data: {
          clientId,
          entityId: f.entity?.id ?? null,
          type: f.type,
          severity: f.severity,
          title: f.title,
          body: f.title,
          payload,
          impactCents: BigInt(f.impactCents),
          confidence: round(f.confidence, 4),
          fingerprint: it.fingerprint,
          since: new Date(`${f.since}T00:00:00Z`),
          firstSeen: now,
          lastSeen: now,
          events: { create: { actor: 'adbrain', toStatus: 'PENDING', note: 'detected', at: now } },
        },
      });
      created++;
      ids.push(row.id);
    }
  }
  return { created, updated, ids };
}
