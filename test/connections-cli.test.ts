// The real `adbrain` binary connecting and syncing a Meta ad account served by the
// loopback fake: the token goes in on stdin and never comes out; `run` syncs
// before the brain runs.
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../src/time.ts';
import { startFakeMeta, type FakeMeta } from './fakes/meta-server.ts';
import { startFakeRedTrack, type FakeRedTrack } from './fakes/redtrack-server.ts';
import { startFakeShopify, type FakeShopify } from './fakes/shopify-server.ts';
import { TEST_NOW } from './helpers/cli.ts';

const bin = path.resolve('bin/adbrain.mjs');
const TODAY = TEST_NOW.slice(0, 10);
const DAYS = Array.from({ length: 40 }, (_, i) => addDays(TODAY, i - 39));

describe('adbrain connections and sync', { timeout: 180_000 }, () => {
  let cwd: string;
  let meta: FakeMeta;
  let rt: FakeRedTrack;
  let shop: FakeShopify;
  const adbrain = (args: string[], stdin?: string) =>
    new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      const p = spawn(process.execPath, [bin, ...args], {
        cwd,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, ADBRAIN_DATA_DIR: path.join(cwd, 'data'), ADBRAIN_NOW: TEST_NOW, META_GRAPH_URL: meta.url, META_JOB_POLL_MS: '5', ADBRAIN_SYNC_BACKOFF_MS: '5', REDTRACK_API_URL: rt.url, SHOPIFY_API_URL: shop.url },
      });
      let out = '', err = '';
      p.stdout.on('data', (d) => (out += d));
      p.stderr.on('data', (d) => (err += d));
      p.on('close', (code) => resolve({ code, out, err }));
      p.stdin.end(stdin ?? '');
    });

  beforeAll(async () => {
    cwd = await mkdtemp(path.join(tmpdir(), 'adbrain-conn-'));
    meta = await startFakeMeta({
      ads: Array.from({ length: 4 }, (_, i) => ({ id: `90${i}`, name: `Ad ${i}`, adset: { id: '80', name: 'Set' }, campaign: { id: '70', name: 'Prospecting' }, link: `https://trk.example/${i}` })),
      days: DAYS,
    });
    meta.timezone = 'UTC';
    rt = await startFakeRedTrack({
      timezone: 'UTC',
      report: DAYS.slice(-3).map((date) => ({ date, sub9: 'l1', campaign: 'Offer', campaign_id: 'c1', clicks: 50 })),
      conversions: DAYS.slice(-3).map((date, i) => ({ clickid: `ck${i}`, type: 'sale', status: 'APPROVED' as const, payout: 30, created_at: `${date}T12:00:00Z`, sub9: 'l1', campaign: 'Offer', campaign_id: 'c1' })),
    });
    shop = await startFakeShopify({ currency: 'USD', timezone: 'UTC', orders: DAYS.slice(-3).map((date, i) => ({ id: `gid://shopify/Order/${i}`, name: `#${i}`, createdAt: `${date}T10:00:00Z`, updatedAt: `${date}T10:00:00Z`, total: '25.00' })) });
    expect((await adbrain(['clients', 'add', 'shop', '--timezone', 'UTC', '--currency', 'USD'])).code).toBe(0);
  });
  afterAll(async () => {
    await meta?.close();
    await rt?.close();
    await shop?.close();
  });

  it('connects with the token on stdin, lists without it, syncs a backfill, and `run` syncs before the brain', async () => {
    const none = await adbrain(['connections', 'add', '--client', 'shop', '--platform', 'meta', '--account', 'act_1234567890']);
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/no access token: pipe it with --token-stdin/);
    const bad = await adbrain(['connections', 'add', '--client', 'shop', '--platform', 'meta', '--account', '1234567890', '--token-stdin'], 'wrong-token');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/access token for account 1234567890 stopped working/);
    const add = await adbrain(['connections', 'add', '--client', 'shop', '--platform', 'meta', '--account', 'act_1234567890', '--token-stdin', '--json'], `${meta.token}\n`);
    expect(add.code).toBe(0);
    expect(JSON.parse(add.out)).toMatchObject({ platform: 'meta', accountId: '1234567890', accountName: 'Fake Shop Ads', currency: 'USD', status: 'active' });
    const list = await adbrain(['connections', 'list', '--client', 'shop']);
    expect(list.out).toMatch(/meta\s+1234567890\s+Fake Shop Ads\s+active/);

    const sync = await adbrain(['sync', '--client', 'shop', '--from', DAYS[0]!, '--json']);
    expect(sync.code).toBe(0);
    expect(JSON.parse(sync.out)).toEqual([expect.objectContaining({ status: 'succeeded', rowsFetched: 4 * 40, range: { from: DAYS[0], to: TODAY } })]);

    const run = await adbrain(['run', '--client', 'shop']);
    expect(run.code).toBe(0);
    // The sync step re-read the settling window (28 days back to the account's today: 29 days × 4 ads), then the brain ran.
    expect(run.err).toMatch(/✓ sync\s+meta 1234567890: 116 rows \(0 new, 0 updated\)/);
    expect(run.err.indexOf('sync')).toBeLessThan(run.err.indexOf('brain'));

    for (const r of [none, bad, add, list, sync, run]) {
      expect(r.out + r.err).not.toContain(meta.token);
      expect(r.out + r.err).not.toMatch(/^\s+at /m);
    }
    const test = await adbrain(['connections', 'test', 'meta', '--client', 'shop']);
    expect(test.out).toBe('ok: Fake Shop Ads (USD, UTC)\n');
    expect((await adbrain(['connections', 'remove', 'meta', '--client', 'shop'])).code).toBe(0);
    expect((await adbrain(['connections', 'list', '--client', 'shop'])).out).toMatch(/^no connections/);
  });

  it('acts on the synced account: proposes a pause with its preview, approves it, lists it, undoes it', async () => {
    // Without a connection there is nothing to act through; connected again, the synced ads are reachable.
    const none = await adbrain(['actions', 'propose', 'https://trk.example/1', '--client', 'shop', '--pause']);
    expect(none.err).toMatch(/no meta connection for account 1234567890/);
    expect((await adbrain(['connections', 'add', '--client', 'shop', '--platform', 'meta', '--account', 'act_1234567890', '--token-stdin'], `${meta.token}\n`)).code).toBe(0);
    const p = await adbrain(['actions', 'propose', 'https://trk.example/1', '--client', 'shop', '--pause', '--json']);
    expect(p.code, p.err).toBe(0);
    const a = JSON.parse(p.out);
    expect(a).toMatchObject({ state: 'proposed', kind: 'pause', object: { level: 'ad', id: '901', name: 'Ad 1' }, from: 'ACTIVE', to: 'PAUSED' });
    expect(meta.nodes.get('901')!.status).toBe('ACTIVE');
    const ok = await adbrain(['actions', 'approve', a.id.slice(0, 8)]);
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toMatch(/done: pause ad Ad 1 — status ACTIVE → PAUSED/);
    expect(meta.nodes.get('901')!.status).toBe('PAUSED');
    const budget = await adbrain(['actions', 'propose', 'Ad 2', '--client', 'shop', '--budget', '+20%']);
    expect(budget.out).toMatch(/proposed: .* daily_budget \$50\.00 → \$60\.00 \(\$10\.00\/day\)/);
    const list = await adbrain(['actions', 'list', '--client', 'shop']);
    expect(list.out).toMatch(/done\s+pause\s+ad Ad 1/);
    expect((await adbrain(['actions', 'undo', a.id])).code).toBe(0);
    expect(meta.nodes.get('901')!.status).toBe('ACTIVE');
    const audit = await adbrain(['audit', '--json']);
    expect(audit.out).toMatch(/ad_action\.approve/);
    // A rule: auto only after a replay over the history.
    expect((await adbrain(['rules', 'add', '--client', 'shop', '--name', 'burners', '--when', 'burning', '--min-probability', '0.95', '--min-spend', '50'])).code).toBe(0);
    const early = await adbrain(['rules', 'mode', 'burners', 'auto', '--client', 'shop']);
    expect(early.code).toBe(2);
    expect(early.err).toMatch(/replay rule "burners" first/);
    const replay = await adbrain(['rules', 'replay', 'burners', '--client', 'shop', '--days', '30', '--json']);
    expect(replay.code, replay.err).toBe(0);
    expect(JSON.parse(replay.out)).toMatchObject({ rule: 'burners', to: addDays(TODAY, -1), fires: expect.any(Number) });
    expect((await adbrain(['rules', 'mode', 'burners', 'auto', '--client', 'shop'])).out).toMatch(/rule "burners": auto \(it proposes until ADBRAIN_ACTIONS=auto\)/);
    expect((await adbrain(['rules', 'list', '--client', 'shop'])).out).toMatch(/burners\s+burning → pause\s+95%\s+\$50\.00\s+auto/);
    const bad = await adbrain(['rules', 'add', '--client', 'shop', '--name', 'big', '--when', 'winner', '--min-probability', '0.9', '--scale', '+50%']);
    expect(bad.err).toMatch(/--scale: a budget step is at most \+30 %/);
    // Killing in adbrain stops its alerts, not its spend: the CLI offers the pause.
    const kill = await adbrain(['links', 'kill', 'https://trk.example/3', '--client', 'shop']);
    expect(kill.err).toMatch(/it still runs on meta; to pause it there: adbrain actions propose [0-9a-f]{8} --client shop --pause/);
  });

  it('connects RedTrack (API key on stdin) and a Shopify shop (Admin API token on stdin), syncs them, never prints a secret', async () => {
    const rtAdd = await adbrain(['connections', 'add', '--client', 'shop', '--platform', 'redtrack', '--token-stdin', '--json'], `${rt.apiKey}\n`);
    expect(rtAdd.code).toBe(0);
    expect(JSON.parse(rtAdd.out)).toMatchObject({ platform: 'redtrack', accountId: 'acc-1', accountName: 'lumen-affiliates', currency: 'USD', timezone: 'UTC' });
    const noShop = await adbrain(['connections', 'add', '--client', 'shop', '--platform', 'shopify', '--token-stdin'], `${shop.token}\n`);
    expect(noShop.code).toBe(2);
    expect(noShop.err).toMatch(/is not a Shopify shop/);
    const shAdd = await adbrain(['connections', 'add', '--client', 'shop', '--platform', 'shopify', '--account', 'northwind', '--token-stdin'], `${shop.token}\n`);
    expect(shAdd.code).toBe(0);
    expect(shAdd.out).toMatch(/connected shopify northwind\.myshopify\.com \(Northwind Outfitters, USD, UTC\)/);
    const sync = await adbrain(['sync', '--client', 'shop', '--json']);
    const results = JSON.parse(sync.out) as { platform: string; status: string; rowsFetched: number }[];
    expect(results.filter((r) => r.platform !== 'meta')).toEqual([
      expect.objectContaining({ platform: 'redtrack', status: 'succeeded', rowsFetched: 3 }),
      expect.objectContaining({ platform: 'shopify', status: 'succeeded', rowsFetched: 3 }),
    ]);
    const test = await adbrain(['connections', 'test', 'shopify', '--client', 'shop']);
    expect(test.out).toBe('ok: Northwind Outfitters (USD, UTC)\n');
    for (const r of [rtAdd, noShop, shAdd, sync, test]) {
      expect(r.out + r.err).not.toContain(rt.apiKey);
      expect(r.out + r.err).not.toContain(shop.token);
      expect(r.out + r.err).not.toMatch(/^\s+at /m);
    }
  });
});
