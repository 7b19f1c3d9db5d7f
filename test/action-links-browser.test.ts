// From the morning email to "applied" and "link killed" in two taps, on a phone, in a
// real browser (Debian's chromium driven by playwright-core; nothing downloaded): the
// report's HTML as it is emailed, a tap on its button, a tap on the confirmation page.
// Screenshots of each page at phone width are written for a person to look at.
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { serve } from '@hono/node-server';
import { type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { previewModel } from '../emails/preview-data.ts';
import { withActionLinks } from '../src/actions/links.ts';
import { linkKey } from '../src/actions/tokens.ts';
import { createApp } from '../src/api/app.ts';
import { apiDeps } from '../src/api/server.ts';
import { loadConfig } from '../src/config.ts';
import { addAgency } from '../src/domain/agencies.ts';
import { addClient } from '../src/domain/clients.ts';
import { renderDailyReport } from '../src/reports/daily-report.ts';
import { canRunChromium, launchChromium } from './helpers/chromium.ts';
import { freshDb, type TestDb } from './helpers/db.ts';

const run = canRunChromium;
const NOW = new Date('2026-12-07T07:30:00Z');
const ENC = randomBytes(32).toString('base64');
export const SHOTS = path.join(tmpdir(), 'adbrain-action-link-shots');

describe.skipIf(!run)('acting from the email in a real browser', { timeout: 120_000 }, () => {
  let db: TestDb;
  let browser: Browser;
  let server: ReturnType<typeof serve>;
  let reportFile = '';
  let insightId = '';
  let linkId = '';

  beforeAll(async () => {
    db = await freshDb('pglite');
    await addAgency(db.prisma, { slug: 'phone', name: 'Phone' });
    const client = await addClient(db.prisma, { slug: 'northwind', agency: 'phone', timezone: 'America/Los_Angeles' });
    linkId = (await db.prisma.entity.create({ data: { clientId: client.id, platform: 'tiktok', kind: 'link', externalId: 'unboxing', name: 'Unboxing 15s' } })).id;
    insightId = (await db.prisma.insight.create({ data: { clientId: client.id, type: 'burning', severity: 'critical', title: 'Unboxing 15s is burning money', body: 'b', fingerprint: `burning:${linkId}:2026-11-28`, entityId: linkId } })).id;
    const app = createApp(apiDeps(db, loadConfig({ ADBRAIN_ENCRYPTION_KEY: ENC }), () => NOW));
    server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((r) => server.once('listening', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // The report as the day run makes it: the first "act now" item pauses the burning link.
    const model = previewModel();
    const actions = model.actions.map((a, i) => (i === 0 ? { ...a, kind: 'pause', fingerprint: `burning:${linkId}:2026-11-28`, entity: { id: linkId, kind: 'link', name: 'Unboxing 15s', platform: 'tiktok' } } : a));
    const key = linkKey(Buffer.from(ENC, 'base64'));
    const r = await renderDailyReport({ ...model, actions: await withActionLinks(db, client.id, actions, { key: () => key, baseUrl: base }, NOW) });
    const dir = await mkdtemp(path.join(tmpdir(), 'adbrain-email-'));
    reportFile = path.join(dir, 'report.html');
    await writeFile(reportFile, r.html);
    await mkdir(SHOTS, { recursive: true });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => (server ? server.close(r) : r(null)));
    await db?.destroy();
  });

  it('Mark applied: two taps from the email, the insight is applied by "email link"; the link then says it was used', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    const email = await phone.newPage();
    const problems: string[] = [];
    email.on('pageerror', (e) => problems.push(e.message));
    await email.goto(`file://${reportFile}`);
    await email.screenshot({ path: path.join(SHOTS, '1-email.png'), fullPage: false });
    const apply = email.getByRole('link', { name: 'Mark applied' }).first();
    const href = await apply.getAttribute('href');
    // The email's buttons open in the browser (target=_blank), as from a mail app.
    const [page] = await Promise.all([phone.waitForEvent('page'), apply.tap()]);
    page.on('pageerror', (e) => problems.push(e.message));
    await page.waitForURL(/\/a\/v1\./);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Mark as applied?');
    expect(await db.prisma.insight.findUniqueOrThrow({ where: { id: insightId } })).toMatchObject({ status: 'PENDING' });
    await page.screenshot({ path: path.join(SHOTS, '2-confirm.png') });
    await page.getByRole('button', { name: 'Mark as applied' }).tap();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Done');
    await page.screenshot({ path: path.join(SHOTS, '3-done.png') });
    expect(await db.prisma.insight.findUniqueOrThrow({ where: { id: insightId } })).toMatchObject({ status: 'APPLIED' });
    expect(await db.prisma.insightEvent.findFirstOrThrow({ where: { insightId } })).toMatchObject({ actor: 'email link', toStatus: 'APPLIED' });
    await page.goto(href!);
    expect(await page.locator('h1').textContent()).toBe('This link was already used');
    expect(problems).toEqual([]);
    await phone.close();
  });

  it('Kill this link: two taps, the link is killed', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const email = await phone.newPage();
    await email.goto(`file://${reportFile}`);
    const [page] = await Promise.all([phone.waitForEvent('page'), email.getByRole('link', { name: 'Kill this link' }).first().tap()]);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Kill this link?');
    await page.screenshot({ path: path.join(SHOTS, '4-kill-confirm.png') });
    await page.getByRole('button', { name: 'Kill this link' }).tap();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Done');
    expect(await db.prisma.entity.findUniqueOrThrow({ where: { id: linkId } })).toMatchObject({ status: 'killed' });
    await phone.close();
  });
});
