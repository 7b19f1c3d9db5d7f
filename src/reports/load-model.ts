// Loads everything the day's report shows for one client and builds the model.
import { snoozedFingerprints } from '../insights/inbox.ts';
import { callRecord } from '../insights/call-follow-up.ts';
import { TOTAL_SUFFIX } from '../brain/oracle/forecasts.ts';
import { withActionLinks, type ActionLinkSigner } from '../actions/links.ts';
import type { Db } from '../db/client.ts';
import { latestDayByPlatform, loadDaily, loadEntities } from '../db/metrics-read.ts';
import { describeAction, type Action } from '../brain/curiosity/actions.ts';
import type { BrainOutput } from '../brain/cycle.ts';
import type { Pacing } from '../brain/oracle/pacing.ts';
import type { Finding } from '../brain/types.ts';
import { addDays, startOfLocalDay } from '../time.ts';
import { objectiveSettings } from '../domain/objectives.ts';
import { provisionalFrom } from '../sources/sync.ts';
import { buildDailySummary, type ActionLine, type BrainPart, type BudgetLine, type BurningLine, type CallRecordLine, type DailySummary, type FirstPartyLine, type ForecastSummary, type PlatformChanges, type SplitTestLine } from './daily-summary.ts';
import { CAMPAIGN_REF, leaderboard } from '../tracking/analytics.ts';
import type { Evaluation } from '../splits/tests.ts';
import { countsInTotals } from '../domain/entities.ts';

export interface ReportClient {
  id: string;
  slug: string;
  name: string;
  currency: string;
  timezone: string;
  objective?: string;
  targetCpaCents?: bigint | null;
  valuePerConversionCents?: bigint | null;
}

const day = (d: string) => new Date(`${d}T00:00:00Z`);

/** Running tests, and those decided in the week up to the report's day. */
/** The client's first-party campaigns over the 7 days up to the report's day, most revenue first (the five best). */
async function loadFirstParty(db: Db, client: ReportClient, date: string): Promise<FirstPartyLine[]> {
  const all = await db.prisma.trackingCampaign.findMany({ where: { clientId: client.id }, select: CAMPAIGN_REF });
  if (all.length === 0) return [];
  const rows = await leaderboard(db, client.id, all, { from: addDays(date, -6), to: date, timezone: client.timezone }, 'revenue', 5);
  return rows.filter((r) => r.visits > 0 || r.conversions > 0 || r.costCents > 0).map((r) => ({ name: r.name, code: r.code, visits: r.visits, conversions: r.conversions, revenueCents: r.revenueCents, costCents: r.costCents, roi: r.roi }));
}

async function loadSplitTests(db: Db, clientId: string, date: string): Promise<SplitTestLine[]> {
  const rows = await db.prisma.splitTest.findMany({
    where: { clientId, startDate: { lte: day(date) }, OR: [{ status: 'running' }, { status: 'decided', decidedAt: { gte: day(addDays(date, -6)) } }] },
    include: { variants: true }, orderBy: { createdAt: 'asc' },
  });
  return rows.map((t) => {
    const e = t.result as Partial<Evaluation>;
    const control = t.variants.find((v) => v.control) ?? t.variants[0]!;
    const best = (e.comparisons ?? []).find((c) => c.entityId === e.winner) ?? [...(e.comparisons ?? [])].sort((a, b) => b.diff - a.diff)[0];
    return {
      name: t.name, metric: t.metric, status: t.status, verdict: e.verdict ?? null,
      winner: e.winner ? (t.variants.find((v) => v.entityId === e.winner)?.label ?? null) : null,
      control: control.label, lift: best?.lift ?? null, sequentialP: best?.sequentialP ?? null, needed: e.needed ?? null,
    };
  });
}

/** A burning finding as the report's table lists it. */
export const burningLineOf = (f: Finding): BurningLine => ({
  entityId: f.entity!.id,
  name: f.entity!.name,
  kind: f.entity!.kind,
  platform: f.entity!.platform,
  windowDays: Number(f.facts.windowDays),
  spendCents: Number(f.facts.spendCents),
  revenueCents: f.facts.revenueCents === null || f.facts.revenueCents === undefined ? null : Number(f.facts.revenueCents),
  profitCents: Number(f.facts.profitCents),
  roi: Number(f.facts.roi),
  conversions: f.facts.conversions === null || f.facts.conversions === undefined ? null : Number(f.facts.conversions),
  cpaCents: f.facts.cpaCents === null || f.facts.cpaCents === undefined ? null : Number(f.facts.cpaCents),
  provisional: typeof f.facts.provisionalFrom === 'string',
  since: f.since,
});

/** A brain action as the report lists it (rank = its place in the list). */
export const actionLineOf = (a: Action, i: number): ActionLine => ({
  rank: i + 1,
  what: describeAction(a),
  kind: a.kind,
  urgency: a.urgency,
  impactCents: a.impactCents,
  confidence: a.confidence,
  entity: a.entity && { id: a.entity.id, kind: a.entity.kind, name: a.entity.name, platform: a.entity.platform },
  basis: a.basedOn?.type ?? null,
  since: a.basedOn?.since ?? null,
  inputs: a.inputs,
  // The insight the brain keeps for it (src/run/brain-run.ts upsertInsights).
  fingerprint: a.basedOn?.key ?? `action:${a.kind}:${a.entity?.id ?? 'client'}`,
});

export async function loadReportModel(db: Db, client: ReportClient, date: string, now = new Date(), signer?: ActionLinkSigner): Promise<DailySummary> {
  const [entities, daily, latest, brainRun] = await Promise.all([
    loadEntities(db.sql, client.id),
    loadDaily(db.sql, client.id, addDays(date, -59), date),
    latestDayByPlatform(db.sql, client.id),
    db.prisma.brainRun.findUnique({ where: { clientId_asOf: { clientId: client.id, asOf: day(date) } }, select: { curiosity: true, oracle: true } }),
  ]);
  // Killed links and ads stay in history but leave the "act now" lists.
  const killed = new Set(entities.filter((e) => e.status === 'killed').map((e) => e.id));
  const ranked: ActionLine[] = ((brainRun?.curiosity as { actions?: Action[] } | null)?.actions ?? [])
    .filter((a) => !a.entity || !killed.has(a.entity.id))
    .map(actionLineOf);
  // Snoozed insights leave "act now" until their day has passed.
  const snoozed = await snoozedFingerprints(db.prisma, client.id, date);
  const awake = ranked.filter((a) => !a.fingerprint || !snoozed.has(a.fingerprint)).map((a, i) => ({ ...a, rank: i + 1 }));
  const actions = await withActionLinks(db, client.id, awake, signer, now);
  const oracle = brainRun?.oracle as Pick<BrainOutput['oracle'], 'findings' | 'trackRecord' | 'pacing' | 'accountPacing'> | null;
  const burning: BurningLine[] = (oracle?.findings ?? [])
    .filter((f) => f.type === 'burning' && f.entity && !killed.has(f.entity.id))
    .map(burningLineOf)
    .sort((a, b) => a.profitCents - b.profitCents);
  const brain: BrainPart = {
    burning,
    splitTests: await loadSplitTests(db, client.id, date),
    firstParty: await loadFirstParty(db, client, date),
    forecast: brainRun ? await loadForecast(db, entities.filter((e) => e.kind === 'account' && e.platform !== 'shopify' && countsInTotals(e)).map((e) => e.id), date) : null,
    callRecord: await loadCallRecord(db, client, date),
    platformChanges: await loadPlatformChanges(db, client, date, now),
    budgets: budgetLines(oracle, date),
    trackRecord: oracle?.trackRecord ? { predictions: oracle.trackRecord.predictions, mase: oracle.trackRecord.mase, coverage: oracle.trackRecord.coverage, source: oracle.trackRecord.source ?? 'scored', origins: oracle.trackRecord.origins } : null,
  };
  return buildDailySummary({
    client: { slug: client.slug, name: client.name, currency: client.currency, timezone: client.timezone },
    objective: objectiveSettings(client).objective,
    // Days a connector may still restate, as far as this report's day reaches.
    provisional: Object.entries(await provisionalFrom(db, client.id, now)).filter(([, from]) => from <= date).map(([platform, from]) => ({ platform, from })),
    date,
    entities,
    daily,
    latestByPlatform: latest,
    actions,
    brain,
  });
}

/** The client's budget and each account's, with what an even pace would have spent by the report's day. */
function budgetLines(oracle: Pick<BrainOutput['oracle'], 'pacing' | 'accountPacing'> | null, date: string): BudgetLine[] | null {
  if (!oracle) return null;
  const day = Number(date.slice(8, 10));
  const line = (p: Pacing, account: BudgetLine['account']): BudgetLine => {
    const days = day + p.daysLeft;
    return { account, month: p.month, budgetCents: p.budgetCents, spentCents: p.spentCents, expectedCents: Math.round((p.budgetCents * day) / days), projectedCents: p.projectedCents, projectedLowCents: p.projectedLowCents, projectedHighCents: p.projectedHighCents };
  };
  const lines = [...(oracle.pacing ? [line(oracle.pacing, null)] : []), ...(oracle.accountPacing ?? []).map((a) => line(a, { id: a.account.id, name: a.account.name, platform: a.account.platform }))];
  return lines.length ? lines : null;
}

/** Pauses, resumes and budget changes made (or failed) on the platforms from the start of the report's day until now. */
async function loadPlatformChanges(db: Db, client: ReportClient, date: string, now: Date): Promise<PlatformChanges | null> {
  const from = startOfLocalDay(client.timezone, date);
  const rows = await db.prisma.adAction.findMany({ where: { clientId: client.id, state: { in: ['done', 'failed'] }, executedAt: { gte: from, lte: now } }, orderBy: { executedAt: 'asc' } });
  if (rows.length === 0) return null;
  const { viewAction, sentenceOf } = await import('../ad-actions/service.ts');
  const views = await Promise.all(rows.map((a) => viewAction(db, a)));
  const paused = rows.filter((a) => a.state === 'done' && a.kind === 'pause');
  return {
    paused: paused.length,
    pausedPerDayCents: paused.reduce((s, a) => s + Number(a.moneyPerDayCents ?? 0n), 0),
    budgets: rows.filter((a) => a.state === 'done' && a.kind === 'budget').length,
    failed: rows.filter((a) => a.state === 'failed').length,
    lines: views.map(sentenceOf),
  };
}

/** Calls at 90 %+ over the last 90 days: this client's and, when the agency has others, the agency's. */
async function loadCallRecord(db: Db, client: { id: string; agencyId?: string }, date: string): Promise<CallRecordLine | null> {
  const agencyId = client.agencyId ?? (await db.prisma.client.findUniqueOrThrow({ where: { id: client.id }, select: { agencyId: true } })).agencyId;
  const [own, agency, clients] = await Promise.all([
    callRecord(db.sql, { clientId: client.id }, date),
    callRecord(db.sql, { agencyId }, date),
    db.prisma.client.count({ where: { agencyId } }),
  ]);
  if (own.judged === 0 && agency.judged === 0) return null;
  return { minProbability: own.minProbability, days: own.days, right: own.right, judged: own.judged, agency: clients > 1 ? { right: agency.right, judged: agency.judged } : null };
}

/** The next 7 days of spend and revenue, summed over the client's ad accounts. */
async function loadForecast(db: Db, accountIds: string[], date: string): Promise<ForecastSummary | null> {
  if (accountIds.length === 0) return null;
  const from = addDays(date, 1), to = addDays(date, 7);
  const rows = await db.prisma.prediction.findMany({
    where: { entityId: { in: accountIds }, madeOn: day(date), metric: { in: ['spendCents', 'revenueCents', `spendCents${TOTAL_SUFFIX}`, `revenueCents${TOTAL_SUFFIX}`] }, targetDate: { gte: day(from), lte: day(to) } },
    select: { entityId: true, metric: true, targetDate: true, point: true, lower: true, upper: true },
  });
  if (rows.length === 0) return null;
  const totals = rows.filter((x) => x.metric.endsWith(TOTAL_SUFFIX));
  const daily = rows.filter((x) => !x.metric.endsWith(TOTAL_SUFFIX));
  let ofTheSum = true;
  const sum = (metric: string) => {
    const r = daily.filter((x) => x.metric === metric);
    const point = Math.round(r.reduce((a, x) => a + x.point, 0));
    // The range of the 7-day total is the sum's own (brain/oracle/ets.ts sumInterval),
    // added over the accounts; runs made before it existed add the daily ranges.
    const accounts = new Set(r.map((x) => x.entityId));
    const t = totals.filter((x) => x.metric === `${metric}${TOTAL_SUFFIX}`);
    if (t.length > 0 && t.length === accounts.size) {
      return { point, lower: Math.max(0, Math.round(point - t.reduce((a, x) => a + (x.point - x.lower), 0))), upper: Math.round(point + t.reduce((a, x) => a + (x.upper - x.point), 0)) };
    }
    ofTheSum = false;
    return { point, lower: Math.round(r.reduce((a, x) => a + Math.max(0, x.lower), 0)), upper: Math.round(r.reduce((a, x) => a + x.upper, 0)) };
  };
  // No revenue forecast (revenue not reported, a lead-gen client): unknown, not 0.
  const hasRevenue = daily.some((x) => x.metric === 'revenueCents');
  const spendCents = sum('spendCents'), revenueCents = hasRevenue ? sum('revenueCents') : null;
  const days = Array.from({ length: 7 }, (_, i) => {
    const d = addDays(date, i + 1);
    const at = daily.filter((x) => x.targetDate.toISOString().slice(0, 10) === d);
    const pt = (m: string) => Math.round(at.filter((x) => x.metric === m).reduce((a, x) => a + x.point, 0));
    return { date: d, spendCents: pt('spendCents'), revenueCents: hasRevenue ? pt('revenueCents') : null };
  });
  return { from, to, spendCents, revenueCents, profitCents: revenueCents ? revenueCents.point - spendCents.point : null, days, rangeOf: ofTheSum ? 'total' : 'days' };
}
