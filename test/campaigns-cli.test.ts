// The real binary: tracking settings, campaigns with a parent, their links, numbers
// and the audit trail.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.ts';

describe('adbrain campaigns and tracking', { timeout: 180_000 }, () => {
  let cwd: string;
  const adbrain = cli(() => cwd, () => ({ ADBRAIN_PUBLIC_URL: 'https://t.agency.example' }));

  beforeAll(async () => {
    cwd = await mkdtemp(path.join(tmpdir(), 'adbrain-campaigns-cli-'));
    expect((await adbrain(['clients', 'add', 'boutique', '--currency', 'EUR', '--timezone', 'Europe/Paris'])).code).toBe(0);
  });

  it('sets tracking up, creates a parent and a child, changes and lists them, shows numbers, records it all', async () => {
    const t = await adbrain(['tracking', 'boutique', '--origins', 'https://boutique.example/,https://www.boutique.example', '--fallback', 'https://boutique.example/']);
    expect(t.code, t.err).toBe(0);
    expect(t.out).toMatch(/origins https:\/\/boutique\.example, https:\/\/www\.boutique\.example/);
    expect(t.out).toMatch(/<script src="https:\/\/t\.agency\.example\/t\.js" data-site="site_[^"]+" defer><\/script>/);
    expect((await adbrain(['tracking', 'boutique', '--origins', 'ftp://x'])).code).toBe(2);

    const p = await adbrain(['campaigns', 'create', 'Summer Sale', '--client', 'boutique', '--platform', 'multi', '--type', 'campaign', '--destination', 'https://boutique.example/sale']);
    expect(p.code, p.err).toBe(0);
    expect(p.out).toMatch(/created Summer Sale \(MULTI_SUMMER_SALE_01\); its link: https:\/\/t\.agency\.example\/t\/MULTI_SUMMER_SALE_01\?s=site_/);
    const c = await adbrain(['campaigns', 'create', 'Été robe', '--client', 'boutique', '--platform', 'instagram', '--type', 'reel', '--destination', 'https://boutique.example/robe', '--parent', 'MULTI_SUMMER_SALE_01', '--cost', '150,00', '--starts', '2026-10-01', '--ends', '2026-10-10', '--json']);
    expect(c.code, c.err).toBe(0);
    const child = JSON.parse(c.out);
    // Typed days are Paris days: from its midnight (UTC+2 then) to the last instant of the end day.
    expect(child).toMatchObject({ code: 'INSTA_ETE_ROBE_01', costCents: 15_000, startsAt: '2026-09-30T22:00:00.000Z', endsAt: '2026-10-10T21:59:59.999Z' });
    expect((await adbrain(['campaigns', 'create', 'x', '--client', 'boutique', '--destination', 'notaurl'])).code).toBe(2);
    expect((await adbrain(['campaigns', 'update', 'INSTA_ETE_ROBE_01', '--client', 'boutique', '--cost', '200'])).code).toBe(0);
    expect((await adbrain(['campaigns', 'deactivate', 'INSTA_ETE_ROBE_01', '--client', 'boutique'])).out).toMatch(/no longer counts/);

    const list = await adbrain(['campaigns', 'list', '--client', 'boutique']);
    expect(list.out).toMatch(/INSTA_ETE_ROBE_01\s+Été robe\s+instagram\s+reel\s+MULTI_SUMMER_SALE_01\s+no/);
    const show = await adbrain(['campaigns', 'show', 'MULTI_SUMMER_SALE_01', '--client', 'boutique', '--children', '--json']);
    expect(show.code, show.err).toBe(0);
    expect(JSON.parse(show.out)).toMatchObject({ visits: 0, conversions: 0, children: [{ code: 'INSTA_ETE_ROBE_01' }] });
    const board = await adbrain(['campaigns', 'leaderboard', '--client', 'boutique', '--by', 'revenue']);
    expect(board.out).toMatch(/CODE\s+NAME\s+VISITS/);

    const audit = JSON.parse((await adbrain(['audit', '--client', 'boutique', '--json'])).out).data.map((x: { action: string }) => x.action);
    expect(audit).toEqual(['tracking_campaign.deactivate', 'tracking_campaign.update', 'tracking_campaign.create', 'tracking_campaign.create', 'client.tracking', 'client.create']);
  });

  it('--ad links a campaign\'s cost to an ad platform\'s entity by name, refuses what is not one, and "none" unlinks', async () => {
    await writeFile(path.join(cwd, 'meta.csv'), 'date,platform,account,campaign,spend,impressions,clicks,conversions,revenue\n2026-10-02,meta,Boutique Meta,Robe push,40.00,1000,30,1,80.00\n');
    expect((await adbrain(['import', 'meta.csv', '--client', 'boutique'])).code).toBe(0);
    const linked = await adbrain(['campaigns', 'update', 'INSTA_ETE_ROBE_01', '--client', 'boutique', '--ad', 'Robe push', '--json']);
    expect(linked.code, linked.err).toBe(0);
    expect(JSON.parse(linked.out).adEntityId).toMatch(/^[0-9a-f-]{36}$/);
    const account = await adbrain(['campaigns', 'update', 'INSTA_ETE_ROBE_01', '--client', 'boutique', '--ad', 'Boutique Meta']);
    expect([account.code, account.err]).toEqual([2, expect.stringMatching(/^error: --ad: .* is a meta account; link an ad platform's campaign/)]);
    const missing = await adbrain(['campaigns', 'update', 'INSTA_ETE_ROBE_01', '--client', 'boutique', '--ad', 'Robe psuh']);
    expect([missing.code, missing.err]).toEqual([2, expect.stringMatching(/did you mean "Robe push"/)]);
    expect(JSON.parse((await adbrain(['campaigns', 'update', 'INSTA_ETE_ROBE_01', '--client', 'boutique', '--ad', 'none', '--json'])).out).adEntityId).toBeNull();
  });
});
