// The web inbox in a real browser (Debian's chromium via playwright-core; nothing
// downloaded): sign in by the magic link the outbox received, apply an insight from
// the morning email's button, open it in the inbox, kill a link from the table,
// sort and filter the table, download its CSV, and a viewer who sees but cannot act.
// Screenshots of each page at phone and desktop width go to a folder for review.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { serve } from '@hono/node-server';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { previewModel } from '../emails/preview-data.ts';
import { withActionLinks } from '../src/actions/links.ts';
import { actionLinkKeyOf } from '../src/actions/key.ts';
import { createApp } from '../src/api/app.ts';
import { apiDeps } from '../src/api/server.ts';
import { loadConfig } from '../src/config.ts';
import { addAgency } from '../src/domain/agencies.ts';
import { addClient } from '../src/domain/clients.ts';
import { addUser } from '../src/domain/users.ts';
import { renderDailyReport } from '../src/reports/daily-report.ts';
import { addDays } from '../src/time.ts';
import { canRunChromium, launchChromium } from './helpers/chromium.ts';
import { freshDb, type TestDb } from './helpers/db.ts';

const run = canRunChromium;
const NOW = new Date('2026-12-07T15:30:00Z');
const YESTERDAY = '2026-12-06';
export const SHOTS = path.join(tmpdir(), 'adbrain-web-inbox-shots');
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
const DESKTOP = { viewport: { width: 1280, height: 860 } };

describe.skipIf(!run)('the web inbox in a real browser', { timeout: 180_000 }, () => {
  let db: TestDb;
  let browser: Browser;
  let server: ReturnType<typeof serve>;
  let base = '';
  let outbox = '';
  let reportFile = '';
  const ids = { insight: '', burner: '', star: '' };

  beforeAll(async () => {
    db = await freshDb('pglite');
    outbox = await mkdtemp(path.join(tmpdir(), 'adbrain-web-outbox-'));
    const agency = await addAgency(db.prisma, { slug: 'northwind-agency', name: 'Northwind Agency' });
    const client = await addClient(db.prisma, { slug: 'northwind', name: 'Northwind Store', agency: 'northwind-agency', timezone: 'UTC' });
    await addUser(db.prisma, agency.id, { name: 'Ann Manager', email: 'ann@northwind.test', role: 'member' });
    await addUser(db.prisma, agency.id, { name: 'Vic Viewer', email: 'vic@northwind.test', role: 'viewer' });
    const spec = [
      ['Unboxing 15s', 'tiktok', 30, 90, 1], ['Founder story', 'tiktok', 160, 70, 4], ['UGC try-on', 'tiktok', 320, 40, 9],
      ['Retargeting carousel', 'meta', 210, 55, 5], ['Broad lookalike', 'meta', 70, 120, 2], ['Search brand', 'google', 450, 30, 12],
    ] as const;
    for (const [name, platform, rev, clicks, conv] of spec) {
      const e = await db.prisma.entity.create({ data: { clientId: client.id, platform, kind: 'link', externalId: name, name } });
      if (name === 'Unboxing 15s') ids.burner = e.id;
      if (name === 'UGC try-on') ids.star = e.id;
      await db.prisma.dailyMetric.createMany({
        data: Array.from({ length: 30 }, (_, k) => ({ entityId: e.id, date: new Date(`${addDays(YESTERDAY, -k)}T00:00:00Z`), source: 'test', spendCents: 10_000n, clicks: BigInt(clicks), conversions: conv, revenueCents: BigInt(rev * 100) })),
      });
    }
    ids.insight = (await db.prisma.insight.create({
      data: { clientId: client.id, entityId: ids.burner, type: 'burning', severity: 'critical', title: 'Unboxing 15s is burning money', body: 'ROI −70 % over 7 days', fingerprint: `burning:${ids.burner}:2026-11-28`, impactCents: 49_000n, confidence: 0.97, since: new Date('2026-11-28T00:00:00Z'), seenAsOf: new Date(`${YESTERDAY}T00:00:00Z`), payload: { facts: { roi: -0.7, spendCents: 70_000, revenueCents: 21_000, pBurn: 0.97 } } },
    })).id;
    await db.prisma.insight.create({ data: { clientId: client.id, type: 'fatigue', severity: 'medium', title: 'Founder story: CTR down 38 % from its level', body: 'b', fingerprint: 'fatigue:x', impactCents: 12_000n, confidence: 0.91 } });
    const config = loadConfig({ ADBRAIN_ENCRYPTION_KEY: randomBytes(32).toString('base64'), ADBRAIN_OUTBOX_DIR: outbox });
    const app = createApp(apiDeps(db, config, () => NOW));
    server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // Emailed links point at the public address: here, this server.
    config.sources.oauth.publicUrl = base;
    const model = previewModel();
    const actions = model.actions.map((a, i) => (i === 0 ? { ...a, kind: 'pause', fingerprint: `burning:${ids.burner}:2026-11-28`, entity: { id: ids.burner, kind: 'link', name: 'Unboxing 15s', platform: 'tiktok' } } : a));
    const r = await renderDailyReport({ ...model, actions: await withActionLinks(db, client.id, actions, { key: actionLinkKeyOf(config), baseUrl: base }, NOW) });
    reportFile = path.join(outbox, 'report.html');
    await writeFile(reportFile, r.html);
    await rm(SHOTS, { recursive: true, force: true });
    await mkdir(SHOTS, { recursive: true });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => (server ? server.close(r) : r(null)));
    await db?.destroy();
    if (outbox) await rm(outbox, { recursive: true, force: true });
  });

  /** The newest sign-in link the outbox holds for an address. */
  function magicLinkFor(email: string): string {
    const dir = path.join(outbox, '_sign-in');
    const found: { at: number; url: string }[] = [];
    for (const day of readdirSync(dir)) {
      for (const f of readdirSync(path.join(dir, day)).filter((f) => f.endsWith('.eml'))) {
        const eml = readFileSync(path.join(dir, day, f), 'utf8');
        if (!eml.includes(`To: ${email}`)) continue;
        const m = /(http:\/\/127\.0\.0\.1:\d+\/app\/magic\/[\w-]+)/.exec(readFileSync(path.join(dir, day, f.replace(/\.eml$/, '.txt')), 'utf8'));
        if (m) found.push({ at: statSync(path.join(dir, day, f)).mtimeMs, url: m[1]! });
      }
    }
    return found.sort((a, b) => a.at - b.at).at(-1)!.url;
  }

  async function signIn(ctx: BrowserContext, email: string, shots?: string): Promise<Page> {
    const page = await ctx.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    await page.goto(`${base}/app/inbox`);
    await page.waitForURL(/\/app\/sign-in\?next=/);
    if (shots) await page.screenshot({ path: path.join(SHOTS, `${shots}-1-sign-in.png`) });
    await page.getByLabel('Your work email').fill(email);
    await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
    await expect.poll(() => page.locator('.flash').textContent()).toMatch(/a sign-in link is on its way/);
    await page.goto(magicLinkFor(email));
    expect(await page.locator('h1').textContent()).toBe('Sign in to adbrain');
    if (shots) await page.screenshot({ path: path.join(SHOTS, `${shots}-2-magic-link.png`) });
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/app\/inbox$/);
    expect(problems, problems.join('\n')).toEqual([]);
    return page;
  }

  it('phone: sign in from the emailed link, apply from the morning email, open it in the inbox', async () => {
    const phone = await browser.newContext(PHONE);
    const page = await signIn(phone, 'ann@northwind.test', 'phone');
    await page.screenshot({ path: path.join(SHOTS, 'phone-3-inbox.png'), fullPage: true });
    expect(await page.locator('article.card h3').first().textContent()).toBe('Unboxing 15s is burning money');

    const email = await phone.newPage();
    await email.goto(`file://${reportFile}`);
    const [confirm] = await Promise.all([phone.waitForEvent('page'), email.getByRole('link', { name: 'Mark applied' }).first().tap()]);
    await expect.poll(() => confirm.locator('h1').textContent()).toBe('Mark as applied?');
    await confirm.getByLabel('Note (optional)').fill('paused in TikTok Ads Manager');
    await confirm.getByRole('button', { name: 'Mark as applied' }).tap();
    await expect.poll(() => confirm.locator('h1').textContent()).toBe('Done');
    expect(await db.prisma.insight.findUniqueOrThrow({ where: { id: ids.insight } })).toMatchObject({ status: 'APPLIED' });

    const [opened] = await Promise.all([phone.waitForEvent('page'), email.getByRole('link', { name: 'Open in the inbox' }).first().tap()]);
    await opened.waitForURL(new RegExp(`/app/insights/${ids.insight}$`));
    await expect.poll(() => opened.locator('h1').textContent()).toBe('Unboxing 15s is burning money');
    expect(await opened.locator('svg.chart').count()).toBe(1);
    expect(await opened.locator('td', { hasText: 'paused in TikTok Ads Manager' }).count()).toBe(1);
    await opened.screenshot({ path: path.join(SHOTS, 'phone-4-insight.png'), fullPage: true });

    // Dismiss the other one from the inbox with a note.
    await page.reload();
    const card = page.locator('article.card', { hasText: 'Founder story' });
    await card.locator('summary').tap();
    await card.getByRole('textbox').fill('seasonal dip, expected');
    await card.getByRole('button', { name: 'Dismiss' }).tap();
    await expect.poll(() => page.locator('.flash').textContent()).toMatch(/Dismissed/);
    expect(await db.prisma.insight.findFirstOrThrow({ where: { fingerprint: 'fatigue:x' }, include: { events: true } })).toMatchObject({ status: 'DISMISSED', events: [expect.objectContaining({ actor: 'web:ann@northwind.test', note: 'seasonal dip, expected' })] });
    await phone.close();
  });

  it('desktop and phone: the link table sorts, filters, downloads its CSV and kills a link', async () => {
    const desk = await browser.newContext({ ...DESKTOP, acceptDownloads: true });
    const page = await signIn(desk, 'ann@northwind.test', 'desktop');
    await page.getByRole('link', { name: 'Links', exact: true }).click();
    await page.waitForURL(/\/app\/links$/);
    await page.screenshot({ path: path.join(SHOTS, 'desktop-5-links.png'), fullPage: true });
    // Default: worst profit first.
    expect(await page.locator('tbody tr td.name').first().textContent()).toMatch(/^Unboxing 15s/);
    await page.getByRole('link', { name: 'CVR' }).click();
    await page.waitForURL(/sort=cvr/);
    expect(await page.locator('tbody tr td.name').first().textContent()).toMatch(/^Search brand/);
    expect(await page.locator('tbody tr').first().getAttribute('class')).toMatch(/roi-green/);
    // The platform filter applies on change (the script submits it).
    await page.getByLabel('Platform').selectOption('tiktok');
    await page.waitForURL(/platform=tiktok/);
    expect(await page.locator('tbody tr').count()).toBe(3);
    await page.getByLabel('Days').selectOption('30');
    await page.waitForURL(/range=30/);
    await expect.poll(() => page.locator('p.muted').first().textContent()).toMatch(/2026-11-07 → 2026-12-06/);
    await page.screenshot({ path: path.join(SHOTS, 'desktop-6-links-tiktok-30d.png'), fullPage: true });
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download CSV' }).click()]);
    expect(download.suggestedFilename()).toBe('links-northwind-2026-11-07-2026-12-06.csv');
    const csv = readFileSync((await download.path())!, 'utf8').trim().split('\r\n');
    expect(csv).toHaveLength(4);
    expect(csv.slice(1).map((l) => l.split(',')[0])).toEqual(['UGC try-on', 'Founder story', 'Unboxing 15s']);
    // Kill: the script asks once more; accepted, the row leaves the live table.
    page.once('dialog', (d) => void d.accept());
    await page.locator('tr', { hasText: 'Unboxing 15s' }).getByRole('button', { name: 'Kill' }).click();
    await expect.poll(() => page.locator('.flash').textContent()).toMatch(/Killed/);
    expect(await page.locator('tr', { hasText: 'Unboxing 15s' }).count()).toBe(0);
    expect(await db.prisma.entity.findUniqueOrThrow({ where: { id: ids.burner } })).toMatchObject({ status: 'killed' });
    await page.screenshot({ path: path.join(SHOTS, 'desktop-7-killed.png'), fullPage: true });
    await page.getByRole('link', { name: 'Reports' }).click();
    await page.screenshot({ path: path.join(SHOTS, 'desktop-8-reports.png') });
    await desk.close();

    const phone = await browser.newContext(PHONE);
    const p2 = await signIn(phone, 'ann@northwind.test');
    await p2.goto(`${base}/app/links?sort=roi`);
    await p2.screenshot({ path: path.join(SHOTS, 'phone-5-links.png'), fullPage: true });
    await phone.close();
  });

  it('a viewer sees the inbox and the table but has no buttons; a forged POST changes nothing', async () => {
    const desk = await browser.newContext(DESKTOP);
    const page = await signIn(desk, 'vic@northwind.test', 'viewer');
    expect(await page.locator('header').textContent()).toMatch(/Vic Viewer · viewer/);
    await page.goto(`${base}/app/inbox?status=all`);
    expect(await page.locator('article.card').count()).toBe(2);
    expect(await page.getByRole('button', { name: 'Mark applied' }).count()).toBe(0);
    await page.goto(`${base}/app/links`);
    expect(await page.getByRole('button', { name: 'Kill' }).count()).toBe(0);
    await page.screenshot({ path: path.join(SHOTS, 'viewer-links.png'), fullPage: true });
    // The viewer's own session and form token (a real form post from this browser): refused for the role.
    const csrf = await page.locator('input[name=csrf]').first().inputValue();
    const status = (await page.request.post(`${base}/app/links/${ids.star}/kill`, { form: { csrf }, maxRedirects: 0 })).status();
    expect(status).toBe(403);
    expect(await db.prisma.entity.findUniqueOrThrow({ where: { id: ids.star } })).toMatchObject({ status: 'active' });
    await desk.close();
  });
});
