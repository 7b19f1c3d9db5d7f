// Sending recorded deliveries: signed (every live secret), 10 s timeout, only 2xx
// counts, every attempt logged (status, latency, answer excerpt). A failed attempt
// is retried on the Standard Webhooks schedule — 5 s, 5 min, 30 min, 2 h, 5 h, 10 h,
// 10 h after the first (8 attempts, about 27.6 hours) — with the same webhook id;
// then the delivery has failed. After DISABLE_AFTER failed deliveries in a row the
// endpoint is disabled and the agency told (notify emails).
import type { Config } from '../config.ts';
import { redact } from '../crypto/redact.ts';
import { decryptSecret } from '../crypto/secrets.ts';
import type { Db } from '../db/client.ts';
import type { Sender } from '../reports/senders.ts';
import { signedHeaders } from './signing.ts';
import { slackMessage, isSlack } from './slack.ts';
import { assertDeliverable } from './ssrf.ts';
import type { Envelope } from './events.ts';

/** Delay before attempt k+1 (ms), k = attempts made. */
export const RETRY_SCHEDULE_MS = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];
export const DISABLE_AFTER = 5;

export interface DeliveryOptions {
  key: Buffer;
  now: () => Date;
  allowPrivate: boolean;
  timeoutMs: number;
  sender?: Sender;
  from?: string;
  fetch?: typeof fetch;
}

export const secretAad = (agencyId: string) => `webhook:${agencyId}`;

export function webhookOptions(config: Config, key: Buffer, extra: Partial<DeliveryOptions> = {}): DeliveryOptions {
  return { key, now: () => new Date(), allowPrivate: config.webhooks.allowPrivate, timeoutMs: config.webhooks.timeoutMs, ...extra };
}

/** One attempt of one delivery; returns its new status. */
export async function attemptDelivery(db: Db, deliveryId: bigint, o: DeliveryOptions): Promise<'succeeded' | 'pending' | 'failed'> {
  const d = await db.prisma.webhookDelivery.findUnique({ where: { id: deliveryId }, include: { endpoint: { include: { agency: true } } } });
  if (!d || d.status !== 'pending') return (d?.status as 'succeeded' | 'failed') ?? 'failed';
  const ep = d.endpoint;
  const now = o.now();
  const attempt = d.attempts + 1;
  let status: number | null = null;
  let excerpt: string | null = null;
  let error: string | null = null;
  const t0 = performance.now();
  if (!ep.enabled) error = `endpoint disabled${ep.disabledReason ? ` (${ep.disabledReason})` : ''}`;
  else {
    try {
      await assertDeliverable(ep.url, o.allowPrivate);
      const aad = secretAad(ep.agencyId);
      const secrets = [decryptSecret(ep.secret, o.key, aad), ...(ep.previousSecret && ep.previousUntil && ep.previousUntil > now ? [decryptSecret(ep.previousSecret, o.key, aad)] : [])];
      const env = JSON.parse(d.body) as Envelope;
      // A Slack incoming webhook gets a readable message instead of the envelope.
      const body = isSlack(ep.url) ? JSON.stringify(slackMessage(env)) : d.body;
      const ts = Math.floor(now.getTime() / 1000);
      const res = await (o.fetch ?? fetch)(ep.url, {
        method: 'POST', redirect: 'manual', signal: AbortSignal.timeout(o.timeoutMs),
        headers: { 'content-type': 'application/json', 'user-agent': 'adbrain-webhooks/1', ...signedHeaders(secrets, d.messageId, ts, body) },
        body,
      });
      status = res.status;
      excerpt = (await res.text()).slice(0, 500);
    } catch (err) {
      const e = err as Error;
      error = redact(e.name === 'TimeoutError' ? `no answer within ${o.timeoutMs} ms` : e.message);
    }
  }
  const latencyMs = Math.round(performance.now() - t0);
  const ok = status !== null && status >= 200 && status < 300;
  const giveUp = !ok && (attempt > RETRY_SCHEDULE_MS.length || !ep.enabled);
  const next = ok || giveUp ? null : new Date(now.getTime() + RETRY_SCHEDULE_MS[attempt - 1]!);
  const newStatus = ok ? 'succeeded' : giveUp ? 'failed' : 'pending';
  await db.prisma.$transaction([
    db.prisma.webhookAttempt.create({ data: { deliveryId, attempt, at: now, status, latencyMs, excerpt, error: error ?? (ok ? null : `HTTP ${status}`) } }),
    db.prisma.webhookDelivery.update({ where: { id: deliveryId }, data: { attempts: attempt, status: newStatus, nextAttemptAt: next, deliveredAt: ok ? now : null } }),
    ...(ok ? [db.prisma.webhookEndpoint.update({ where: { id: ep.id }, data: { failedInARow: 0 } })] : []),
  ]);
  if (giveUp && ep.enabled) {
    const e = await db.prisma.webhookEndpoint.update({ where: { id: ep.id }, data: { failedInARow: { increment: 1 } } });
    if (e.failedInARow >= DISABLE_AFTER) await disable(db, ep.id, `${e.failedInARow} deliveries in a row failed (last: ${error ?? `HTTP ${status}`})`, o);
  }
  return newStatus;
}

async function disable(db: Db, endpointId: string, reason: string, o: DeliveryOptions) {
  const ep = await db.prisma.webhookEndpoint.update({ where: { id: endpointId }, data: { enabled: false, disabledAt: o.now(), disabledReason: reason }, include: { agency: true } });
  if (!o.sender || !ep.agency.notifyEmails.length) return;
  const subject = `adbrain disabled the webhook endpoint ${ep.url}`;
  const text = `${subject}: ${reason}.\n\nFix the receiver, then enable it again: adbrain webhooks enable ${ep.id.slice(0, 8)} --agency ${ep.agency.slug} (or PATCH /v1/webhooks/${ep.id} {"enabled": true}).\n`;
  await o.sender.send({
    idempotencyKey: `webhook-disabled:${ep.id}:${ep.disabledAt!.toISOString()}`, from: o.from ?? 'adbrain <reports@adbrain.local>', to: ep.agency.notifyEmails, subject,
    html: `<p>${text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/\n/g, '<br>')}</p>`, text, attachments: [],
    outbox: { client: ep.agency.slug, date: ep.disabledAt!.toISOString().slice(0, 10), stem: `webhook-disabled-${ep.id.slice(0, 8)}` },
  });
}

/** Every delivery due by now (a batch), attempted a few at a time. */
export async function runDueDeliveries(db: Db, o: DeliveryOptions, limit = 200): Promise<{ attempted: number; succeeded: number; failed: number }> {
  const due = await db.prisma.webhookDelivery.findMany({ where: { status: 'pending', nextAttemptAt: { lte: o.now() } }, orderBy: { nextAttemptAt: 'asc' }, take: limit, select: { id: true } });
  const out = { attempted: 0, succeeded: 0, failed: 0 };
  const queue = [...due];
  await Promise.all(Array.from({ length: 8 }, async () => {
    for (let d = queue.shift(); d; d = queue.shift()) {
      const s = await attemptDelivery(db, d.id, o);
      out.attempted++;
      if (s === 'succeeded') out.succeeded++;
      if (s === 'failed') out.failed++;
    }
  }));
  return out;
}
