// The thin DB-facing side of the brain: load one client's inputs as of a day,
// run the pure cycle, and persist the BrainRun, its predictions (scoring older
// ones whose actuals have arrived) and its insights (one per condition episode).
import type { Db } from '../db/client.ts';
import { loadDailyColumns, loadEntities } from '../db/metrics-read.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import { addDays } from '../time.ts';
import { brainSettings } from '../brain/settings.ts';
import { provisionalFrom } from '../sources/sync.ts';
import { realiseApplied } from '../insights/follow-up.ts';
import { judgeCalls } from '../insights/call-follow-up.ts';
import { anyEndpoint, emitEvents } from '../webhooks/events.ts';
import { withLease } from '../db/lease.ts';
import { runCycle, seriesOf, type BrainOutput, type BrainProgress } from '../brain/cycle.ts';
import { round } from '../brain/memory.ts';
import { buildSeries, sumRange, type Metric, type SeriesSet } from '../brain/series.ts';
import { actionsByFinding, describeAction, findingKey, neverBuried, type Action } from '../brain/curiosity/actions.ts';
import { INSIGHT_TYPES, type BrainInput, type Finding, type PastInsight, type ScoredPrediction } from '../brain/types.ts';
import { assembleForecasts, planForecasts, TOTAL_SUFFIX } from '../brain/oracle/forecasts.ts';
import { TOTAL_DAYS } from '../brain/oracle/forecast.ts';
import { forecastJobs } from '../brain/oracle/forecast-pool.ts';

/** Days of history loaded for a cycle: enough for forecasts and baselines. */
export const HISTORY_DAYS = 400;
const TRACK_RECORD_DAYS = 28;

export interface BrainClient {
  id: string;
  /** For messages. */
  slug?: string;
  currency: string;
  /** The client's day (when a killed entity's calls stop being followed). */
  timezone?: string;
  monthlyBudgetCents: bigint | null;
  burnRoiBelow: Prisma.Decimal | number;
  burnMinSpendCents: bigint;
  winRoiAbove: Prisma.Decimal | number;
  winMinRevenueCents: bigint;
  objective?: string;
  targetCpaCents?: bigint | null;
  valuePerConversionCents?: bigint | null;
  campaignObjectives?: unknown;
}

export async function loadBrainInput(db: Db, client: BrainClient, asOf: string, now = new Date()): Promise<BrainInput> {
  const [entities, columns, insights] = await Promise.all([
    loadEntities(db.sql, client.id),
    loadDailyColumns(db.sql, client.id, addDays(asOf, -(HISTORY_DAYS - 1)), asOf),
    db.prisma.insight.findMany({ where: { clientId: client.id }, select: { id: true, type: true, entityId: true, status: true, since: true, impactCents: true, payload: true, realisedCents: true } }),
  ]);
  const past: PastInsight[] = insights.map((i) => {
    const p = (i.payload ?? {}) as { action?: { kind?: string } };
    return {
      id: i.id,
      type: i.type as PastInsight['type'],
      entityId: i.entityId,
      status: i.status,
      since: i.since ? i.since.toISOString().slice(0, 10) : null,
      impactCents: Number(i.impactCents),
      realisedCents: i.realisedCents === null ? null : Number(i.realisedCents),
      action: (p.action?.kind as PastInsight['action']) ?? null,
    };
  });
  return {
    asOf,
    settings: { ...brainSettings(client), provisionalFrom: await provisionalFrom(db, client.id, now) },
    entities,
    days: [],
    columns,
    insights: past,
    scored: await loadScored(db, client.id, asOf),
  };
}

async function loadScored(db: Db, clientId: string, asOf: string): Promise<ScoredPrediction[]> {
  const rows = await db.prisma.prediction.findMany({
    where: {
      entity: { clientId },
      actual: { not: null },
      // Daily forecasts only: a 7-day total is not a day's MASE.
      NOT: { metric: { endsWith: TOTAL_SUFFIX } },
      targetDate: { gte: new Date(`${addDays(asOf, -TRACK_RECORD_DAYS)}T00:00:00Z`), lte: new Date(`${asOf}T00:00:00Z`) },
    },
    select: { metric: true, madeOn: true, targetDate: true, point: true, actual: true, hit: true, scale: true },
  });
  return rows.map((r) => ({
    metric: r.metric,
    madeOn: r.madeOn.toISOString().slice(0, 10),
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
  insights: { created: number; updated: number; resolved: number; reopened: number; ids: string[]; createdIds: string[] };
  predictions: { written: number; scored: number };
  tests: { evaluated: number; decided: number };
}

type BrainRunOptions = { now: Date; clock?: () => number; onProgress?: BrainProgress; onWait?: (message: string) => void };

/**
 * One brain run of one client, holding the client's brain lease: the day run, an
 * API analysis and `adbrain analyze` may overlap, and two runs that both found an
 * insight new would both open it (the second failing on its unique fingerprint).
 * The second waits for the first, then updates what the first wrote.
 */
export async function runBrain(db: Db, client: BrainClient, asOf: string, opts: BrainRunOptions): Promise<BrainRunResult> {
  return withLease(db.sql, `brain:${client.id}`, { waitMs: 600_000, what: `the brain run of ${client.slug ?? client.id}`, onWait: opts.onWait }, () => brainRun(db, client, asOf, opts));
}

async function brainRun(db: Db, client: BrainClient, asOf: string, opts: BrainRunOptions): Promise<BrainRunResult> {
  const clock = opts.clock ?? (() => 0);
  const t0 = clock();
  opts.onProgress?.({ phase: 'load' });
  const input = await loadBrainInput(db, client, asOf, opts.now);
  // Built once: scoring reads the actuals from the same series the cycle judges.
  const series = seriesOf(input);
  // Applied insights whose week has passed: what they did feeds this cycle's learning.
  const realised = await realiseApplied(db, client.id, series, opts.now);
  for (const p of input.insights) if (realised.has(p.id)) p.realisedCents = realised.get(p.id)!;
  // Burning / winner calls whose week has passed: were they right? (the report's calibration line)
  await judgeCalls(db, client.id, client.timezone ?? 'UTC', series, input.settings);
  const t1 = clock();
  opts.onProgress?.({ phase: 'scoring', total: series.byId.size });
  const scored = await scorePredictions(db, client.id, asOf, series);
  // The track record includes what was just scored.
  if (scored > 0) input.scored = await loadScored(db, client.id, asOf);
  const t2 = clock();
  // The forecasts first, on every core; then the rest of the cycle over them.
  const tf = clock();
  const plan = planForecasts(series);
  const fitted = await forecastJobs(plan.jobs, { onProgress: (done, total) => opts.onProgress?.({ phase: 'forecasts', done, total, unit: 'series' }) });
  const forecasted = assembleForecasts(series, plan.jobs, fitted, plan.gaps);
  const forecastMs = clock() - tf;
  const output = runCycle(input, { clock: opts.clock, series, onProgress: opts.onProgress, forecasted });
  output.timings.forecasts = ms(forecastMs);
  const t3 = clock();
  opts.onProgress?.({ phase: 'persist' });
  const written = await writePredictions(db, output);
  const insights = await upsertInsights(db, client.id, output, opts.now);
  // Receivers hear of each new insight: one read of them and one insert, only when someone listens.
  if (insights.createdIds.length && (await anyEndpoint(db, client.id))) {
    const created = await db.prisma.insight.findMany({ where: { id: { in: insights.createdIds } }, select: { id: true, type: true, title: true, severity: true, impactCents: true, entityId: true }, orderBy: [{ impactCents: 'desc' }, { title: 'asc' }] });
    // Many at once reach a Slack channel as one message, the largest $ impact first.
    const slackDigest = { headline: `${created.length} new insights in the inbox`, line: (d: Record<string, unknown>) => String(d.title), where: '`adbrain insights list` has them all' };
    await emitEvents(db, created.map((i) => ({ clientId: client.id, type: 'insight.created' as const, now: opts.now, data: { insightId: i.id, type: i.type, title: i.title, severity: i.severity, impactCents: Number(i.impactCents), entityId: i.entityId } })), { slackDigest });
  }
  // Split tests read the same series; a decided one is a test_winner insight of its own.
  const { evaluateClientTests } = await import('../splits/tests.ts');
  const tests = await evaluateClientTests(db, client.id, series, opts.now);
  // A decided test's winner joins the ranked actions ("send its traffic to the winner").
  if (tests.actions.length) {
    const named = await db.prisma.entity.findMany({ where: { id: { in: tests.actions.map((a) => a.winnerEntityId) } }, select: { id: true, kind: true, externalId: true, name: true, platform: true } });
    mergeTrafficActions(output, tests.actions, new Map(named.map((e) => [e.id, e])));
  }
  Object.assign(output.timings, { load: ms(t1 - t0), scoring: ms(t2 - t1), cycle: ms(t3 - t2) });
  const named = new Set([...output.oracle.findings, ...output.curiosity.actions].map((f) => f.entity?.id).filter(Boolean));
  // Stored memory: accounts, campaigns and every entity a finding names —
  // all of it for 20,000 ads would be tens of MB a day. Written as JSON text in
  // one statement: through the ORM the same upsert took 11 s at 20,000 ads
  // (bench:brain, embedded), most of the persist phase.
  const [run] = await db.sql.query<{ id: string }>(
    `INSERT INTO brain_run (client_id, as_of, status, memory, oracle, curiosity, timings, error)
     VALUES ($1::uuid, $2::date, 'succeeded', $3::jsonb, $4::jsonb, $5::jsonb, $6::jsonb, NULL)
     ON CONFLICT (client_id, as_of) DO UPDATE SET status = EXCLUDED.status, memory = EXCLUDED.memory, oracle = EXCLUDED.oracle,
       curiosity = EXCLUDED.curiosity, timings = EXCLUDED.timings, error = NULL, updated_at = now()
     RETURNING id::text`,
    [
      client.id,
      asOf,
      JSON.stringify(output.memory.filter((m) => m.kind === 'account' || m.kind === 'campaign' || named.has(m.entityId))),
      JSON.stringify({ ...output.oracle, forecasts: output.oracle.forecasts.length }),
      JSON.stringify(output.curiosity),
      JSON.stringify(output.timings),
    ],
  );
  output.timings.persist = ms(clock() - t3);
  return { brainRunId: run!.id, output, insights, predictions: { written, scored }, tests };
}

const ms = (x: number) => Math.round(x);

/** Fills actual, error and interval hit for earlier predictions whose day is now known. */
async function scorePredictions(db: Db, clientId: string, asOf: string, s: SeriesSet): Promise<number> {
  const open = await db.prisma.prediction.findMany({
    where: { entity: { clientId }, actual: null, targetDate: { lte: new Date(`${asOf}T00:00:00Z`) } },
    select: { id: true, entityId: true, metric: true, targetDate: true, lower: true, upper: true },
  });
  if (open.length === 0) return 0;
  const ids: string[] = [], actuals: number[] = [], hits: boolean[] = [];
  for (const p of open) {
    const series = s.byId.get(p.entityId);
    const day = p.targetDate.toISOString().slice(0, 10);
    const i = Math.round((Date.parse(`${day}T00:00:00Z`) - Date.parse(`${s.start}T00:00:00Z`)) / 86_400_000);
    if (!series || i < 0 || i >= s.length) continue;
    // A 7-day total: the sum of its days (all of them reported), else the day itself.
    const total = p.metric.endsWith(TOTAL_SUFFIX);
    const metric = (total ? p.metric.slice(0, -TOTAL_SUFFIX.length) : p.metric) as Metric;
    if (!(metric in series) || (total && i - (TOTAL_DAYS - 1) < 0)) continue;
    const actual = total ? sumRange(series[metric], i - (TOTAL_DAYS - 1), i) : series[metric][i]!;
    // Not reported that day: the prediction stays open rather than scored against a guess.
    if (Number.isNaN(actual)) continue;
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
  const rows = output.oracle.forecasts.flatMap((f) => [
    ...f.days.map((d) => [f.entityId, f.metric, madeOn, d.date, d.point, d.lower, d.upper, f.model, f.scale] as const),
    // The 7-day total with the sum's own interval, dated its last day (scored when all of its days are in).
    ...(f.total && f.days[f.total.days - 1] ? [[f.entityId, `${f.metric}${TOTAL_SUFFIX}`, madeOn, f.days[f.total.days - 1]!.date, f.total.point, f.total.lower, f.total.upper, f.model, f.scale * f.total.days] as const] : []),
  ]);
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

interface InboxItem {
  fingerprint: string;
  finding: Omit<Finding, 'type'> & { type: Finding['type'] | 'action' };
  action: Action | null;
  /** A roll-up's entities, most money first. */
  members?: { entityId: string; name: string; impactCents: number; since: string; title: string }[];
}

/** Per type, the inbox shows this many entities one by one; new ones beyond it share one insight. */
export const ROLLUP_TOP = 25;
const rollupKey = (type: string) => `${type}:rollup`;
const KIND_WORDS: Record<string, string> = { link: 'links', ad: 'ads', adset: 'ad sets', campaign: 'campaigns', creative: 'creatives', account: 'accounts' };
const TYPE_WORDS: Record<string, string> = {
  burning: 'burning', winner: 'winning', creative_fatigue: 'tiring', anomaly_spike: 'spiking', anomaly_drop: 'dropping', forecast_risk: 'at-risk',
};

/**
 * Keeps the inbox readable at real scale: per finding type, the top ROLLUP_TOP by
 * impact (and every one already in the inbox, so nothing flaps) stay insights of
 * their own; the rest become one insight, "and 36 more burning links", listing them.
 */
function rollUp(items: InboxItem[], existing: Map<string, string>, asOf: string): InboxItem[] {
  const out: InboxItem[] = [];
  const byType = new Map<string, InboxItem[]>();
  for (const it of items) {
    if (it.finding.type === 'action' || !it.finding.entity) out.push(it);
    else (byType.get(it.finding.type) ?? byType.set(it.finding.type, []).get(it.finding.type)!).push(it);
  }
  for (const [type, group] of byType) {
    group.sort((a, b) => b.finding.impactCents - a.finding.impactCents || a.fingerprint.localeCompare(b.fingerprint));
    const rest = group.slice(ROLLUP_TOP).filter((it) => !existing.has(it.fingerprint));
    if (rest.length < 2) {
      out.push(...group);
      continue;
    }
    const restKeys = new Set(rest.map((it) => it.fingerprint));
    out.push(...group.filter((it) => !restKeys.has(it.fingerprint)));
    const kinds = new Set(rest.map((it) => it.finding.entity!.kind));
    const noun = kinds.size === 1 ? (KIND_WORDS[[...kinds][0]!] ?? 'entities') : 'entities';
    const impact = rest.reduce((a, it) => a + it.finding.impactCents, 0);
    const order: Finding['severity'][] = ['low', 'medium', 'high', 'critical'];
    const severity = rest.reduce((m, it) => (order.indexOf(it.finding.severity) > order.indexOf(m) ? it.finding.severity : m), 'low' as Finding['severity']);
    const names = rest.slice(0, 3).map((it) => it.finding.entity!.name);
    out.push({
      fingerprint: rollupKey(type),
      finding: {
        type: type as Finding['type'],
        entity: null,
        severity,
        impactCents: impact,
        confidence: round(rest.reduce((a, it) => a + it.finding.confidence, 0) / rest.length, 4),
        since: rest.reduce((m, it) => (it.finding.since < m ? it.finding.since : m), asOf),
        title: `…and ${rest.length} more ${TYPE_WORDS[type] ?? type} ${noun}: ${names.join(', ')}${rest.length > 3 ? ', …' : ''}`,
        facts: { count: rest.length, totalImpactCents: Math.round(impact), shownIndividually: group.length - rest.length },
      },
      action: null,
      members: rest.map((it) => ({ entityId: it.finding.entity!.id, name: it.finding.entity!.name, impactCents: Math.round(it.finding.impactCents), since: it.finding.since, title: it.finding.title })),
    });
  }
  return out;
}

async function upsertInsights(db: Db, clientId: string, output: BrainOutput, now: Date) {
  const actionFor = actionsByFinding(output.curiosity.actions);
  const items: InboxItem[] = [];
  // One insight per condition and episode: the finding's key is its fingerprint.
  for (const f of output.oracle.findings) items.push({ fingerprint: findingKey(f), finding: f, action: actionFor.get(findingKey(f)) ?? null });
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
  // Bulk: one lookup, one update and one insert (plus its events) per cycle.
  const existing = new Map(
    (await db.sql.query<{ id: string; fingerprint: string }>(
      `SELECT id::text, fingerprint FROM insight WHERE client_id = $1::uuid AND fingerprint = ANY($2::text[])`,
      [clientId, [...items.map((it) => it.fingerprint), ...INSIGHT_TYPES.map(rollupKey)]],
    )).map((r) => [r.fingerprint, r.id]),
  );
  const rolled = rollUp(items, existing, output.asOf);
  items.splice(0, items.length, ...rolled);
  const fingerprints = items.map((it) => it.fingerprint);
  const payloadOf = (it: (typeof items)[number]) =>
    JSON.stringify({ facts: it.finding.facts, members: it.members, action: it.action && { kind: it.action.kind, rank: it.action.rank, score: it.action.score, impactCents: it.action.impactCents } });
  return db.sql.tx(async (sql) => {
    // The present is the newest day a run has seen. A run of an earlier day (a
    // re-run of the past) opens nothing new, and leaves alone every insight seen
    // at a later day: no resolving, reopening, retitling or renumbering.
    const [present] = await sql.query<{ d: string | null }>(
      `SELECT max(seen_as_of)::text AS d FROM insight WHERE client_id = $1::uuid`,
      [clientId],
    );
    const ofThePast = present?.d != null && output.asOf < present.d;
    const movable = new Set(
      (await sql.query<{ id: string }>(
        `SELECT id::text FROM insight WHERE id = ANY($1::uuid[]) AND (seen_as_of IS NULL OR seen_as_of <= $2::date)`,
        [[...existing.values()], output.asOf],
      )).map((r) => r.id),
    );
    const updates = items.filter((it) => existing.has(it.fingerprint) && movable.has(existing.get(it.fingerprint)!));
    const creates = ofThePast ? [] : items.filter((it) => !existing.has(it.fingerprint));
    let reopened = 0;
    if (updates.length) {
      // A continuing condition updates its insight; one that had cleared and came back is reopened.
      const back = await sql.query<{ id: string; was: string }>(
        `WITH prev AS (SELECT id, status FROM insight WHERE id = ANY($1::uuid[]) FOR UPDATE)
         UPDATE insight i SET severity = u.severity::"Severity", title = u.title, body = u.title, payload = u.payload::jsonb,
                impact_cents = u.impact, confidence = u.confidence, last_seen = $7, seen_as_of = $8::date,
                status = CASE WHEN p.status = 'RESOLVED' THEN 'PENDING'::"InsightStatus" ELSE i.status END,
                resolved_at = CASE WHEN p.status = 'RESOLVED' THEN NULL ELSE i.resolved_at END
           FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::int8[], $6::float8[])
             AS u(id, severity, title, payload, impact, confidence), prev p
          WHERE i.id = u.id AND p.id = u.id
         RETURNING i.id::text, p.status::text AS was`,
        [
          updates.map((u) => existing.get(u.fingerprint)), updates.map((u) => u.finding.severity), updates.map((u) => u.finding.title),
          updates.map(payloadOf), updates.map((u) => Math.round(u.finding.impactCents)), updates.map((u) => round(u.finding.confidence, 4)), now, output.asOf,
        ],
      );
      const back2 = back.filter((r) => r.was === 'RESOLVED').map((r) => r.id);
      reopened = back2.length;
      if (back2.length) {
        await sql.query(
          `INSERT INTO insight_event (insight_id, actor, from_status, to_status, note, at)
           SELECT id, 'adbrain', 'RESOLVED', 'PENDING', 'condition returned', $2 FROM unnest($1::uuid[]) AS id`,
          [back2, now],
        );
      }
    }
    let createdIds: string[] = [];
    if (creates.length) {
      createdIds = (await sql.query<{ id: string }>(
        `INSERT INTO insight (client_id, entity_id, type, severity, title, body, payload, impact_cents, confidence, fingerprint, since, first_seen, last_seen, seen_as_of, called_on, call_probability)
         SELECT $1::uuid, e, t, s::"Severity", ti, ti, p::jsonb, im, c, f, si, $10, $10, $12::date, CASE WHEN cp IS NOT NULL THEN $12::date END, cp
           FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int8[], $8::float8[], $9::text[], $11::date[], $13::float8[])
             AS u(e, t, s, ti, p, im, c, f, si, cp)
         RETURNING id::text`,
        [
          clientId, creates.map((c) => c.finding.entity?.id ?? null), creates.map((c) => c.finding.type), creates.map((c) => c.finding.severity),
          creates.map((c) => c.finding.title), creates.map(payloadOf), creates.map((c) => Math.round(c.finding.impactCents)),
          creates.map((c) => round(c.finding.confidence, 4)), creates.map((c) => c.fingerprint), now, creates.map((c) => c.finding.since), output.asOf,
          // A call (burning / winner) keeps the probability it was first stated with.
          creates.map((c) => (c.finding.type === 'burning' || c.finding.type === 'winner' ? Number(c.finding.facts?.probability ?? c.finding.confidence) : null)),
        ],
      )).map((r) => r.id);
      await sql.query(
        `INSERT INTO insight_event (insight_id, actor, to_status, note, at)
         SELECT id, 'adbrain', 'PENDING', 'detected', $2 FROM unnest($1::uuid[]) AS id`,
        [createdIds, now],
      );
    }
    // Open insights of episodes this day no longer sees have cleared. Decisions
    // the user took (APPLIED / DISMISSED) stay as they are.
    const cleared = await sql.query<{ id: string }>(
      `WITH gone AS (
         SELECT id, status FROM insight
          WHERE client_id = $1::uuid AND status IN ('PENDING', 'IN_PROGRESS')
            AND (since IS NULL OR since <= $3::date) AND (seen_as_of IS NULL OR seen_as_of <= $3::date)
            AND fingerprint <> ALL($2::text[])
            -- Only what the brain itself found: a broken connection is not the brain's to clear.
            AND type = ANY($5::text[])
          FOR UPDATE),
       upd AS (
         UPDATE insight i SET status = 'RESOLVED', resolved_at = $4, seen_as_of = $3::date FROM gone g WHERE i.id = g.id
         RETURNING i.id, g.status AS was)
       INSERT INTO insight_event (insight_id, actor, from_status, to_status, note, at)
       SELECT id, 'adbrain', was, 'RESOLVED', 'condition cleared', $4 FROM upd
       RETURNING insight_id::text AS id`,
      [clientId, fingerprints, output.asOf, now, [...INSIGHT_TYPES]],
    );
    return { created: creates.length, updated: updates.length, resolved: cleared.length, reopened, ids: [...updates.map((u) => existing.get(u.fingerprint)!), ...createdIds], createdIds };
  });
}

/**
 * Scores the client's open predictions up to `asOf` (after a sync brought actuals
 * in). Runs after every sync, so it loads only the days those predictions target,
 * not the brain's 400-day history.
 */
export async function scoreClientPredictions(db: Db, client: BrainClient, asOf: string): Promise<number> {
  const [first] = await db.sql.query<{ d: string | null }>(
    `SELECT min(p.target_date)::text AS d FROM prediction p JOIN entity e ON e.id = p.entity_id
      WHERE e.client_id = $1::uuid AND p.actual IS NULL AND p.target_date <= $2::date`,
    [client.id, asOf],
  );
  if (!first?.d) return 0;
  const [entities, columns] = await Promise.all([loadEntities(db.sql, client.id), loadDailyColumns(db.sql, client.id, first.d, asOf)]);
  return scorePredictions(db, client.id, asOf, buildSeries(entities, [], asOf, undefined, columns));
}

/** Adds the decided tests' "move the traffic" actions to the ranking (score = $ × confidence, like the others) and ranks again. */
function mergeTrafficActions(output: BrainOutput, actions: import('../splits/tests.ts').TrafficAction[], entities: Map<string, { id: string; kind: string; externalId: string; name: string; platform: string }>) {
  for (const a of actions) {
    const m = entities.get(a.winnerEntityId);
    output.curiosity.actions.push({
      rank: 0, kind: 'move_traffic', entity: m ? { id: m.id, kind: m.kind, externalId: m.externalId, name: m.name, platform: m.platform } : null,
      basedOn: null, impactCents: a.impactCents, confidence: a.confidence, urgency: 'medium', score: Math.round(a.impactCents * a.confidence * 100) / 100,
      inputs: { test: a.test, testId: a.testId },
    });
  }
  output.curiosity.actions.sort((x, y) => y.score - x.score);
  output.curiosity.actions = neverBuried(output.curiosity.actions);
  output.curiosity.actions.forEach((x, i) => (x.rank = i + 1));
}
