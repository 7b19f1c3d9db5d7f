// The REST API in-process (Hono's app.request): every endpoint, tenant isolation,
// the role matrix, and random / malformed input that must never produce a 5xx.
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import { apiDeps, startServer } from '../src/api/server.ts';
import { runBrain } from '../src/run/brain-run.ts';
import { loadConfig } from '../src/config.ts';
import { runDemo } from '../src/demo/demo.ts';
import { addAgency } from '../src/domain/agencies.ts';
import { createApiKey } from '../src/domain/api-keys.ts';
import { saveConnection } from '../src/domain/connections.ts';
import { addClient } from '../src/domain/clients.ts';
import { deliverDailyReport } from '../src/reports/daily-report.ts';
import { outboxSender } from '../src/reports/senders.ts';
import { freshDb, type TestDb } from './helpers/db.ts';
import { requester } from './helpers/request.ts';

const END = '2026-11-21';
const NOW = new Date('2026-11-22T12:00:00Z');
type App = ReturnType<typeof createApp>;

describe('REST API', () => {
  let db: TestDb;
  let app: App;
  const keys: Record<string, string> = {};
  const ids: Record<string, string> = {};
  const other: Record<string, string> = {};

  beforeAll(async () => {
    db = await freshDb('pglite');
    const dir = await mkdtemp(path.join(tmpdir(), 'adbrain-api-'));
    await runDemo(db, { endDate: END, dataDir: dir });
    const demo = await db.prisma.agency.findUniqueOrThrow({ where: { slug: 'demo' } });
    for (const role of ['admin', 'member', 'viewer'] as const) keys[role] = (await createApiKey(db.prisma, demo.id, { role, name: role })).key;
    const c = await db.prisma.client.findUniqueOrThrow({ where: { slug: 'demo-affiliate' } });
    ids.client = c.id;
    await runBrain(db, c, END, { now: NOW });
    const rep = await deliverDailyReport(db, c, END, { sender: outboxSender(path.join(dir, 'outbox')), from: 'a@x.test', now: NOW });
    ids.report = rep.reportId;
    ids.insight = (await db.prisma.insight.findFirstOrThrow({ where: { clientId: c.id, status: 'PENDING' } })).id;
    ids.entity = (await db.prisma.entity.findFirstOrThrow({ where: { clientId: c.id, kind: 'link' } })).id;
    ids.key = (await db.prisma.apiKey.findFirstOrThrow({ where: { agencyId: demo.id, role: 'viewer' } })).id;

    // Another agency with its own client, insight, report, entity and key.
    const o = await addAgency(db.prisma, { slug: 'other', name: 'Other' });
    keys.otherAdmin = (await createApiKey(db.prisma, o.id, { role: 'admin' })).key;
    const oc = await addClient(db.prisma, { slug: 'rival', agency: 'other' });
    other.client = oc.id;
    const oe = await db.prisma.entity.create({ data: { clientId: oc.id, platform: 'meta', kind: 'link', externalId: 'x', name: 'x' } });
    other.entity = oe.id;
    other.insight = (await db.prisma.insight.create({ data: { clientId: oc.id, type: 'burning', severity: 'high', title: 't', body: 'b', fingerprint: 'f' } })).id;
    other.report = (await db.prisma.report.create({ data: { clientId: oc.id, periodStart: new Date(`${END}T00:00:00Z`), periodEnd: new Date(`${END}T00:00:00Z`), idempotencyKey: 'k', html: '<p>secret</p>' } })).id;
    other.key = (await db.prisma.apiKey.findFirstOrThrow({ where: { agencyId: o.id } })).id;
    other.analysis = (await db.prisma.analysisRun.create({ data: { clientId: oc.id, requestedBy: 'x' } })).id;

    // Connections (credentials under this key; nothing here calls a platform).
    const key = randomBytes(32);
    // A split test and a webhook endpoint of each agency.
    const link2 = await db.prisma.entity.findFirstOrThrow({ where: { clientId: c.id, kind: 'link', id: { not: ids.entity } } });
    ids.splitTest = (await db.prisma.splitTest.create({ data: { clientId: c.id, name: 't', metric: 'roi', startDate: new Date(`${END}T00:00:00Z`), variants: { create: [{ entityId: ids.entity, label: 'a', control: true }, { entityId: link2.id, label: 'b' }] } } })).id;
    const oe2 = await db.prisma.entity.create({ data: { clientId: oc.id, platform: 'meta', kind: 'link', externalId: 'y', name: 'y' } });
    other.splitTest = (await db.prisma.splitTest.create({ data: { clientId: oc.id, name: 't', metric: 'roi', startDate: new Date(`${END}T00:00:00Z`), variants: { create: [{ entityId: oe.id, label: 'a', control: true }, { entityId: oe2.id, label: 'b' }] } } })).id;
    ids.webhook = (await db.prisma.webhookEndpoint.create({ data: { agencyId: demo.id, url: 'https://hooks.example/ours', secret: 'x' } })).id;
    other.webhook = (await db.prisma.webhookEndpoint.create({ data: { agencyId: o.id, url: 'https://hooks.example/theirs', secret: 'x' } })).id;
    ids.user = (await db.prisma.user.create({ data: { agencyId: demo.id, name: 'Ours', email: 'ours@agency.example', role: 'member' } })).id;
    other.user = (await db.prisma.user.create({ data: { agencyId: o.id, name: 'Theirs', email: 'theirs@agency.example', role: 'member' } })).id;
    ids.trackingCampaign = (await db.prisma.trackingCampaign.create({ data: { clientId: c.id, name: 'Ours', code: 'OURS_01', destinationUrl: 'https://shop.example/' } })).id;
    other.trackingCampaign = (await db.prisma.trackingCampaign.create({ data: { clientId: oc.id, name: 'Theirs', code: 'THEIRS_01', destinationUrl: 'https://rival.example/' } })).id;
    ids.connection = (await saveConnection(db.prisma, key, { clientId: c.id, platform: 'meta', credentials: { accessToken: 'tok-ours' } })).id;
    other.connection = (await saveConnection(db.prisma, key, { clientId: oc.id, platform: 'meta', credentials: { accessToken: 'tok-theirs' } })).id;
    const proposed = (clientId: string, connectionId: string, entityId: string) => db.prisma.adAction.create({ data: { clientId, connectionId, entityId, targetEntityId: entityId, kind: 'pause', level: 'ad', externalId: '1', field: 'status', fromValue: 'ACTIVE', toValue: 'PAUSED', proposedBy: 'test' } });
    ids.action = (await proposed(c.id, ids.connection, ids.entity)).id;
    other.action = (await proposed(oc.id, other.connection, other.entity)).id;
    ids.rule = (await db.prisma.actionRule.create({ data: { clientId: c.id, name: 'burners', kind: 'pause_burning', minProbability: 0.95 } })).id;
    other.rule = (await db.prisma.actionRule.create({ data: { clientId: oc.id, name: 'burners', kind: 'pause_burning', minProbability: 0.95 } })).id;
    app = createApp(apiDeps(db, { ...loadConfig({ META_GRAPH_URL: 'http://127.0.0.1:9' }), encryptionKey: key.toString('hex'), outboxDir: path.join(dir, 'outbox') }, () => NOW), { rateLimit: 100_000, authFailureLimit: 100_000 });
  });
  afterAll(async () => db?.destroy());

  const call = requester(() => app);

  it('health needs no key; everything under /v1 does, and a bad key is a 401 in the one error shape', async () => {
    expect((await call('GET', '/v1/health')).json).toEqual({ ok: true, database: 'pglite' });
    const none = await call('GET', '/v1/clients');
    expect(none.status).toBe(401);
    expect(none.json).toEqual({ error: { code: 'unauthorized', message: expect.stringContaining('Bearer'), details: null } });
    expect((await call('GET', '/v1/clients', { key: 'adb_000000000000_' + 'x'.repeat(43) })).status).toBe(401);
    expect((await call('GET', '/v1/clients', { key: keys.admin!.slice(0, -1) + (keys.admin!.endsWith('A') ? 'B' : 'A') })).status).toBe(401);
  });

  it('clients: list, get, create, update settings, delete', async () => {
    const list = await call('GET', '/v1/clients', { key: keys.viewer });
    expect(list.json.data.map((c: { slug: string }) => c.slug)).toEqual(['demo-affiliate', 'demo-leads', 'demo-shop']);
    const one = await call('GET', `/v1/clients/${ids.client}`, { key: keys.viewer });
    expect(one.json).toMatchObject({ slug: 'demo-affiliate', thresholds: { burnRoiBelow: -0.5, burnMinSpendCents: 5000 } });
    const created = await call('POST', '/v1/clients', { key: keys.admin, body: { slug: 'newco', name: 'New Co', timezone: 'Asia/Kolkata', currency: 'INR', recipients: ['a@newco.test'] } });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ slug: 'newco', timezone: 'Asia/Kolkata', currency: 'INR' });
    expect((await call('POST', '/v1/clients', { key: keys.admin, body: { slug: 'newco' } })).status).toBe(409);
    const patched = await call('PATCH', `/v1/clients/${created.json.id}`, { key: keys.admin, body: { recipients: ['b@newco.test'], dailySpendAlertCents: 50_000, monthlyBudgetCents: null, burnRoiBelow: -0.6, alertCooldownHours: 6 } });
    expect(patched.json).toMatchObject({ recipients: ['b@newco.test'], monthlyBudgetCents: null, thresholds: { dailySpendAlertCents: 50_000, burnRoiBelow: -0.6, alertCooldownHours: 6 } });
    const bad = await call('PATCH', `/v1/clients/${created.json.id}`, { key: keys.admin, body: { recipients: ['nope'], reportHour: 25 } });
    expect(bad.status).toBe(422);
    expect(bad.json.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['body.recipients.0', 'body.reportHour']);
    // Objectives: a leads client needs its target CPA; a campaign can have its own.
    const noTarget = await call('PATCH', `/v1/clients/${created.json.id}`, { key: keys.admin, body: { objective: 'leads' } });
    expect(noTarget.status).toBe(422);
    expect(noTarget.json.error.details).toEqual([{ path: 'targetCpaCents', message: 'required for objective "leads"' }]);
    const leads = await call('PATCH', `/v1/clients/${created.json.id}`, { key: keys.admin, body: { objective: 'leads', targetCpaCents: 250_000 } });
    expect(leads.json).toMatchObject({ objective: { kind: 'leads', targetCpaCents: 250_000, campaigns: [] }, amountUnit: { minorUnitsPerUnit: 100, exponent: 2 } });
    const campaign = (await db.prisma.entity.findFirstOrThrow({ where: { clientId: ids.client, kind: 'campaign' } }));
    const put = await call('PUT', `/v1/clients/${ids.client}/campaigns/${encodeURIComponent(campaign.name)}/objective`, { key: keys.admin, body: { objective: 'value', valuePerConversionCents: 4_500 } });
    expect(put.status).toBe(200);
    expect(put.json.objective).toMatchObject({ kind: 'revenue', campaigns: [{ campaignId: campaign.id, kind: 'value', valuePerConversionCents: 4_500 }] });
    expect((await call('PUT', `/v1/clients/${ids.client}/campaigns/nope/objective`, { key: keys.admin, body: { objective: 'revenue' } })).status).toBe(404);
    expect((await call('PUT', `/v1/clients/${ids.client}/campaigns/${campaign.id}/objective`, { key: keys.member, body: { objective: 'revenue' } })).status).toBe(403);
    const cleared = await call('DELETE', `/v1/clients/${ids.client}/campaigns/${campaign.id}/objective`, { key: keys.admin });
    expect(cleared.json.objective.campaigns).toEqual([]);
    expect((await call('DELETE', `/v1/clients/${created.json.id}`, { key: keys.admin })).status).toBe(204);
    expect((await call('GET', `/v1/clients/${created.json.id}`, { key: keys.admin })).status).toBe(404);
  });

  it('insights: filter and page, get with history, PATCH status with a note → an InsightEvent', async () => {
    const page1 = await call('GET', `/v1/insights?clientId=${ids.client}&limit=2`, { key: keys.viewer });
    expect(page1.json.data).toHaveLength(2);
    const page2 = await call('GET', `/v1/insights?clientId=${ids.client}&limit=2&cursor=${page1.json.nextCursor}`, { key: keys.viewer });
    const seen = [...page1.json.data, ...page2.json.data].map((i: { id: string }) => i.id);
    expect(new Set(seen).size).toBe(seen.length);
    // Most money first by default, across pages; sort=recent pages by last seen; a cursor keeps its order.
    const impacts = [...page1.json.data, ...page2.json.data].map((i: { impactCents: number }) => i.impactCents);
    expect(impacts).toEqual([...impacts].sort((a, b) => b - a));
    const recent = await call('GET', `/v1/insights?clientId=${ids.client}&limit=2&sort=recent`, { key: keys.viewer });
    expect(recent.status).toBe(200);
    expect((await call('GET', `/v1/insights?clientId=${ids.client}&sort=recent&cursor=${page1.json.nextCursor}`, { key: keys.viewer })).status).toBe(422);
    const all = await call('GET', `/v1/insights?clientId=${ids.client}&limit=200`, { key: keys.viewer });
    expect(all.json.data.slice(0, seen.length).map((i: { id: string }) => i.id)).toEqual(seen);
    const burning = await call('GET', '/v1/insights?type=burning&status=PENDING', { key: keys.viewer });
    expect(burning.json.data.every((i: { type: string; status: string }) => i.type === 'burning' && i.status === 'PENDING')).toBe(true);
    const applied = await call('PATCH', `/v1/insights/${ids.insight}`, { key: keys.member, body: { status: 'APPLIED', note: 'paused it' } });
    expect(applied.status).toBe(200);
    expect(applied.json.status).toBe('APPLIED');
    const got = await call('GET', `/v1/insights/${ids.insight}`, { key: keys.viewer });
    expect(got.json.events.at(-1)).toMatchObject({ from: 'PENDING', to: 'APPLIED', note: 'paused it', actor: expect.stringMatching(/^api-key:/) });
    const conflict = await call('PATCH', `/v1/insights/${ids.insight}`, { key: keys.member, body: { status: 'DISMISSED' } });
    expect(conflict.status).toBe(409);
    expect(conflict.json.error.code).toBe('conflict');
    expect((await call('GET', '/v1/insights?cursor=garbage', { key: keys.viewer })).status).toBe(422);
  });

  it('imports: a CSV body becomes an import run; a bad file is a 422 listing its rows, nothing imported', async () => {
    const csv = 'date,platform,account,campaign,adset,ad,link,spend,impressions,clicks,conversions,revenue\n2026-11-21,meta,Acc,Api Camp,,Ad,,12.50,100,5,1,30.00\n';
    const ok = await call('POST', `/v1/clients/${ids.client}/imports?fileName=api.csv`, { key: keys.member, raw: csv, type: 'text/csv' });
    expect(ok.status).toBe(201);
    expect(ok.json).toMatchObject({ status: 'succeeded', imported: 1, file: 'api.csv' });
    const bad = await call('POST', `/v1/clients/${ids.client}/imports`, { key: keys.member, raw: csv + '2026-11-21,meta,Acc,Api Camp,,Ad2,,abc,100,5,1,30.00\n', type: 'text/csv' });
    expect(bad.status).toBe(422);
    expect(bad.json.error.details.errors[0]).toMatchObject({ line: 3, column: 'spend' });
    expect((await call('POST', `/v1/clients/${ids.client}/imports`, { key: keys.member, raw: '', type: 'text/csv' })).status).toBe(422);
    const runs = await call('GET', `/v1/clients/${ids.client}/imports`, { key: keys.viewer });
    expect(runs.json.data[0]).toMatchObject({ fileName: 'api.csv', rowsImported: 1 });
  });

  it('metrics: by day, campaign, platform and entity over a range; bad ranges are 422', async () => {
    const byDay = await call('GET', `/v1/clients/${ids.client}/metrics?from=2026-11-15&to=${END}`, { key: keys.viewer });
    expect(byDay.json.rows.map((r: { key: string }) => r.key)).toEqual(['2026-11-15', '2026-11-16', '2026-11-17', '2026-11-18', '2026-11-19', '2026-11-20', '2026-11-21']);
    const [sum] = await db.sql.query<{ s: number }>(
      `SELECT sum(spend_cents)::float8 AS s FROM daily_metric m JOIN entity e ON e.id = m.entity_id WHERE e.client_id = $1::uuid AND m.date = '2026-11-15'`,
      [ids.client],
    );
    expect(byDay.json.rows[0].spendCents).toBe(sum!.s);
    const byCampaign = await call('GET', `/v1/clients/${ids.client}/metrics?from=2026-11-15&to=${END}&groupBy=campaign`, { key: keys.viewer });
    const total = (rows: { spendCents: number }[]) => rows.reduce((a, r) => a + r.spendCents, 0);
    expect(total(byCampaign.json.rows)).toBe(total(byDay.json.rows));
    const one = byCampaign.json.rows[0];
    const entity = await call('GET', `/v1/clients/${ids.client}/metrics?from=2026-11-15&to=${END}&groupBy=platform&entityId=${one.key}`, { key: keys.viewer });
    expect(total(entity.json.rows)).toBe(one.spendCents);
    expect((await call('GET', `/v1/clients/${ids.client}/metrics?from=${END}&to=2026-11-01`, { key: keys.viewer })).status).toBe(422);
    expect((await call('GET', `/v1/clients/${ids.client}/metrics?from=2024-01-01&to=${END}`, { key: keys.viewer })).status).toBe(422);
    expect((await call('GET', `/v1/clients/${ids.client}/metrics?from=nope&to=${END}`, { key: keys.viewer })).json.error.details[0].path).toBe('query.from');
  });

  it('analysis: POST answers 202 with a run id; the run finishes and GET shows the result', async () => {
    const post = await call('POST', `/v1/clients/${ids.client}/analysis`, { key: keys.member, body: { asOf: END } });
    expect(post.status).toBe(202);
    expect(post.json.status).toBe('queued');
    let run = post.json;
    for (let i = 0; i < 200 && (run.status === 'queued' || run.status === 'running'); i++) {
      await new Promise((r) => setTimeout(r, 100));
      run = (await call('GET', `/v1/analysis/${post.json.id}`, { key: keys.viewer })).json;
    }
    expect(run.status).toBe('succeeded');
    expect(run.result).toMatchObject({ asOf: END, insights: expect.any(Array) });
  });

  it('reports (list, HTML, PDF), alerts, entities with kill / restore', async () => {
    const list = await call('GET', `/v1/clients/${ids.client}/reports`, { key: keys.viewer });
    expect(list.json.data[0]).toMatchObject({ id: ids.report, date: END, status: 'written' });
    const html = await call('GET', `/v1/reports/${ids.report}/html`, { key: keys.viewer });
    expect(html.headers.get('content-type')).toMatch(/text\/html/);
    expect(html.text).toContain('Lumen Affiliates');
    const pdf = await app.request(`/v1/reports/${ids.report}/pdf`, { headers: { authorization: `Bearer ${keys.viewer}` } });
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await pdf.arrayBuffer()).subarray(0, 5).toString()).toBe('%PDF-');
    expect((await call('GET', `/v1/clients/${ids.client}/alerts`, { key: keys.viewer })).json).toEqual({ data: expect.any(Array) });
    const links = await call('GET', `/v1/clients/${ids.client}/entities?kind=link`, { key: keys.viewer });
    expect(links.json.data.length).toBeGreaterThan(0);
    const killed = await call('POST', `/v1/entities/${ids.entity}/kill`, { key: keys.member, body: { reason: 'offer paused' } });
    expect(killed.json).toMatchObject({ status: 'killed', killedReason: 'offer paused' });
    expect((await call('GET', `/v1/clients/${ids.client}/entities?status=killed`, { key: keys.viewer })).json.data.map((e: { id: string }) => e.id)).toContain(ids.entity);
    expect((await call('POST', `/v1/entities/${ids.entity}/restore`, { key: keys.member })).json.status).toBe('active');
  });

  it('API keys: admin creates (secret shown once, stored hashed), lists and revokes; a revoked key is refused', async () => {
    const made = await call('POST', '/v1/api-keys', { key: keys.admin, body: { name: 'zapier', role: 'viewer' } });
    expect(made.status).toBe(201);
    expect(made.json.key).toMatch(/^adb_[0-9a-f]{12}_/);
    const row = await db.prisma.apiKey.findUniqueOrThrow({ where: { id: made.json.id } });
    expect(row.secretHash).not.toContain(made.json.key.slice('adb_'.length + 12 + 1));
    expect((await call('GET', '/v1/clients', { key: made.json.key })).status).toBe(200);
    const listed = await call('GET', '/v1/api-keys', { key: keys.admin });
    expect(JSON.stringify(listed.json)).not.toContain(made.json.key);
    expect((await call('DELETE', `/v1/api-keys/${made.json.id}`, { key: keys.admin })).json.revokedAt).not.toBeNull();
    expect((await call('GET', '/v1/clients', { key: made.json.key })).status).toBe(401);
  });

  it('with Inngest configured, an upload sends sync.completed and a decision sends insight.status.changed', async () => {
    const received: { name: string; data: Record<string, unknown> }[] = [];
    const eventApi = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        received.push(...[JSON.parse(raw)].flat());
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ids: ['e'], status: 200 }));
      });
    });
    await new Promise<void>((r) => eventApi.listen(0, '127.0.0.1', r));
    const baseUrl = `http://127.0.0.1:${(eventApi.address() as AddressInfo).port}`;
    try {
      const wired = createApp(apiDeps(db, loadConfig({ INNGEST_BASE_URL: baseUrl, INNGEST_EVENT_KEY: 'k', INNGEST_DEV: '1' }), () => NOW), { rateLimit: 1000 });
      const auth = { authorization: `Bearer ${keys.member}` };
      const csv = 'date,platform,account,campaign,adset,ad,link,spend,impressions,clicks,conversions,revenue\n2026-11-20,meta,Acc,Evt Camp,,Ad,,5.00,10,1,0,0\n';
      expect((await wired.request(`/v1/clients/${ids.client}/imports`, { method: 'POST', headers: { ...auth, 'content-type': 'text/csv' }, body: csv })).status).toBe(201);
      const pending = await db.prisma.insight.findFirstOrThrow({ where: { clientId: ids.client, status: 'PENDING' } });
      expect((await wired.request(`/v1/insights/${pending.id}`, { method: 'PATCH', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ status: 'IN_PROGRESS' }) })).status).toBe(200);
    } finally {
      await new Promise((r) => eventApi.close(r));
    }
    expect(received.map((e) => e.name)).toEqual(['adbrain/sync.completed', 'adbrain/insight.status.changed']);
    expect(received[0]!.data).toEqual({ clientId: ids.client, source: 'csv', from: '2026-11-20', to: '2026-11-20' });
    expect(received[1]!.data).toMatchObject({ clientId: ids.client, from: 'PENDING', to: 'IN_PROGRESS' });
  });

  it('adbrain serve\'s server answers over HTTP', async () => {
    const s = await startServer(db, loadConfig({ INNGEST_DEV: '1' }), { port: 0 });
    try {
      expect(await (await fetch(`http://127.0.0.1:${s.port}/v1/health`)).json()).toEqual({ ok: true, database: 'pglite' });
      expect((await fetch(`http://127.0.0.1:${s.port}/openapi.json`)).status).toBe(200);
      expect(await (await fetch(`http://127.0.0.1:${s.port}/api/inngest`)).json()).toMatchObject({ mode: 'dev' });
      expect(s.address).toBe('127.0.0.1');
    } finally {
      await s.close();
    }
  });

  // ---- every endpoint, from the OpenAPI document ----
  const endpoints = async () => {
    const doc = (await call('GET', '/openapi.json')).json as { paths: Record<string, Record<string, unknown>> };
    return Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => ({ method: m.toUpperCase(), path: p })));
  };
  const idFor = (p: string, from: Record<string, string>) =>
    p.startsWith('/v1/clients/') ? from.client : p.startsWith('/v1/insights/') ? from.insight : p.startsWith('/v1/reports/') ? from.report
      : p.startsWith('/v1/entities/') ? from.entity : p.startsWith('/v1/api-keys/') ? from.key : p.startsWith('/v1/analysis/') ? from.analysis
        : p.startsWith('/v1/connections/') ? from.connection : p.startsWith('/v1/split-tests/') ? from.splitTest : p.startsWith('/v1/webhooks/') ? from.webhook
          : p.startsWith('/v1/tracking-campaigns/') ? from.trackingCampaign : p.startsWith('/v1/users/') ? from.user : p.startsWith('/v1/actions/') ? from.action : p.startsWith('/v1/rules/') ? from.rule : undefined;
  /** The other path parameters, filled with values that name nothing of either agency. */
  const fill = (url: string) => url.replace('{platform}', 'meta').replace('{file}', 'spend.csv').replace('{scheduleId}', '00000000-0000-4000-8000-000000000000').replace('{campaign}', 'x');

  it('publishes OpenAPI 3.1 covering every route, with bearer security', async () => {
    const doc = (await call('GET', '/openapi.json')).json;
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect((await endpoints()).length).toBeGreaterThanOrEqual(22);
  });

  it('another agency\'s ids are 404 on every endpoint that takes an id, for every method', async () => {
    for (const e of await endpoints()) {
      if (!e.path.includes('{id}')) continue;
      const url = fill(e.path.replace('{id}', idFor(e.path, other)!)) + (e.path.endsWith('/authorize') ? '?accountId=1' : '');
      const r = await call(e.method, url + (e.path.endsWith('/metrics') ? '?from=2026-11-01&to=2026-11-02' : ''), { key: keys.admin, body: e.method === 'GET' || e.method === 'DELETE' ? undefined : {} });
      expect([404, 422], `${e.method} ${url} → ${r.status}`).toContain(r.status);
      if (r.status === 422) {
        // Body validation may answer first; with a valid body it must still be a 404.
        const valid = e.path.endsWith('/insights/{id}') ? { status: 'IN_PROGRESS' } : e.path.endsWith('/clients/{id}') ? { name: 'x' } : e.path.endsWith('/objective') ? { objective: 'revenue' } : e.path.endsWith('/connections') ? { platform: 'meta', accountId: '1', accessToken: 'x' }
          : e.path.endsWith('/export-schedules') ? { every: 'week', kinds: ['spend'], recipients: ['a@b.example'] }
          : e.path.endsWith('/split-tests') ? { name: 'n', metric: 'roi', variants: [{ entity: 'a' }, { entity: 'b' }] }
          : e.path === '/v1/webhooks/{id}' ? { enabled: true } : e.path === '/v1/tracking-campaigns/{id}' ? { name: 'x' }
          : e.path.endsWith('/tracking-campaigns') ? { name: 'n', destinationUrl: 'https://shop.example/' } : e.path.endsWith('/actions') ? { entity: 'x', kind: 'pause' } : e.path.endsWith('/budget') ? { monthlyBudgetCents: 100 } : undefined;
        const again = await call(e.method, url, { key: keys.admin, body: valid });
        expect(again.status, `${e.method} ${url}`).toBe(404);
      }
    }
    // And their own key cannot see ours.
    expect((await call('GET', `/v1/clients/${ids.client}`, { key: keys.otherAdmin })).status).toBe(404);
    expect((await call('GET', '/v1/insights', { key: keys.otherAdmin })).json.data.map((i: { id: string }) => i.id)).toEqual([other.insight]);
    expect((await call('GET', `/v1/insights?clientId=${ids.client}`, { key: keys.otherAdmin })).status).toBe(404);
  });

  it('role matrix: viewers only read, members act on insights / analysis / imports / entities, admins manage clients and keys', async () => {
    const need = (method: string, p: string) =>
      method === 'GET' || p === '/v1/ask' ? (/^\/v1\/(api-keys|webhooks|audit|settings)/.test(p) || p.endsWith('/export.zip') ? 'admin' : 'viewer')
        : /^\/v1\/(webhooks|settings|rules|brand)/.test(p) || p.endsWith('/budget') ? 'admin'
        : p.startsWith('/v1/clients') && !/\/(imports|analysis|split-tests|tracking-campaigns|actions|report-layout|export-schedules(\/\{scheduleId\})?)$/.test(p) ? 'admin'
          : p.startsWith('/v1/api-keys') ? 'admin'
            : 'member';
    const rank = { viewer: 0, member: 1, admin: 2 } as const;
    for (const e of await endpoints()) {
      for (const role of ['viewer', 'member'] as const) {
        const required = need(e.method, e.path);
        if (rank[role] >= rank[required]) continue;
        const url = fill(e.path.replace('{id}', idFor(e.path, ids) ?? ''));
        const r = await call(e.method, url, { key: keys[role], body: e.method === 'GET' || e.method === 'DELETE' ? undefined : {} });
        expect([403, 422], `${role} ${e.method} ${url} → ${r.status}`).toContain(r.status);
        if (r.status === 403) expect(r.json.error.code).toBe('forbidden');
      }
    }
    // With valid bodies the refusals are all 403 (validation cannot hide a missing role).
    expect((await call('PATCH', `/v1/insights/${ids.insight}`, { key: keys.viewer, body: { status: 'PENDING' } })).status).toBe(403);
    expect((await call('POST', `/v1/clients/${ids.client}/analysis`, { key: keys.viewer, body: {} })).status).toBe(403);
    expect((await call('POST', '/v1/api-keys', { key: keys.member, body: { role: 'admin' } })).status).toBe(403);
    expect((await call('PATCH', `/v1/clients/${ids.client}`, { key: keys.member, body: { name: 'x' } })).status).toBe(403);
    expect((await call('POST', `/v1/entities/${ids.entity}/kill`, { key: keys.viewer, body: {} })).status).toBe(403);
    expect((await call('POST', `/v1/clients/${ids.client}/connections`, { key: keys.member, body: { platform: 'meta', accountId: '1', accessToken: 'x' } })).status).toBe(403);
    expect((await call('DELETE', `/v1/connections/${ids.connection}`, { key: keys.member })).status).toBe(403);
    expect((await call('POST', `/v1/connections/${ids.connection}/sync`, { key: keys.viewer, body: {} })).status).toBe(403);
  });

  it('connections: listed without their tokens; bad input is a 422 naming the field', async () => {
    const list = await call('GET', `/v1/clients/${ids.client}/connections`, { key: keys.viewer });
    expect(list.json.data).toEqual([expect.objectContaining({ id: ids.connection, platform: 'meta', status: 'active' })]);
    expect(list.text).not.toContain('tok-ours');
    expect(list.text).not.toContain('credentials');
    const bad = await call('POST', `/v1/clients/${ids.client}/connections`, { key: keys.admin, body: { platform: 'myspace', accountId: '1', accessToken: 'x' } });
    expect(bad.status).toBe(422);
    expect(bad.json.error.details.map((d: { path: string }) => d.path)).toEqual(['body.platform']);
    const range = await call('POST', `/v1/connections/${ids.connection}/sync`, { key: keys.member, body: { to: '2026-11-01' } });
    expect(range.status).toBe(422);
  });

  it('random and malformed input on every endpoint never produces a 5xx', async () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const junk = (): unknown => {
      const pick = Math.floor(rnd() * 10);
      return [null, 42, -1e308, 'x'.repeat(Math.floor(rnd() * 3000)), [], {}, { status: 'APPLIED', note: 7 }, { slug: '../../etc', recipients: 'a' }, { asOf: '2026-02-31' }, [{ role: 'root' }]][pick];
    };
    const raws = ['{', '{"a":', 'null', '[]', '\u0000\u0001', '{"__proto__":{"x":1}}', '{"status":"APPLIED","note":"' + 'é'.repeat(5000) + '"}'];
    const badIds = ['not-a-uuid', '00000000-0000-0000-0000-000000000000', "1' OR '1'='1", '%00', 'ffffffff-ffff-ffff-ffff-ffffffffffff'];
    const queries = ['', '?limit=-5', '?limit=abc', '?from=2026-13-01&to=2026-11-01', '?status=NOPE&type=x', '?cursor=%ZZ', '?groupBy=hour&from=2026-11-01&to=2026-11-02'];
    let calls = 0;
    for (const e of await endpoints()) {
      for (let k = 0; k < 12; k++) {
        const id = k < 4 ? idFor(e.path, ids) ?? '' : badIds[k % badIds.length]!;
        const url = e.path.replace('{id}', encodeURIComponent(id)) + queries[k % queries.length];
        const opts = k % 3 === 0 && e.method !== 'GET' ? { raw: raws[k % raws.length], type: k % 2 ? 'application/json' : 'text/csv' } : { body: e.method === 'GET' ? undefined : junk() };
        const r = await call(e.method, url, { key: keys.admin, ...opts });
        calls++;
        expect(r.status, `${e.method} ${url} ${JSON.stringify(opts).slice(0, 80)} → ${r.status} ${r.text.slice(0, 200)}`).toBeLessThan(500);
        if (r.status >= 400) expect(r.json?.error?.code, `${e.method} ${url}`).toEqual(expect.any(String));
      }
    }
    expect(calls).toBeGreaterThan(250);
  });

  it('rate-limits per key with the error shape', async () => {
    const limited = createApp(apiDeps(db, loadConfig({}), () => NOW), { rateLimit: 3 });
    // Fresh keys: the fuzzing above may have revoked the fixtures' viewer key.
    const agencyId = (await db.prisma.agency.findUniqueOrThrow({ where: { slug: 'demo' } })).id;
    const a = (await createApiKey(db.prisma, agencyId, { role: 'viewer' })).key;
    const b = (await createApiKey(db.prisma, agencyId, { role: 'viewer' })).key;
    const get = (key: string) => limited.request('/v1/clients', { headers: { authorization: `Bearer ${key}` } });
    const codes = [];
    for (let i = 0; i < 5; i++) codes.push((await get(a)).status);
    expect(codes).toEqual([200, 200, 200, 429, 429]);
    const r = await get(a);
    expect(await r.json()).toMatchObject({ error: { code: 'rate_limited' } });
    // Another key has its own budget.
    expect((await get(b)).status).toBe(200);
  });

  it('rate-limits failed sign-ins per client address, not per key', async () => {
    const guarded = createApp(apiDeps(db, loadConfig({}), () => NOW), { authFailureLimit: 5 });
    const from = (address: string, key: string) =>
      guarded.request('/v1/clients', { headers: { authorization: `Bearer ${key}` } }, { incoming: { socket: { remoteAddress: address } } });
    const agencyId = (await db.prisma.agency.findUniqueOrThrow({ where: { slug: 'demo' } })).id;
    const good = (await createApiKey(db.prisma, agencyId, { role: 'viewer' })).key;
    // Successful requests do not count.
    for (let i = 0; i < 8; i++) expect((await from('198.51.100.1', good)).status).toBe(200);
    const codes = [];
    for (let i = 0; i < 7; i++) codes.push((await from('198.51.100.1', `adb_guess${i}_xxxxxxxxxxxxxxxxxxxx`)).status);
    expect(codes).toEqual([401, 401, 401, 401, 401, 429, 429]);
    const r = await from('198.51.100.1', good);
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe('60');
    expect(await r.json()).toMatchObject({ error: { code: 'rate_limited' } });
    // Another address is not affected.
    expect((await from('198.51.100.2', 'adb_nope_xxxxxxxxxxxxxxxxxxxx')).status).toBe(401);
    expect((await from('198.51.100.2', good)).status).toBe(200);
    // X-Forwarded-For is not believed from an address that is not a configured proxy
    // (loopback included): rotating it does not escape the limit.
    const spoofed = (i: number, key: string) =>
      guarded.request('/v1/clients', { headers: { authorization: `Bearer ${key}`, 'x-forwarded-for': `198.18.${i >> 8}.${i & 255}` } }, { incoming: { socket: { remoteAddress: '127.0.0.9' } } });
    const rotating = [];
    for (let i = 0; i < 8; i++) rotating.push((await spoofed(i, 'adb_bad_xxxxxxxxxxxxxxxxxxxx')).status);
    expect(rotating).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
    // Behind a configured reverse proxy: the client is the address the proxy appended.
    const behind = createApp(apiDeps(db, loadConfig({ ADBRAIN_TRUSTED_PROXIES: '127.0.0.1, 10.0.0.0/8' }), () => NOW), { authFailureLimit: 5 });
    const proxied = (client: string, key: string, socket = '127.0.0.1') =>
      behind.request('/v1/clients', { headers: { authorization: `Bearer ${key}`, 'x-forwarded-for': `6.6.6.6, ${client}, 10.1.2.3` } }, { incoming: { socket: { remoteAddress: socket } } });
    for (let i = 0; i < 5; i++) expect((await proxied('203.0.113.5', 'adb_bad_xxxxxxxxxxxxxxxxxxxx')).status).toBe(401);
    expect((await proxied('203.0.113.5', good)).status).toBe(429);
    expect((await proxied('203.0.113.6', good)).status).toBe(200);
    // What the client wrote left of it is not read: the same client with another made-up first hop is still refused.
    expect((await behind.request('/v1/clients', { headers: { authorization: `Bearer ${good}`, 'x-forwarded-for': '7.7.7.7, 203.0.113.5' } }, { incoming: { socket: { remoteAddress: '::ffff:127.0.0.1' } } })).status).toBe(429);
    expect(() => loadConfig({ ADBRAIN_TRUSTED_PROXIES: '127.0.0.1, nginx' })).toThrow(/ADBRAIN_TRUSTED_PROXIES/);
    expect(() => loadConfig({ ADBRAIN_TRUSTED_PROXIES: '10.0.0.0/33' })).toThrow(/ADBRAIN_TRUSTED_PROXIES/);
  });

  it('requests in flight with a valid key never count as failed sign-ins (31+ at once, 0 refused)', async () => {
    // The limiter once counted each request as it started and took it back on success:
    // 31 concurrent valid requests saw the 31st refused as "wrong API key".
    const guarded = createApp(apiDeps(db, loadConfig({}), () => NOW), { authFailureLimit: 30 });
    const at = { incoming: { socket: { remoteAddress: '198.51.100.77' } } };
    for (let round = 0; round < 3; round++) {
      const codes = await Promise.all(Array.from({ length: 64 }, () => Promise.resolve(guarded.request('/v1/clients', { headers: { authorization: `Bearer ${keys.admin}` } }, at)).then((r) => r.status)));
      expect(codes.filter((c) => c !== 200)).toEqual([]);
    }
    // Failures still count, concurrent or not: 30 wrong keys at once, then the next is refused.
    const bad = await Promise.all(Array.from({ length: 30 }, (_, i) => Promise.resolve(guarded.request('/v1/clients', { headers: { authorization: `Bearer adb_guess${i}_xxxxxxxxxxxxxxxxxxxx` } }, at)).then((r) => r.status)));
    expect(bad.every((c) => c === 401)).toBe(true);
    expect((await guarded.request('/v1/clients', { headers: { authorization: `Bearer ${keys.admin}` } }, at)).status).toBe(429);
  });

});
