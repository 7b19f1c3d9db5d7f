// The Inngest client and the one typed catalogue of adbrain's events. Every
// function parses its event against these schemas before doing anything.
import { eventType, Inngest } from 'inngest';
import { z } from 'zod';
import { loadConfig } from './src/config.ts';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');

export const events = {
  /** Run one client's day (sync → brain → insights → report → alerts). id: `${clientId}:${date}` */
  clientDayRequested: eventType('adbrain/client.day.requested', {
    schema: z.object({ clientId: z.uuid(), date: day, agencyId: z.uuid().optional() }),
  }),
  /** Run the brain now for one client; no email unless asked. */
  analysisRequested: eventType('adbrain/analysis.requested', {
    schema: z.object({ clientId: z.uuid(), asOf: day.optional(), requestedBy: z.string().min(1), email: z.boolean().optional(), runId: z.uuid().optional() }),
  }),
  /** A source finished syncing a date range for a client. */
  syncCompleted: eventType('adbrain/sync.completed', {
    schema: z.object({ clientId: z.uuid(), source: z.string().min(1), from: day, to: day }),
  }),
  /** Sync one connection now: its settling window, a pending backfill, or from/to. */
  connectionSyncRequested: eventType('adbrain/connection.sync.requested', {
    schema: z.object({ connectionId: z.uuid(), clientId: z.uuid(), platform: z.string().min(1), from: day.optional(), to: day.optional(), intraday: z.boolean().optional() }),
  }),
  /** A user moved an insight through the inbox. */
  insightStatusChanged: eventType('adbrain/insight.status.changed', {
    schema: z.object({
      insightId: z.uuid(),
      clientId: z.uuid(),
      from: z.enum(['PENDING', 'IN_PROGRESS', 'APPLIED', 'DISMISSED', 'RESOLVED']),
      to: z.enum(['PENDING', 'IN_PROGRESS', 'APPLIED', 'DISMISSED', 'RESOLVED']),
      actor: z.string().min(1),
    }),
  }),
};

export function createInngest(config = loadConfig()) {
  return new Inngest({
    id: 'adbrain',
    isDev: config.inngest.isDev,
    signingKey: config.inngest.signingKey,
    eventKey: config.inngest.eventKey,
    baseUrl: config.inngest.baseUrl,
  });
}

export const inngest = createInngest();
