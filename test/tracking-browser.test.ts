// A real browser (Debian's chromium driven by playwright-core; nothing downloaded):
// a small shop on 127.0.0.1 includes the snippet from the adbrain server on another
// port. The visitor lands with ?utm_campaign=A, comes back later with B, browses two
// pages by SPA navigation; the checkout's conversion, sent with the session id read
// from the page, goes to B. After 31 days without activity (the server's injectable
// clock) a new order is unattributed. No console errors.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import { apiDeps } from '../src/api/server.ts';
import { loadConfig } from '../src/config.ts';
import { addAgency } from '../src/domain/agencies.ts';
import { createApiKey } from '../src/domain/api-keys.ts';
import { addClient } from '../src/domain/clients.ts';
import { canRunChromium, launchChromium } from './helpers/chromium.ts';
import { freshDb, type TestDb } from './helpers/db.ts';

const DAY = 86_400_000;
// Locally without chromium the test is skipped; on CI .ci/run installs it, and a missing browser fails.
const run = canRunChromium;

describe.skipIf(!run)('the snippet in a real browser', { timeout: 120_000 }, () => {
  let db: TestDb;
  let browser: Browser;
  let api: ReturnType<typeof serve>;
  let shop: http.Server;
  let apiUrl = '';
  let shopUrl = '';
  let key = '';
  let clientId = '';
  let site = '';
  const T0 = new Date('2026-10-01T09:00:00Z').getTime();
  let clock = new Date(T0);
  const codes: Record<string, { id: string; code: string }> = {};

  beforeAll(async () => {
    db = await freshDb('pglite');
    await addAgency(db.prisma, { slug: 'shops', name: 'Shops' });
    const c = await addClient(db.prisma, { slug: 'boutique', agency: 'shops', currency: 'EUR', timezone: 'Europe/Paris' });
    clientId = c.id;
    key = (await createApiKey(db.prisma, c.agencyId, { role: 'admin', name: 'checkout' })).key;
    const app = createApp(apiDeps(db, loadConfig({}), () => clock));
    api = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((r) => api.once('listening', r));
    apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;

    shop = http.createServer((req, res) => {
      if (req.url === '/favicon.ico') return res.writeHead(204).end();
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><html><head><meta charset="utf-8"><title>Boutique</title>
<script src="${apiUrl}/t.js" data-site="${site}" defer></script></head>
<body><nav><a id="product" href="/shop/product">Product</a> <a id="cart" href="/shop/cart">Cart</a></nav><main id="view">home</main>
<script>document.addEventListener('click', function (e) { var a = e.target.closest('a'); if (!a) return; e.preventDefault(); history.pushState({}, '', a.getAttribute('href')); document.getElementById('view').textContent = a.id; });</script>
</body></html>`);
    });
    await new Promise<void>((r) => shop.listen(0, '127.0.0.1', r));
    shopUrl = `http://127.0.0.1:${(shop.address() as AddressInfo).port}`;

    const call = async (method: string, path: string, body: unknown) => {
      const r = await fetch(`${apiUrl}${path}`, { method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: r.status, json: await r.json() as any };
    };
    site = (await call('PATCH', `/v1/clients/${clientId}/tracking`, { origins: [shopUrl] })).json.siteKey;
    for (const name of ['A', 'B']) {
      const r = await call('POST', `/v1/clients/${clientId}/tracking-campaigns`, { name: `Reel ${name}`, platform: 'instagram', type: 'reel', destinationUrl: `${shopUrl}/shop/` });
      codes[name] = r.json;
    }
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => shop?.close(r));
    await new Promise((r) => (api ? api.close(r) : r(null)));
    await db?.destroy();
  });

  const visitsOf = async (n: number) => {
    for (let i = 0; i < 100; i++) {
      const rows = await db.prisma.visit.findMany({ where: { clientId }, orderBy: { id: 'asc' } });
      if (rows.length >= n) return rows;
      await new Promise((r) => setTimeout(r, 50));
    }
    return db.prisma.visit.findMany({ where: { clientId }, orderBy: { id: 'asc' } });
  };
  const conversion = async (orderId: string, sessionId: string) => {
    const r = await fetch(`${apiUrl}/v1/track/conversion`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ clientId, orderId, revenueCents: 12_900, currency: 'EUR', sessionId }) });
    return { status: r.status, json: await r.json() as any };
  };

  it('A, then B, two SPA pages, a conversion to B; 31 days later an order is unattributed; no console errors', async () => {
    // A person's browser: headless Chrome announces itself as HeadlessChrome, which isbot rightly drops.
    const context = await browser.newContext({ userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36' });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(e.message));

    await page.goto(`${shopUrl}/shop/?utm_campaign=${codes.A!.code}`);
    await page.waitForFunction(() => Boolean((globalThis as { adbrain?: unknown }).adbrain));
    expect((await visitsOf(1)).map((v) => [v.kind, v.campaignId])).toEqual([['click', codes.A!.id]]);

    clock = new Date(T0 + DAY);
    await page.goto(`${shopUrl}/shop/?utm_campaign=${codes.B!.code}`);
    await page.waitForFunction(() => Boolean((globalThis as { adbrain?: unknown }).adbrain));
    await page.click('#product');
    await page.click('#cart');
    expect(await page.textContent('#view')).toBe('cart');
    const visits = await visitsOf(4);
    expect(visits.map((v) => [v.kind, v.campaignId, v.path])).toEqual([
      ['click', codes.A!.id, '/shop/'], ['click', codes.B!.id, '/shop/'], ['view', null, '/shop/product'], ['view', null, '/shop/cart'],
    ]);
    const sid = await page.evaluate(() => (globalThis as unknown as { adbrain: { sessionId(): string } }).adbrain.sessionId());
    expect(new Set(visits.map((v) => v.sessionId))).toEqual(new Set([sid]));
    expect(visits[0]!.browser).toMatch(/Chrom/);

    clock = new Date(T0 + 2 * DAY);
    const first = await conversion('order-1', sid);
    expect(first.status).toBe(201);
    expect(first.json.campaignId).toBe(codes.B!.id);

    clock = new Date(T0 + DAY + 31 * DAY + 3_600_000);
    const late = await conversion('order-2', sid);
    expect(late.status).toBe(201);
    expect(late.json.campaignId).toBeNull();
    expect(problems).toEqual([]);
    await context.close();
  });
});
