// The web inbox (/app): sign-in by emailed link (single use, 15 minutes) or API key,
// sessions in an HttpOnly SameSite=Lax cookie, the inbox (filters, most money first,
// keyset pages), apply / dismiss / snooze with a note through the same transition as
// the CLI, the link table (sort, colours, platform, range, CSV, kill), the report
// archive; viewers see but cannot act; CSRF-less POSTs and another agency's ids change
// nothing; every page carries a CSP without inline script.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import { apiDeps } from '../src/api/server.ts';
import { loadConfig } from '../src/config.ts';
import { addAgency } from '../src/domain/agencies.ts';
import { createApiKey } from '../src/domain/api-keys.ts';
import { addClient } from '../src/domain/clients.ts';
import { addUser } from '../src/domain/users.ts';
import { addDays } from '../src/time.ts';
import { freshDb, type TestDb } from './helpers/db.ts';
import { browser, csrfOf } from './helpers/web-browser.ts';

let now = new Date('2026-12-07T09:00:00Z');
const YESTERDAY = '2026-12-06';

describe('web inbox', () => {
  let db: TestDb;
  let app: ReturnType<typeof createApp>;
  let limited: ReturnType<typeof createApp>;
  let outbox: string;
  let ids: { agency: string; other: string; client: string; otherClient: string; links: Record<string, string>; memberKey: string; viewerKey: string; otherInsight: string };

  beforeAll(async () => {
    db = await freshDb('pglite');
    outbox = mkdtempSync(path.join(tmpdir(), 'adbrain-web-'));
    const agency = await addAgency(db.prisma, { slug: 'acme', name: 'Acme Agency' });
    const other = await addAgency(db.prisma, { slug: 'rival', name: 'Rival' });
    const client = await addClient(db.prisma, { slug: 'gsales', name: 'G Sales', agency: 'acme', timezone: 'UTC' });
    const otherClient = await addClient(db.prisma, { slug: 'theirs', agency: 'rival', timezone: 'UTC' });
    await addUser(db.prisma, agency.id, { name: 'Ann Manager', email: 'ann@acme.test', role: 'member' });
    await addUser(db.prisma, agency.id, { name: 'Vic Viewer', email: 'vic@acme.test', role: 'viewer' });
    // Four links over the last 30 days: ROI −60 %, +50 %, +200 %, and one on Meta with no revenue reported.
    const links: Record<string, string> = {};
    const spec = [
      { name: 'https://go.example/l/burner', platform: 'tiktok', rev: 40, clicks: 100, conv: 2 },
      { name: 'https://go.example/l/okay', platform: 'tiktok', rev: 150, clicks: 80, conv: 4 },
      { name: 'https://go.example/l/star', platform: 'tiktok', rev: 300, clicks: 50, conv: 10 },
      { name: 'https://go.example/l/meta-one', platform: 'meta', rev: null, clicks: 60, conv: null },
    ] as const;
    for (const s of spec) {
      const e = await db.prisma.entity.create({ data: { clientId: client.id, platform: s.platform, kind: 'link', externalId: s.name, name: s.name } });
      links[s.name.split('/').at(-1)!] = e.id;
      await db.prisma.dailyMetric.createMany({
        data: Array.from({ length: 30 }, (_, k) => ({
          entityId: e.id, date: new Date(`${addDays(YESTERDAY, -k)}T00:00:00Z`), source: 'test', spendCents: 10_000n,
          clicks: BigInt(s.clicks), conversions: s.conv, revenueCents: s.rev === null ? null : BigInt(s.rev * 100),
        })),
      });
    }
    // 60 insights: impacts 1..60 dollars, so "most money first" and paging can be checked exactly.
    await db.prisma.insight.createMany({
      data: Array.from({ length: 60 }, (_, k) => ({
        clientId: client.id, type: k % 2 ? 'burning' : 'fatigue', severity: 'high' as const, title: `Insight ${k + 1}`, body: 'b', fingerprint: `fp-${k}`, impactCents: BigInt((k + 1) * 100), confidence: 0.9,
        entityId: k === 59 ? links.burner : null, since: k === 59 ? new Date('2026-11-28T00:00:00Z') : null, seenAsOf: new Date(`${YESTERDAY}T00:00:00Z`), payload: { facts: { roi: -0.6, spendCents: 70_000 } },
      })),
    });
    const otherInsight = await db.prisma.insight.create({ data: { clientId: otherClient.id, type: 'burning', severity: 'critical', title: 'Not yours', body: 'b', fingerprint: 'x' } });
    const memberKey = (await createApiKey(db.prisma, agency.id, { name: 'ops', role: 'member' })).key;
    const viewerKey = (await createApiKey(db.prisma, agency.id, { name: 'look', role: 'viewer' })).key;
    await db.prisma.report.create({ data: { clientId: client.id, periodStart: new Date(`${YESTERDAY}T00:00:00Z`), periodEnd: new Date(`${YESTERDAY}T00:00:00Z`), idempotencyKey: 'r1', status: 'written', html: '<html><body><p>Report body</p></body></html>', pdf: Buffer.from('%PDF-1.4 test') } });
    ids = { agency: agency.id, other: other.id, client: client.id, otherClient: otherClient.id, links, memberKey, viewerKey, otherInsight: otherInsight.id };
    const config = loadConfig({ ADBRAIN_ENCRYPTION_KEY: randomBytes(32).toString('base64'), ADBRAIN_PUBLIC_URL: 'https://adbrain.example', ADBRAIN_OUTBOX_DIR: outbox });
    app = createApp(apiDeps(db, config, () => now), { signInLimit: 1000 });
    limited = createApp(apiDeps(db, config, () => now), { signInLimit: 3 });
  });
  afterAll(async () => {
    await db?.destroy();
    rmSync(outbox, { recursive: true, force: true });
  });

  const sentLinks = () => {
    const dir = path.join(outbox, '_sign-in');
    const out: string[] = [];
    for (const day of (() => { try { return readdirSync(dir); } catch { return []; } })()) {
      for (const f of readdirSync(path.join(dir, day)).filter((f) => f.endsWith('.txt')).sort()) {
        out.push(/https:\/\/adbrain\.example(\/app\/magic\/[\w-]+)/.exec(readFileSync(path.join(dir, day, f), 'utf8'))![1]!);
      }
    }
    return out;
  };

  async function signInByEmail(email: string) {
    const b = browser(app);
    const form = await b.get('/app/sign-in');
    const before = sentLinks().length;
    const res = await b.post('/app/sign-in', { csrf: csrfOf(await form.text()), email });
    expect(res.status).toBe(200);
    const links = sentLinks();
    expect(links.length).toBe(before + 1);
    const link = links.filter((l) => !seen.has(l))[0]!;
    seen.add(link);
    const confirm = await b.get(link);
    expect(confirm.status).toBe(200);
    const done = await b.post(link, { csrf: csrfOf(await confirm.text()) });
    expect(done.status).toBe(303);
    return { b, link };
  }
  const seen = new Set<string>();
  async function signInByKey(key: string) {
    const b = browser(app);
    const form = await b.get('/app/sign-in');
    const res = await b.post('/app/sign-in', { csrf: csrfOf(await form.text()), apiKey: key });
    expect(res.status).toBe(303);
    return b;
  }

  it('a page without a session goes to sign-in (and back after); an unknown address gets the same answer and no email', async () => {
    const res = await app.request('/app/inbox?status=open');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/app/sign-in?next=%2Fapp%2Finbox%3Fstatus%3Dopen');
    const b = browser(app);
    const form = await b.get('/app/sign-in');
    const a = await (await b.post('/app/sign-in', { csrf: csrfOf(await form.text()), email: 'nobody@acme.test' })).text();
    expect(a).toMatch(/If nobody@acme.test belongs to a user of adbrain, a sign-in link is on its way/);
    expect(sentLinks()).toEqual([]);
    // Guessing keys or flooding inboxes: past the per-address limit, refused.
    const g = browser(limited);
    const gform = csrfOf(await (await g.get('/app/sign-in')).text());
    const tries = [];
    for (let k = 0; k < 4; k++) tries.push((await g.post('/app/sign-in', { csrf: gform, apiKey: `adb_000000000000_${'x'.repeat(43)}` })).status);
    expect(tries).toEqual([403, 403, 403, 429]);
    // A sign-in form posted without its token (another site's form) signs nobody in and sends nothing.
    const forged = await browser(app).post('/app/sign-in', { csrf: 'x', email: 'ann@acme.test' });
    expect(forged.status).toBe(403);
    expect(sentLinks()).toEqual([]);
  });

  it('magic link: opening it does not sign in; its button does, once; the cookie is HttpOnly, Secure over HTTPS, SameSite=Lax; used and expired links are refused', async () => {
    const b = browser(app);
    const form = await b.get('/app/sign-in?next=%2Fapp%2Flinks');
    await b.post('/app/sign-in', { csrf: csrfOf(await form.text()), next: '/app/links', email: 'Ann@Acme.test' });
    const [link] = sentLinks().filter((l) => !seen.has(l));
    seen.add(link!);
    const opened = await b.get(link!);
    expect(await opened.text()).toMatch(/Sign in as <strong>Ann Manager<\/strong>/);
    expect(b.jar.has('adbrain_session')).toBe(false);
    const res = await b.post(link!, { csrf: csrfOf(await (await b.get(link!)).text()) });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/app/links');
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('adbrain_session='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Path=\/app/);
    expect((await b.get('/app/inbox')).status).toBe(200);
    // Again: used.
    const again = browser(app);
    expect((await again.get(link!)).status).toBe(410);
    // Expired after 15 minutes.
    const late = browser(app);
    const f2 = await late.get('/app/sign-in');
    await late.post('/app/sign-in', { csrf: csrfOf(await f2.text()), email: 'ann@acme.test' });
    const [link2] = sentLinks().filter((l) => !seen.has(l));
    seen.add(link2!);
    now = new Date(now.getTime() + 16 * 60_000);
    try {
      expect((await late.get(link2!)).status).toBe(410);
    } finally {
      now = new Date('2026-12-07T09:00:00Z');
    }
    // Forged token.
    expect((await late.get(`/app/magic/${'A'.repeat(43)}`)).status).toBe(400);
    const audit = await db.prisma.auditLog.findMany({ where: { action: 'web.sign_in' } });
    expect(audit.some((a) => a.actorKind === 'web' && a.actorName === 'Ann Manager <ann@acme.test>')).toBe(true);
  });

  it('the inbox: open insights of the agency, most money first, 25 a page; every one reached exactly once; filters by type and client', async () => {
    const { b } = await signInByEmail('ann@acme.test');
    const titles: string[] = [];
    let url: string | null = '/app/inbox';
    let pages = 0;
    while (url) {
      const res = await b.get(url);
      expect(res.status).toBe(200);
      const html = await res.text();
      titles.push(...[...html.matchAll(/<h3><a href="\/app\/insights\/[0-9a-f-]+">(Insight \d+)<\/a>/g)].map((m) => m[1]!));
      const next = /<a rel="next" href="([^"]+)"/.exec(html)?.[1];
      url = next ? next.replace(/&amp;/g, '&') : null;
      pages++;
    }
    expect(pages).toBe(3);
    expect(titles).toEqual(Array.from({ length: 60 }, (_, k) => `Insight ${60 - k}`));
    expect(titles).not.toContain('Not yours');
    const burning = await (await b.get('/app/inbox?type=burning&client=gsales')).text();
    expect(burning).toMatch(/30 insights/);
    const bad = await b.get('/app/inbox?status=nope');
    expect(bad.status).toBe(422);
    expect(await bad.text()).toMatch(/status: one of open/);
  });

  it('apply with a note from the inbox: the same transition as the CLI (event, audit with the person); a POST without the form token or by a viewer changes nothing', async () => {
    const { b } = await signInByEmail('ann@acme.test');
    const html = await (await b.get('/app/inbox')).text();
    const top = await db.prisma.insight.findFirstOrThrow({ where: { title: 'Insight 60' } });
    expect(html).toContain(`action="/app/insights/${top.id}/act"`);
    const res = await b.post(`/app/insights/${top.id}/act`, { csrf: csrfOf(html), action: 'apply', note: 'paused the link in TikTok', back: '/app/inbox' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/app/inbox?done=applied&i=${top.id}`);
    const after = await db.prisma.insight.findUniqueOrThrow({ where: { id: top.id }, include: { events: true } });
    expect(after.status).toBe('APPLIED');
    expect(after.appliedOn).not.toBeNull();
    expect(after.events.at(-1)).toMatchObject({ actor: 'web:ann@acme.test', toStatus: 'APPLIED', note: 'paused the link in TikTok' });
    const audit = await db.prisma.auditLog.findFirstOrThrow({ where: { entityId: top.id, action: 'insight.status_changed' } });
    expect(audit).toMatchObject({ actorKind: 'web', actorName: 'Ann Manager <ann@acme.test>' });
    expect((await (await b.get(`/app/inbox?done=applied&i=${top.id}`)).text())).toMatch(/Marked applied/);

    const second = await db.prisma.insight.findFirstOrThrow({ where: { title: 'Insight 59' } });
    const noToken = await b.post(`/app/insights/${second.id}/act`, { action: 'dismiss' });
    expect(noToken.status).toBe(403);
    // Snooze with a note.
    const snoozed = await b.post(`/app/insights/${second.id}/act`, { csrf: csrfOf(html), action: 'snooze', note: 'wait for the weekend' });
    expect(snoozed.status).toBe(303);
    expect((await db.prisma.insight.findUniqueOrThrow({ where: { id: second.id } })).snoozedUntil?.toISOString().slice(0, 10)).toBe('2026-12-14');

    const viewer = await signInByEmail('vic@acme.test');
    const vhtml = await (await viewer.b.get('/app/inbox')).text();
    expect(vhtml).not.toContain('/act"');
    expect(vhtml).toMatch(/Vic Viewer · viewer/);
    const refused = await viewer.b.post(`/app/insights/${second.id}/act`, { csrf: csrfOf(vhtml), action: 'dismiss' });
    expect(refused.status).toBe(403);
    expect((await db.prisma.insight.findUniqueOrThrow({ where: { id: second.id } })).status).toBe('PENDING');
    // Another agency's insight: not found, unchanged.
    const theirs = await b.post(`/app/insights/${ids.otherInsight}/act`, { csrf: csrfOf(html), action: 'apply' });
    expect(theirs.status).toBe(404);
    expect((await b.get(`/app/insights/${ids.otherInsight}`)).status).toBe(404);
    expect((await db.prisma.insight.findUniqueOrThrow({ where: { id: ids.otherInsight } })).status).toBe('PENDING');
  });

  it('one insight: its numbers, the change day, the chart of the days judged, its history', async () => {
    const b = await signInByKey(ids.memberKey);
    const top = await db.prisma.insight.findFirstOrThrow({ where: { title: 'Insight 60' } });
    const res = await b.get(`/app/insights/${top.id.slice(0, 8)}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toMatch(/<svg class="chart"/);
    expect(html).toMatch(/change 2026-11-28/);
    expect((html.match(/<rect class="spend"/g) ?? []).length).toBeGreaterThanOrEqual(14);
    expect(html).toMatch(/<dt>roi<\/dt><dd>-60.0%<\/dd>/);
    expect(html).toMatch(/<dt>spend<\/dt><dd>\$700.00<\/dd>/);
    expect(html).toMatch(/web:ann@acme.test/);
  });

  it('the link table: ROI colours, sort by ROI / clicks / CVR, platform filter, 30 days, CSV of what is shown; kill from the row', async () => {
    const b = await signInByKey(ids.memberKey);
    const html = await (await b.get('/app/links?client=gsales&sort=roi&dir=asc')).text();
    const order = [...html.matchAll(/<tr class="([^"]*)" data-id="([0-9a-f-]+)">/g)].map((m) => [m[1], m[2]]);
    // Worst ROI first; the link without revenue (unknown ROI) last, uncoloured.
    expect(order).toEqual([['roi-red', ids.links.burner], ['roi-yellow', ids.links.okay], ['roi-green', ids.links.star], ['', ids.links['meta-one']]]);
    const byCvr = await (await b.get('/app/links?client=gsales&sort=cvr&dir=desc')).text();
    expect([...byCvr.matchAll(/data-id="([0-9a-f-]+)"/g)].map((m) => m[1])).toEqual([ids.links.star, ids.links.okay, ids.links.burner, ids.links['meta-one']]);
    expect(byCvr).toMatch(/20.0%/); // star: 10 conversions / 50 clicks
    const meta = await (await b.get('/app/links?client=gsales&platform=meta')).text();
    expect([...meta.matchAll(/data-id="([0-9a-f-]+)"/g)].map((m) => m[1])).toEqual([ids.links['meta-one']]);
    const d30 = await (await b.get('/app/links?client=gsales&range=30&sort=spend')).text();
    expect(d30).toMatch(/2026-11-07 → 2026-12-06/);
    expect(d30).toMatch(/\$3,000.00/); // 30 × $100
    const custom = await b.get('/app/links?client=gsales&range=custom&from=2026-12-01&to=2026-11-01');
    expect(custom.status).toBe(422);
    expect(await custom.text()).toMatch(/from: must be on or before to/);

    const csv = await b.get('/app/links.csv?client=gsales&sort=roi&dir=asc&range=7');
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    expect(csv.headers.get('content-disposition')).toMatch(/attachment; filename="links-gsales-2026-11-30-2026-12-06.csv"/);
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines[0]).toMatch(/^name,kind,platform,under,spend_USD,clicks,conversions,cvr,revenue_USD,profit_USD,roi/);
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(['https://go.example/l/burner', 'https://go.example/l/okay', 'https://go.example/l/star', 'https://go.example/l/meta-one']);
    expect(lines[1]).toContain(',700.00,700,14,0.0200,280.00,-420.00,-0.6000,');

    const kill = await b.post(`/app/links/${ids.links.burner}/kill`, { csrf: csrfOf(html), back: '/app/links?client=gsales&sort=roi&dir=asc' });
    expect(kill.status).toBe(303);
    expect(kill.headers.get('location')).toBe('/app/links?client=gsales&sort=roi&dir=asc&done=killed');
    expect((await db.prisma.entity.findUniqueOrThrow({ where: { id: ids.links.burner } })).status).toBe('killed');
    expect(await db.prisma.auditLog.findFirst({ where: { entityId: ids.links.burner, action: 'entity.kill', actorKind: 'web' } })).not.toBeNull();
    const live = await (await b.get('/app/links?client=gsales')).text();
    expect(live).not.toContain(ids.links.burner);
    const killed = await (await b.get('/app/links?client=gsales&show=killed')).text();
    expect(killed).toContain(ids.links.burner);

    const viewer = await signInByKey(ids.viewerKey);
    const vhtml = await viewer.get('/app/links?client=gsales');
    const vtext = await vhtml.text();
    expect(vtext).not.toMatch(/\/kill"/);
    expect((await viewer.post(`/app/links/${ids.links.okay}/kill`, { csrf: csrfOf(vtext) })).status).toBe(403);
    expect((await db.prisma.entity.findUniqueOrThrow({ where: { id: ids.links.okay } })).status).toBe('active');
  });

  it('report archive: each day with its HTML and PDF; another agency cannot open them', async () => {
    const b = await signInByKey(ids.memberKey);
    const html = await (await b.get('/app/reports')).text();
    const id = /href="\/app\/reports\/([0-9a-f-]+)\/html"/.exec(html)![1]!;
    expect(html).toMatch(/2026-12-06/);
    const doc = await b.get(`/app/reports/${id}/html`);
    expect(await doc.text()).toContain('Report body');
    expect(doc.headers.get('content-security-policy')).toMatch(/sandbox/);
    const pdf = await b.get(`/app/reports/${id}/pdf`);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    const rivalKey = (await createApiKey(db.prisma, ids.other, { name: 'r', role: 'admin' })).key;
    const rival = await signInByKey(rivalKey);
    expect((await rival.get(`/app/reports/${id}/html`)).status).toBe(404);
  });

  it('security: CSP without inline script on every page, no inline script or style in them; revoking the key or removing the user ends the session', async () => {
    const { b } = await signInByEmail('ann@acme.test');
    for (const url of ['/app/inbox', '/app/links?client=gsales', '/app/reports', '/app/sign-in']) {
      const res = await b.get(url);
      const csp = res.headers.get('content-security-policy')!;
      expect(csp).toMatch(/script-src 'self'/);
      expect(csp).toMatch(/frame-ancestors 'none'/);
      expect(csp).not.toMatch(/unsafe-inline/);
      const html = await res.text();
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(html).not.toMatch(/\sstyle="/);
      expect(html).not.toMatch(/\son[a-z]+="/);
    }
    const revocable = (await createApiKey(db.prisma, ids.agency, { name: 'tmp', role: 'member' }));
    const kb = await signInByKey(revocable.key);
    expect((await kb.get('/app/inbox')).status).toBe(200);
    await db.prisma.apiKey.update({ where: { id: revocable.row.id }, data: { revokedAt: now } });
    expect((await kb.get('/app/inbox')).status).toBe(303);
    await db.prisma.user.delete({ where: { agencyId_email: { agencyId: ids.agency, email: 'ann@acme.test' } } });
    expect((await b.get('/app/inbox')).status).toBe(303);
  });
});
