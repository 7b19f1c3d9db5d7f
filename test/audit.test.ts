// The audit log through the API: every mutating endpoint of the OpenAPI document is
// called with a valid request, and each must leave an audit row naming the key,
// the request id and what changed — a new endpoint without a row (or without an
// entry here) fails. Secrets never reach the log; GET /v1/audit filters and pages.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import { apiDeps } from '../src/api/server.ts';
import { runBrain } from '../src/run/brain-run.ts';
import { loadConfig } from '../src/config.ts';
import { runDemo } from '../src/demo/demo.ts';
import { addAgency } from '../src/domain/agencies.ts';
import { createApiKey } from '../src/domain/api-keys.ts';
import { addDays } from '../src/time.ts';
import { saveConnection } from '../src/domain/connections.ts';
import { credentialKey } from '../src/sources/sync.ts';
import { startFakeMeta, type FakeMeta } from './fakes/meta-server.ts';
import { dbKinds, freshDb, type TestDb } from './helpers/db.ts';
import { testSources } from './helpers/sources.ts';
import { requester } from './helpers/request.ts';

const END = '2026-11-21';
const NOW = new Date('2026-11-22T12:00:00Z');

describe.each(dbKinds)('audit log through the API (%s)', (kind) => {
  let db: TestDb;
  let app: ReturnType<typeof createApp>;
  let meta: FakeMeta;
  let receiver: http.Server;
  let receiverUrl = '';
  let admin = '';
  let adminId = '';
  let otherAdmin = '';
  const ids: Record<string, string> = {};
  const secrets: string[] = [];

  beforeAll(async () => {
    db = await freshDb(kind);
    await runDemo(db, { endDate: END, dataDir: await mkdtemp(path.join(tmpdir(), 'adbrain-audit-')) });
    const demo = await db.prisma.agency.findUniqueOrThrow({ where: { slug: 'demo' } });
    const k = await createApiKey(db.prisma, demo.id, { role: 'admin', name: 'ops' });
    admin = k.key;
    adminId = k.row.id;
    const o = await addAgency(db.prisma, { slug: 'other', name: 'Other' });
    otherAdmin = (await createApiKey(db.prisma, o.id, { role: 'admin' })).key;
    const c = await db.prisma.client.findUniqueOrThrow({ where: { slug: 'demo-affiliate' } });
    ids.client = c.id;
    await runBrain(db, c, END, { now: NOW });
    ids.insight = (await db.prisma.insight.findFirstOrThrow({ where: { clientId: c.id, status: 'PENDING' } })).id;
    const links = await db.prisma.entity.findMany({ where: { clientId: c.id, kind: 'link' }, take: 2, orderBy: { name: 'asc' } });
    ids.link = links[0]!.id;
    ids.link2 = links[1]!.id;
    ids.campaign = (await db.prisma.entity.findFirstOrThrow({ where: { clientId: c.id, kind: 'campaign' } })).id;
    ids.account = (await db.prisma.entity.findFirstOrThrow({ where: { clientId: c.id, kind: 'account', platform: { not: 'shopify' } } })).id;

    meta = await startFakeMeta({ ads: [{ id: '901', name: 'Ad', adset: { id: '80', name: 'Set' }, campaign: { id: '70', name: 'Camp' } }], days: [addDays(END, -1), END] });
    meta.timezone = 'UTC';
    secrets.push(meta.token);
    receiver = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200).end('ok'));
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    const config = { ...loadConfig({}), encryptionKey: randomBytes(32).toString('hex'), sources: testSources({ meta: meta.url }), webhooks: { allowPrivate: true, timeoutMs: 2_000 } };
    // A synced Meta account of another client, for the actions on the platform.
    const shop = await db.prisma.client.findUniqueOrThrow({ where: { slug: 'demo-shop' } });
    const conn = await saveConnection(db.prisma, credentialKey(config)!, { clientId: shop.id, platform: 'meta', credentials: { accessToken: meta.token } });
    await db.prisma.connection.update({ where: { id: conn.id }, data: { settings: { accountId: meta.account, currency: 'USD' } } });
    const acct = await db.prisma.entity.create({ data: { clientId: shop.id, platform: 'meta', kind: 'account', externalId: meta.account, name: 'Fake Shop Ads' } });
    const camp = await db.prisma.entity.create({ data: { clientId: shop.id, platform: 'meta', kind: 'campaign', externalId: '70', name: 'Camp', parentId: acct.id } });
    const set = await db.prisma.entity.create({ data: { clientId: shop.id, platform: 'meta', kind: 'adset', externalId: '80', name: 'Set', parentId: camp.id } });
    ids.shop = shop.id;
    ids.metaAd = (await db.prisma.entity.create({ data: { clientId: shop.id, platform: 'meta', kind: 'ad', externalId: '901', name: 'Ad', parentId: set.id } })).id;
    ids.action2 = (await db.prisma.adAction.create({ data: { clientId: shop.id, connectionId: conn.id, entityId: set.id, targetEntityId: set.id, kind: 'budget', level: 'adset', externalId: '80', field: 'daily_budget', fromValue: '5000', toValue: '6000', proposedBy: 'test' } })).id;
    app = createApp(apiDeps(db, config, () => NOW), { rateLimit: 100_000, authFailureLimit: 100_000 });
  }, 120_000);
  afterAll(async () => {
    await meta?.close();
    await new Promise((r) => receiver?.close(r));
    await db?.destroy();
  });

  const call = requester(() => app, { key: () => admin, rawType: 'text/csv' });

  // A valid request for every mutating endpoint, in an order where each finds what it needs.
  type Step = { url: () => string; body?: () => unknown; raw?: string; type?: string; keep?: (json: any) => void; action: string };
  const LOGO_SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 40"><rect width="120" height="40" fill="#0a5c4e"/></svg>';
  const csv = `date,platform,campaign,spend,impressions,clicks,conversions,revenue\n${END},meta,Audit campaign,12.50,900,20,1,30.00\n`;
  const plan: Record<string, Step> = {
    'POST /v1/clients': { url: () => '/v1/clients', body: () => ({ slug: 'audit-new', name: 'Audit New' }), keep: (j) => (ids.newClient = j.id), action: 'client.create' },
    'PATCH /v1/clients/{id}': { url: () => `/v1/clients/${ids.client}`, body: () => ({ name: 'Renamed Affiliate' }), action: 'client.update' },
    'PUT /v1/clients/{id}/campaigns/{campaign}/objective': { url: () => `/v1/clients/${ids.client}/campaigns/${ids.campaign}/objective`, body: () => ({ objective: 'leads', targetCpaCents: 4000 }), action: 'campaign.objective_set' },
    'DELETE /v1/clients/{id}/campaigns/{campaign}/objective': { url: () => `/v1/clients/${ids.client}/campaigns/${ids.campaign}/objective`, action: 'campaign.objective_cleared' },
    'PATCH /v1/insights/{id}': { url: () => `/v1/insights/${ids.insight}`, body: () => ({ status: 'IN_PROGRESS', note: 'on it' }), action: 'insight.status_changed' },
    'POST /v1/insights/{id}/snooze': { url: () => `/v1/insights/${ids.insight}/snooze`, body: () => ({ days: 3 }), action: 'insight.snoozed' },
    'POST /v1/clients/{id}/imports': { url: () => `/v1/clients/${ids.client}/imports`, raw: csv, action: 'import.create' },
    'POST /v1/clients/{id}/analysis': { url: () => `/v1/clients/${ids.client}/analysis`, body: () => ({}), action: 'analysis.start' },
    'POST /v1/entities/{id}/kill': { url: () => `/v1/entities/${ids.link}/kill`, body: () => ({ reason: 'burning' }), action: 'entity.kill' },
    'POST /v1/entities/{id}/restore': { url: () => `/v1/entities/${ids.link}/restore`, action: 'entity.restore' },
    'PUT /v1/entities/{id}/budget': { url: () => `/v1/entities/${ids.account}/budget`, body: () => ({ monthlyBudgetCents: 250_000 }), action: 'entity.budget' },
    'POST /v1/api-keys': { url: () => '/v1/api-keys', body: () => ({ name: 'ci', role: 'viewer' }), keep: (j) => { ids.key = j.id; secrets.push(j.key); }, action: 'api_key.create' },
    'DELETE /v1/api-keys/{id}': { url: () => `/v1/api-keys/${ids.key}`, action: 'api_key.revoke' },
    'POST /v1/users': { url: () => '/v1/users', body: () => ({ name: 'Ana Ops', email: 'Ana@Agency.example', role: 'Member' }), keep: (j) => (ids.user = j.id), action: 'user.create' },
    'DELETE /v1/users/{id}': { url: () => `/v1/users/${ids.user}`, action: 'user.delete' },
    'POST /v1/clients/{id}/connections': { url: () => `/v1/clients/${ids.client}/connections`, body: () => ({ platform: 'meta', accountId: meta.account, accessToken: meta.token }), keep: (j) => (ids.connection = j.id), action: 'connection.create' },
    'POST /v1/connections/{id}/test': { url: () => `/v1/connections/${ids.connection}/test`, action: 'connection.test' },
    'POST /v1/connections/{id}/sync': { url: () => `/v1/connections/${ids.connection}/sync`, body: () => ({ from: addDays(END, -1), to: END }), action: 'connection.sync' },
    'DELETE /v1/connections/{id}': { url: () => `/v1/connections/${ids.connection}`, action: 'connection.delete' },
    'POST /v1/clients/{id}/actions': { url: () => `/v1/clients/${ids.shop}/actions`, body: () => ({ entity: ids.metaAd, kind: 'pause' }), keep: (j) => (ids.action = j.id), action: 'ad_action.propose' },
    'POST /v1/actions/{id}/approve': { url: () => `/v1/actions/${ids.action}/approve`, action: 'ad_action.approve' },
    'POST /v1/actions/{id}/undo': { url: () => `/v1/actions/${ids.action}/undo`, action: 'ad_action.undo' },
    'POST /v1/actions/{id}/cancel': { url: () => `/v1/actions/${ids.action2}/cancel`, action: 'ad_action.cancel' },
    'POST /v1/clients/{id}/rules': { url: () => `/v1/clients/${ids.shop}/rules`, body: () => ({ name: 'burners', kind: 'pause_burning', minProbability: 0.95, minSpendCents: 10_000 }), keep: (j) => (ids.rule = j.id), action: 'action_rule.create' },
    'POST /v1/rules/{id}/replay': { url: () => `/v1/rules/${ids.rule}/replay?days=7`, action: 'action_rule.replay' },
    'PATCH /v1/rules/{id}': { url: () => `/v1/rules/${ids.rule}`, body: () => ({ mode: 'auto' }), action: 'action_rule.mode' },
    'POST /v1/clients/{id}/export-schedules': { url: () => `/v1/clients/${ids.client}/export-schedules`, body: () => ({ every: 'week', kinds: ['spend'], recipients: ['ops@agency.example'] }), keep: (j) => (ids.schedule = j.id), action: 'export_schedule.create' },
    'DELETE /v1/clients/{id}/export-schedules/{scheduleId}': { url: () => `/v1/clients/${ids.client}/export-schedules/${ids.schedule}`, action: 'export_schedule.delete' },
    'POST /v1/clients/{id}/split-tests': { url: () => `/v1/clients/${ids.client}/split-tests`, body: () => ({ name: 'Hook A vs B', metric: 'roi', variants: [{ entity: ids.link }, { entity: ids.link2 }] }), keep: (j) => (ids.test = j.id), action: 'split_test.create' },
    'POST /v1/split-tests/{id}/stop': { url: () => `/v1/split-tests/${ids.test}/stop`, action: 'split_test.stop' },
    'POST /v1/webhooks': { url: () => '/v1/webhooks', body: () => ({ url: receiverUrl, description: 'ops' }), keep: (j) => { ids.webhook = j.endpoint.id; secrets.push(j.secret); }, action: 'webhook.create' },
    'PATCH /v1/webhooks/{id}': { url: () => `/v1/webhooks/${ids.webhook}`, body: () => ({ description: 'ops channel' }), action: 'webhook.update' },
    'POST /v1/webhooks/{id}/rotate-secret': { url: () => `/v1/webhooks/${ids.webhook}/rotate-secret`, keep: (j) => secrets.push(j.secret), action: 'webhook.rotate_secret' },
    'POST /v1/webhooks/{id}/test': { url: () => `/v1/webhooks/${ids.webhook}/test`, action: 'webhook.test' },
    'DELETE /v1/webhooks/{id}': { url: () => `/v1/webhooks/${ids.webhook}`, action: 'webhook.delete' },
    'PATCH /v1/clients/{id}/tracking': { url: () => `/v1/clients/${ids.client}/tracking`, body: () => ({ origins: ['https://shop.example'], honorDnt: true }), action: 'client.tracking' },
    'POST /v1/clients/{id}/tracking-campaigns': { url: () => `/v1/clients/${ids.client}/tracking-campaigns`, body: () => ({ name: 'Summer dress', platform: 'instagram', type: 'reel', destinationUrl: 'https://shop.example/dress' }), keep: (j) => (ids.tracking = j.id), action: 'tracking_campaign.create' },
    'PATCH /v1/tracking-campaigns/{id}': { url: () => `/v1/tracking-campaigns/${ids.tracking}`, body: () => ({ costCents: 50_000 }), action: 'tracking_campaign.update' },
    'POST /v1/tracking-campaigns/{id}/deactivate': { url: () => `/v1/tracking-campaigns/${ids.tracking}/deactivate`, action: 'tracking_campaign.deactivate' },
    'POST /v1/tracking-campaigns/{id}/activate': { url: () => `/v1/tracking-campaigns/${ids.tracking}/activate`, action: 'tracking_campaign.activate' },
    'DELETE /v1/tracking-campaigns/{id}': { url: () => `/v1/tracking-campaigns/${ids.tracking}`, action: 'tracking_campaign.delete' },
    'PATCH /v1/brand': { url: () => '/v1/brand', body: () => ({ name: 'Acme Growth', primary: '#0a5c4e' }), action: 'brand.update' },
    'PUT /v1/brand/logo': { url: () => '/v1/brand/logo', raw: LOGO_SVG, type: 'image/svg+xml', action: 'brand.logo_set' },
    'DELETE /v1/brand/logo': { url: () => '/v1/brand/logo', action: 'brand.logo_removed' },
    'PATCH /v1/clients/{id}/brand': { url: () => `/v1/clients/${ids.client}/brand`, body: () => ({ title: 'Performance report' }), action: 'brand.update' },
    'PUT /v1/clients/{id}/brand/logo': { url: () => `/v1/clients/${ids.client}/brand/logo`, raw: LOGO_SVG, type: 'image/svg+xml', action: 'brand.logo_set' },
    'DELETE /v1/clients/{id}/brand/logo': { url: () => `/v1/clients/${ids.client}/brand/logo`, action: 'brand.logo_removed' },
    'PUT /v1/clients/{id}/report-layout': { url: () => `/v1/clients/${ids.client}/report-layout`, body: () => ({ sections: ['summary', 'kpis', 'trend'] }), action: 'client.report_layout' },
    'DELETE /v1/clients/{id}/report-layout': { url: () => `/v1/clients/${ids.client}/report-layout`, action: 'client.report_layout' },
    'PATCH /v1/settings/retention': { url: () => '/v1/settings/retention', body: () => ({ llmDays: 30 }), action: 'agency.retention' },
    'DELETE /v1/clients/{id}': { url: () => `/v1/clients/${ids.newClient}`, action: 'client.purge' },
  };

  // Event ingestion is data, not a change of settings: orders are counted in their own
  // table (one per order id), and an audit row per order would double every write.
  // A question reads (its LLM calls are recorded in llm_call, not as changes).
  const INGEST = ['POST /v1/track/conversion', 'POST /v1/track/events', 'POST /v1/track/visit', 'POST /v1/track/activity', 'POST /v1/ask'];

  it('every mutating endpoint writes one audit row with the key, the request id and the change', async () => {
    const doc = (await call('GET', '/openapi.json')).json as { paths: Record<string, Record<string, unknown>> };
    const mutating = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).filter((m) => m !== 'get').map((m) => `${m.toUpperCase()} ${p}`));
    // A new endpoint must be added here (and so be shown to audit) before this passes.
    expect(mutating.filter((e) => !plan[e] && !INGEST.includes(e)), 'mutating endpoints without an audit check').toEqual([]);
    expect(Object.keys(plan).filter((e) => !mutating.includes(e)), 'checks of endpoints that no longer exist').toEqual([]);
    for (const e of Object.keys(plan)) {
      const step = plan[e]!;
      const last = (await db.prisma.auditLog.aggregate({ _max: { id: true } }))._max.id ?? 0n;
      const [method] = e.split(' ');
      const r = await call(method!, step.url(), { body: step.body?.(), raw: step.raw, type: step.type });
      expect(r.status, `${e} → ${r.status} ${JSON.stringify(r.json)?.slice(0, 300)}`).toBeLessThan(300);
      step.keep?.(r.json);
      const rows = await db.prisma.auditLog.findMany({ where: { id: { gt: last } } });
      expect(rows.map((x) => x.action), `${e} wrote no audit row`).toEqual([step.action]);
      expect(rows[0]).toMatchObject({ actorKind: 'api_key', actorId: adminId, actorName: expect.stringContaining('ops'), requestId: r.requestId });
    }
  }, 120_000);

  it('records before → after, and no secret reaches the log', async () => {
    const upd = await db.prisma.auditLog.findFirstOrThrow({ where: { action: 'client.update' } });
    expect((upd.before as { name: string }).name).not.toBe('Renamed Affiliate');
    expect((upd.after as { name: string }).name).toBe('Renamed Affiliate');
    const ins = await db.prisma.auditLog.findFirstOrThrow({ where: { action: 'insight.status_changed' } });
    expect(ins).toMatchObject({ entityId: ids.insight, before: { status: 'PENDING' }, after: { status: 'IN_PROGRESS', note: 'on it' } });
    const all = JSON.stringify(await db.prisma.auditLog.findMany({}), (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
    expect(secrets.length).toBeGreaterThanOrEqual(4);
    for (const s of secrets) expect(all.includes(s), 'a secret in the audit log').toBe(false);
    expect(all).not.toMatch(/whsec_|adb_[0-9a-f]{12}_/);
    // The erased client keeps only the row that says it was erased.
    const left = await db.prisma.auditLog.findMany({ where: { clientId: ids.newClient } });
    expect(left.map((x) => x.action)).toEqual(['client.purge']);
  });

  it('GET /v1/audit: newest first, filters, keyset pages, only the key\'s agency', async () => {
    const first = await call('GET', '/v1/audit?limit=5');
    expect(first.status).toBe(200);
    expect(first.json.data[0].action).toBe('client.purge');
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await call('GET', `/v1/audit?limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.json.data.map((x: { id: string }) => x.id));
      cursor = page.json.nextCursor;
    } while (cursor);
    const total = await db.prisma.auditLog.count({ where: { agencyId: (await db.prisma.agency.findUniqueOrThrow({ where: { slug: 'demo' } })).id } });
    expect(seen.length).toBe(total);
    expect(new Set(seen).size).toBe(total);
    expect(seen.map(BigInt)).toEqual([...seen.map(BigInt)].sort((a, b) => (a > b ? -1 : 1)));
    const hooks = await call('GET', '/v1/audit?action=webhook.');
    expect(hooks.json.data.map((x: { action: string }) => x.action).sort()).toEqual(['webhook.create', 'webhook.delete', 'webhook.rotate_secret', 'webhook.test', 'webhook.update']);
    const ofClient = await call('GET', `/v1/audit?clientId=${ids.client}&action=client.update`);
    expect(ofClient.json.data).toHaveLength(1);
    expect(ofClient.json.data[0]).toMatchObject({ actor: { kind: 'api_key', id: adminId }, entity: { type: 'client', id: ids.client } });
    expect((await call('GET', '/v1/audit', { key: otherAdmin })).json.data).toEqual([]);
    expect((await call('GET', `/v1/audit?clientId=${ids.client}`, { key: otherAdmin })).status).toBe(404);
    expect((await call('GET', '/v1/audit?cursor=abc')).status).toBe(422);
  });
});
