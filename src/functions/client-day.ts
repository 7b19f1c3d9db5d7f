// client-day: one client's day as durable steps. Each step calls the same domain
// function `adbrain run` calls in-process; step ids carry the client and the day
// so a retry resumes where it failed instead of redoing finished steps.
import type { Inngest } from 'inngest';
import { events } from '../../inngest.config.ts';
import { DAY_STEPS, type DayStep, type StepResult } from '../run/day.ts';
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
      // One client's day at a time, so two deliveries of the same day never race.
      concurrency: [{ key: 'event.data.clientId', limit: 1 }],
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
        results[s.name] = await step.run(`${s.name}-${clientId}-${date}`, async () => {
          const r = await s.run({ db: rt.db, client, asOf: date, now: rt.now(), outboxDir: rt.config.outboxDir, llm: rt.config.llm, email: rt.config.email }, results);
          // Failing the step lets Inngest retry it with backoff.
          if (r.status === 'failed') throw new Error(`${s.name} failed: ${r.detail}`);
          return JSON.parse(JSON.stringify(r)) as StepResult;
        });
      }
      return { clientId, client: client.slug, date, steps: results };
    },
  );
}

