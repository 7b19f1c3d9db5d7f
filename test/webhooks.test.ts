// Outbound webhooks: Standard Webhooks signatures (the specification's example, and
// verified by the standardwebhooks package as a receiver would), delivery to a
// loopback receiver with the retry schedule and one webhook id, rotation signing
// with both secrets, SSRF refusals, Slack messages, and an endpoint disabled after
// failing deliveries in a row, the agency told.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readdir } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addAgency } from '../src/domain/agencies.ts';
import { addClient } from '../src/domain/clients.ts';
import { outboxSender } from '../src/reports/senders.ts';
import { attemptDelivery, DISABLE_AFTER, RETRY_SCHEDULE_MS, runDueDeliveries, type DeliveryOptions } from '../src/webhooks/deliver.ts';
import { addEndpoint, rotateSecret, sendTest, updateEndpoint } from '../src/webhooks/endpoints.ts';
import { emitEvent } from '../src/webhooks/events.ts';
import { sign } from '../src/webhooks/signing.ts';
import { slackMessage } from '../src/webhooks/slack.ts';
import { assertDeliverable, isPrivateAddress } from '../src/webhooks/ssrf.ts';
import { freshDb, type TestDb } from './helpers/db.ts';

interface Hit { headers: http.IncomingHttpHeaders; body: string }

async function receiver(answer: () => number) {
  const hits: Hit[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      hits.push({ headers: req.headers, body });
      res.writeHead(answer(), { 'content-type': 'text/plain' });
      res.end('ok thanks');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, hits, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('webhooks', () => {
  let db: TestDb;
  let agencyId: string;
  let clientId: string;
  const key = randomBytes(32);
  // Near the real time: receivers check a signature's timestamp against their clock.
  let clock = new Date();
  let outbox: string;
  const opts = (): DeliveryOptions => ({ key, now: () => clock, allowPrivate: true, timeoutMs: 2_000, sender: outboxSender(outbox), from: 'a@x.test' });

  beforeAll(async () => {
    db = await freshDb('pglite');
    outbox = await mkdtemp(path.join(tmpdir(), 'adbrain-webhooks-'));
    const agency = await addAgency(db.prisma, { slug: 'hooks', name: 'Hooks' });
    agencyId = agency.id;
    await db.prisma.agency.update({ where: { id: agencyId }, data: { notifyEmails: ['ops@hooks.example'] } });
    clientId = (await addClient(db.prisma, { slug: 'hooked', agency: 'hooks' })).id;
  });
  afterAll(async () => db?.destroy());

  it('signs as the specification\'s example does', () => {
    expect(sign('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}')).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('delivers a signed envelope a Standard Webhooks receiver accepts; a failure is retried with the same id on the schedule', async () => {
    let code = 503;
    const r = await receiver(() => code);
    try {
      const { endpoint, secret } = await addEndpoint(db, key, agencyId, { url: r.url, events: ['alert.sent'] }, true);
      expect(secret).toMatch(/^whsec_/);
      expect(await emitEvent(db, { clientId, type: 'insight.created', data: {}, now: clock })).toBe(0);
      expect(await emitEvent(db, { clientId, type: 'alert.sent', data: { headline: 'Link X burns $120 a day', numbers: 'spend $180, revenue $20', action: 'pause it' }, now: clock })).toBe(1);
      expect(await runDueDeliveries(db, opts())).toMatchObject({ attempted: 1, succeeded: 0 });
      const d = await db.prisma.webhookDelivery.findFirstOrThrow({ where: { endpointId: endpoint.id } });
      expect(d).toMatchObject({ status: 'pending', attempts: 1, nextAttemptAt: new Date(clock.getTime() + RETRY_SCHEDULE_MS[0]!) });
      // Not due yet: nothing is sent.
      expect((await runDueDeliveries(db, opts())).attempted).toBe(0);
      clock = new Date(clock.getTime() + 5_000);
      code = 200;
      expect(await runDueDeliveries(db, opts())).toMatchObject({ attempted: 1, succeeded: 1 });
      expect(r.hits).toHaveLength(2);
      expect(r.hits[0]!.headers['webhook-id']).toBe(r.hits[1]!.headers['webhook-id']);
      const hit = r.hits[1]!;
      const verified = new Webhook(secret).verify(hit.body, { 'webhook-id': String(hit.headers['webhook-id']), 'webhook-timestamp': String(hit.headers['webhook-timestamp']), 'webhook-signature': String(hit.headers['webhook-signature']) });
      expect(verified).toMatchObject({ type: 'alert.sent', version: 1, agency: { slug: 'hooks' }, client: { slug: 'hooked' }, data: { headline: 'Link X burns $120 a day' } });
      const log = await db.prisma.webhookAttempt.findMany({ where: { deliveryId: d.id }, orderBy: { attempt: 'asc' } });
      expect(log.map((l) => [l.attempt, l.status, l.error])).toEqual([[1, 503, 'HTTP 503'], [2, 200, null]]);
      expect(log[1]!.excerpt).toBe('ok thanks');
    } finally {
      await r.close();
    }
  });

  it('a rotated secret signs alongside the old one for a day: receivers on either verify', async () => {
    const r = await receiver(() => 204);
    try {
      const { endpoint, secret: old } = await addEndpoint(db, key, agencyId, { url: r.url }, true);
      const { secret: fresh } = await rotateSecret(db, key, agencyId, endpoint.id, clock);
      const t = await sendTest(db, agencyId, endpoint.id, opts());
      expect(t).toMatchObject({ delivered: true, status: 204 });
      const h = r.hits[0]!;
      const headers = { 'webhook-id': String(h.headers['webhook-id']), 'webhook-timestamp': String(h.headers['webhook-timestamp']), 'webhook-signature': String(h.headers['webhook-signature']) };
      expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
      expect(new Webhook(old).verify(h.body, headers)).toMatchObject({ type: 'webhook.test' });
      expect(new Webhook(fresh).verify(h.body, headers)).toMatchObject({ type: 'webhook.test' });
      // After the grace period only the new secret signs.
      clock = new Date(clock.getTime() + 25 * 3_600_000);
      await sendTest(db, agencyId, endpoint.id, opts());
      expect(String(r.hits[1]!.headers['webhook-signature']).split(' ')).toHaveLength(1);
    } finally {
      await r.close();
    }
  });

  it('gives up after the schedule; five deliveries in a row failed disable the endpoint and tell the agency', async () => {
    const r = await receiver(() => 500);
    try {
      const { endpoint } = await addEndpoint(db, key, agencyId, { url: r.url, events: ['sync.failed'] }, true);
      for (let k = 0; k < DISABLE_AFTER; k++) await emitEvent(db, { clientId, type: 'sync.failed', data: { platform: 'meta', error: 'x' }, now: clock });
      for (let round = 0; round <= RETRY_SCHEDULE_MS.length; round++) {
        await runDueDeliveries(db, opts());
        clock = new Date(clock.getTime() + (RETRY_SCHEDULE_MS[round] ?? 0) + 1);
      }
      const ds = await db.prisma.webhookDelivery.findMany({ where: { endpointId: endpoint.id } });
      expect(ds.every((d) => d.status === 'failed' && d.attempts === RETRY_SCHEDULE_MS.length + 1)).toBe(true);
      // 8 attempts over about 27.6 hours.
      expect(RETRY_SCHEDULE_MS.reduce((a, b) => a + b, 0) / 3_600_000).toBeCloseTo(27.6, 1);
      const e = await db.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } });
      expect(e).toMatchObject({ enabled: false, disabledReason: expect.stringMatching(/5 deliveries in a row failed \(last: HTTP 500\)/) });
      const mails = (await readdir(path.join(outbox, 'hooks'), { recursive: true })).filter((f) => String(f).endsWith('.eml'));
      expect(mails.some((f) => String(f).includes(`webhook-disabled-${endpoint.id.slice(0, 8)}`))).toBe(true);
      // No more events for it until it is enabled again.
      expect(await emitEvent(db, { clientId, type: 'sync.failed', data: {}, now: clock })).toBe(0);
      expect((await updateEndpoint(db, agencyId, endpoint.id, { enabled: true })).failedInARow).toBe(0);
    } finally {
      await r.close();
    }
  });

  it('refuses private, loopback and link-local receivers unless allowed', async () => {
    for (const u of ['http://127.0.0.1/x', 'http://10.1.2.3/x', 'http://169.254.169.254/latest/meta-data', 'http://[::1]/x', 'http://192.168.0.10/', 'http://localhost:8080/']) {
      await expect(assertDeliverable(u, false)).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/private or local address/) });
    }
    await expect(assertDeliverable('ftp://example.com/x', false)).rejects.toMatchObject({ message: expect.stringMatching(/only http\(s\)/) });
    await expect(assertDeliverable('https://user:pw@example.com/x', false)).rejects.toMatchObject({ message: expect.stringMatching(/credentials in the URL/) });
    expect(isPrivateAddress('8.8.8.8')).toBe(false);
    expect(isPrivateAddress('100.64.1.1')).toBe(true);
    expect(isPrivateAddress('::ffff:10.0.0.1')).toBe(true);
    expect(isPrivateAddress('2606:4700::1111')).toBe(false);
    // IPv6 forms that carry a private IPv4 inside (IPv4-compatible, NAT64, 6to4), Teredo, and the documentation ranges.
    for (const host of ['[::127.0.0.1]', '[::a9fe:a9fe]', '[64:ff9b::a9fe:a9fe]', '[64:ff9b::127.0.0.1]', '[2002:a9fe:a9fe::]', '[2002:7f00:1::1]', '[2001:0:4136:e378:8000:63bf:3fff:fdd2]', '[2001:db8::1]', '[64:ff9b:1::1]', '198.51.100.7', '203.0.113.9', '192.0.2.1', '[::ffff:a9fe:a9fe]', '[0:0:0:0:0:0:0:1]', '[::]']) {
      await expect(assertDeliverable(`http://${host}/x`, false), host).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/private or local address/) });
    }
    // The same forms around a public address are public.
    expect(isPrivateAddress('64:ff9b::808:808')).toBe(false);
    expect(isPrivateAddress('2002:808:808::1')).toBe(false);
    await expect(assertDeliverable('http://127.0.0.1/x', true)).resolves.toBeInstanceOf(URL);
    await expect(addEndpoint(db, key, agencyId, { url: 'http://10.0.0.5/hook' }, false)).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('REST: add (secret once), list (never the secret), test, deliveries with their attempts, disable; a private URL is 422 unless allowed; members get 403', async () => {
    const { createApp } = await import('../src/api/app.ts');
    const { apiDeps } = await import('../src/api/server.ts');
    const { loadConfig } = await import('../src/config.ts');
    const { createApiKey } = await import('../src/domain/api-keys.ts');
    const r = await receiver(() => 200);
    try {
      const admin = (await createApiKey(db.prisma, agencyId, { role: 'admin' })).key;
      const member = (await createApiKey(db.prisma, agencyId, { role: 'member' })).key;
      const base = { ...loadConfig({}), encryptionKey: key.toString('hex') };
      const call = (appX: ReturnType<typeof createApp>, method: string, p: string, body?: unknown, k = admin) => appX.request(p, { method, headers: { authorization: `Bearer ${k}`, 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
      const strict = createApp(apiDeps(db, { ...base, webhooks: { allowPrivate: false, timeoutMs: 2000 } }, () => clock), { rateLimit: 100_000, authFailureLimit: 100_000 });
      const refused = await call(strict, 'POST', '/v1/webhooks', { url: r.url });
      expect(refused.status).toBe(422);
      expect(await refused.text()).toMatch(/private or local address/);
      const app = createApp(apiDeps(db, { ...base, webhooks: { allowPrivate: true, timeoutMs: 2000 } }, () => clock), { rateLimit: 100_000, authFailureLimit: 100_000 });
      expect((await call(app, 'POST', '/v1/webhooks', { url: r.url }, member)).status).toBe(403);
      const made = await call(app, 'POST', '/v1/webhooks', { url: r.url, events: ['report.sent'], description: 'dashboard' });
      expect(made.status).toBe(201);
      const { endpoint, secret } = await made.json() as { endpoint: { id: string }; secret: string };
      expect(secret).toMatch(/^whsec_/);
      const list = await (await call(app, 'GET', '/v1/webhooks')).text();
      expect(list).not.toContain(secret.slice(6));
      const test = await (await call(app, 'POST', `/v1/webhooks/${endpoint.id}/test`)).json() as { delivered: boolean; status: number };
      expect(test).toMatchObject({ delivered: true, status: 200 });
      const deliveries = await (await call(app, 'GET', `/v1/webhooks/${endpoint.id}/deliveries`)).json() as { data: { eventType: string; status: string; log: { status: number }[] }[] };
      expect(deliveries.data[0]).toMatchObject({ eventType: 'webhook.test', status: 'succeeded', log: [{ status: 200 }] });
      expect(await (await call(app, 'PATCH', `/v1/webhooks/${endpoint.id}`, { enabled: false })).json()).toMatchObject({ enabled: false });
      expect((await call(app, 'PATCH', `/v1/webhooks/${endpoint.id}`, { events: ['nope'] })).status).toBe(422);
      expect((await call(app, 'DELETE', `/v1/webhooks/${endpoint.id}`)).status).toBe(204);
    } finally {
      await r.close();
    }
  });

  it('a burning-link alert reaches a subscribed receiver as alert.sent, with the alert\'s headline and numbers', async () => {
    const { importCsv } = await import('../src/import/import-csv.ts');
    const { checkAlerts } = await import('../src/alerts/check.ts');
    clock = new Date();
    const r = await receiver(() => 200);
    try {
      const { secret } = await addEndpoint(db, key, agencyId, { url: r.url, events: ['alert.sent'] }, true);
      const day = clock.toISOString().slice(0, 10);
      // Two days without a sale: burning (one day alone is an anomaly).
      const yesterday = new Date(clock.getTime() - 86_400_000).toISOString().slice(0, 10);
      const rows = ['date,platform,account,campaign,adset,ad,link,spend,impressions,clicks,conversions,revenue', ...[yesterday, day].map((d) => `${d},tiktok,Acc,Camp,Set,Ad 1,https://go.example/l/burn,90.00,1000,10,0,0`)];
      await importCsv(db, Buffer.from(rows.join('\n')), 'burn.csv', { clientSlug: 'hooked', now: clock });
      const client = await db.prisma.client.findUniqueOrThrow({ where: { id: clientId } });
      const a = await checkAlerts(db, client, { now: clock, sender: outboxSender(outbox), from: 'a@x.test' });
      expect(a.sent.map((x) => x.rule)).toEqual(['burning']);
      await runDueDeliveries(db, opts());
      const hit = r.hits.find((h) => JSON.parse(h.body).type === 'alert.sent')!;
      const env = new Webhook(secret).verify(hit.body, { 'webhook-id': String(hit.headers['webhook-id']), 'webhook-timestamp': String(hit.headers['webhook-timestamp']), 'webhook-signature': String(hit.headers['webhook-signature']) }) as { data: { rule: string; entity: { name: string }; headline: string; numbers: string; action: string } };
      expect(env.data).toMatchObject({ rule: 'burning', entity: { name: 'https://go.example/l/burn' }, headline: expect.stringMatching(/burn/i), numbers: expect.stringMatching(/\$180\.00/) });
      expect(env.data.action.length).toBeGreaterThan(5);
      // The brain run that opens insights records one insight.created each, in one go.
      await addEndpoint(db, key, agencyId, { url: r.url, events: ['insight.created'] }, true);
      const { runBrain } = await import('../src/run/brain-run.ts');
      const run = await runBrain(db, client, day, { now: clock });
      expect(run.insights.created).toBeGreaterThan(0);
      const recorded = await db.prisma.webhookDelivery.findMany({ where: { eventType: 'insight.created' } });
      expect(recorded.map((d) => (JSON.parse(d.body) as { data: { insightId: string } }).data.insightId).sort()).toEqual([...run.insights.createdIds].sort());
      expect((await runDueDeliveries(db, opts())).succeeded).toBe(recorded.length);
    } finally {
      await r.close();
    }
  });

  it('a kept-alive socket closed by the receiver is retried once at once on a fresh connection; a refused connection waits for the schedule', async () => {
    clock = new Date();
    const { endpoint } = await addEndpoint(db, key, agencyId, { url: 'http://127.0.0.1:9/flaky', events: ['report.sent'] }, true);
    let calls = 0;
    const flaky: typeof fetch = async () => {
      calls++;
      if (calls === 1) throw new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } });
      return new Response('fine', { status: 200 });
    };
    await emitEvent(db, { clientId, type: 'report.sent', data: {}, now: clock });
    expect(await runDueDeliveries(db, { ...opts(), fetch: flaky })).toMatchObject({ attempted: 1, succeeded: 1 });
    expect(calls).toBe(2);
    const refused: typeof fetch = async () => {
      throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
    };
    await emitEvent(db, { clientId, type: 'report.sent', data: {}, now: clock });
    expect(await runDueDeliveries(db, { ...opts(), fetch: refused })).toMatchObject({ attempted: 1, succeeded: 0 });
    const d = await db.prisma.webhookDelivery.findFirstOrThrow({ where: { endpointId: endpoint.id, status: 'pending' }, include: { log: true } });
    expect(d.log.map((l) => l.error)).toEqual(['fetch failed']);
  });

  it('a Slack incoming webhook gets a readable message', () => {
    const m = slackMessage({ id: 'msg_1', type: 'alert.sent', version: 1, created_at: '', agency: { id: 'a', slug: 'a' }, client: { id: 'c', slug: 'c', name: 'Lumen' }, data: { headline: 'Link X burns $120 a day', numbers: 'spend $180 · revenue $20 · ROI −89 %', action: 'Pause link X' } });
    expect(m.text).toBe(':rotating_light: *Lumen*: Link X burns $120 a day\nspend $180 · revenue $20 · ROI −89 %\nSuggested: Pause link X');
  });
});

describe('receiver URLs as people see them', () => {
  it('show the origin, a short first segment and the last 4 characters — never a token in the path or query', async () => {
    const { shownUrl } = await import('../src/webhooks/shown-url.ts');
    expect(shownUrl('https://hooks.slack.com/services/T0ABC/B0DEF/xYzSecretToken9')).toBe('https://hooks.slack.com/services/…ken9');
    expect(shownUrl('https://example.com/hook?token=abcdef123')).toBe('https://example.com/hook/…f123');
    expect(shownUrl('https://example.com/0123456789abcdef0123')).toBe('https://example.com/…0123');
    expect(shownUrl('https://example.com/')).toBe('https://example.com');
    expect(shownUrl('nope')).toBe('(not a URL)');
  });
});
