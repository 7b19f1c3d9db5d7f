// The other functions: the hourly report sweep, on-demand analysis, the
// 30-minute intraday sync, and what follows each sync (alerts, prediction scoring).
import { actionLinkSignerOf } from '../actions/key.ts';
import { smsSenderOf } from '../sms/twilio.ts';
import { credentialKey, syncConnection } from '../sources/sync.ts';
import type { Inngest } from 'inngest';
import { events } from '../../inngest.config.ts';
import { checkAlerts } from '../alerts/check.ts';
import { executeAnalysis } from '../analysis/runs.ts';
import { scoreClientPredictions } from '../run/brain-run.ts';
import { senderFor } from '../reports/senders.ts';
import { reportAfterAnalysis } from '../run/day.ts';
import type { Runtime } from './runtime.ts';
import { dueClients, localHour } from './schedule.ts';

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

/** Connections of one platform synced at once across all clients (the platforms limit apps, not accounts). */
export const PLATFORM_SYNC_CONCURRENCY = 4;

/**
 * One connection's sync as its own function run: one at a time per connection,
 * a few per platform; a failed run is retried and resumes at its first
 * uncommitted chunk (the cursor lives in the database). A connection that needs
 * reconnecting is not retried: only a person can fix it.
 */
export function createConnectionSyncFunction(inngest: Inngest, runtime: Rt) {
  return inngest.createFunction(
    {
      id: 'connection-sync',
      triggers: [events.connectionSyncRequested],
      retries: 4,
      concurrency: [
        { key: 'event.data.connectionId', limit: 1 },
        { key: 'event.data.platform', limit: PLATFORM_SYNC_CONCURRENCY },
      ],
    },
    async ({ event, step }) => {
      const { connectionId, clientId, from, to, intraday } = events.connectionSyncRequested.schema.parse(event.data);
      const rt = await runtime();
      const r = await step.run(`sync-${connectionId}-${from ?? (intraday ? 'intraday' : 'window')}-${to ?? 'today'}`, async () => {
        const exists = await rt.db.prisma.connection.findUnique({ where: { id: connectionId }, select: { id: true } });
        if (!exists) return null;
        const key = credentialKey(rt.config);
        if (!key) throw new Error('no key to open connection credentials (set ADBRAIN_ENCRYPTION_KEY)');
        const res = await syncConnection(rt.db, connectionId, { key, sources: rt.config.sources, now: rt.now(), range: from ? { from, to: to ?? '9999-12-31' } : undefined, intraday });
        // Retried with backoff by Inngest; auth problems wait for a person instead.
        if (res.status === 'failed') throw new Error(res.error ?? 'sync failed');
        return res;
      });
      if (!r) return { connectionId, skipped: 'connection no longer exists' };
      if (r.status === 'succeeded' && r.range) {
        await step.sendEvent('sync-completed', { name: events.syncCompleted.name, data: { clientId, source: `${r.platform}-api`, from: r.range.from, to: r.range.to } });
      }
      return r;
    },
  );
}

/**
 * Every 30 minutes (ADBRAIN_INTRADAY_MINUTES: 15, 30 or 60): one connection-sync run per active connection — ad platforms,
 * RedTrack and Shopify alike — re-reading today and yesterday (the day run re-reads
 * the settling window); each finished sync triggers alerts-after-sync.
 */
export function createIntradaySyncFunction(inngest: Inngest, runtime: Rt, minutes: 15 | 30 | 60 = 30) {
  const cron = minutes === 60 ? 'TZ=UTC 0 * * * *' : `TZ=UTC */${minutes} * * * *`;
  return inngest.createFunction({ id: 'intraday-sync', triggers: [{ cron }], concurrency: 1 }, async ({ step }) => {
    const rt = await runtime();
    const conns = await step.run('active-connections', async () =>
      rt.db.prisma.connection.findMany({ where: { status: { in: ['active', 'error'] } }, select: { id: true, clientId: true, platform: true } }),
    );
    if (conns.length) {
      await step.sendEvent('sync-connections', conns.map((c) => ({ name: events.connectionSyncRequested.name, data: { connectionId: c.id, clientId: c.clientId, platform: c.platform, intraday: true } })));
    }
    return { connections: conns.length };
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
        const r = await checkAlerts(rt.db, client, { now: rt.now(), sender: senderFor(rt.config.email, rt.config.outboxDir), from: rt.config.email.from, links: actionLinkSignerOf(rt.config), sms: smsSenderOf(rt.config) });
        return { sent: r.sent.length, suppressed: r.suppressed.length };
      });
    },
  );
}

/**
 * After every sync (the 30-minute intraday ones included): the client's rules on the
 * verdicts of its local today, as the intraday alerts read them. Proposals and cooldowns
 * make a re-run harmless; each run says how long after the newest row arrived it acted.
 */
export function createRulesAfterSyncFunction(inngest: Inngest, runtime: Rt) {
  return inngest.createFunction(
    { id: 'rules-after-sync', triggers: [events.syncCompleted], concurrency: [{ key: 'event.data.clientId', limit: 1 }], retries: 3 },
    async ({ event, step }) => {
      const { clientId, to } = events.syncCompleted.schema.parse(event.data);
      const rt = await runtime();
      return step.run(`rules-${clientId}-${to}`, async () => {
        const client = await rt.db.prisma.client.findUnique({ where: { id: clientId } });
        if (!client) return { skipped: 'client no longer exists' };
        if ((await rt.db.prisma.actionRule.count({ where: { clientId, enabled: true } })) === 0) return { skipped: 'no rules' };
        const key = credentialKey(rt.config);
        if (!key || rt.config.actions === 'off') return { skipped: key ? 'ADBRAIN_ACTIONS=off' : 'no encryption key for the connections' };
        const [{ checkRules }, { provisionalFrom }, { localDate }] = await Promise.all([import('../ad-actions/rules.ts'), import('../sources/sync.ts'), import('../time.ts')]);
        const now = rt.now();
        const runs = await checkRules({ db: rt.db, config: rt.config, key, now }, client, localDate(client.timezone, now), await provisionalFrom(rt.db, clientId, now));
        return { runs: runs.map((r) => ({ rule: r.rule, proposed: r.proposed, executed: r.executed, heldBack: r.skipped.length, arrivalToActionMs: r.arrivalToActionMs })) };
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

/** Every minute: the webhook deliveries that are due (first attempts and retries on their schedule). */
export function createWebhookDeliveryFunction(inngest: Inngest, runtime: Rt) {
  return inngest.createFunction({ id: 'webhook-deliveries', triggers: [{ cron: 'TZ=UTC * * * * *' }], concurrency: 1 }, async ({ step }) => {
    const rt = await runtime();
    return step.run('deliver-due', async () => {
      const key = credentialKey(rt.config);
      if (!key) return { skipped: 'no key to open webhook secrets (set ADBRAIN_ENCRYPTION_KEY)' };
      const { runDueDeliveries, webhookOptions } = await import('../webhooks/deliver.ts');
      return runDueDeliveries(rt.db, webhookOptions(rt.config, key, { now: rt.now, sender: senderFor(rt.config.email, rt.config.outboxDir), from: rt.config.email.from }));
    });
  });
}

/** Daily at 03:17 UTC: each agency's retention, in short batches (src/retention/prune.ts); one audit row per agency that lost rows. */
export function createRetentionFunction(inngest: Inngest, runtime: Rt) {
  return inngest.createFunction({ id: 'retention-prune', triggers: [{ cron: 'TZ=UTC 17 3 * * *' }], concurrency: 1 }, async ({ step }) => {
    const rt = await runtime();
    return step.run('prune', async () => {
      const { prune, recordPrune } = await import('../retention/prune.ts');
      const r = await prune(rt.db, { now: rt.now() });
      await recordPrune(rt.db, { kind: 'system', id: null, name: 'retention-prune' }, r);
      return { rows: r.rows, longestBatchMs: r.longestBatchMs };
    });
  });
}

/** Agency roll-ups on their schedules: hourly, each agency at its roll-up hour (its time zone), each period once. */
export function createRollupSweepFunction(inngest: Inngest, runtime: Rt) {
  return inngest.createFunction({ id: 'rollup-sweep', triggers: [{ cron: 'TZ=UTC 5 * * * *' }], concurrency: 1 }, async ({ step }) => {
    const rt = await runtime();
    const now = rt.now();
    const agencies = await step.run('due-agencies', async () => {
      const rows = await rt.db.prisma.agency.findMany({ where: { NOT: { rollupSchedules: { isEmpty: true } } }, select: { id: true, timezone: true, rollupHour: true } });
      return rows.filter((a) => localHour(a.timezone, now) === a.rollupHour).map((a) => a.id);
    });
    const runs = [];
    for (const id of agencies) {
      // One step per agency: a retry resends nothing already sent (the delivery key), and one agency's failure is its own.
      runs.push(...(await step.run(`rollups-${id}`, async () => {
        const { sendDueRollups } = await import('../reports/rollup-schedule.ts');
        return sendDueRollups(rt.db, id, { sender: senderFor(rt.config.email, rt.config.outboxDir), from: rt.config.email.from, now });
      })));
    }
    return { agencies: agencies.length, runs };
  });
}
