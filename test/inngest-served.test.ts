// client-day through the served /api/inngest endpoint, driven over HTTP by a
// stand-in executor: a lost step result at every step boundary and a failing
// email provider still give exactly one email and no duplicate insights or
// predictions. Signed mode refuses unsigned, tampered and stale requests.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { mkdtemp } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { serve } from '@hono/node-server';
import { Inngest } from 'inngest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events } from '../inngest.config.ts';
import { createApp } from '../src/api/app.ts';
import { apiDeps } from '../src/api/server.ts';
import { loadConfig, type Config } from '../src/config.ts';
import { runDemo } from '../src/demo/demo.ts';
import { createFunctions } from '../src/functions/index.ts';
import { reportKey } from '../src/reports/daily-report.ts';
import { addDays } from '../src/time.ts';
import { freshDb, type TestDb } from './helpers/db.ts';
import { drive, sign } from './helpers/inngest-executor.ts';
import { startFakeResend, type FakeResend } from './fakes/resend-server.ts';

const END = '2026-11-21';
const STEPS = ['sync', 'alerts', 'brain', 'rules', 'summary', 'report', 'period-reports', 'exports'];

async function listen(app: ReturnType<typeof createApp>) {
  return new Promise<{ url: string; close: () => Promise<void> }>((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) =>
      resolve({ url: `http://127.0.0.1:${info.port}`, close: () => new Promise((r) => server.close(() => r())) }),
    );
  });
}

describe('client-day served over HTTP', () => {
  let db: TestDb;
  let fake: FakeResend;
  let server: { url: string; close: () => Promise<void> };
  let config: Config;
  let clientId: string;

  beforeAll(async () => {
    db = await freshDb('pglite');
    fake = await startFakeResend();
    const dir = await mkdtemp(path.join(tmpdir(), 'adbrain-served-'));
    await runDemo(db, { endDate: END, dataDir: dir });
    clientId = (await db.prisma.client.findUniqueOrThrow({ where: { slug: 'demo-affiliate' } })).id;
    config = loadConfig({ INNGEST_DEV: '1', RESEND_API_KEY: 're_test', RESEND_BASE_URL: fake.url, RESEND_RETRY_MIN_MS: '5', RESEND_MAX_RETRIES: '2', ADBRAIN_OUTBOX_DIR: path.join(dir, 'outbox') });
    const inngest = new Inngest({ id: 'adbrain', isDev: true });
    const runtime = async () => ({ db, config, now: () => new Date('2026-11-22T17:00:00Z') });
    server = await listen(createApp(apiDeps(db, config), { inngest: { client: inngest, functions: createFunctions(inngest, runtime) } }));
  });
  afterAll(async () => {
    await server?.close();
    await fake?.close();
    await db?.destroy();
  });

  const counts = async (date: string) => {
    const [r] = await db.sql.query<{ insights: number; fingerprints: number; detected: number; predictions: number }>(
      `SELECT (SELECT count(*) FROM insight WHERE client_id = $1::uuid)::int AS insights,
              (SELECT count(DISTINCT fingerprint) FROM insight WHERE client_id = $1::uuid)::int AS fingerprints,
              (SELECT count(*) FROM insight_event ev JOIN insight i ON i.id = ev.insight_id WHERE i.client_id = $1::uuid AND ev.note = 'detected')::int AS detected,
              (SELECT count(*) FROM prediction p JOIN entity e ON e.id = p.entity_id WHERE e.client_id = $1::uuid AND p.made_on = $2::date)::int AS predictions`,
      [clientId, date],
    );
    return r!;
  };
  const emailsFor = (date: string) => fake.requests.filter((r) => r.key === reportKey(clientId, date));

  it('serves the function definitions (introspection)', async () => {
    const r = await fetch(`${server.url}/api/inngest`);
    expect(await r.json()).toMatchObject({ function_count: expect.any(Number), mode: 'dev' });
  });

  it('runs every step in order and sends one email', async () => {
    const r = await drive(server.url, 'adbrain-client-day', { name: events.clientDayRequested.name, data: { clientId, date: END } });
    expect(r.status).toBe(200);
    expect(r.stepsRun).toEqual([`load-client-${clientId}-${END}`, ...STEPS.map((s) => `${s}-${clientId}-${END}`)]);
    expect(r.result).toMatchObject({ client: 'demo-affiliate', date: END, steps: { report: { status: 'ok' } } });
    expect(fake.sent.has(reportKey(clientId, END))).toBe(true);
    expect(emailsFor(END)).toHaveLength(1);
  });

  it.each(STEPS.map((s, i) => [s, i] as const))('a lost result at the %s step boundary re-runs that step harmlessly', async (step, i) => {
    const date = addDays(END, -(i + 1));
    const before = await counts(date);
    const r = await drive(server.url, 'adbrain-client-day', { name: events.clientDayRequested.name, data: { clientId, date } }, { loseResult: (name) => name.startsWith(`${step}-`) });
    expect(r.status).toBe(200);
    // The step really ran twice…
    expect(r.stepsRun.filter((n) => n === `${step}-${clientId}-${date}`)).toHaveLength(2);
    // …and still: one email for the day, one insight per fingerprint, one "detected" event per insight, one prediction set.
    expect(fake.sent.has(reportKey(clientId, date))).toBe(true);
    expect(new Set(emailsFor(date).map((e) => e.body.subject)).size).toBe(1);
    const after = await counts(date);
    expect(after.insights).toBe(after.fingerprints);
    expect(after.detected).toBe(after.insights);
    const brain = (r.result as { steps: { brain: { data: { predictions: number; insights: number } } } }).steps.brain.data;
    expect(after.predictions).toBe(brain.predictions);
    expect(after.insights - before.insights).toBeLessThanOrEqual(brain.insights);
    // One report email accepted for the day, under whatever key: a second key would show here.
    expect(fake.reportsFor(date)).toHaveLength(1);
  });

  it('a failing email provider makes the report step fail and retry; still one email', async () => {
    const date = addDays(END, -10);
    fake.failNext([500, 500, 500]); // more than the sender's own 2 retries
    const r = await drive(server.url, 'adbrain-client-day', { name: events.clientDayRequested.name, data: { clientId, date } });
    expect(r.status).toBe(200);
    expect(r.retries).toBeGreaterThanOrEqual(1);
    expect(emailsFor(date).length).toBe(4);
    expect(fake.reportsFor(date)).toHaveLength(1);
    expect(await db.prisma.report.findUniqueOrThrow({ where: { idempotencyKey: reportKey(clientId, date) } })).toMatchObject({ status: 'sent', provider: 'resend' });
  });

  it('after its last retry, client-day\'s failure handler records the failure on the day\'s report', async () => {
    const date = addDays(END, -20);
    const intro = (await (await fetch(`${server.url}/api/inngest`)).json()) as { function_count: number };
    expect(intro.function_count).toBeGreaterThan(6);
    const r = await drive(server.url, 'adbrain-client-day-failure', {
      name: 'inngest/function.failed',
      data: { function_id: 'adbrain-client-day', run_id: '01X', error: { name: 'Error', message: 'brain failed: database down' }, event: { name: events.clientDayRequested.name, data: { clientId, date } } },
    });
    expect(r.status).toBe(200);
    expect(await db.prisma.report.findUniqueOrThrow({ where: { idempotencyKey: reportKey(clientId, date) } })).toMatchObject({ status: 'failed', error: 'the day failed after its retries: brain failed: database down' });
  });

  it('the hourly sweep sends one client.day event per due client, with the dedupe id, to the event API', async () => {
    // A loopback Inngest event API that records what it receives.
    const received: { name: string; id?: string; data: { clientId: string; date: string } }[] = [];
    const eventApi = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        const batch = [JSON.parse(raw)].flat();
        received.push(...batch);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ids: batch.map((_, i) => `evt${i}`), status: 200 }));
      });
    });
    await new Promise<void>((r) => eventApi.listen(0, '127.0.0.1', r));
    const baseUrl = `http://127.0.0.1:${(eventApi.address() as AddressInfo).port}`;
    const inngest = new Inngest({ id: 'adbrain', isDev: true, baseUrl });
    // 17:00 UTC is 09:00 in Los Angeles: demo-affiliate (report hour 9) is due, the others are not.
    const app = createApp(apiDeps(db, config), { inngest: { client: inngest, functions: createFunctions(inngest, async () => ({ db, config, now: () => new Date('2026-11-22T17:00:00Z') })) } });
    const s = await listen(app);
    try {
      const r = await drive(s.url, 'adbrain-daily-sweep', { name: 'inngest/scheduled.timer', data: { cron: 'TZ=UTC 0 * * * *' } });
      expect(r.status).toBe(200);
      expect(r.result).toEqual({ sent: 1 });
    } finally {
      await s.close();
      await new Promise((r) => eventApi.close(r));
    }
    expect(received).toEqual([expect.objectContaining({ name: events.clientDayRequested.name, id: `${clientId}:${END}`, data: expect.objectContaining({ clientId, date: END }) })]);
  });
});

describe('signed mode', () => {
  const signingKey = `signkey-test-${randomBytes(32).toString('hex')}`;
  let server: { url: string; close: () => Promise<void> };
  let db: TestDb;
  beforeAll(async () => {
    db = await freshDb('pglite');
    const config = loadConfig({ INNGEST_SIGNING_KEY: signingKey });
    const inngest = new Inngest({ id: 'adbrain', isDev: false, signingKey });
    server = await listen(createApp(apiDeps(db, config), { inngest: { client: inngest, functions: createFunctions(inngest, async () => ({ db, config, now: () => new Date() })) } }));
  });
  afterAll(async () => {
    await server?.close();
    await db?.destroy();
  });

  const post = (body: string, signature?: string) =>
    fetch(`${server.url}/api/inngest?fnId=adbrain-client-day&stepId=step`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(signature ? { 'x-inngest-signature': signature } : {}) },
      body,
    });
  const body = JSON.stringify({
    version: 2,
    event: { name: events.clientDayRequested.name, data: { clientId: '00000000-0000-4000-8000-000000000000', date: END }, id: 'e1', ts: Date.now() },
    events: [],
    steps: {},
    ctx: { run_id: '01TEST', attempt: 0, disable_immediate_execution: false, use_api: false, stack: { stack: [], current: 0 } },
  });

  it('refuses an unsigned or out-of-band sync (PUT) without calling out; a signed in-band sync answers', async () => {
    const put = (headers: Record<string, string>, b = '') => fetch(`${server.url}/api/inngest`, { method: 'PUT', headers: { 'content-type': 'application/json', ...headers }, body: b });
    expect((await put({})).status).toBe(401);
    expect((await put({ 'x-inngest-signature': sign('{}', signingKey) }, '{}')).status).toBe(403);
    const syncBody = JSON.stringify({ url: `${server.url}/api/inngest` });
    const inBand = await put({ 'x-inngest-sync-kind': 'in_band', 'x-inngest-signature': sign(syncBody, signingKey) }, syncBody);
    expect(inBand.status).toBe(200);
    expect(await inBand.json()).toMatchObject({ functions: expect.any(Array) });
  });

  it('refuses unsigned, tampered and stale requests with 401, and runs a properly signed one', async () => {
    expect((await post(body)).status).toBe(401);
    expect((await post(body.replace('e1', 'e2'), sign(body, signingKey))).status).toBe(401);
    expect((await post(body, sign(body, signingKey, Math.floor(Date.now() / 1000) - 3600))).status).toBe(401);
    expect((await post(body, sign(body, `signkey-test-${randomBytes(32).toString('hex')}`))).status).toBe(401);
    const ok = await post(body, sign(body, signingKey));
    expect([200, 206]).toContain(ok.status);
  });
});

describe('without a signing key', () => {
  let db: TestDb;
  let clientId: string;
  const runBody = (cid: string) => JSON.stringify({
    version: 2,
    event: { name: events.analysisRequested.name, data: { clientId: cid, requestedBy: 'attacker' }, id: 'e1', ts: Date.now() },
    events: [],
    steps: {},
    ctx: { run_id: '01TEST', attempt: 0, disable_immediate_execution: false, use_api: false, stack: { stack: [], current: 0 } },
  });
  const appFor = (env: Record<string, string>) => {
    const config = loadConfig(env);
    const inngest = new Inngest({ id: 'adbrain', isDev: config.inngest.isDev, signingKey: config.inngest.signingKey });
    return createApp(apiDeps(db, config), { inngest: { client: inngest, functions: createFunctions(inngest, async () => ({ db, config, now: () => new Date() })) } });
  };
  const brainRuns = async () => (await db.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM brain_run'))[0]!.n;
  beforeAll(async () => {
    db = await freshDb('pglite');
    const dir = await mkdtemp(path.join(tmpdir(), 'adbrain-unsigned-'));
    await runDemo(db, { endDate: END, dataDir: dir, days: 60 });
    clientId = (await db.prisma.client.findUniqueOrThrow({ where: { slug: 'demo-affiliate' } })).id;
  });
  afterAll(async () => {
    await db?.destroy();
  });

  it('is off unless INNGEST_DEV=1: nothing runs, every method answers 503 with what to set', async () => {
    const server = await listen(appFor({}));
    try {
      const before = await brainRuns();
      for (const method of ['GET', 'POST', 'PUT']) {
        const r = await fetch(`${server.url}/api/inngest?fnId=adbrain-analysis-requested&stepId=step`, { method, headers: { 'content-type': 'application/json' }, body: method === 'GET' ? undefined : runBody(clientId) });
        expect(r.status).toBe(503);
        expect(((await r.json()) as { error: { message: string } }).error.message).toMatch(/INNGEST_SIGNING_KEY .* INNGEST_DEV=1/);
      }
      expect(await brainRuns()).toBe(before);
    } finally {
      await server.close();
    }
  });

  it('in dev mode answers loopback callers only', async () => {
    const app = appFor({ INNGEST_DEV: '1' });
    const remote = { incoming: { socket: { remoteAddress: '203.0.113.9' } } };
    const before = await brainRuns();
    const r = await app.request('/api/inngest?fnId=adbrain-analysis-requested&stepId=step', { method: 'POST', headers: { 'content-type': 'application/json' }, body: runBody(clientId) }, remote);
    expect(r.status).toBe(403);
    expect((await app.request('/api/inngest', {}, { incoming: { socket: { remoteAddress: '::ffff:198.51.100.7' } } })).status).toBe(403);
    expect(await brainRuns()).toBe(before);
    // Through a reverse proxy on the same host the socket is loopback, but the caller is not.
    expect((await app.request('/api/inngest', { headers: { 'x-forwarded-for': '203.0.113.9' } }, { incoming: { socket: { remoteAddress: '127.0.0.1' } } })).status).toBe(403);
    // The same request from loopback runs.
    expect((await app.request('/api/inngest', {}, { incoming: { socket: { remoteAddress: '::ffff:127.0.0.1' } } })).status).toBe(200);
    const server = await listen(app);
    try {
      expect((await fetch(`${server.url}/api/inngest`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('a signing key always wins over INNGEST_DEV: unsigned requests are refused', async () => {
    const app = appFor({ INNGEST_DEV: '1', INNGEST_SIGNING_KEY: `signkey-test-${randomBytes(32).toString('hex')}` });
    const r = await app.request('/api/inngest?fnId=adbrain-analysis-requested&stepId=step', { method: 'POST', headers: { 'content-type': 'application/json' }, body: runBody(clientId) }, { incoming: { socket: { remoteAddress: '127.0.0.1' } } });
    expect(r.status).toBe(401);
  });
});
