// The other functions: the hourly report sweep, on-demand analysis, the
// 30-minute intraday sync, and what follows each sync (alerts, prediction scoring).
import { credentialKey } from '../sources/sync.ts';
import type { Inngest } from 'inngest';
import { events } from '../../inngest.config.ts';
import { checkAlerts } from '../alerts/check.ts';
import { executeAnalysis } from '../analysis/runs.ts';
import { scoreClientPredictions } from '../brain/run.ts';
import { senderFor } from '../reports/senders.ts';
import { reportAfterAnalysis, syncStep } from '../run/day.ts';
import { lastCompleteDay, localDate } from '../time.ts';
import type { Runtime } from './runtime.ts';
import { dueClients } from './schedule.ts';

type Rt = () => Promise<Runtime>;

export function createDailySweepFunction(inngest: Inngest, runtime: Rt) {
  return inngest.createFunction({ id: 'daily-sweep', triggers: [{ cron: 'TZ=UTC 0 * * * *' }] }, async ({ step }) => {
    const rt = await runtime();
    const due = await step.run('due-clients', () => dueClients(rt.db.prisma, rt.now()));
    if (due.length === 0) return { sent: 0 };
    // The event id dedupes: a retried sweep cannot start a client's day twice.
    await step.sendEvent(
      'fan-out',
      due.map((d) => ({ name: events.clientDayRequested.name, id: `${d.clientId}:${d.date}`, data: d })),
    );
    return { sent: due.length };
  });
}

export function createAnalysisFunction(inngest: Inngest, runtime: Rt) {
  return inngest.createFunction(
    {
      id: 'analysis-requested',
      triggers: [events.analysisRequested],
      // Several clicks in a row become one run; every queued request gets its result.
      debounce: { key: 'event.data.clientId', period: '20s' },
      concurrency: [{ key: 'event.data.clientId', limit: 1 }],
      retries: 2,
    },
    async ({ event, step }) => {
      const { clientId, asOf, runId, email } = events.analysisRequested.schema.parse(event.data);
      const rt = await runtime();
      const r = await step.run(`analysis-${clientId}-${asOf ?? 'latest'}`, () => executeAnalysis(rt.db, clientId, { asOf, runId, now: rt.now() }));
      // Email only when asked: the day's report, delivered once like any other.
      if (email && r.status === 'succeeded') {
        await step.run(`analysis-report-${clientId}-${r.asOf}`, () => reportAfterAnalysis(rt, clientId, r.asOf));
      }
      return r;
    },
  );
}

export function createIntradaySyncFunction(inngest: Inngest, runtime: Rt) {
  return inngest.createFunction({ id: 'intraday-sync', triggers: [{ cron: 'TZ=UTC */30 * * * *' }], concurrency: 1 }, async ({ step }) => {
    const rt = await runtime();
    const clients = await step.run('connected-clients', async () =>
      (await rt.db.prisma.client.findMany({ where: { connections: { some: { status: 'active' } } }, select: { id: true, slug: true, name: true, currency: true, timezone: true } })),
    );
    const synced: { name: string; data: { clientId: string; source: string; from: string; to: string } }[] = [];
    for (const c of clients) {
      const today = localDate(c.timezone, rt.now());
      const r = await step.run(`sync-${c.id}-${today}`, () =>
        syncStep.run({ db: rt.db, client: c, asOf: today, now: rt.now(), outboxDir: rt.config.outboxDir, sources: rt.config.sources, encryptionKey: credentialKey(rt.config) }, {}),
      );
      if (r.status !== 'failed') synced.push({ name: events.syncCompleted.name, data: { clientId: c.id, source: 'api', from: lastCompleteDay(c.timezone, rt.now()), to: today } });
    }
    if (synced.length) await step.sendEvent('sync-completed', synced);
    return { clients: clients.length };
  });
}

export function createAlertCheckFunction(inngest: Inngest, runtime: Rt) {
  return inngest.createFunction(
    { id: 'alerts-after-sync', triggers: [events.syncCompleted], concurrency: [{ key: 'event.data.clientId', limit: 1 }], retries: 3 },
    async ({ event, step }) => {
      const { clientId, to } = events.syncCompleted.schema.parse(event.data);
      const rt = await runtime();
      return step.run(`alerts-${clientId}-${to}`, async () => {
        const client = await rt.db.prisma.client.findUnique({ where: { id: clientId } });
        if (!client) return { skipped: 'client no longer exists' };
        const r = await checkAlerts(rt.db, client, { now: rt.now(), sender: senderFor(rt.config.email, rt.config.outboxDir), from: rt.config.email.from });
        return { sent: r.sent.length, suppressed: r.suppressed.length };
      });
    },
  );
}

export function createScoringFunction(inngest: Inngest, runtime: Rt) {
  return inngest.createFunction(
    { id: 'score-after-sync', triggers: [events.syncCompleted], concurrency: [{ key: 'event.data.clientId', limit: 1 }], retries: 3 },
    async ({ event, step }) => {
      const { clientId, to } = events.syncCompleted.schema.parse(event.data);
      const rt = await runtime();
      return step.run(`score-${clientId}-${to}`, async () => {
        const client = await rt.db.prisma.client.findUnique({ where: { id: clientId } });
        if (!client) return { skipped: 'client no longer exists' };
        return { scored: await scoreClientPredictions(rt.db, client, to) };
      });
    },
  );
}
