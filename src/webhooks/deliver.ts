// Sending recorded deliveries: signed (every live secret), 10 s timeout, only 2xx
// counts, every attempt logged (status, latency, answer excerpt). A failed attempt
// is retried on the Standard Webhooks schedule — 5 s, 5 min, 30 min, 2 h, 5 h, 10 h,
// 10 h after the first (8 attempts, about 27.6 hours) — with the same webhook id;
// then the delivery has failed. After DISABLE_AFTER failed deliveries in a row the
// endpoint is disabled and the agency told (notify emails).
import type { Config } from '../config.ts';
import { escapeHtml } from '../html-escape.ts';
import { redact } from '../crypto/redact.ts';
import { decryptSecret } from '../crypto/secrets.ts';
import type { Db } from '../db/client.ts';
import type { Sender } from '../reports/senders.ts';
import { signedHeaders } from './signing.ts';
import { slackMessage, isSlack } from './slack.ts';
import { assertDeliverable } from './ssrf.ts';
import type { Envelope } from './events.ts';
import { shownUrl } from './shown-url.ts';

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
  return { key, now: config.now, allowPrivate: config.webhooks.allowPrivate, timeoutMs: config.webhooks.timeoutMs, ...extra };
}

type DeliveryRow = NonNullable<Awaited<ReturnType<Db['prisma']['webhookDelivery']['findUnique']>>>;
type EndpointRow = NonNullable<Awaited<ReturnType<Db['prisma']['webhookEndpoint']['findUnique']>>>;

interface Outcome {
  deliveryId: bigint;
  endpointId: string;
  attempt: number;
  at: Date;
  status: number | null;
  latencyMs: number;
  excerpt: string | null;
  error: string | null;
  newStatus: 'succeeded' | 'pending' | 'failed';
  next: Date | null;
  givenUp: boolean;
}

/** The live secrets of an endpoint (the previous one during its grace period). */
function secretsOf(ep: EndpointRow, o: DeliveryOptions, now: Date): string[] {
  const aad = secretAad(ep.agencyId);
  return [decryptSecret(ep.secret, o.key, aad), ...(ep.previousSecret && ep.previousUntil && ep.previousUntil > now ? [decryptSecret(ep.previousSecret, o.key, aad)] : [])];
}

/** Sends one attempt; writes nothing. `check` is the endpoint's SSRF check (done once per endpoint and batch). */
async function send(d: DeliveryRow, ep: EndpointRow, secrets: () => string[], check: () => Promise<unknown>, o: DeliveryOptions, now: Date): Promise<Outcome> {
  const attempt = d.attempts + 1;
  let status: number | null = null;
  let excerpt: string | null = null;
  let error: string | null = null;
  const t0 = performance.now();
  if (!ep.enabled) error = `endpoint disabled${ep.disabledReason ? ` (${ep.disabledReason})` : ''}`;
  else {
    try {
      await check();
      const env = JSON.parse(d.body) as Envelope;
      // A Slack incoming webhook gets a readable message instead of the envelope.
      const body = isSlack(ep.url) ? JSON.stringify(slackMessage(env)) : d.body;
      const ts = Math.floor(now.getTime() / 1000);
      const post = () => (o.fetch ?? fetch)(ep.url, {
        method: 'POST', redirect: 'manual', signal: AbortSignal.timeout(o.timeoutMs),
        headers: { 'content-type': 'application/json', 'user-agent': 'adbrain-webhooks/1', ...signedHeaders(secrets(), d.messageId, ts, body) },
        body,
      });
      let res: Response;
      try {
        res = await post();
      } catch (err) {
        // A kept-alive socket the receiver closed meanwhile fails before anything was
        // sent: one fresh connection at once, not a 5-second wait.
        if (!staleSocket(err)) throw err;
        res = await post();
      }
      status = res.status;
      excerpt = (await res.text()).slice(0, 500);
    } catch (err) {
      const e = err as Error;
      error = redact(e.name === 'TimeoutError' ? `no answer within ${o.timeoutMs} ms` : e.message);
    }
  }
  const latencyMs = Math.round(performance.now() - t0);
  const ok = status !== null && status >= 200 && status < 300;
  const givenUp = !ok && (attempt > RETRY_SCHEDULE_MS.length || !ep.enabled);
  return {
    deliveryId: d.id, endpointId: ep.id, attempt, at: now, status, latencyMs, excerpt, error: error ?? (ok ? null : `HTTP ${status}`),
    newStatus: ok ? 'succeeded' : givenUp ? 'failed' : 'pending', next: ok || givenUp ? null : new Date(now.getTime() + RETRY_SCHEDULE_MS[attempt - 1]!), givenUp: givenUp && ep.enabled,
  };
}

const STALE = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);
const staleSocket = (err: unknown) => {
  const cause = (err as { cause?: { code?: string } }).cause;
  return err instanceof TypeError && STALE.has(String(cause?.code ?? ''));
};

/** Writes a batch of outcomes: the attempt log in one insert, the deliveries by group, the endpoints' streaks. */
async function record(db: Db, outcomes: Outcome[], o: DeliveryOptions) {
  if (!outcomes.length) return;
  const groups = new Map<string, { status: string; attempts: number; next: Date | null; deliveredAt: Date | null; ids: bigint[] }>();
  for (const r of outcomes) {
    const k = `${r.newStatus}|${r.attempt}|${r.next?.getTime() ?? ''}|${r.newStatus === 'succeeded' ? r.at.getTime() : ''}`;
    const g = groups.get(k) ?? groups.set(k, { status: r.newStatus, attempts: r.attempt, next: r.next, deliveredAt: r.newStatus === 'succeeded' ? r.at : null, ids: [] }).get(k)!;
    g.ids.push(r.deliveryId);
  }
  const succeededOn = [...new Set(outcomes.filter((r) => r.newStatus === 'succeeded').map((r) => r.endpointId))];
  await db.prisma.$transaction([
    db.prisma.webhookAttempt.createMany({ data: outcomes.map((r) => ({ deliveryId: r.deliveryId, attempt: r.attempt, at: r.at, status: r.status, latencyMs: r.latencyMs, excerpt: r.excerpt, error: r.error })) }),
    ...[...groups.values()].map((g) => db.prisma.webhookDelivery.updateMany({ where: { id: { in: g.ids } }, data: { status: g.status, attempts: g.attempts, nextAttemptAt: g.next, deliveredAt: g.deliveredAt } })),
    ...(succeededOn.length ? [db.prisma.webhookEndpoint.updateMany({ where: { id: { in: succeededOn } }, data: { failedInARow: 0 } })] : []),
  ]);
  const gaveUp = new Map<string, { n: number; last: string }>();
  for (const r of outcomes) if (r.givenUp) gaveUp.set(r.endpointId, { n: (gaveUp.get(r.endpointId)?.n ?? 0) + 1, last: r.error ?? `HTTP ${r.status}` });
  for (const [id, g] of gaveUp) {
    const e = await db.prisma.webhookEndpoint.update({ where: { id }, data: { failedInARow: { increment: g.n } } });
    if (e.enabled && e.failedInARow >= DISABLE_AFTER) await disable(db, id, `${e.failedInARow} deliveries in a row failed (last: ${g.last})`, o);
  }
}

/** One attempt of one delivery now (a test event); returns its new status. */
export async function attemptDelivery(db: Db, deliveryId: bigint, o: DeliveryOptions): Promise<'succeeded' | 'pending' | 'failed'> {
  const d = await db.prisma.webhookDelivery.findUnique({ where: { id: deliveryId }, include: { endpoint: true } });
  if (!d || d.status !== 'pending') return (d?.status as 'succeeded' | 'failed') ?? 'failed';
  const now = o.now();
  const r = await send(d, d.endpoint, () => secretsOf(d.endpoint, o, now), () => assertDeliverable(d.endpoint.url, o.allowPrivate), o, now);
  await record(db, [r], o);
  return r.newStatus;
}

async function disable(db: Db, endpointId: string, reason: string, o: DeliveryOptions) {
  const ep = await db.prisma.webhookEndpoint.update({ where: { id: endpointId }, data: { enabled: false, disabledAt: o.now(), disabledReason: reason }, include: { agency: true } });
  if (!o.sender || !ep.agency.notifyEmails.length) return;
  const subject = `adbrain disabled the webhook endpoint ${shownUrl(ep.url)}`;
  const text = `${subject}: ${reason}.\n\nFix the receiver, then enable it again: adbrain webhooks enable ${ep.id.slice(0, 8)} --agency ${ep.agency.slug} (or PATCH /v1/webhooks/${ep.id} {"enabled": true}).\n`;
  await o.sender.send({
    idempotencyKey: `webhook-disabled:${ep.id}:${ep.disabledAt!.toISOString()}`, from: o.from ?? 'adbrain <reports@adbrain.local>', to: ep.agency.notifyEmails, subject,
    html: `<p>${escapeHtml(text).replace(/\n/g, '<br>')}</p>`, text, attachments: [],
    outbox: { client: ep.agency.slug, date: ep.disabledAt!.toISOString().slice(0, 10), stem: `webhook-disabled-${ep.id.slice(0, 8)}` },
  });
}

/** Longer than a batch can take (500 deliveries, 16 at a time, each bounded by its timeout). */
const CLAIM_MINUTES = 15;
/** Deliveries sent at once by a batch. */
export const SENDERS = 16;

/**
 * Records outcomes as they arrive, in group commits: while one write is in flight
 * the outcomes that arrive meanwhile wait and go in the next one together. Each
 * caller resolves once its own outcome is written.
 */
function groupRecorder(db: Db, o: DeliveryOptions): (r: Outcome) => Promise<void> {
  let waiting: { r: Outcome; done: (err?: unknown) => void }[] = [];
  let running = false;
  const drain = async () => {
    running = true;
    try {
      // The last emptiness check and `running = false` happen with no await between:
      // an outcome added after it starts a new drain.
      while (waiting.length) {
        const batch = waiting;
        waiting = [];
        const err = await record(db, batch.map((w) => w.r), o).then(() => undefined, (e: unknown) => e ?? new Error('recording failed'));
        for (const w of batch) w.done(err);
      }
    } finally {
      running = false;
    }
  };
  return (r) =>
    new Promise<void>((resolve, reject) => {
      waiting.push({ r, done: (err) => (err ? reject(err) : resolve()) });
      if (!running) void drain();
    });
}

/** Every delivery due by now (a batch): sent 16 at a time, each outcome recorded as it comes (group commits). */
export interface BatchResult {
  attempted: number;
  succeeded: number;
  failed: number;
  /** Why attempts did not go through, per endpoint and reason (a private address, a timeout, HTTP 500 …). */
  problems: { url: string; error: string; count: number }[];
}

export async function runDueDeliveries(db: Db, o: DeliveryOptions, limit = 500): Promise<BatchResult> {
  const now = o.now();
  // Claimed in one statement: a batch of another process (the server's, a CLI
  // command's at exit) skips these, so a receiver — a Slack channel has no webhook-id
  // to dedupe on — gets each once. The claim is pushed past any batch's length;
  // recording the outcome sets the real next attempt, and a batch that dies leaves
  // its deliveries due again once the claim runs out.
  const claimed = await db.sql.query<{ id: string }>(
    `UPDATE webhook_delivery SET next_attempt_at = $2::timestamptz + interval '${CLAIM_MINUTES} minutes'
      WHERE id IN (SELECT id FROM webhook_delivery WHERE status = 'pending' AND next_attempt_at <= $2::timestamptz
                    ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
      RETURNING id::text`,
    [limit, now],
  );
  if (!claimed.length) return { attempted: 0, succeeded: 0, failed: 0, problems: [] };
  const due = await db.prisma.webhookDelivery.findMany({ where: { id: { in: claimed.map((c) => BigInt(c.id)) } }, orderBy: { id: 'asc' }, include: { endpoint: true } });
  // Per endpoint, once per batch: its secrets and its SSRF check.
  const secrets = new Map<string, string[]>();
  const checks = new Map<string, Promise<unknown>>();
  const outcomes: Outcome[] = [];
  const queue = [...due];
  const recorder = groupRecorder(db, o);
  await Promise.all(Array.from({ length: SENDERS }, async () => {
    for (let d = queue.shift(); d; d = queue.shift()) {
      const ep = d.endpoint;
      const sec = () => secrets.get(ep.id) ?? secrets.set(ep.id, secretsOf(ep, o, now)).get(ep.id)!;
      const check = () => checks.get(ep.id) ?? checks.set(ep.id, assertDeliverable(ep.url, o.allowPrivate)).get(ep.id)!;
      const r = await send(d, ep, sec, check, o, now);
      outcomes.push(r);
      // Recorded before this sender takes the next one: a crash repeats at most
      // the deliveries in flight (one per sender), not the whole batch.
      await recorder(r);
    }
  }));
  const urls = new Map(due.map((d) => [d.endpoint.id, shownUrl(d.endpoint.url)]));
  const problems = new Map<string, BatchResult['problems'][number]>();
  for (const r of outcomes) {
    if (r.newStatus === 'succeeded' || !r.error) continue;
    const k = `${r.endpointId}\u0000${r.error}`;
    const p = problems.get(k) ?? problems.set(k, { url: urls.get(r.endpointId) ?? r.endpointId, error: r.error, count: 0 }).get(k)!;
    p.count++;
  }
  return { attempted: outcomes.length, succeeded: outcomes.filter((r) => r.newStatus === 'succeeded').length, failed: outcomes.filter((r) => r.newStatus === 'failed').length, problems: [...problems.values()] };
}
