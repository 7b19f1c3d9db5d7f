// "Pause it on Meta" from the email: the report offers it for a burning link whose
// ad is on a connected account; opening shows the preview read from Meta and acts
// on nothing; the button proposes and approves the pause (read first), audited as
// the email link; a second press changes nothing.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { previewModel } from '../emails/preview-data.ts';
import { withActionLinks } from '../src/actions/links.ts';
import { linkKey } from '../src/actions/tokens.ts';
import { createApp } from '../src/api/app.ts';
import { apiDeps } from '../src/api/server.ts';
import { loadConfig } from '../src/config.ts';
import { addAgency } from '../src/domain/agencies.ts';
import { addClient } from '../src/domain/clients.ts';
import { saveConnection } from '../src/domain/connections.ts';
import { renderDailyReport } from '../src/reports/daily-report.ts';
import { credentialKey } from '../src/sources/sync.ts';
import { startFakeMeta, type FakeMeta } from './fakes/meta-server.ts';
import { freshDb, type TestDb } from './helpers/db.ts';
import { csrfOf, signInByKey } from './helpers/web-browser.ts';
import { createApiKey } from '../src/domain/api-keys.ts';

const NOW = new Date('2026-12-07T09:00:00Z');
const ENC = randomBytes(32).toString('base64');

describe('pausing on the platform from an email link', () => {
  let db: TestDb;
  let meta: FakeMeta;
  let app: ReturnType<typeof createApp>;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    db = await freshDb('pglite');
    meta = await startFakeMeta({ ads: [{ id: '901', name: 'Ad A', adset: { id: '80', name: 'Set' }, campaign: { id: '70', name: 'Camp' } }], days: ['2026-12-06'] });
    const config = loadConfig({ ADBRAIN_ENCRYPTION_KEY: ENC, ADBRAIN_PUBLIC_URL: 'https://adbrain.example', META_GRAPH_URL: meta.url });
    await addAgency(db.prisma, { slug: 'links', name: 'Links' });
    const c = await addClient(db.prisma, { slug: 'shop', agency: 'links', timezone: 'UTC' });
    ids.client = c.id;
    const conn = await saveConnection(db.prisma, credentialKey(config)!, { clientId: c.id, platform: 'meta', credentials: { accessToken: meta.token } });
    await db.prisma.connection.update({ where: { id: conn.id }, data: { settings: { accountId: meta.account, currency: 'USD' } } });
    const mk = (kind: 'account' | 'campaign' | 'adset' | 'ad' | 'link', externalId: string, name: string, parentId: string | null) => db.prisma.entity.create({ data: { clientId: c.id, platform: 'meta', kind, externalId, name, parentId } });
    const acct = await mk('account', meta.account, 'Account', null);
    const camp = await mk('campaign', '70', 'Camp', acct.id);
    const set = await mk('adset', '80', 'Set', camp.id);
    const ad = await mk('ad', '901', 'Ad A', set.id);
    ids.link = (await mk('link', 'https://trk.example/a', 'https://trk.example/a', ad.id)).id;
    for (let d = 1; d <= 7; d++) await db.prisma.dailyMetric.create({ data: { entityId: ids.link, date: new Date(Date.UTC(2026, 11, 7 - d)), source: 'meta-api', spendCents: 7_000n } });
    ids.insight = (await db.prisma.insight.create({ data: { clientId: c.id, entityId: ids.link, type: 'burning', severity: 'critical', title: 'Pause burning link', body: 'b', fingerprint: 'fp-burn' } })).id;
    app = createApp(apiDeps(db, config, () => NOW));
  });
  afterAll(async () => {
    await meta?.close();
    await db?.destroy();
  });

  const linked = async (platformActions: boolean) => {
    const model = previewModel();
    const actions = model.actions.slice(0, 1).map((a) => ({ ...a, fingerprint: 'fp-burn', kind: 'pause', entity: { id: ids.link!, kind: 'link', name: 'https://trk.example/a', platform: 'meta' } }));
    return { model, actions: await withActionLinks(db, ids.client!, actions, { key: () => linkKey(Buffer.from(ENC, 'base64')), baseUrl: 'https://adbrain.example', platformActions }, NOW) };
  };

  it('is offered only with a connection and ADBRAIN_ACTIONS not off; the report shows it first', async () => {
    expect((await linked(false)).actions[0]!.links!.pause).toBeUndefined();
    const { model, actions } = await linked(true);
    expect(actions[0]!.links).toMatchObject({ pause: expect.stringMatching(/^https:\/\/adbrain\.example\/a\/v1\./), pauseOn: 'Meta', kill: expect.any(String) });
    const r = await renderDailyReport({ ...model, actions });
    expect(r.text).toContain(`Pause it on Meta: ${actions[0]!.links!.pause}`);
    expect(r.text.indexOf('Pause it on Meta')).toBeLessThan(r.text.indexOf('Kill this link'));
  });

  it('opening previews from Meta and changes nothing; the button pauses the ad once, audited as the email link', async () => {
    const url = (await linked(true)).actions[0]!.links!.pause!.replace('https://adbrain.example', '');
    const page = await app.request(url);
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toMatch(/ad <strong>Ad A<\/strong> on Meta: active → paused; it spent about \$70\.00 a day/);
    expect(meta.nodes.get('901')!.status).toBe('ACTIVE');
    expect(await db.prisma.adAction.count()).toBe(0);
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)![1]!;
    const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0]!;
    const press = () => app.request(url, { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ csrf }) });
    const res = await press();
    expect(await res.text()).toMatch(/Ad A paused on the platform \(undo: adbrain actions undo [0-9a-f]{8}\)/);
    expect(meta.nodes.get('901')!.status).toBe('PAUSED');
    const action = await db.prisma.adAction.findFirstOrThrow();
    expect(action).toMatchObject({ state: 'done', insightId: ids.insight, proposedBy: expect.stringMatching(/^email link /) });
    const audits = await db.prisma.auditLog.findMany({ where: { entityId: action.id }, orderBy: { id: 'asc' } });
    expect(audits.map((a) => [a.action, a.actorKind])).toEqual([['ad_action.propose', 'email_link'], ['ad_action.approve', 'email_link']]);
    // Paused on the platform is the insight applied: its realised impact is followed up like any applied one.
    const insight = await db.prisma.insight.findUniqueOrThrow({ where: { id: ids.insight! }, include: { events: true } });
    expect(insight.status).toBe('APPLIED');
    expect(insight.events.at(-1)!.note).toMatch(/^paused ad Ad A .*undo: adbrain actions undo/);
    expect((await press()).status).toBe(410);
    expect(await db.prisma.adAction.count()).toBe(1);
  });

  it('the web inbox\'s link table offers Pause on its platform; a member pauses (read first), a viewer cannot', async () => {
    meta.nodes.get('901')!.status = 'ACTIVE';
    const agencyId = (await db.prisma.client.findUniqueOrThrow({ where: { id: ids.client! } })).agencyId;
    const viewer = await signInByKey(app, (await createApiKey(db.prisma, agencyId, { role: 'viewer', name: 'look' })).key);
    const seen = await (await viewer.get('/app/links?client=shop')).text();
    expect(seen).not.toMatch(/Pause on meta/);
    expect((await viewer.post(`/app/links/${ids.link}/pause`, { csrf: csrfOf(seen) })).status).toBe(403);
    expect(meta.nodes.get('901')!.status).toBe('ACTIVE');
    const member = await signInByKey(app, (await createApiKey(db.prisma, agencyId, { role: 'member', name: 'ops' })).key);
    const html = await (await member.get('/app/links?client=shop')).text();
    expect(html).toMatch(/<button class="danger">Pause on meta<\/button>/);
    const res = await member.post(`/app/links/${ids.link}/pause`, { csrf: csrfOf(html), back: '/app/links?client=shop' });
    expect(res.status).toBe(303);
    expect(meta.nodes.get('901')!.status).toBe('PAUSED');
    const after = await (await member.get(res.headers.get('location')!)).text();
    expect(after).toMatch(/Paused ad 901 on the platform\. Undo: adbrain actions undo [0-9a-f]{8}/);
    const again = await member.post(`/app/links/${ids.link}/pause`, { csrf: csrfOf(html), back: '/app/links?client=shop' });
    expect(again.status).toBe(422);
    expect(await again.text()).toMatch(/already paused on meta/);
    expect(await db.prisma.auditLog.count({ where: { action: 'ad_action.approve', actorKind: 'web' } })).toBe(1);
  });

  it('a link to something already paused says so and offers nothing', async () => {
    const url = (await linked(true)).actions[0]!.links!.pause!.replace('https://adbrain.example', '');
    const html = await (await app.request(url)).text();
    expect(html).toMatch(/Nothing to pause/);
    expect(html).toMatch(/already paused on meta/);
    expect(html).not.toMatch(/<form/);
  });

  it('the web inbox lists proposed changes (a rule\'s, say) for a member to approve, cancel or undo; a viewer only sees them', async () => {
    const agencyId = (await db.prisma.client.findUniqueOrThrow({ where: { id: ids.client! } })).agencyId;
    const { proposeFor } = await import('../src/ad-actions/service.ts');
    const config = loadConfig({ ADBRAIN_ENCRYPTION_KEY: ENC, META_GRAPH_URL: meta.url });
    const { action } = await proposeFor({ db, config, key: credentialKey(config)!, now: NOW }, { entityId: ids.link!, kind: 'budget', percent: 10 }, { by: 'rule:winners', audit: async () => {} });
    const viewer = await signInByKey(app, (await createApiKey(db.prisma, agencyId, { role: 'viewer', name: 'look2' })).key);
    const seen = await (await viewer.get('/app/actions')).text();
    expect(seen).toContain('daily_budget: $50.00 → $55.00');
    expect(seen).not.toMatch(/>Approve</);
    expect((await viewer.post(`/app/actions/${action.id}/approve`, { csrf: csrfOf(seen) })).status).toBe(403);
    const member = await signInByKey(app, (await createApiKey(db.prisma, agencyId, { role: 'member', name: 'ops2' })).key);
    const html = await (await member.get('/app/actions')).text();
    expect(html).toMatch(/<button class="danger">Approve<\/button>/);
    const res = await member.post(`/app/actions/${action.id}/approve`, { csrf: csrfOf(html) });
    expect(res.status).toBe(303);
    expect(meta.nodes.get('80')!.daily_budget).toBe(5500);
    const after = await (await member.get(res.headers.get('location')!)).text();
    expect(after).toMatch(/done: budget adset Set/);
    const undo = await member.post(`/app/actions/${action.id}/undo`, { csrf: csrfOf(after) });
    expect(undo.status).toBe(303);
    expect(meta.nodes.get('80')!.daily_budget).toBe(5000);
    expect(await db.prisma.auditLog.count({ where: { entityId: action.id, actorKind: 'web' } })).toBe(2);
  });
});
