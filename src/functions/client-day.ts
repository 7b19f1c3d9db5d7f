// client-day: one client's day as durable steps. Each step calls the same domain
// function `adbrain run` calls in-process; step ids carry the client and the day
// so a retry resumes where it failed instead of redoing finished steps.
import { actionLinkSignerOf } from '../actions/key.ts';
import { smsSenderOf } from '../sms/twilio.ts';
import { credentialKey, syncConnection } from '../sources/sync.ts';
import { redact } from '../crypto/redact.ts';
import type { Inngest } from 'inngest';
import { events } from '../../inngest.config.ts';
import { DAY_STEPS, type DayStep, type StepResult } from '../run/day.ts';
import { reportKey } from '../reports/daily-report.ts';
import type { Runtime } from './runtime.ts';

export function createClientDayFunction(
  inngest: Inngest,
  runtime: () => Promise<Runtime>,
  steps: DayStep[] = DAY_STEPS,
) {
  return inngest.createFunction(
    {
      id: 'client-day',
      triggers: [events.clientDayRequested],
      retries: 4,
      // One day per client at a time (two deliveries of a day never race), and a
      // few clients per agency at once so one big agency cannot starve the rest.
      concurrency: [
        { key: 'event.data.clientId', limit: 1 },
        { key: 'event.data.agencyId', limit: 3 },
      ],
      // After the last retry: the day's report row says what failed.
      onFailure: async ({ event, error }) => {
        const original = (event.data as { event?: { data?: unknown } }).event?.data;
        const parsed = events.clientDayRequested.schema.safeParse(original);
        if (!parsed.success) return;
        const rt = await runtime();
        await recordDayFailure(rt, parsed.data.clientId, parsed.data.date, error.message);
      },
    },
    async ({ event, step }) => {
      const { clientId, date } = events.clientDayRequested.schema.parse(event.data);
      const rt = await runtime();
      const client = await step.run(`load-client-${clientId}-${date}`, async () => {
        const c = await rt.db.prisma.client.findUnique({ where: { id: clientId } });
        return c && { id: c.id, slug: c.slug, name: c.name, currency: c.currency, timezone: c.timezone };
      });
      // A client deleted since the event was sent: end quietly instead of retrying forever.
      if (!client) return { clientId, date, skipped: 'client no longer exists' };
      const results: Record<string, StepResult> = {};
      for (const s of steps) {
        if (s.name === 'sync') {
          results.sync = await syncEachConnection(rt, step, client.id, date);
          continue;
        }
        results[s.name] = await step.run(`${s.name}-${clientId}-${date}`, async () => {
          const ctx = { db: rt.db, client, asOf: date, now: rt.now(), outboxDir: rt.config.outboxDir, llm: rt.config.llm, email: rt.config.email, sources: rt.config.sources, encryptionKey: credentialKey(rt.config), actions: rt.config.actions, actionLinks: actionLinkSignerOf(rt.config), sms: smsSenderOf(rt.config) };
          const r = await s.run(ctx, results);
          // Failing the step lets Inngest retry it with backoff.
          if (r.status === 'failed') throw new Error(`${s.name} failed: ${r.detail}`);
          return JSON.parse(JSON.stringify(r)) as StepResult;
        });
      }
      return { clientId, client: client.slug, date, steps: results };
    },
  );
}

/**
 * The day's sync, one durable step per connection (ids carry connection and day):
 * a retry of the day re-runs only the connection that failed, and a failing
 * platform is recorded without holding up the others or the rest of the day
 * (the connection-sync function keeps retrying it on its own).
 */
async function syncEachConnection(rt: Runtime, step: { run: <T>(id: string, fn: () => Promise<T>) => Promise<unknown> }, clientId: string, date: string): Promise<StepResult> {
  // The day's `sync-<client>-<day>` step lists the connections; each then has its own step.
  const conns = (await step.run(`sync-${clientId}-${date}`, async () =>
    rt.db.prisma.connection.findMany({ where: { clientId, status: { in: ['active', 'error'] } }, select: { id: true, platform: true }, orderBy: { createdAt: 'asc' } }),
  )) as { id: string; platform: string }[];
  if (conns.length === 0) return { status: 'skipped', detail: 'no API connections', data: {} };
  const key = credentialKey(rt.config);
  const out: { connectionId: string; platform: string; status: string; rows: number; error: string | null }[] = [];
  for (const c of conns) {
    const r = (await step.run(`sync-${c.id}-${date}`, async () => {
      if (!key) return { connectionId: c.id, platform: c.platform, status: 'failed', rows: 0, error: 'no key to open connection credentials (set ADBRAIN_ENCRYPTION_KEY)' };
      const res = await syncConnection(rt.db, c.id, { key, sources: rt.config.sources, now: rt.now() });
      return { connectionId: c.id, platform: c.platform, status: res.status, rows: res.rowsFetched, error: res.error ?? null };
    })) as (typeof out)[number];
    out.push(r);
  }
  const failed = out.filter((r) => r.status !== 'succeeded');
  return {
    status: failed.length === out.length ? 'failed' : 'ok',
    detail: out.map((r) => `${r.platform}: ${r.status === 'succeeded' ? `${r.rows} rows` : r.error}`).join('; '),
    data: { results: out },
  };
}

export async function recordDayFailure(rt: Runtime, clientId: string, date: string, message: string) {
  const client = await rt.db.prisma.client.findUnique({ where: { id: clientId }, select: { id: true } });
  if (!client) return;
  const day = new Date(`${date}T00:00:00Z`);
  const key = reportKey(clientId, date);
  const error = `the day failed after its retries: ${redact(message)}`.slice(0, 1000);
  await rt.db.prisma.report.upsert({
    where: { idempotencyKey: key },
    // A report already sent stays sent; only the error is noted.
    update: { error },
    create: { clientId, kind: 'daily', periodStart: day, periodEnd: day, idempotencyKey: key, status: 'failed', error },
  });
}
