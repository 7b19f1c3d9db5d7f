// Actions through REST and MCP against the Meta fake: a member proposes and
// approves, a viewer cannot, another agency sees none of it; the CLI too.
import { randomBytes } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import { apiDeps } from '../src/api/server.ts';
import { loadConfig } from '../src/config.ts';
import { addAgency } from '../src/domain/agencies.ts';
import { createApiKey } from '../src/domain/api-keys.ts';
import { addClient } from '../src/domain/clients.ts';
import { saveConnection } from '../src/domain/connections.ts';
import { credentialKey } from '../src/sources/sync.ts';
import { startFakeMeta, type FakeMeta } from './fakes/meta-server.ts';
import { freshDb, type TestDb } from './helpers/db.ts';
import { testSources } from './helpers/sources.ts';

const NOW = new Date('2026-12-07T10:00:00Z');

describe('actions through REST and MCP', () => {
  let db: TestDb;
  let meta: FakeMeta;
  let app: ReturnType<typeof createApp>;
  const keys: Record<string, string> = {};
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    db = await freshDb('pglite');
    meta = await startFakeMeta({ ads: [{ id: '901', name: 'Ad A', adset: { id: '80', name: 'Set' }, campaign: { id: '70', name: 'Camp' } }, { id: '902', name: 'Ad B', adset: { id: '80', name: 'Set' }, campaign: { id: '70', name: 'Camp' } }], days: ['2026-12-06'] });
    const config = { ...loadConfig({}), encryptionKey: randomBytes(32).toString('hex'), sources: testSources({ meta: meta.url }) };
    const a = await addAgency(db.prisma, { slug: 'a', name: 'A' });
    const c = await addClient(db.prisma, { slug: 'shop', agency: 'a' });
    const conn = await saveConnection(db.prisma, credentialKey(config)!, { clientId: c.id, platform: 'meta', credentials: { accessToken: meta.token } });
    await db.prisma.connection.update({ where: { id: conn.id }, data: { settings: { accountId: meta.account, currency: 'USD' } } });
    const mk = (kind: 'account' | 'campaign' | 'adset' | 'ad', externalId: string, parentId: string | null) => db.prisma.entity.create({ data: { clientId: c.id, platform: 'meta', kind, externalId, name: `${kind} ${externalId}`, parentId } });
    const acct = await mk('account', meta.account, null);
    const camp = await mk('campaign', '70', acct.id);
    const set = await mk('adset', '80', camp.id);
    ids.adA = (await mk('ad', '901', set.id)).id;
    ids.adB = (await mk('ad', '902', set.id)).id;
    for (const role of ['member', 'viewer'] as const) keys[role] = (await createApiKey(db.prisma, a.id, { role, name: role })).key;
    const o = await addAgency(db.prisma, { slug: 'o', name: 'O' });
    keys.other = (await createApiKey(db.prisma, o.id, { role: 'admin' })).key;
    app = createApp(apiDeps(db, config, () => NOW), { rateLimit: 100_000, authFailureLimit: 100_000 });
  }, 60_000);
  afterAll(async () => {
    await meta?.close();
    await db?.destroy();
  });

  const call = async (method: string, url: string, key: string, body?: unknown) => {
    const r = await app.request(url, { method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: r.status, json: (await r.json()) as any };
  };

  it('REST: a member proposes (preview from Meta), approves and undoes; a viewer only reads; another agency sees nothing', async () => {
    expect((await call('POST', '/v1/clients/shop/actions', keys.viewer!, { entity: ids.adA, kind: 'pause' })).status).toBe(403);
    const p = await call('POST', '/v1/clients/shop/actions', keys.member!, { entity: ids.adA, kind: 'pause' });
    expect(p.status).toBe(201);
    expect(p.json).toMatchObject({ state: 'proposed', field: 'status', from: 'ACTIVE', to: 'PAUSED', object: { level: 'ad', id: '901', name: 'ad 901' } });
    expect((await call('POST', '/v1/clients/shop/actions', keys.member!, { entity: ids.adA, kind: 'pause' })).status).toBe(200);
    const budget = await call('POST', '/v1/clients/shop/actions', keys.member!, { entity: ids.adA, kind: 'budget', amount: '62.50' });
    expect(budget.json).toMatchObject({ object: { level: 'adset', id: '80' }, from: '$50.00', to: '$62.50', moneyPerDay: '$12.50' });
    const bad = await call('POST', '/v1/clients/shop/actions', keys.member!, { entity: ids.adA, kind: 'budget', percent: 500 });
    expect(bad.status).toBe(422);

    expect((await call('POST', `/v1/actions/${p.json.id}/approve`, keys.viewer!)).status).toBe(403);
    expect(meta.nodes.get('901')!.status).toBe('ACTIVE');
    expect((await call('GET', `/v1/actions/${p.json.id}`, keys.other!)).status).toBe(404);
    expect((await call('POST', `/v1/actions/${p.json.id}/approve`, keys.other!)).status).toBe(404);
    expect((await call('GET', '/v1/clients/shop/actions', keys.other!)).status).toBe(404);

    const done = await call('POST', `/v1/actions/${p.json.id.slice(0, 8)}/approve`, keys.member!);
    expect(done.json).toMatchObject({ state: 'done', approvedBy: expect.stringMatching(/^api-key:/) });
    expect(meta.nodes.get('901')!.status).toBe('PAUSED');
    const undone = await call('POST', `/v1/actions/${p.json.id}/undo`, keys.member!);
    expect(undone.json.state).toBe('undone');
    expect(meta.nodes.get('901')!.status).toBe('ACTIVE');
    expect((await call('POST', `/v1/actions/${p.json.id}/undo`, keys.member!)).json.state).toBe('undone');
    const list = await call('GET', '/v1/clients/shop/actions', keys.viewer!);
    expect(list.json.data.map((x: { id: string }) => x.id)).toEqual([budget.json.id, p.json.id]);
  });

  it('MCP: propose_action and approve_action for a member, refused to a viewer, audited as mcp', async () => {
    const connect = async (key: string) => {
      const client = new Client({ name: 't', version: '1' });
      await client.connect(new StreamableHTTPClientTransport(new URL('http://127.0.0.1/mcp'), { requestInit: { headers: { authorization: `Bearer ${key}` } }, fetch: (u, i) => Promise.resolve(app.request(String(u), i as RequestInit)) }));
      return client;
    };
    const body = (r: unknown) => JSON.parse((r as { content: { text: string }[] }).content[0]!.text);
    const viewer = await connect(keys.viewer!);
    expect(body(await viewer.callTool({ name: 'propose_action', arguments: { entity: ids.adB, kind: 'pause' } })).error.code).toBe('forbidden');
    const member = await connect(keys.member!);
    const proposed = body(await member.callTool({ name: 'propose_action', arguments: { entity: ids.adB, kind: 'pause' } }));
    expect(proposed).toMatchObject({ created: true, action: { state: 'proposed', from: 'ACTIVE', to: 'PAUSED' } });
    expect(body(await viewer.callTool({ name: 'approve_action', arguments: { action: proposed.action.id } })).error.code).toBe('forbidden');
    const done = body(await member.callTool({ name: 'approve_action', arguments: { action: proposed.action.id } }));
    expect(done.state).toBe('done');
    expect(meta.nodes.get('902')!.status).toBe('PAUSED');
    const listed = body(await viewer.callTool({ name: 'list_actions', arguments: { client: 'shop', state: 'done' } }));
    expect(body(await viewer.callTool({ name: 'undo_action', arguments: { action: proposed.action.id } })).error.code).toBe('forbidden');
    expect(body(await member.callTool({ name: 'undo_action', arguments: { action: proposed.action.id } })).state).toBe('undone');
    expect(meta.nodes.get('902')!.status).toBe('ACTIVE');
    expect(listed.actions.map((x: { id: string }) => x.id)).toContain(proposed.action.id);
    const audits = await db.prisma.auditLog.findMany({ where: { entityId: proposed.action.id }, orderBy: { id: 'asc' } });
    expect(audits.map((x) => [x.action, x.actorKind])).toEqual([['ad_action.propose', 'mcp'], ['ad_action.approve', 'mcp'], ['ad_action.undo', 'mcp']]);
    await viewer.close();
    await member.close();
  });

  it('a client\'s own switch: off refuses proposing and approving there (the stricter of it and ADBRAIN_ACTIONS applies)', async () => {
    const admin = (await createApiKey(db.prisma, (await db.prisma.agency.findUniqueOrThrow({ where: { slug: 'a' } })).id, { role: 'admin', name: 'boss' })).key;
    const pending = (await call('POST', '/v1/clients/shop/actions', keys.member!, { entity: ids.adA, kind: 'budget', percent: 10 })).json;
    expect((await call('PATCH', '/v1/clients/shop', admin, { actionsMode: 'off' })).json.actionsMode).toBe('off');
    const refused = await call('POST', '/v1/clients/shop/actions', keys.member!, { entity: ids.adA, kind: 'pause' });
    expect(refused.status).toBe(409);
    expect(refused.json.error.message).toMatch(/off for this client/);
    expect((await call('POST', `/v1/actions/${pending.id}/approve`, keys.member!)).status).toBe(409);
    expect(meta.nodes.get('80')!.daily_budget).toBe(5000);
    expect((await call('PATCH', '/v1/clients/shop', admin, { actionsMode: null })).json.actionsMode).toBeNull();
    expect((await call('POST', `/v1/actions/${pending.id}/approve`, keys.member!)).json.state).toBe('done');
  });

  it('rules over REST: an admin adds one, auto only after a replay; members cannot; bad input names the field', async () => {
    const admin = (await createApiKey(db.prisma, (await db.prisma.agency.findUniqueOrThrow({ where: { slug: 'a' } })).id, { role: 'admin', name: 'rules' })).key;
    const rule = { name: 'winners', kind: 'scale_winner', minProbability: 0.9, percent: 20 };
    expect((await call('POST', '/v1/clients/shop/rules', keys.member!, rule)).status).toBe(403);
    const bad = await call('POST', '/v1/clients/shop/rules', admin, { ...rule, percent: 50 });
    expect(bad.status).toBe(422);
    expect(bad.json.error.details).toEqual([expect.objectContaining({ path: 'body.percent' })]);
    const made = await call('POST', '/v1/clients/shop/rules', admin, rule);
    expect(made.status).toBe(201);
    expect((await call('POST', '/v1/clients/shop/rules', admin, rule)).status).toBe(409);
    const early = await call('PATCH', `/v1/rules/${made.json.id}`, admin, { mode: 'auto' });
    expect(early.status).toBe(409);
    expect(early.json.error.message).toMatch(/replay rule "winners" first/);
    const replay = await call('POST', `/v1/rules/${made.json.id}/replay?days=14`, admin);
    expect(replay.json).toMatchObject({ rule: 'winners', fires: expect.any(Number), netCents: expect.any(Number) });
    expect((await call('PATCH', `/v1/rules/${made.json.id}`, admin, { mode: 'auto' })).json).toMatchObject({ mode: 'auto', replayedAt: NOW.toISOString() });
    expect((await call('GET', '/v1/clients/shop/rules', keys.viewer!)).json.data.map((r: { name: string }) => r.name)).toEqual(['winners']);
    expect((await call('GET', '/v1/clients/shop/rules', keys.other!)).status).toBe(404);
  });
});
