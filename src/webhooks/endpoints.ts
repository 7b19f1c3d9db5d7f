// Webhook endpoints of an agency. The secret (whsec_…) is shown once, when made or
// rotated, and stored encrypted; a rotation keeps the previous secret signing too
// for a grace period, so receivers can switch without losing a message.
import { decryptSecret, encryptSecret } from '../crypto/secrets.ts';
import type { Db } from '../db/client.ts';
import { AppError } from '../errors.ts';
import { attemptDelivery, secretAad, type DeliveryOptions } from './deliver.ts';
import { EVENT_TYPES, emitEvent, type EventType } from './events.ts';
import { newSecret } from './signing.ts';
import { assertDeliverable } from './ssrf.ts';
import { shownUrl } from './shown-url.ts';

export const ROTATION_GRACE_HOURS = 24;

type Row = NonNullable<Awaited<ReturnType<Db['prisma']['webhookEndpoint']['findUnique']>>>;

export function endpointOut(e: Row) {
  return {
    id: e.id, url: e.url, description: e.description, events: e.events, enabled: e.enabled,
    rotating: Boolean(e.previousSecret && e.previousUntil), previousSecretUntil: e.previousUntil?.toISOString() ?? null,
    failedInARow: e.failedInARow, disabledAt: e.disabledAt?.toISOString() ?? null, disabledReason: e.disabledReason, createdAt: e.createdAt.toISOString(),
  };
}

const checkEvents = (events: string[]) => {
  const bad = events.filter((t) => !(EVENT_TYPES as readonly string[]).includes(t));
  if (bad.length) throw new AppError('invalid_input', `events: ${bad.join(', ')} — choose from ${EVENT_TYPES.join(', ')}`, [{ path: 'body.events', message: 'unknown event type' }]);
};

export async function addEndpoint(db: Db, key: Buffer, agencyId: string, input: { url: string; description?: string; events?: string[] }, allowPrivate: boolean) {
  const url = (await assertDeliverable(input.url, allowPrivate)).toString();
  checkEvents(input.events ?? []);
  const secret = newSecret();
  const e = await db.prisma.webhookEndpoint.create({ data: { agencyId, url, description: input.description ?? '', events: input.events ?? [], secret: encryptSecret(secret, key, secretAad(agencyId)) } });
  return { endpoint: endpointOut(e), secret };
}

export async function findEndpoint(db: Db, agencyId: string, ref: string) {
  const rows = await db.prisma.webhookEndpoint.findMany({ where: { agencyId } });
  const hit = rows.filter((e) => e.id === ref || (ref.length >= 8 && e.id.startsWith(ref)) || e.url === ref);
  if (hit.length !== 1) throw new AppError('not_found', `no webhook endpoint "${ref}" in this agency (adbrain webhooks list --agency …)`);
  return hit[0]!;
}

export async function rotateSecret(db: Db, key: Buffer, agencyId: string, ref: string, now: Date) {
  const e = await findEndpoint(db, agencyId, ref);
  const aad = secretAad(agencyId);
  const secret = newSecret();
  const updated = await db.prisma.webhookEndpoint.update({
    where: { id: e.id },
    data: { secret: encryptSecret(secret, key, aad), previousSecret: encryptSecret(decryptSecret(e.secret, key, aad), key, aad), previousUntil: new Date(now.getTime() + ROTATION_GRACE_HOURS * 3_600_000) },
  });
  return { endpoint: endpointOut(updated), secret };
}

export async function updateEndpoint(db: Db, agencyId: string, ref: string, input: { enabled?: boolean; description?: string; events?: string[] }) {
  const e = await findEndpoint(db, agencyId, ref);
  if (input.events) checkEvents(input.events);
  const updated = await db.prisma.webhookEndpoint.update({
    where: { id: e.id },
    data: { ...input, ...(input.enabled === true && { failedInARow: 0, disabledAt: null, disabledReason: null }) },
  });
  return endpointOut(updated);
}

export async function removeEndpoint(db: Db, agencyId: string, ref: string) {
  const e = await findEndpoint(db, agencyId, ref);
  await db.prisma.webhookEndpoint.delete({ where: { id: e.id } });
  return endpointOut(e);
}

/** Sends a webhook.test event to this endpoint now and answers how the attempt went. */
export async function sendTest(db: Db, agencyId: string, ref: string, o: DeliveryOptions) {
  const e = await findEndpoint(db, agencyId, ref);
  if (!e.enabled) throw new AppError('conflict', `endpoint ${shownUrl(e.url)} is disabled${e.disabledReason ? ` (${e.disabledReason})` : ''}; enable it first`);
  await emitEvent(db, { agencyId, type: 'webhook.test' as EventType, data: { message: 'a test event from adbrain' }, now: o.now(), onlyEndpointId: e.id });
  const d = await db.prisma.webhookDelivery.findFirstOrThrow({ where: { endpointId: e.id, eventType: 'webhook.test' }, orderBy: { id: 'desc' } });
  const status = await attemptDelivery(db, d.id, o);
  const log = await db.prisma.webhookAttempt.findFirstOrThrow({ where: { deliveryId: d.id }, orderBy: { id: 'desc' } });
  return { messageId: d.messageId, delivered: status === 'succeeded', status: log.status, latencyMs: log.latencyMs, error: log.error, excerpt: log.excerpt };
}
