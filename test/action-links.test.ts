// Signed action links from emails: opening one never acts; its form's POST (with the
// CSRF cookie) acts once, through the same transition as the CLI; used, expired,
// edited and revoked links change nothing. The daily report carries them.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { previewModel } from '../emails/preview-data.ts';
import { withActionLinks } from '../src/actions/links.ts';
import { linkKey, signAction, verifyAction } from '../src/actions/tokens.ts';
import { createApp } from '../src/api/app.ts';
import { apiDeps } from '../src/api/server.ts';
import { loadConfig } from '../src/config.ts';
import { addAgency } from '../src/domain/agencies.ts';
import { addClient } from '../src/domain/clients.ts';
import { renderDailyReport } from '../src/reports/daily-report.ts';
import { freshDb, type TestDb } from './helpers/db.ts';

const NOW = new Date('2026-12-07T09:00:00Z');
const ENC = randomBytes(32).toString('base64');

describe('signed action links', () => {
  let db: TestDb;
  let app: ReturnType<typeof createApp>;
  let key: Buffer;
  let ids: { agency: string; client: string; link: string };
  let n = 0;
  beforeAll(async () => {
    db = await freshDb('pglite');
    const agency = await addAgency(db.prisma, { slug: 'links', name: 'Links' });
    const client = await addClient(db.prisma, { slug: 'shop', agency: 'links', timezone: 'UTC' });
    const link = await db.prisma.entity.create({ data: { clientId: client.id, platform: 'tiktok', kind: 'link', externalId: 'https://a.example/x', name: 'https://a.example/x' } });
    ids = { agency: agency.id, client: client.id, link: link.id };
    const config = loadConfig({ ADBRAIN_ENCRYPTION_KEY: ENC, ADBRAIN_PUBLIC_URL: 'https://adbrain.example' });
    app = createApp(apiDeps(db, config, () => NOW));
    key = linkKey(Buffer.from(ENC, 'base64'));
  });
  afterAll(async () => db?.destroy());

  const insight = async (status: 'PENDING' | 'APPLIED' = 'PENDING') =>
    (await db.prisma.insight.create({ data: { clientId: ids.client, type: 'burning', severity: 'critical', title: `Pause burning link ${++n}`, body: 'b', fingerprint: `fp-${n}`, status } })).id;
  const token = (action: 'apply' | 'dismiss' | 'snooze' | 'kill', insightId: string | null, at = NOW, entityId: string | null = null) =>
    signAction(key, { agencyId: ids.agency, clientId: ids.client, insightId, entityId, action }, at);
  const open = (t: string) => app.request(`/a/${t}`);
  /** Opens the link, then presses its button (cookie and hidden field as a browser sends them). */
  async function confirm(t: string, extra: Record<string, string> = {}) {
    const page = await open(t);
    const html = await page.text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
    const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0]!;
    const body = new URLSearchParams({ ...(csrf ? { csrf } : {}), ...extra });
    return { page, html, res: await app.request(`/a/${t}`, { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body }) };
  }
  const status = async (id: string) => (await db.prisma.insight.findUniqueOrThrow({ where: { id } })).status;

  it('tokens: signed, bound, expiring; an edited or cut token fails', () => {
    const t = token('apply', '00000000-0000-4000-8000-000000000001');
    expect(verifyAction(key, t, NOW)).toMatchObject({ ok: true, claim: { action: 'apply', clientId: ids.client } });
    const [v, payload, sig] = t.split('.');
    const edited = Buffer.from(payload!, 'base64url').toString().replace('"apply"', '"kill"');
    expect(verifyAction(key, `${v}.${Buffer.from(edited).toString('base64url')}.${sig}`, NOW)).toMatchObject({ ok: false, why: 'tampered' });
    expect(verifyAction(key, t.slice(0, -3), NOW)).toMatchObject({ ok: false, why: 'tampered' });
    expect(verifyAction(key, 'nonsense', NOW)).toMatchObject({ ok: false, why: 'malformed' });
    expect(verifyAction(linkKey(randomBytes(32)), t, NOW)).toMatchObject({ ok: false, why: 'tampered' });
    expect(verifyAction(key, t, new Date(NOW.getTime() + 14 * 86_400_000))).toMatchObject({ ok: false, why: 'expired' });
  });

  it('opening a link never acts; its button applies once, as the email link, audited; a second press changes nothing', async () => {
    const id = await insight();
    const t = token('apply', id);
    const first = await open(t);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-security-policy')).toMatch(/default-src 'none'.*frame-ancestors 'none'/);
    expect(first.headers.get('referrer-policy')).toBe('no-referrer');
    expect(await first.text()).toMatch(/Mark as applied\?.*Pause burning link/s);
    expect(await status(id)).toBe('PENDING');

    const { res } = await confirm(t, { note: 'paused in TikTok' });
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/Done.*marked applied/s);
    expect(await status(id)).toBe('APPLIED');
    const events = await db.prisma.insightEvent.findMany({ where: { insightId: id } });
    expect(events).toEqual([expect.objectContaining({ actor: 'email link', fromStatus: 'PENDING', toStatus: 'APPLIED', note: 'paused in TikTok' })]);
    const audit = await db.prisma.auditLog.findFirstOrThrow({ where: { entityId: id } });
    expect(audit).toMatchObject({ actorKind: 'email_link', actorName: 'email link', action: 'insight.status_changed', after: { status: 'APPLIED', origin: 'email link' } });

    const again = await confirm(t);
    expect(again.page.status).toBe(410);
    expect(again.html).toMatch(/already used.*marked applied/s);
    expect(again.res.status).toBe(403); // no form on a used link's page: no CSRF token to send
  });

  it('a POST without the form\'s CSRF token (or with another cookie) changes nothing', async () => {
    const id = await insight();
    const t = token('dismiss', id);
    const bare = await app.request(`/a/${t}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'note=x' });
    expect(bare.status).toBe(403);
    const mismatched = await app.request(`/a/${t}`, { method: 'POST', headers: { cookie: 'adbrain_csrf=abc', 'content-type': 'application/x-www-form-urlencoded' }, body: 'csrf=abd' });
    expect(mismatched.status).toBe(403);
    // A 1 MB body is refused before it is read; the link still works afterwards.
    const huge = await app.request(`/a/${t}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(1024 * 1024) }, body: `note=${'x'.repeat(1024 * 1024 - 5)}` });
    expect(huge.status).toBe(413);
    expect(await status(id)).toBe('PENDING');
    const { res } = await confirm(t, { note: 'seasonal dip, expected' });
    expect(res.status).toBe(200);
    expect(await status(id)).toBe('DISMISSED');
  });

  it('expired, edited, revoked and foreign links get a clear page and change nothing', async () => {
    const id = await insight();
    const old = token('apply', id, new Date(NOW.getTime() - 15 * 86_400_000));
    expect((await confirm(old)).page.status).toBe(410);
    expect(await (await open(old)).text()).toMatch(/expired/);
    const t = token('apply', id);
    const edited = t.slice(0, 20) + (t[20] === 'A' ? 'B' : 'A') + t.slice(21);
    expect((await open(edited)).status).toBe(400);
    const foreign = signAction(key, { agencyId: '00000000-0000-4000-8000-000000000009', clientId: ids.client, insightId: id, entityId: null, action: 'apply' }, NOW);
    expect((await open(foreign)).status).toBe(404);
    await db.prisma.agency.update({ where: { id: ids.agency }, data: { actionLinksValidAfter: new Date(NOW.getTime() + 1000) } });
    expect(await (await open(t)).text()).toMatch(/revoked/);
    expect((await confirm(t)).res.status).toBe(403);
    await db.prisma.agency.update({ where: { id: ids.agency }, data: { actionLinksValidAfter: null } });
    expect(await status(id)).toBe('PENDING');
    // Decided elsewhere first: the link says so and changes nothing.
    const applied = await insight('APPLIED');
    const { res } = await confirm(token('apply', applied));
    expect(await res.text()).toMatch(/Nothing changed/);
  });

  it('kill: the link leaves the lists, its history stays', async () => {
    const { res } = await confirm(token('kill', null, NOW, ids.link));
    expect(res.status).toBe(200);
    expect(await db.prisma.entity.findUniqueOrThrow({ where: { id: ids.link } })).toMatchObject({ status: 'killed', killedReason: 'killed from an email link' });
  });

  it('the daily report carries the buttons: a pause of a link gets kill, apply, dismiss and snooze; each opens its confirmation page', async () => {
    const id = await insight();
    const fp = (await db.prisma.insight.findUniqueOrThrow({ where: { id } })).fingerprint;
    const model = previewModel();
    const actions = model.actions.map((a, i) => ({ ...a, fingerprint: i === 0 ? fp : 'none', kind: i === 0 ? 'pause' : a.kind, entity: i === 0 ? { id: ids.link, kind: 'link', name: 'https://a.example/x', platform: 'tiktok' } : a.entity }));
    const linked = await withActionLinks(db, ids.client, actions, { key: () => key, baseUrl: 'https://adbrain.example' }, NOW);
    expect(Object.keys(linked[0]!.links ?? {}).sort()).toEqual(['apply', 'dismiss', 'kill', 'open', 'snooze']);
    // "Open in the inbox" is the insight's page of the web inbox (it asks who you are), not a token.
    expect(linked[0]!.links!.open).toBe(`https://adbrain.example/app/insights/${id}`);
    expect(linked[1]!.links).toBeUndefined();
    const r = await renderDailyReport({ ...model, actions: linked });
    for (const l of Object.values(linked[0]!.links!)) {
      expect(r.text).toContain(l);
      expect(r.html).toContain(l.replace(/&/g, '&amp;'));
    }
    expect(r.text).toMatch(/Kill this link: https:\/\/adbrain\.example\/a\/v1\./);
    expect(r.text).toMatch(/Open in the inbox: https:\/\/adbrain\.example\/app\/insights\//);
    const page = await open(linked[0]!.links!.apply!.replace('https://adbrain.example/a/', ''));
    expect(page.status).toBe(200);
  });

  it('a burning alert carries kill, apply, dismiss and snooze for its link and its insight', async () => {
    const { alertActionLinks } = await import('../src/actions/links.ts');
    const { renderAlertText } = await import('../src/alerts/view.ts');
    const link = await db.prisma.entity.create({ data: { clientId: ids.client, platform: 'tiktok', kind: 'link', externalId: 'https://a.example/y', name: 'https://a.example/y' } });
    await db.prisma.insight.create({ data: { clientId: ids.client, type: 'burning', severity: 'critical', title: 'y burns', body: 'b', fingerprint: `burning:${link.id}:2026-12-01` } });
    const entity = { id: link.id, kind: 'link', name: link.name, platform: 'tiktok' };
    const links = await alertActionLinks(db, ids.client, { rule: 'burning', entity, since: '2026-12-01' }, { key: () => key, baseUrl: 'https://adbrain.example' }, NOW);
    expect(links.map((l) => l.label)).toEqual(['Kill this link', 'Mark applied', 'Dismiss', 'Snooze 7 days', 'Open in the inbox']);
    // No insight for that day yet: only the kill switch. No key: no buttons.
    expect((await alertActionLinks(db, ids.client, { rule: 'burning', entity, since: '2026-12-02' }, { key: () => key, baseUrl: 'https://adbrain.example' }, NOW)).map((l) => l.label)).toEqual(['Kill this link']);
    expect(await alertActionLinks(db, ids.client, { rule: 'burning', entity, since: '2026-12-01' }, { key: () => undefined, baseUrl: 'https://adbrain.example' }, NOW)).toEqual([]);
    const text = renderAlertText({ subject: 's', preview: 'p', client: 'Shop', rule: 'Burning money', headline: 'h', entity: null, numbers: [], suggestion: 'Pause it.', context: 'c', footer: 'f', links });
    for (const l of links) expect(text).toContain(`${l.label}: ${l.url}`);
  });

  it('a Slack alert message carries the same buttons as links', async () => {
    const { slackMessage } = await import('../src/webhooks/slack.ts');
    const text = slackMessage({ type: 'alert.sent', client: { name: 'Shop' }, data: { headline: 'x is burning', numbers: 'Spend $10.00', action: 'Pause it.', links: [{ label: 'Kill this link', url: 'https://adbrain.example/a/v1.k' }, { label: 'Dismiss', url: 'https://adbrain.example/a/v1.d' }] } } as never).text;
    expect(text).toBe(':rotating_light: *Shop*: x is burning\nSpend $10.00\nSuggested: Pause it.\n<https://adbrain.example/a/v1.k|Kill this link> · <https://adbrain.example/a/v1.d|Dismiss>');
  });

  it('snooze: the insight stays open, leaves "act now" through local today + 7, and comes back after', async () => {
    const { snoozedFingerprints } = await import('../src/insights/inbox.ts');
    const id = await insight();
    const { res } = await confirm(token('snooze', id));
    expect(await res.text()).toMatch(/snoozed until 2026-12-14/);
    const row = await db.prisma.insight.findUniqueOrThrow({ where: { id } });
    expect(row.status).toBe('PENDING');
    expect(await snoozedFingerprints(db.prisma, ids.client, '2026-12-14')).toContain(row.fingerprint);
    expect(await snoozedFingerprints(db.prisma, ids.client, '2026-12-15')).not.toContain(row.fingerprint);
    expect((await db.prisma.auditLog.findFirstOrThrow({ where: { entityId: id, action: 'insight.snoozed' } })).actorKind).toBe('email_link');
  });

  it('a snoozed action leaves the report\'s "act now" (the next one moves up), and is back after its day', async () => {
    const { loadReportModel } = await import('../src/reports/load-model.ts');
    const { snoozeInsight } = await import('../src/insights/inbox.ts');
    const client = await db.prisma.client.findUniqueOrThrow({ where: { id: ids.client } });
    const ent = { id: ids.link, kind: 'link', externalId: 'x', name: 'https://a.example/x', platform: 'tiktok' };
    const act = (k: number, kind: string) => ({ rank: k, kind, entity: ent, basedOn: { type: 'burning', since: '2026-12-01', key: `burning:${ids.link}:2026-12-0${k}` }, impactCents: 1000 * (3 - k), confidence: 0.9, urgency: 'high', score: 1, inputs: {} });
    await db.prisma.brainRun.create({ data: { clientId: ids.client, asOf: new Date('2026-12-06T00:00:00Z'), status: 'succeeded', oracle: { findings: [], trackRecord: null }, curiosity: { actions: [act(1, 'pause'), act(2, 'investigate')] } } });
    await db.prisma.entity.update({ where: { id: ids.link }, data: { status: 'active' } });
    const i = await db.prisma.insight.create({ data: { clientId: ids.client, type: 'burning', severity: 'high', title: 't', body: 'b', fingerprint: `burning:${ids.link}:2026-12-01` } });
    const before = await loadReportModel(db, client, '2026-12-06', NOW);
    expect(before.actions.map((a) => `${a.rank}:${a.kind}`)).toEqual(['1:pause', '2:investigate']);
    await snoozeInsight(db.prisma, i.id, { actor: 'test', days: 7, now: NOW });
    const during = await loadReportModel(db, client, '2026-12-06', NOW);
    expect(during.actions.map((a) => `${a.rank}:${a.kind}`)).toEqual(['1:investigate']);
    await db.prisma.insight.update({ where: { id: i.id }, data: { snoozedUntil: new Date('2026-12-05T00:00:00Z') } });
    expect((await loadReportModel(db, client, '2026-12-06', NOW)).actions).toHaveLength(2);
  });

  it('an ad\'s kill switch says "ad", in the email and on its page', async () => {
    const { buttons } = await import('../src/actions/links.ts');
    expect(buttons({ kill: 'u' }, 'ad')[0]!.label).toBe('Kill this ad');
    expect(buttons({ kill: 'u' }, 'link')[0]!.label).toBe('Kill this link');
    const ad = await db.prisma.entity.create({ data: { clientId: ids.client, platform: 'meta', kind: 'ad', externalId: 'ad-9', name: 'Hook 9' } });
    const html = await (await open(token('kill', null, NOW, ad.id))).text();
    expect(html).toMatch(/<h1>Kill this ad\?<\/h1>.*ad Hook 9.*<button class="danger">Kill this ad<\/button>/s);
  });
});
