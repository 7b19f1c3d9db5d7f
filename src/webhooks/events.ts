// The events adbrain pushes, in one versioned envelope:
//   { id, type, version: 1, created_at, agency: { id, slug }, client: { id, slug, name } | null, data }
// Emitting only records a delivery per subscribed endpoint (in the caller's
// transaction when it has one); signing and sending happen in deliver.ts, so no
// emitter needs the secrets, and an event is never lost when a receiver is down.
import { randomBytes } from 'node:crypto';
import type { Db } from '../db/client.ts';

export const EVENT_TYPES = ['insight.created', 'insight.status_changed', 'alert.sent', 'report.sent', 'sync.failed', 'connection.needs_reauth', 'test.decided', 'webhook.test'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface Envelope {
  id: string;
  type: EventType;
  version: 1;
  created_at: string;
  agency: { id: string; slug: string };
  client: { id: string; slug: string; name: string } | null;
  data: Record<string, unknown>;
}

/** msg_ + 24 random base62-ish characters: one id per event and endpoint, the same on every retry. */
export const messageId = () => `msg_${randomBytes(18).toString('base64url')}`;

let enqueued = 0;
/** Deliveries recorded by this process since the last look (a CLI command delivers them before it exits). */
export const takeEnqueued = () => {
  const n = enqueued;
  enqueued = 0;
  return n;
};

/** Whether anyone listens to the client's agency (skips building events nobody receives). */
export async function anyEndpoint(db: Pick<Db, 'prisma'>, clientId: string): Promise<boolean> {
  return (await db.prisma.webhookEndpoint.count({ where: { enabled: true, agency: { clients: { some: { id: clientId } } } } })) > 0;
}

/** Records the event for every enabled endpoint of the agency that takes its type. */
export async function emitEvent(db: Pick<Db, 'prisma'>, e: { clientId?: string; agencyId?: string; type: EventType; data: Record<string, unknown>; now: Date; onlyEndpointId?: string }): Promise<number> {
  const client = e.clientId ? await db.prisma.client.findUnique({ where: { id: e.clientId }, select: { id: true, slug: true, name: true, agencyId: true } }) : null;
  const agencyId = e.agencyId ?? client?.agencyId;
  if (!agencyId) return 0;
  const endpoints = await db.prisma.webhookEndpoint.findMany({
    // A test event goes to the endpoint asked for, whatever it subscribes to.
    where: { agencyId, enabled: true, ...(e.onlyEndpointId ? { id: e.onlyEndpointId } : { OR: [{ events: { isEmpty: true } }, { events: { has: e.type } }] }) },
    include: { agency: { select: { id: true, slug: true } } },
  });
  if (!endpoints.length) return 0;
  await db.prisma.webhookDelivery.createMany({
    data: endpoints.map((ep) => {
      const id = messageId();
      const env: Envelope = {
        id, type: e.type, version: 1, created_at: e.now.toISOString(), agency: ep.agency,
        client: client ? { id: client.id, slug: client.slug, name: client.name } : null, data: e.data,
      };
      return { endpointId: ep.id, messageId: id, eventType: e.type, body: JSON.stringify(env), nextAttemptAt: e.now };
    }),
  });
  enqueued += endpoints.length;
  return endpoints.length;
}
