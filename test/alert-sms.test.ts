// Critical alerts by SMS through Twilio's Messages API (a loopback fake speaking its
// documented shapes, through the real client): burning and budget alerts, not
// winners; each alert once per number, whatever retries; at most N per number and
// local day; none in quiet hours (held, sent when they end, expired after 12 h);
// every failure (Twilio's code, missing configuration) in the alert's record.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkKey } from '../src/actions/tokens.ts';
import { checkAlerts } from '../src/alerts/check.ts';
import { isQuiet, textAlerts } from '../src/alerts/sms.ts';
import { createApp } from '../src/api/app.ts';
import { apiDeps } from '../src/api/server.ts';
import { loadConfig } from '../src/config.ts';
import { createApiKey } from '../src/domain/api-keys.ts';
import { addClient, updateClient } from '../src/domain/clients.ts';
import { importCsv } from '../src/import/import-csv.ts';
import { outboxSender } from '../src/reports/senders.ts';
import { twilioSender } from '../src/sms/twilio.ts';
import { freshDb, type TestDb } from './helpers/db.ts';
import { startFakeTwilio, type FakeTwilio } from './fakes/twilio-server.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const HEADER = 'date,platform,account,campaign,adset,ad,link,spend,impressions,clicks,conversions,revenue';
const NOW = new Date('2026-11-23T12:00:00Z');
const outbox = mkdtempSync(path.join(tmpdir(), 'adbrain-sms-'));

async function seedBurning(db: TestDb, slug: string, n: number, timezone = 'UTC') {
  await addClient(db.prisma, { slug, name: slug, timezone, currency: 'USD', recipients: ['ops@x.test'] });
  const rows = [HEADER];
  for (let k = 0; k < n; k++) for (const d of ['2026-11-22', '2026-11-23']) rows.push(`${d},tiktok,Acc,Camp,S,Ad ${k},lnk-${k},${60 + 5 * k}.00,1000,10,0,0`);
  await importCsv(db, Buffer.from(rows.join('\n')), `${slug}.csv`, { clientSlug: slug, now: NOW });
  return db.prisma.client.findUniqueOrThrow({ where: { slug } });
}

describe('critical alerts by SMS', () => {
  let db: TestDb;
  let twilio: FakeTwilio;
  const key = linkKey(randomBytes(32));
  const links = { key: () => key, baseUrl: 'https://adbrain.example' };
  beforeAll(async () => {
    db = await freshDb('pglite');
    twilio = await startFakeTwilio({ unsubscribed: ['+447700900123'] });
  });
  afterAll(async () => {
    await twilio?.close();
    await db?.destroy();
  });
  const sms = () => twilioSender({ accountSid: twilio.sid, authToken: twilio.token, from: '+15005550006', baseUrl: twilio.url }, { minTimeoutMs: 5 });
  const check = (client: Awaited<ReturnType<typeof seedBurning>>, at = NOW, sender: ReturnType<typeof sms> | null = sms()) =>
    checkAlerts(db, client, { now: at, sender: outboxSender(outbox), from: 'a@x.test', links, sms: sender });

  it('numbers must be E.164 and quiet hours HH-HH: a wrong one is refused by field', async () => {
    const c = await seedBurning(db, 'numbers', 1);
    await expect(updateClient(db.prisma, c.id, { smsNumbers: ['+15551234567', '555-1234'] })).rejects.toMatchObject({ details: [{ path: 'smsNumbers.1', message: 'expected a phone number in E.164 form, like +15551234567' }] });
    await expect(updateClient(db.prisma, c.id, { smsQuietHours: '10pm-7am' })).rejects.toMatchObject({ details: [{ path: 'smsQuietHours', message: expect.stringMatching(/expected HH-HH/) }] });
    const u = await updateClient(db.prisma, c.id, { smsNumbers: [' +15551234567 '], smsPerDay: 3, smsQuietHours: 'off' });
    expect(u).toMatchObject({ smsNumbers: ['+15551234567'], smsPerDay: 3, smsQuietHours: 'off' });
  });

  it('each burning alert is texted once to each number, with its headline and its signed kill link; a second check sends nothing', async () => {
    const c0 = await seedBurning(db, 'texts', 2);
    const c = await updateClient(db.prisma, c0.id, { smsNumbers: ['+15551230001', '+15551230002'], smsQuietHours: 'off' });
    const before = twilio.messages.length;
    const r = await check(c);
    expect(r.sent).toHaveLength(2);
    expect(r.sms?.map((s) => s.status)).toEqual(['sent', 'sent', 'sent', 'sent']);
    const mine = twilio.messages.slice(before);
    expect(mine.map((m) => m.to).sort()).toEqual(['+15551230001', '+15551230001', '+15551230002', '+15551230002']);
    expect(mine[0]!.from).toBe('+15005550006');
    expect(mine[0]!.body).toMatch(/^adbrain · texts: lnk-\d is burning money/);
    expect(mine[0]!.body).toMatch(/\nhttps:\/\/adbrain\.example\/a\/v1\.[\w-]+\.[\w-]+$/);
    // The link is the kill switch of that link.
    const token = mine[0]!.body.split('/a/')[1]!;
    expect(JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).x).toBe('kill');
    const rows = await db.prisma.alertSms.findMany({ where: { clientId: c.id } });
    expect(rows.every((x) => x.status === 'sent' && x.providerId?.startsWith('SM'))).toBe(true);
    // Again (a retried check, a second process): the alerts are sent, nothing is texted twice.
    await check(c);
    const alerts = await db.prisma.alert.findMany({ where: { clientId: c.id } });
    const again = await textAlerts(db, c, alerts.map((a) => ({ alertId: a.id, rule: a.rule, headline: 'x', url: 'u' })), sms(), NOW);
    expect(again).toEqual([]);
    expect(twilio.messages.length - before).toBe(4);
  });

  it('at most smsPerDay texts per number and local day; the rest are recorded as capped', async () => {
    const c0 = await seedBurning(db, 'capped', 3);
    const c = await updateClient(db.prisma, c0.id, { smsNumbers: ['+15551239999'], smsPerDay: 2, smsQuietHours: 'off' });
    const r = await check(c);
    expect(r.sms?.map((s) => s.status).sort()).toEqual(['capped', 'sent', 'sent']);
    expect(await db.prisma.alertSms.findFirst({ where: { clientId: c.id, status: 'capped' } })).toMatchObject({ error: '2 texts to this number today already' });
  });

  it('quiet hours in the client time zone: held at 03:00 New York, sent at the first check after 07:00; held longer than 12 hours expires', async () => {
    expect(isQuiet('22-07', 'America/New_York', new Date('2026-11-23T08:00:00Z'))).toBe(true); // 03:00 local
    expect(isQuiet('22-07', 'America/New_York', new Date('2026-11-23T12:30:00Z'))).toBe(false); // 07:30 local
    expect(isQuiet('off', 'America/New_York', new Date('2026-11-23T08:00:00Z'))).toBe(false);
    const c0 = await seedBurning(db, 'quiet', 1, 'America/New_York');
    const c = await updateClient(db.prisma, c0.id, { smsNumbers: ['+15551238888'] });
    const before = twilio.messages.length;
    const night = await check(c, new Date('2026-11-23T08:00:00Z'));
    expect(night.sent).toHaveLength(1);
    expect(night.sms?.map((s) => s.status)).toEqual(['held']);
    expect(twilio.messages.length).toBe(before);
    const morning = await check(c, new Date('2026-11-23T12:30:00Z'));
    expect(morning.sent).toHaveLength(0); // the email went at night; cooldown holds it
    expect(morning.sms?.map((s) => s.status)).toEqual(['sent']);
    expect(twilio.messages.at(-1)!.to).toBe('+15551238888');
    // Held past 12 hours: the news is stale, it expires instead of waking someone with it.
    await db.prisma.alertSms.updateMany({ where: { clientId: c.id }, data: { status: 'held', createdAt: new Date('2026-11-22T08:00:00Z') } });
    const late = await check(c, new Date('2026-11-23T13:00:00Z'));
    expect(late.sms?.map((s) => s.status)).toEqual(['expired']);
  });

  it('failures are in the alert record: an unsubscribed number (21610), a 429 retried, SMS not configured; the token never shows', async () => {
    const c0 = await seedBurning(db, 'fails', 1);
    const c = await updateClient(db.prisma, c0.id, { smsNumbers: ['+447700900123', '+15551237777'], smsQuietHours: 'off' });
    twilio.failNext([429]);
    const r = await check(c);
    expect(Object.fromEntries(r.sms!.map((s) => [s.to, s.status]))).toEqual({ '+447700900123': 'failed', '+15551237777': 'sent' });
    const cfg = loadConfig({ ADBRAIN_ENCRYPTION_KEY: randomBytes(32).toString('base64') });
    const app = createApp(apiDeps(db, cfg, () => NOW));
    const { key: apiKey } = await createApiKey(db.prisma, c.agencyId, { name: 'r', role: 'viewer' });
    const res = await app.request(`/v1/clients/${c.slug}/alerts`, { headers: { authorization: `Bearer ${apiKey}` } });
    const body = (await res.json()) as { data: { sms: { to: string; status: string; error: string | null }[] }[] };
    const failed = body.data[0]!.sms.find((s) => s.to === '+447700900123')!;
    expect(failed).toMatchObject({ status: 'failed', error: 'Twilio 400 (code 21610): Attempt to send to unsubscribed recipient' });
    expect(JSON.stringify(body)).not.toContain(twilio.token);

    const c2 = await updateClient(db.prisma, (await seedBurning(db, 'unset', 1)).id, { smsNumbers: ['+15551236666'], smsQuietHours: 'off' });
    const r2 = await check(c2, NOW, null);
    expect(r2.sms).toEqual([expect.objectContaining({ status: 'failed', error: 'SMS is not configured: set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM' })]);
    // Wrong credentials (20003): a failure with Twilio's words, never the token.
    const wrong = twilioSender({ accountSid: twilio.sid, authToken: 'not-the-token', from: '+15005550006', baseUrl: twilio.url }, { minTimeoutMs: 5 });
    await expect(wrong.send('+15551230000', 'x')).rejects.toThrow('Twilio 401 (code 20003): Authenticate');
  });

  it('winners are not texted', async () => {
    await addClient(db.prisma, { slug: 'winner', timezone: 'UTC', currency: 'USD', recipients: ['ops@x.test'] });
    const rows = [HEADER, '2026-11-22,tiktok,Acc,Camp,S,Ad,lnk-w,100.00,1000,10,20,900.00', '2026-11-23,tiktok,Acc,Camp,S,Ad,lnk-w,100.00,1000,10,20,900.00'];
    await importCsv(db, Buffer.from(rows.join('\n')), 'w.csv', { clientSlug: 'winner', now: NOW });
    const c = await updateClient(db.prisma, (await db.prisma.client.findUniqueOrThrow({ where: { slug: 'winner' } })).id, { smsNumbers: ['+15551235555'], smsQuietHours: 'off' });
    const before = twilio.messages.length;
    const r = await check(c);
    expect(r.sent.map((s) => s.rule)).toEqual(['winner']);
    expect(r.sms).toEqual([]);
    expect(twilio.messages.length).toBe(before);
  });
});
