// Many conditions in one check are one digest email, not one email each; each
// alert still has its own row, fingerprint, state and webhook event.
import { randomBytes } from 'node:crypto';
import { linkKey } from '../src/actions/tokens.ts';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAlerts } from '../src/alerts/check.ts';
import { buildDigestView, digestCsv, DIGEST_FROM, DIGEST_SHOWN } from '../src/alerts/digest.ts';
import type { Condition } from '../src/alerts/rules.ts';
import { buildAlertView } from '../src/alerts/view.ts';
import { renderAlertDigestHtml } from '../src/reports/render-html.tsx';
import { addClient } from '../src/domain/clients.ts';
import { importCsv } from '../src/import/import-csv.ts';
import { outboxSender, resendSender } from '../src/reports/senders.ts';
import { emitEvents } from '../src/webhooks/events.ts';
import { slackMessage } from '../src/webhooks/slack.ts';
import { freshDb, type TestDb } from './helpers/db.ts';
import { startFakeResend, type FakeResend } from './fakes/resend-server.ts';

const HEADER = 'date,platform,account,campaign,adset,ad,link,spend,impressions,clicks,conversions,revenue';
const NOW = new Date('2026-11-23T12:00:00Z');

/** `n` links that spend without a conversion for two days (burning, as the brain judges it), link k spending more than link k − 1. */
async function seedBurning(db: TestDb, slug: string, n: number) {
  await addClient(db.prisma, { slug, name: slug, timezone: 'UTC', currency: 'USD', recipients: ['ops@x.test'] });
  const rows = [HEADER];
  for (let k = 0; k < n; k++) for (const d of ['2026-11-22', '2026-11-23']) rows.push(`${d},tiktok,Acc,Camp,S,Ad ${k},lnk-${String(k).padStart(2, '0')},${60 + 5 * k}.00,1000,10,0,0`);
  await importCsv(db, Buffer.from(rows.join('\n')), `${slug}.csv`, { clientSlug: slug, now: NOW });
  return db.prisma.client.findUniqueOrThrow({ where: { slug } });
}

describe('an alert digest', () => {
  let db: TestDb;
  let fake: FakeResend;
  const N = DIGEST_SHOWN + 5;
  beforeAll(async () => {
    db = await freshDb('pglite');
    fake = await startFakeResend();
  });
  afterAll(async () => {
    await fake?.close();
    await db?.destroy();
  });
  const sender = () => resendSender({ apiKey: 're_test', baseURL: fake.url, retries: 2, minTimeoutMs: 5 });

  it(`sends ${N} burning links as one email, the costliest first, the rest in a CSV; one row, state and event each; a retry sends nothing new`, async () => {
    const client = await seedBurning(db, 'many', N);
    const machine = await db.prisma.webhookEndpoint.create({ data: { agencyId: client.agencyId, url: 'https://hooks.example/x', secret: 'x', events: ['alert.sent'] } });
    const slack = await db.prisma.webhookEndpoint.create({ data: { agencyId: client.agencyId, url: 'https://hooks.slack.com/services/T0/B0/x', secret: 'x' } });
    const linkKeyForTest = linkKey(randomBytes(32));
    const r = await checkAlerts(db, client, { now: NOW, sender: sender(), from: 'a@x.test', links: { key: () => linkKeyForTest, baseUrl: 'https://adbrain.example' } });
    expect(r.sent).toHaveLength(N);
    expect(fake.sent.size).toBe(1);
    const mail = [...fake.sent.values()][0]!.body;
    expect(mail.subject).toBe(`[adbrain alerts] many: ${N} burning ($4,300.00 spent)`); // 2 days × Σ (60 + 5k) dollars, k < 20
    // The body lists the DIGEST_SHOWN costliest, in order, and says where the rest are.
    const costliest = `lnk-${N - 1} is burning money since 2026-11-22`;
    expect(mail.text).toContain(costliest);
    expect(mail.html).toContain(costliest);
    expect(mail.text.indexOf(`lnk-${N - 1} `)).toBeLessThan(mail.text.indexOf(`lnk-${N - 2} `));
    expect(mail.text).toContain(`lnk-${String(N - DIGEST_SHOWN).padStart(2, '0')} is burning`);
    expect(mail.text).not.toContain(`lnk-${String(N - DIGEST_SHOWN - 1).padStart(2, '0')} is burning`);
    expect(mail.text).toContain('and 5 more, in the attached alerts.csv');
    // Each shown link has its signed kill switch, in the text and as a button.
    const kills = mail.text.match(/Kill this link: https:\/\/adbrain\.example\/a\/v1\.\S+/g) ?? [];
    expect(kills).toHaveLength(DIGEST_SHOWN);
    for (const k of kills) expect(mail.html).toContain(k.replace('Kill this link: ', ''));
    const csv = mail.attachments.find((a: { filename: string }) => a.filename === 'alerts.csv');
    const sheet = Papa.parse<Record<string, string>>(Buffer.from(csv.content, 'base64').toString('utf8'), { header: true, skipEmptyLines: true }).data;
    expect(sheet.map((x) => x.name)).toEqual(Array.from({ length: N }, (_, i) => `lnk-${String(N - 1 - i).padStart(2, '0')}`));
    expect(sheet[0]).toMatchObject({ rule: 'burning', spend_USD: String((2 * (60 + 5 * (N - 1))).toFixed(2)), revenue_USD: '0.00', since: '2026-11-22' });

    const alerts = await db.prisma.alert.findMany({ where: { clientId: client.id } });
    expect(alerts).toHaveLength(N);
    expect(new Set(alerts.map((a) => a.providerId))).toEqual(new Set([[...fake.sent.values()][0]!.id]));
    expect(alerts.every((a) => a.sentAt)).toBe(true);
    expect(await db.prisma.alertState.count({ where: { clientId: client.id, lastSentAt: { not: null } } })).toBe(N);
    // A machine gets every alert as its own event; a Slack channel one message, the costliest first.
    expect(await db.prisma.webhookDelivery.count({ where: { endpointId: machine.id, eventType: 'alert.sent' } })).toBe(N);
    const toSlack = await db.prisma.webhookDelivery.findMany({ where: { endpointId: slack.id } });
    expect(toSlack).toHaveLength(1);
    const message = slackMessage(JSON.parse(toSlack[0]!.body)).text;
    expect(message.split('\n')[0]).toBe(`:rotating_light: *many*: ${N} burning ($4,300.00 spent)`);
    expect(message.split('\n').filter((l) => l.startsWith('• '))).toHaveLength(DIGEST_SHOWN);
    expect(message.split('\n')[1]).toContain(costliest);
    expect(message).toContain(`…and ${N - DIGEST_SHOWN} more (all in the alert email and \`adbrain links list\`)`);

    // Nothing changed an hour later: all held by the cooldown, no email.
    const again = await checkAlerts(db, client, { now: new Date(NOW.getTime() + 3_600_000), sender: sender(), from: 'a@x.test' });
    expect(again.sent).toEqual([]);
    expect(again.suppressed).toHaveLength(N);

    // Resend accepted the digest but the rows were never marked: the retry is the same message (same key).
    await db.prisma.alert.updateMany({ where: { clientId: client.id }, data: { sentAt: null } });
    await db.prisma.alertState.deleteMany({ where: { clientId: client.id } });
    const requests = fake.requests.length;
    const retried = await checkAlerts(db, client, { now: NOW, sender: sender(), from: 'a@x.test' });
    expect(retried.sent).toHaveLength(N);
    expect(fake.requests.length).toBe(requests + 1);
    expect(fake.requests.at(-1)!.key).toBe(fake.requests.at(-2)!.key);
    expect(fake.sent.size).toBe(1);
  });

  it('a snoozed insight holds its alert back until its day has passed; the others still go out', async () => {
    const outbox = await mkdtemp(path.join(tmpdir(), 'adbrain-snooze-'));
    const client = await seedBurning(db, 'snoozy', 2);
    const link = await db.prisma.entity.findFirstOrThrow({ where: { clientId: client.id, kind: 'link', name: 'lnk-01' } });
    const i = await db.prisma.insight.create({ data: { clientId: client.id, type: 'burning', severity: 'high', title: 'lnk-01 burns', body: 'b', fingerprint: `burning:${link.id}:2026-11-22`, entityId: link.id } });
    const { snoozeInsight } = await import('../src/insights/inbox.ts');
    expect((await snoozeInsight(db.prisma, i.id, { actor: 'test', days: 7, now: NOW })).until).toBe('2026-11-30');
    const r = await checkAlerts(db, client, { now: NOW, sender: outboxSender(outbox), from: 'a@x.test' });
    expect(r.sent.map((x) => x.entity)).toEqual(['lnk-00']);
    expect(r.suppressed).toEqual([expect.objectContaining({ rule: 'burning', entity: 'lnk-01', why: 'snoozed' })]);
    // Once the snooze has run out, the alert comes (a later check, still burning).
    await db.prisma.insight.update({ where: { id: i.id }, data: { snoozedUntil: new Date('2026-11-22T00:00:00Z') } });
    const later = await checkAlerts(db, client, { now: new Date(NOW.getTime() + 3_600_000), sender: outboxSender(outbox), from: 'a@x.test' });
    expect(later.sent.map((x) => x.entity)).toEqual(['lnk-01']);
  });

  it(`${DIGEST_FROM - 1} conditions are an email each; ${DIGEST_FROM} are one digest with no attachment`, async () => {
    const outbox = await mkdtemp(path.join(tmpdir(), 'adbrain-digest-'));
    const few = await seedBurning(db, 'few', DIGEST_FROM - 1);
    await checkAlerts(db, few, { now: NOW, sender: outboxSender(outbox), from: 'a@x.test' });
    const fewFiles = (await readdir(path.join(outbox, 'few', '2026-11-23'))).filter((f) => f.endsWith('.eml'));
    expect(fewFiles.filter((f) => f.startsWith('alert-burning-'))).toHaveLength(DIGEST_FROM - 1);

    const four = await seedBurning(db, 'four', DIGEST_FROM);
    const r = await checkAlerts(db, four, { now: NOW, sender: outboxSender(outbox), from: 'a@x.test' });
    expect(r.sent).toHaveLength(DIGEST_FROM);
    const files = (await readdir(path.join(outbox, 'four', '2026-11-23'))).filter((f) => f.endsWith('.eml'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^alert-digest-/);
    const eml = await readFile(path.join(outbox, 'four', '2026-11-23', files[0]!), 'utf8');
    expect(eml).toContain(`${DIGEST_FROM} burning`);
    expect(eml).not.toContain('alerts.csv');
  });
});

describe('a Slack digest of other events', () => {
  it(`${DIGEST_FROM} or more new insights are one Slack message in the given order; fewer are a message each; machines always get one envelope each`, async () => {
    const db = await freshDb('pglite');
    try {
      const client = await addClient(db.prisma, { slug: 'inbox', name: 'Inbox', timezone: 'UTC', currency: 'USD' });
      const { agencyId } = await db.prisma.client.findUniqueOrThrow({ where: { id: client.id } });
      const machine = await db.prisma.webhookEndpoint.create({ data: { agencyId, url: 'https://hooks.example/x', secret: 'x' } });
      const slack = await db.prisma.webhookEndpoint.create({ data: { agencyId, url: 'https://hooks.slack.com/services/T0/B0/y', secret: 'x', events: ['insight.created'] } });
      const digest = { headline: 'new insights', line: (d: Record<string, unknown>) => String(d.title), where: 'see the inbox' };
      const batch = (n: number) => Array.from({ length: n }, (_, i) => ({ clientId: client.id, type: 'insight.created' as const, now: NOW, data: { title: `insight ${i}` } }));
      await emitEvents(db, batch(DIGEST_FROM - 1), { slackDigest: digest });
      expect(await db.prisma.webhookDelivery.count({ where: { endpointId: slack.id } })).toBe(DIGEST_FROM - 1);
      await db.prisma.webhookDelivery.deleteMany({});
      await emitEvents(db, batch(DIGEST_FROM + 1), { slackDigest: digest });
      const toSlack = await db.prisma.webhookDelivery.findMany({ where: { endpointId: slack.id } });
      expect(toSlack).toHaveLength(1);
      expect(slackMessage(JSON.parse(toSlack[0]!.body)).text).toBe(`:bulb: *Inbox*: new insights\n${Array.from({ length: DIGEST_FROM + 1 }, (_, i) => `• insight ${i}`).join('\n')}`);
      expect(await db.prisma.webhookDelivery.count({ where: { endpointId: machine.id } })).toBe(DIGEST_FROM + 1);
    } finally {
      await db.destroy();
    }
  });
});

describe('the digest on real-shaped names and currencies', () => {
  const ent = (name: string, platform = 'meta') => ({ id: `id-${name}`, name, kind: 'link', platform, killed: false });
  const totals = (spend: number, revenue: number, conversions: number) => ({ spend, revenue, revenueSpend: spend, conversions, conversionSpend: spend });
  const burning = (name: string, spend: number): Condition => ({ rule: 'burning', subject: `id-${name}`, entity: ent(name), level: 1, value: -1, totals: totals(spend, 0, 0), threshold: -0.5, probability: 0.97, since: '2026-11-20' });
  const conditions: Condition[] = [
    { rule: 'winner', subject: 'id-w', entity: ent('Gift guide', 'tiktok'), level: 1, value: 3.1, totals: totals(78_000, 320_000, 64), threshold: 2, probability: 0.95, since: '2026-11-18' },
    burning('=HYPERLINK("http://x.test")', 90_000),
    burning('Ad, "the quoted one"', 120_000),
    burning('<b>Sale</b> & more', 4_000),
    { rule: 'budget', subject: 'client', entity: null, level: 2, value: 1_500_000, totals: totals(1_500_000, 0, 0), threshold: 1_000_000 },
  ];
  const client = { name: 'Tokyo Shop', currency: 'JPY', timezone: 'Asia/Tokyo' };
  const items = conditions.map((c) => ({ c, view: buildAlertView(c, client, { from: c.since ?? '2026-11-21', to: '2026-11-21' }, 'new') }));

  it('orders budget, then burning by spend, then winners; amounts in whole yen; formula-looking names are text; names are escaped in HTML', async () => {
    const view = buildDigestView(items, client, { from: '2026-09-01', to: '2026-11-21' }, [{ platform: 'meta', from: '2026-11-15' }]);
    expect(view.sections.map((s) => s.rule)).toEqual(['Daily spend over the alert line', 'Burning money', 'Winners']);
    expect(view.sections[1]!.items.map((i) => i.headline.split(' is burning')[0])).toEqual(['Ad, "the quoted one"', '=HYPERLINK("http://x.test")', '<b>Sale</b> & more']);
    expect(view.tally).toBe('daily spend over the line, 3 burning (¥214,000 spent), 1 winner');
    expect(view.context).toContain('Conversions from 2026-11-15 on are provisional: meta may still restate them.');
    const html = await renderAlertDigestHtml(view);
    expect(html).not.toContain('<b>Sale</b>');
    expect(html).toContain('&lt;b&gt;Sale&lt;/b&gt; &amp; more');

    const rows = Papa.parse<Record<string, string>>(digestCsv(items, 'JPY', (c) => (c.entity?.platform === 'meta' ? '2026-11-15' : undefined)), { header: true }).data.filter((r) => r.rule);
    expect(rows.map((r) => [r.rule, r.name, r.spend_JPY, r.provisional_from])).toEqual([
      ['budget', 'client', '1500000', ''],
      ['burning', 'Ad, "the quoted one"', '120000', '2026-11-15'],
      ['burning', `'=HYPERLINK("http://x.test")`, '90000', '2026-11-15'],
      ['burning', '<b>Sale</b> & more', '4000', '2026-11-15'],
      ['winner', 'Gift guide', '78000', ''],
    ]);
    expect(rows[4]).toMatchObject({ revenue_JPY: '320000', profit_JPY: '242000', roi: '3.1000', conversions: '64', sure: '0.95' });
  });
});
