// The events adbrain pushes, in one versioned envelope:
//   { id, type, version: 1, created_at, agency: { id, slug }, client: { id, slug, name } | null, data }
// Emitting only records a delivery per subscribed endpoint (in the caller's
// transaction when it has one); signing and sending happen in deliver.ts, so no
// emitter needs the secrets, and an event is never lost when a receiver is down.
import { randomBytes } from 'node:crypto';
import type { Db } from '../db/client.ts';
import { isSlack } from './slack.ts';

export const EVENT_TYPES = ['insight.created', 'insight.status_changed', 'alert.sent', 'report.sent', 'sync.failed', 'connection.needs_reauth', 'test.decided', 'action.executed', 'action.undone', 'webhook.test'] as const;
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

/** One Slack message for a batch of events of one type: its headline, a line per event (in the batch's order), and where the full list is. */
export interface SlackDigest {
  headline: string;
  line: (data: Record<string, unknown>) => string;
  where: string;
}
/**
 * Lists people read — the alert digest email and a Slack digest: this many items
 * at once, or more, are one message, not one each; and a list shows this many (Slack
 * cuts a message past 40,000 characters, people stop reading far sooner).
 */
export const DIGEST_FROM = 4;
export const DIGEST_SHOWN = 15;

export type NewEvent = { clientId?: string; agencyId?: string; type: EventType; data: Record<string, unknown>; now: Date; onlyEndpointId?: string };

/** Records the event for every enabled endpoint of the agency that takes its type. */
export async function emitEvent(db: Pick<Db, 'prisma'>, e: NewEvent): Promise<number> {
  return emitEvents(db, [e]);
}

/**
 * Records events of one client (or agency): one lookup of the client and its
 * endpoints and one insert for all of them, however many there are (a brain run
 * that opens fifty insights).
 */
export async function emitEvents(db: Pick<Db, 'prisma'>, events: NewEvent[], opts: { slackDigest?: SlackDigest } = {}): Promise<number> {
  const first = events[0];
  if (!first) return 0;
  const client = first.clientId ? await db.prisma.client.findUnique({ where: { id: first.clientId }, select: { id: true, slug: true, name: true, agencyId: true } }) : null;
  const agencyId = first.agencyId ?? client?.agencyId;
  if (!agencyId) return 0;
  const endpoints = await db.prisma.webhookEndpoint.findMany({
    where: { agencyId, enabled: true, ...(first.onlyEndpointId ? { id: first.onlyEndpointId } : {}) },
    include: { agency: { select: { id: true, slug: true } } },
  });
  const rows = [];
  // A Slack channel is read by people: a batch sent as one digest email is one message
  // there too (machines still get every event, one envelope each).
  const digestTo = new Set<string>();
  if (opts.slackDigest && events.length >= DIGEST_FROM) {
    for (const ep of endpoints) {
      if (!isSlack(ep.url) || (ep.events.length && !ep.events.includes(first.type))) continue;
      digestTo.add(ep.id);
      const id = messageId();
      const lines = events.slice(0, DIGEST_SHOWN).map((e) => opts.slackDigest!.line(e.data));
      const env: Envelope = {
        id, type: first.type, version: 1, created_at: first.now.toISOString(), agency: ep.agency,
        client: client ? { id: client.id, slug: client.slug, name: client.name } : null,
        data: { headline: opts.slackDigest.headline, lines, more: events.length - lines.length, where: opts.slackDigest.where },
      };
      rows.push({ endpointId: ep.id, messageId: id, eventType: first.type, body: JSON.stringify(env), nextAttemptAt: first.now });
    }
  }
  for (const e of events) {
    // A test event goes to the endpoint asked for, whatever it subscribes to.
    for (const ep of endpoints) {
      if (digestTo.has(ep.id)) continue;
      if (!e.onlyEndpointId && ep.events.length && !ep.events.includes(e.type)) continue;
      const id = messageId();
      const env: Envelope = {
        id, type: e.type, version: 1, created_at: e.now.toISOString(), agency: ep.agency,
        client: client ? { id: client.id, slug: client.slug, name: client.name } : null, data: e.data,
      };
      rows.push({ endpointId: ep.id, messageId: id, eventType: e.type, body: JSON.stringify(env), nextAttemptAt: e.now });
    }
  }
  if (!rows.length) return 0;
  await db.prisma.webhookDelivery.createMany({ data: rows });
  enqueued += rows.length;
  return rows.length;
}
