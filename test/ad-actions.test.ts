// Acting on the ad platforms through the write connectors, against loopback fakes
// of Meta, TikTok and Google Ads: preview read from the platform, approve, undo;
// a crash between the platform's answer and our record (the retry reads first and
// writes nothing twice); an object changed since the preview; a token without
// write permission; a budget under the minimum; a deleted object; rate limits.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approveAction, executeAction, proposeAction, undoAction, type ActionDeps } from '../src/ad-actions/actions.ts';
import { loadConfig } from '../src/config.ts';
import { addAgency } from '../src/domain/agencies.ts';
import { addClient } from '../src/domain/clients.ts';
import { saveConnection } from '../src/domain/connections.ts';
import { startFakeGoogleWrite, startFakeMetaWrite, startFakeTikTokWrite } from './fakes/ads-write-servers.ts';
import { freshDb, type TestDb } from './helpers/db.ts';

const NOW = new Date('2026-12-07T10:00:00Z');
const key = randomBytes(32);

describe('actions on the ad platforms', () => {
  let db: TestDb;
  let meta: Awaited<ReturnType<typeof startFakeMetaWrite>>;
  let tiktok: Awaited<ReturnType<typeof startFakeTikTokWrite>>;
  let google: Awaited<ReturnType<typeof startFakeGoogleWrite>>;
  let clientId = '';
  const ids: Record<string, string> = {};
  let deps: ActionDeps;

  async function tree(platform: 'meta' | 'tiktok' | 'google', account: string, path: { campaign: string; adset: string; ad: string; link?: string }) {
    const mk = async (kind: 'account' | 'campaign' | 'adset' | 'ad' | 'link', externalId: string, parentId: string | null) =>
      (await db.prisma.entity.findFirst({ where: { clientId, platform, kind, externalId } })) ??
      db.prisma.entity.create({ data: { clientId, platform, kind, externalId, name: `${platform} ${kind} ${externalId}`, parentId } });
    const a = await mk('account', account, null);
    const c = await mk('campaign', path.campaign, a.id);
    const s = await mk('adset', path.adset, c.id);
    const ad = await mk('ad', path.ad, s.id);
    const leaf = path.link ? await mk('link', path.link, ad.id) : ad;
    for (let d = 1; d <= 7; d++) {
      await db.prisma.dailyMetric.create({ data: { entityId: leaf.id, date: new Date(Date.UTC(2026, 11, 7 - d)), source: `${platform}-api`, spendCents: 4_000n + BigInt(d * 100) } });
    }
    return { account: a.id, campaign: c.id, adset: s.id, ad: ad.id, link: leaf.id };
  }

  beforeAll(async () => {
    db = await freshDb('pglite');
    meta = await startFakeMetaWrite({ token: 'meta-tok', objects: { '9001': { status: 'ACTIVE' }, '9002': { status: 'ACTIVE' }, '8001': { status: 'ACTIVE', dailyBudget: 5000 }, '7001': { status: 'ACTIVE', dailyBudget: null } } });
    tiktok = await startFakeTikTokWrite({ token: 'tt-tok', advertiser: '7000', objects: { '5001': { level: 'ad', status: 'ENABLE' }, '4001': { level: 'adgroup', status: 'ENABLE', dailyBudget: 50 }, '3001': { level: 'campaign', status: 'ENABLE', dailyBudget: null } } });
    google = await startFakeGoogleWrite({ customer: '1234567890', objects: { 'adGroupAds/22~33': { status: 'ENABLED' }, 'adGroups/22': { status: 'ENABLED' }, 'campaigns/11': { status: 'ENABLED', budgetResource: 'campaignBudgets/99' }, 'campaignBudgets/99': { status: 'ENABLED', dailyBudget: 40_000_000 } } });
    await addAgency(db.prisma, { slug: 'a', name: 'A' });
    clientId = (await addClient(db.prisma, { slug: 'shop', agency: 'a' })).id;
    const conn = async (platform: 'meta' | 'tiktok' | 'google', accountId: string, credentials: Record<string, string>) => {
      const c = await saveConnection(db.prisma, key, { clientId, platform, credentials });
      await db.prisma.connection.update({ where: { id: c.id }, data: { settings: { accountId, currency: 'USD' } } });
    };
    await conn('meta', 'act_111', { accessToken: 'meta-tok' });
    await conn('tiktok', '7000', { accessToken: 'tt-tok' });
    await conn('google', '123-456-7890', { refreshToken: 'rt' });
    const m = await tree('meta', '111', { campaign: '7001', adset: '8001', ad: '9001', link: 'https://shop.example/a' });
    Object.assign(ids, { metaLink: m.link, metaAd: m.ad, metaAdset: m.adset });
    ids.metaAd2 = (await tree('meta', '111', { campaign: '7001', adset: '8001', ad: '9002' })).ad;
    const t = await tree('tiktok', '7000', { campaign: '3001', adset: '4001', ad: '5001' });
    Object.assign(ids, { ttAd: t.ad, ttAdset: t.adset });
    const g = await tree('google', '1234567890', { campaign: '11', adset: '22', ad: '33' });
    Object.assign(ids, { gAd: g.ad, gCampaign: g.campaign });
    const config = loadConfig({
      META_GRAPH_URL: meta.url, TIKTOK_API_URL: tiktok.url, GOOGLE_ADS_API_URL: google.url, GOOGLE_OAUTH_TOKEN_URL: google.tokenUrl,
      GOOGLE_ADS_DEVELOPER_TOKEN: 'dev', GOOGLE_ADS_CLIENT_ID: 'cid', GOOGLE_ADS_CLIENT_SECRET: 'sec', ADBRAIN_SYNC_RETRIES: '2', ADBRAIN_SYNC_BACKOFF_MS: '1',
    });
    deps = { db, config, key, now: NOW };
  }, 120_000);
  afterAll(async () => {
    await Promise.all([meta?.close(), tiktok?.close(), google?.close()]);
    await db?.destroy();
  });

  it('Meta: pausing a link previews its ad, pauses it once approved, and undoes it', async () => {
    // The brain's open burning insight about this link: proposing the pause names it, approving applies it.
    const insight = await db.prisma.insight.create({ data: { clientId, entityId: ids.metaLink!, type: 'burning', severity: 'critical', title: 'burning', body: 'b', fingerprint: 'burn-link' } });
    const { action: a, created } = await proposeAction(deps, { entityId: ids.metaLink!, kind: 'pause', by: 'user:ann' });
    expect(a.insightId).toBe(insight.id);
    expect(created).toBe(true);
    expect(a).toMatchObject({ state: 'proposed', level: 'ad', externalId: '9001', field: 'status', fromValue: 'ACTIVE', toValue: 'PAUSED', targetEntityId: ids.metaAd });
    expect(Number(a.moneyPerDayCents)).toBe(Math.round((7 * 4000 + 2800) / 7));
    // Asking again is the same action.
    expect((await proposeAction(deps, { entityId: ids.metaLink!, kind: 'pause', by: 'user:bob' })).created).toBe(false);
    expect(meta.writes).toHaveLength(0);
    const done = await approveAction(deps, a.id, 'user:ann');
    expect(done).toMatchObject({ state: 'done', approvedBy: 'user:ann', answer: { success: true } });
    expect(meta.objects.get('9001')!.status).toBe('PAUSED');
    expect(meta.writes).toEqual([{ path: '/v25.0/9001', body: { status: 'PAUSED' } }]);
    // Approving a done action again writes nothing.
    await approveAction(deps, a.id, 'user:ann');
    expect(meta.writes).toHaveLength(1);
    const undone = await undoAction(deps, a.id, 'user:bob');
    expect(undone).toMatchObject({ state: 'undone', undoneBy: 'user:bob' });
    expect(meta.objects.get('9001')!.status).toBe('ACTIVE');
  });

  it('Meta: a budget change survives a crash after the platform answered without being applied twice', async () => {
    const { action: a } = await proposeAction(deps, { entityId: ids.metaAd!, kind: 'budget', percent: 20, by: 'user:ann' });
    expect(a).toMatchObject({ level: 'adset', externalId: '8001', field: 'daily_budget', fromValue: '5000', toValue: '6000' });
    expect(Number(a.moneyPerDayCents)).toBe(1000);
    const before = meta.writes.length;
    await expect(approveAction({ ...deps, afterWrite: () => { throw new Error('killed'); } }, a.id, 'user:ann')).rejects.toThrow('killed');
    expect((await db.prisma.adAction.findUniqueOrThrow({ where: { id: a.id } })).state).toBe('executing');
    expect(meta.objects.get('8001')!.dailyBudget).toBe(6000);
    const retried = await executeAction(deps, a.id);
    expect(retried).toMatchObject({ state: 'done', answer: { alreadyApplied: true } });
    expect(meta.writes.length - before).toBe(1);
    expect(meta.objects.get('8001')!.dailyBudget).toBe(6000);
  });

  it('Meta: changed since the preview, below the minimum, deleted, no permission — each fails by name and writes nothing wrong', async () => {
    const { action: changed } = await proposeAction(deps, { entityId: ids.metaAd!, kind: 'budget', percent: 10, by: 'u' });
    meta.objects.get('8001')!.dailyBudget = 9000; // someone else, in Ads Manager
    const w0 = meta.writes.length;
    expect(await approveAction(deps, changed.id, 'u')).toMatchObject({ state: 'failed', error: expect.stringMatching(/changed since preview/) });
    expect(meta.writes.length).toBe(w0);

    const { action: low } = await proposeAction(deps, { entityId: ids.metaAd!, kind: 'budget', toMinor: 50, by: 'u' });
    expect(await approveAction(deps, low.id, 'u')).toMatchObject({ state: 'failed', error: expect.stringMatching(/below Meta's minimum/) });
    expect(meta.objects.get('8001')!.dailyBudget).toBe(9000);

    const { action: gone } = await proposeAction(deps, { entityId: ids.metaAd2!, kind: 'pause', by: 'u' });
    meta.objects.get('9002')!.deleted = true;
    expect(await approveAction(deps, gone.id, 'u')).toMatchObject({ state: 'failed', error: expect.stringMatching(/no longer exists/) });
    meta.objects.get('9002')!.deleted = false;

    // A rate limit (code 17) twice, then the write goes through.
    const { action: limited } = await proposeAction(deps, { entityId: ids.metaAd2!, kind: 'pause', by: 'u' });
    meta.failNext({ status: 400, body: { error: { message: 'User request limit reached', code: 17 } } }, { status: 400, body: { error: { message: 'User request limit reached', code: 17 } } });
    expect(await approveAction(deps, limited.id, 'u')).toMatchObject({ state: 'done' });
    expect(meta.objects.get('9002')!.status).toBe('PAUSED');
  });

  it('Meta: a read-only token still previews, and the write fails naming ads_management', async () => {
    const ro = await startFakeMetaWrite({ token: 'meta-tok', objects: { '9001': { status: 'ACTIVE' }, '8001': { status: 'ACTIVE', dailyBudget: 5000 } }, scopes: ['ads_read'] });
    const d = { ...deps, config: loadConfig({ META_GRAPH_URL: ro.url, ADBRAIN_SYNC_RETRIES: '0' }) };
    const { action } = await proposeAction(d, { entityId: ids.metaAd!, kind: 'budget', percent: -30, by: 'u' });
    expect(action.toValue).toBe('3500');
    expect(await approveAction(d, action.id, 'u')).toMatchObject({ state: 'failed', error: expect.stringMatching(/lacks ads_management/) });
    await ro.close();
  });

  it('TikTok: pauses an ad (DISABLE) and moves an ad group budget in the currency\'s units', async () => {
    const { action: p } = await proposeAction(deps, { entityId: ids.ttAd!, kind: 'pause', by: 'u' });
    expect(p).toMatchObject({ fromValue: 'ACTIVE', toValue: 'PAUSED', level: 'ad' });
    expect(await approveAction(deps, p.id, 'u')).toMatchObject({ state: 'done' });
    expect(tiktok.writes.at(-1)).toEqual({ path: '/open_api/v1.3/ad/status/update/', body: { advertiser_id: '7000', ad_ids: ['5001'], operation_status: 'DISABLE' } });
    const { action: b } = await proposeAction(deps, { entityId: ids.ttAd!, kind: 'budget', percent: 20, by: 'u' });
    expect(b).toMatchObject({ level: 'adset', fromValue: '5000', toValue: '6000' });
    expect(await approveAction(deps, b.id, 'u')).toMatchObject({ state: 'done' });
    expect(tiktok.objects.get('4001')!.dailyBudget).toBe(60);
    const { action: low } = await proposeAction(deps, { entityId: ids.ttAd!, kind: 'budget', toMinor: 1000, by: 'u' });
    expect(await approveAction(deps, low.id, 'u')).toMatchObject({ state: 'failed', error: expect.stringMatching(/below TikTok's minimum/) });
    tiktok.failNext({ status: 200, body: { code: 40001, message: 'No permission to operate this advertiser', data: {} } });
    await expect(proposeAction(deps, { entityId: ids.ttAd!, kind: 'resume', by: 'u' })).rejects.toThrow(/lacks the Ad Management permission/);
  });

  it('Google Ads: pauses an ad group ad, changes a campaign budget in micros, and names a read-only user', async () => {
    const { action: p } = await proposeAction(deps, { entityId: ids.gAd!, kind: 'pause', by: 'u' });
    expect(p).toMatchObject({ level: 'ad', externalId: '33', parentExternalId: '22', fromValue: 'ACTIVE' });
    expect(await approveAction(deps, p.id, 'u')).toMatchObject({ state: 'done' });
    expect(google.objects.get('adGroupAds/22~33')!.status).toBe('PAUSED');
    expect(google.writes.at(-1)!.body).toEqual({ operations: [{ update: { resourceName: 'customers/1234567890/adGroupAds/22~33', status: 'PAUSED' }, updateMask: 'status' }] });
    const { action: b } = await proposeAction(deps, { entityId: ids.gAd!, kind: 'budget', percent: 25, by: 'u' });
    expect(b).toMatchObject({ level: 'campaign', externalId: '11', fromValue: '4000', toValue: '5000' });
    expect(await approveAction(deps, b.id, 'u')).toMatchObject({ state: 'done' });
    expect(google.objects.get('campaignBudgets/99')!.dailyBudget).toBe(50_000_000);
    const undone = await undoAction(deps, b.id, 'u');
    expect(undone.state).toBe('undone');
    expect(google.objects.get('campaignBudgets/99')!.dailyBudget).toBe(40_000_000);

    const ro = await startFakeGoogleWrite({ customer: '1234567890', objects: { 'adGroupAds/22~33': { status: 'ENABLED' } }, readOnlyUser: true });
    const d = { ...deps, config: loadConfig({ GOOGLE_ADS_API_URL: ro.url, GOOGLE_OAUTH_TOKEN_URL: ro.tokenUrl, GOOGLE_ADS_DEVELOPER_TOKEN: 'dev', GOOGLE_ADS_CLIENT_ID: 'cid', GOOGLE_ADS_CLIENT_SECRET: 'sec' }) };
    const { action: r } = await proposeAction(d, { entityId: ids.gAd!, kind: 'pause', by: 'u' });
    expect(await approveAction(d, r.id, 'u')).toMatchObject({ state: 'failed', error: expect.stringMatching(/may not change customer .*Standard or Admin/) });
    await ro.close();
  });

  it('two processes proposing the same change at once get one action', async () => {
    const both = await Promise.all([1, 2].map(() => proposeAction(deps, { entityId: ids.gAd!, kind: 'resume', by: 'u' })));
    expect(both.map((r) => r.action.id)[0]).toBe(both[1]!.action.id);
    expect(both.filter((r) => r.created)).toHaveLength(1);
    expect(await db.prisma.adAction.count({ where: { entityId: ids.gAd, kind: 'resume' } })).toBe(1);
  });

  it('does nothing with ADBRAIN_ACTIONS=off', async () => {
    const off = { ...deps, config: { ...deps.config, actions: 'off' as const } };
    await expect(proposeAction(off, { entityId: ids.metaAd!, kind: 'resume', by: 'u' })).rejects.toThrow(/ADBRAIN_ACTIONS=off/);
  });
});
