// One client's day, in-process: the same domain functions the Inngest
// functions will call step by step. Steps run in order; a failed step is
// reported and the rest still run on the data there is.
import { actionLinkSignerOf } from '../actions/key.ts';
import { smsSenderOf, type SmsSender } from '../sms/twilio.ts';
import type { ActionLinkSigner } from '../actions/links.ts';
import { rollUpTracking } from '../tracking/metrics.ts';
import { addDays } from '../time.ts';
import type { Db } from '../db/client.ts';
import { userMessage, withDbRetry } from '../db/retry.ts';
import { latestDayByPlatform } from '../db/metrics-read.ts';
import { runBrain } from './brain-run.ts';
import { deliverDailyReport } from '../reports/daily-report.ts';
import { loadReportModel, type ReportClient } from '../reports/load-model.ts';
import { DEFAULT_FROM, type Config } from '../config.ts';
import { senderFor } from '../reports/senders.ts';
import { checkAlerts } from '../alerts/check.ts';
import { summaryFacts } from '../llm/facts.ts';
import { summarizeDay, type Summary } from '../llm/index.ts';
import { syncConnection, type SyncResult } from '../sources/sync.ts';
import type { BrainProgress } from '../brain/cycle.ts';

export interface DayClient extends ReportClient {}

export interface DayContext {
  db: Db;
  client: DayClient;
  /** The last complete day in the client's timezone; data after it is ignored. */
  asOf: string;
  now: Date;
  outboxDir: string;
  /** LLM settings; without them the summary is the deterministic one. */
  llm?: Config['llm'];
  /** Email settings; without Resend, reports go to the outbox. */
  email?: Config['email'];
  /** Retries of a step that lost its database connection (steps are idempotent); none when absent. */
  dbRetry?: Config['dbRetry'];
  /** Told when a step is retried after a lost connection. */
  onRetry?: (step: string, attempt: number, message: string) => void;
  /** Signs the report's action buttons (src/actions/); without it reports carry none. */
  actionLinks?: ActionLinkSigner;
  /** Texts critical alerts (null: SMS not configured). */
  sms?: SmsSender | null;
  /** Connector settings and the key that opens stored credentials; without them connections are not synced. */
  sources?: Config['sources'];
  encryptionKey?: Buffer;
  onLog?: (line: string) => void;
  /** Where the brain step is (a CLI shows it on a terminal). */
  onBrainProgress?: BrainProgress;
  /** ADBRAIN_ACTIONS: whether rules may propose or make changes on the platforms (default propose). */
  actions?: Config['actions'];
}

export interface StepResult {
  status: 'ok' | 'skipped' | 'failed';
  detail: string;
  data?: Record<string, unknown>;
}

export interface DayStep {
  name: string;
  /** `earlier` holds the results of the steps before it (Inngest replays them from its memo). */
  run(ctx: DayContext, earlier: Record<string, StepResult>): Promise<StepResult>;
}

export const syncStep: DayStep = {
  name: 'sync',
  async run({ db, client, asOf, now, sources, encryptionKey, onLog }) {
    // First-party campaigns become daily rows too, over the attribution window (late orders land on their days).
    const tz = await db.prisma.client.findUniqueOrThrow({ where: { id: client.id }, select: { timezone: true, attributionDays: true } });
    const tracked = await rollUpTracking(db, { id: client.id, timezone: tz.timezone }, addDays(asOf, -(tz.attributionDays + 1)), asOf);
    const firstParty = tracked.campaigns ? `first-party: ${tracked.campaigns} campaign(s), ${tracked.rows} day rows; ` : '';
    const connections = await db.prisma.connection.findMany({ where: { clientId: client.id, status: { in: ['active', 'error'] } }, orderBy: { createdAt: 'asc' } });
    const fresh = async () => (await latestDayByPlatform(db.sql, client.id)).map((l) => `${l.platform} through ${l.latest}`).join(', ') || 'no data yet';
    if (connections.length === 0) {
      const latest = await latestDayByPlatform(db.sql, client.id);
      return { status: tracked.campaigns ? 'ok' : 'skipped', detail: `${firstParty}no API connections (data from imports/demo: ${await fresh()})`, data: { latest, firstParty: tracked } };
    }
    if (!sources || !encryptionKey) return { status: 'failed', detail: `${connections.length} connection(s), but no key to open their credentials (set ADBRAIN_ENCRYPTION_KEY)`, data: {} };
    // One connection failing never blocks the others; each resumes its own cursor next time.
    const results: SyncResult[] = [];
    for (const c of connections) results.push(await syncConnection(db, c.id, { key: encryptionKey, sources, now, log: onLog }));
    const failed = results.filter((r) => r.status !== 'succeeded');
    const detail = results.map((r) => `${r.platform} ${r.account ?? ''}: ${r.status === 'succeeded' ? `${r.rowsFetched} rows (${r.inserted} new, ${r.updated} updated)` : r.error}`).join('; ');
    return {
      status: failed.length === results.length ? 'failed' : 'ok',
      detail: `${firstParty}${detail}; ${await fresh()}`,
      data: { results: results.map((r) => ({ connectionId: r.connectionId, status: r.status, rows: r.rowsFetched, inserted: r.inserted, updated: r.updated, error: r.error ?? null })) },
    };
  },
};

export const brainStep: DayStep = {
  name: 'brain',
  async run({ db, client, asOf, now, onBrainProgress }) {
    const full = await db.prisma.client.findUniqueOrThrow({ where: { id: client.id } });
    const r = await runBrain(db, full, asOf, { now, clock: () => performance.now(), onProgress: onBrainProgress });
    const f = r.output.oracle.findings;
    const counts = new Map<string, number>();
    for (const x of f) counts.set(x.type, (counts.get(x.type) ?? 0) + 1);
    const summary = [...counts.entries()].map(([t, n]) => `${n} ${t}`).join(', ') || 'nothing unusual';
    return {
      status: 'ok',
      detail: `${summary}; ${r.output.curiosity.actions.length} actions ranked, ${r.predictions.written} predictions, ${r.insights.created} new / ${r.insights.updated} updated insights`,
      data: { brainRunId: r.brainRunId, insights: r.insights.created + r.insights.updated, predictions: r.predictions.written, scored: r.predictions.scored },
    };
  },
};

/** The client's rules (src/ad-actions/rules.ts) on the day's verdicts: proposals, or changes in auto mode. */
export const rulesStep: DayStep = {
  name: 'rules',
  async run({ db, client, asOf, now, sources, encryptionKey, actions }) {
    const n = await db.prisma.actionRule.count({ where: { clientId: client.id, enabled: true } });
    if (n === 0) return { status: 'skipped', detail: 'no rules' };
    if ((actions ?? 'propose') === 'off') return { status: 'skipped', detail: `${n} rule(s), but ADBRAIN_ACTIONS=off` };
    if (!sources || !encryptionKey) return { status: 'failed', detail: `${n} rule(s), but no key to open the connections' credentials (set ADBRAIN_ENCRYPTION_KEY)` };
    const [{ checkRules }, { provisionalFrom }] = await Promise.all([import('../ad-actions/rules.ts'), import('../sources/sync.ts')]);
    const full = await db.prisma.client.findUniqueOrThrow({ where: { id: client.id } });
    const runs = await checkRules({ db, config: { sources, actions: actions ?? 'propose' }, key: encryptionKey, now }, full, asOf, await provisionalFrom(db, client.id, now));
    const detail = runs.map((r) => `${r.rule}: ${r.proposed} proposed, ${r.executed} made${r.skipped.length ? `, ${r.skipped.length} held back` : ''}`).join('; ');
    return { status: 'ok', detail, data: { runs } as Record<string, unknown> };
  },
};

export const alertsStep: DayStep = {
  name: 'alerts',
  async run({ db, client, now, outboxDir, email, actionLinks, sms }) {
    const full = await db.prisma.client.findUniqueOrThrow({ where: { id: client.id } });
    const r = await checkAlerts(db, full, { now, sender: senderFor(email, outboxDir), from: email?.from ?? DEFAULT_FROM, links: actionLinks, sms });
    const detail = r.sent.length === 0 && r.suppressed.length === 0
      ? 'nothing to alert'
      : `${r.sent.length} sent${r.sent.length ? ` (${r.sent.map((x) => `${x.rule} ${x.entity}`).join(', ')})` : ''}, ${r.suppressed.length} held back`;
    return { status: 'ok', detail, data: { sent: r.sent.length, suppressed: r.suppressed.length } };
  },
};

export const summaryStep: DayStep = {
  name: 'summary',
  async run({ db, client, asOf, now, llm }) {
    const model = await loadReportModel(db, client, asOf, now);
    const c = await db.prisma.client.findUniqueOrThrow({ where: { id: client.id }, select: { agency: { select: { id: true, timezone: true, llmDailyTokenBudget: true } } } });
    const r = await summarizeDay(summaryFacts(model), { prisma: db.prisma, llm, agency: c.agency, now });
    const how = r.source === 'deterministic' ? `deterministic (${r.reason})` : r.source === 'cache' ? 'LLM (cached, no request)' : `LLM (${r.requests} request${r.requests > 1 ? 's' : ''})`;
    return {
      status: 'ok',
      detail: `${how}: ${r.summary.headline}`,
      data: { summary: r.summary, source: r.source, reason: r.reason, violations: r.violations.length },
    };
  },
};

export const reportStep: DayStep = {
  name: 'report',
  async run({ db, client, asOf, now, outboxDir, email, actionLinks }, earlier) {
    const { reportSchedules } = await db.prisma.client.findUniqueOrThrow({ where: { id: client.id }, select: { reportSchedules: true } });
    if (!reportSchedules.includes('daily')) return { status: 'skipped', detail: `no daily report (reports: ${reportSchedules.join(', ') || 'none'})` };
    const summary = earlier.summary?.data?.summary as Summary | undefined;
    const sender = senderFor(email, outboxDir);
    const r = await deliverDailyReport(db, client, asOf, { sender, from: email?.from ?? DEFAULT_FROM, now, summary, links: actionLinks });
    if (r.status === 'already-delivered') {
      return { status: 'skipped', detail: `already delivered (${r.location})`, data: { reportId: r.reportId } };
    }
    const where = r.provider === 'resend' ? `sent via Resend (${r.location})` : `written to ${r.location}`;
    return { status: 'ok', detail: where, data: { reportId: r.reportId, provider: r.provider, location: r.location } };
  },
};

/** Weekly and monthly reports whose day it is (or was, up to a week ago and not sent yet). */
export const periodReportsStep: DayStep = {
  name: 'period-reports',
  async run({ db, client, asOf, now, outboxDir, email, actionLinks }) {
    const [{ duePeriods }, { deliverPeriodReport }] = await Promise.all([import('../reports/periods.ts'), import('../reports/period-report.ts')]);
    const { reportSchedules } = await db.prisma.client.findUniqueOrThrow({ where: { id: client.id }, select: { reportSchedules: true } });
    const due = duePeriods(reportSchedules, asOf);
    if (due.length === 0) return { status: 'skipped', detail: reportSchedules.some((x) => x !== 'daily') ? 'none due today' : 'no weekly or monthly reports' };
    const sender = senderFor(email, outboxDir);
    const done = [];
    for (const p of due) done.push(await deliverPeriodReport(db, client, p, { sender, from: email?.from ?? DEFAULT_FROM, now, links: actionLinks }));
    const sent = done.filter((d) => d.status === 'delivered');
    const detail = done.map((d) => `${d.kind} ${d.from} – ${d.to}: ${d.status === 'delivered' ? (d.provider === 'resend' ? 'sent via Resend' : `written to ${d.location}`) : 'already delivered'}`).join('; ');
    return { status: sent.length ? 'ok' : 'skipped', detail, data: { sent: sent.length } };
  },
};

export const exportsStep: DayStep = {
  name: 'exports',
  async run({ db, client, asOf, outboxDir, email }) {
    const { sendDueExports } = await import('../exports/index.ts');
    const full = await db.prisma.client.findUniqueOrThrow({ where: { id: client.id } });
    const r = await sendDueExports(db, full, asOf, { sender: senderFor(email, outboxDir), from: email?.from ?? DEFAULT_FROM });
    if (!r.sent.length) return { status: 'skipped', detail: r.skipped.length ? `nothing due (${r.skipped.map((x) => `${x.period}: ${x.why}`).join('; ')})` : 'no scheduled exports', data: { sent: 0 } };
    return { status: 'ok', detail: `sent ${r.sent.map((x) => `${x.period} (${x.files.length} files)`).join(', ')}`, data: { sent: r.sent.length } };
  },
};

export const DAY_STEPS: DayStep[] = [syncStep, alertsStep, brainStep, rulesStep, summaryStep, reportStep, periodReportsStep, exportsStep];

export interface DayResult {
  client: string;
  asOf: string;
  ok: boolean;
  steps: (StepResult & { name: string; ms: number })[];
}

export async function runClientDay(
  ctx: DayContext,
  opts: { steps?: DayStep[]; onStep?: (name: string, r: StepResult & { ms: number }) => void } = {},
): Promise<DayResult> {
  const results: DayResult['steps'] = [];
  const earlier: Record<string, StepResult> = {};
  for (const step of opts.steps ?? DAY_STEPS) {
    const t0 = performance.now();
    let r: StepResult;
    try {
      // A restart of the database server mid-day costs a retry, not the day.
      r = await withDbRetry(() => step.run(ctx, earlier), {
        retries: ctx.dbRetry?.retries ?? 0,
        minTimeoutMs: ctx.dbRetry?.minTimeoutMs,
        onRetry: (attempt, err) => ctx.onRetry?.(step.name, attempt, userMessage(err)),
      });
      earlier[step.name] = r;
    } catch (err) {
      r = { status: 'failed', detail: userMessage(err) };
    }
    const res = { name: step.name, ...r, ms: Math.round(performance.now() - t0) };
    results.push(res);
    opts.onStep?.(step.name, res);
  }
  return { client: ctx.client.slug, asOf: ctx.asOf, ok: results.every((r) => r.status !== 'failed'), steps: results };
}

/** After an on-demand analysis that asked for email: the summary and the day's report (sent once). */
export async function reportAfterAnalysis(rt: { db: Db; config: Config; now: () => Date }, clientId: string, asOf: string) {
  const c = await rt.db.prisma.client.findUniqueOrThrow({ where: { id: clientId } });
  const ctx: DayContext = { db: rt.db, client: c, asOf, now: rt.now(), outboxDir: rt.config.outboxDir, llm: rt.config.llm, email: rt.config.email, dbRetry: rt.config.dbRetry, actionLinks: actionLinkSignerOf(rt.config), sms: smsSenderOf(rt.config) };
  const r = await runClientDay(ctx, { steps: [summaryStep, reportStep] });
  return { ok: r.ok, steps: r.steps.map((s) => ({ name: s.name, status: s.status, detail: s.detail })) };
}
