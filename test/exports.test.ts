// CSV exports: the numbers the reports use, RFC 4180 text a spreadsheet opens
// without running formulas, over the CLI's and the API's path; scheduled exports
// emailed exactly once per week or month.
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import { apiDeps } from '../src/api/server.ts';
import { loadConfig } from '../src/config.ts';
import { loadDaily } from '../src/db/metrics-read.ts';
import { addAgency } from '../src/domain/agencies.ts';
import { createApiKey } from '../src/domain/api-keys.ts';
import { addClient } from '../src/domain/clients.ts';
import type { Sender } from '../src/reports/senders.ts';
import { addSchedule, exportCsv, latestPeriod, sendDueExports } from '../src/exports/index.ts';
import { importCsv } from '../src/import/import-csv.ts';
import { outboxSender } from '../src/reports/senders.ts';
import { runClientDay, exportsStep } from '../src/run/day.ts';
import { addDays } from '../src/time.ts';
import { dbKinds, freshDb, type TestDb } from './helpers/db.ts';

const LAST = '2026-11-29'; // a Sunday
const DAYS = Array.from({ length: 40 }, (_, i) => addDays(LAST, i - 39));
const NOW = new Date('2026-11-30T12:00:00Z');
const EVIL = `=HYPERLINK("http://x.example","click")`;

const collect = async (g: AsyncGenerator<string>) => {
  let s = '';
  for await (const c of g) s += c;
  return s;
};
const parse = (text: string) => Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true, newline: '\r\n' }).data;

describe.each(dbKinds)('exports on %s', (kind) => {
  let db: TestDb;
  let client: Awaited<ReturnType<typeof addClient>>;
  let app: ReturnType<typeof createApp>;
  let key: string, otherKey: string;

  beforeAll(async () => {
    db = await freshDb(kind);
    const agency = await addAgency(db.prisma, { slug: 'exp-agency', name: 'Exp' });
    const other = await addAgency(db.prisma, { slug: 'exp-other', name: 'Other' });
    client = await addClient(db.prisma, { slug: 'exp', agency: 'exp-agency', timezone: 'Europe/Berlin', currency: 'EUR' });
    const rows = ['date,platform,account,campaign,adset,ad,link,spend,impressions,clicks,conversions,revenue'];
    DAYS.forEach((d, i) => {
      rows.push(`${d},meta,NW,"Summer, 2026",Set,Shoe ad,https://go.example/l/shoe,${(50 + (i % 3) * 0.01).toFixed(2)},4000,90,3,${(120 + i).toFixed(2)}`);
      rows.push(`${d},tiktok,TT,"${EVIL.replace(/"/g, '""')}",AG,Spark 1,https://go.example/l/spark,30.00,5000,60,0,0.00`);
    });
    await importCsv(db, Buffer.from(rows.join('\n')), 'exp.csv', { clientSlug: 'exp', now: NOW });
    await db.prisma.entity.updateMany({ where: { clientId: client.id, kind: 'link', externalId: 'https://go.example/l/spark' }, data: { status: 'killed', killedAt: new Date('2026-11-28T09:30:00Z') } });
    key = (await createApiKey(db.prisma, agency.id, { role: 'member' })).key;
    otherKey = (await createApiKey(db.prisma, other.id, { role: 'admin' })).key;
    app = createApp(apiDeps(db, { ...loadConfig({}) }, () => NOW), { rateLimit: 100_000, authFailureLimit: 100_000 });
  });
  afterAll(async () => db?.destroy());

  it('metrics: one row per entity and day, as the reports count them; exact money with a currency column; a formula name neutralised', async () => {
    const text = await collect(exportCsv(db, client, 'metrics', { from: DAYS[0]!, to: LAST }));
    expect(text.startsWith('date,platform,account,campaign,adset,ad,link,currency,spend,impressions,clicks,conversions,revenue\r\n')).toBe(true);
    expect(text.split('\r\n').every((l) => !l.includes('\n'))).toBe(true);
    const rows = parse(text);
    const daily = await loadDaily(db.sql, client.id, DAYS[0]!, LAST);
    expect(rows).toHaveLength(daily.length);
    expect(rows).toHaveLength(80);
    const shoe = rows.filter((r) => r.link === 'https://go.example/l/shoe');
    expect(shoe.map((r) => r.spend)).toEqual(DAYS.map((_, i) => (50 + (i % 3) * 0.01).toFixed(2)));
    expect(shoe[0]).toMatchObject({ date: DAYS[0], platform: 'meta', account: 'NW', campaign: 'Summer, 2026', currency: 'EUR', revenue: '120.00', conversions: '3' });
    const spark = rows.find((r) => r.platform === 'tiktok')!;
    // The cell a spreadsheet would run is text starting with a quote.
    expect(spark.campaign).toBe(`'${EVIL}`);
    expect(text).toContain(`"'=HYPERLINK(""http://x.example"",""click"")"`);
  });

  it('spend per day, platform and account; links and campaigns with totals, ROI, status and the local kill time', async () => {
    const spend = parse(await collect(exportCsv(db, client, 'spend', { from: DAYS[0]!, to: LAST })));
    expect(spend).toHaveLength(80);
    expect(spend.filter((r) => r.platform === 'tiktok').every((r) => r.spend === '30.00' && r.account === 'TT')).toBe(true);
    const links = parse(await collect(exportCsv(db, client, 'links', { from: addDays(LAST, -6), to: LAST })));
    const shoe = links.find((r) => r.slug === 'shoe')!;
    const spendCents = DAYS.slice(-7).reduce((a, _, k) => a + 5000 + ((33 + k) % 3), 0);
    const revCents = DAYS.slice(-7).reduce((a, _, k) => a + (120 + 33 + k) * 100, 0);
    expect(shoe).toMatchObject({ platform: 'meta', campaign: 'Summer, 2026', ad: 'Shoe ad', status: 'active', currency: 'EUR', spend: (spendCents / 100).toFixed(2), revenue: (revCents / 100).toFixed(2), profit: ((revCents - spendCents) / 100).toFixed(2), conversions: '21', clicks: '630', from: addDays(LAST, -6), to: LAST });
    expect(Number(shoe.roi)).toBeCloseTo((revCents - spendCents) / spendCents, 4);
    // Berlin time of the kill.
    expect(links.find((r) => r.slug === 'spark')).toMatchObject({ status: 'killed', killed_at: '2026-11-28 10:30', roi: '-1', revenue: '0.00' });
    const campaigns = parse(await collect(exportCsv(db, client, 'campaigns', { from: addDays(LAST, -6), to: LAST })));
    expect(campaigns.map((r) => r.campaign).sort()).toEqual([`'${EVIL}`, 'Summer, 2026'].sort());
  });

  it('the API streams the same CSV as an attachment; bad names and ranges are 422, another agency 404', async () => {
    const res = await app.request(`/v1/clients/${client.id}/exports/metrics.csv?from=${DAYS[0]}&to=${LAST}`, { headers: { authorization: `Bearer ${key}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="exp-metrics-${DAYS[0]}-${LAST}.csv"`);
    expect(await res.text()).toBe(await collect(exportCsv(db, client, 'metrics', { from: DAYS[0]!, to: LAST })));
    const get = (p: string, k = key) => app.request(p, { headers: { authorization: `Bearer ${k}` } });
    expect((await get(`/v1/clients/${client.id}/exports/secrets.csv`)).status).toBe(422);
    const backwards = await get(`/v1/clients/${client.id}/exports/spend.csv?from=${LAST}&to=${DAYS[0]}`);
    expect(backwards.status).toBe(422);
    expect(await backwards.text()).toMatch(/is after/);
    expect((await get(`/v1/clients/${client.id}/exports/spend.csv`, otherKey)).status).toBe(404);
    // Default range: the 30 days up to the client's yesterday.
    const d = parse(await (await get(`/v1/clients/${client.id}/exports/spend.csv`)).text());
    expect(d.map((r) => r.date).sort()[0]).toBe(addDays(LAST, -29));
  });

  it('weeks end on Sunday, months on their last day', () => {
    expect(latestPeriod('week', '2026-11-29')).toEqual({ from: '2026-11-23', to: '2026-11-29' });
    expect(latestPeriod('week', '2026-11-30')).toEqual({ from: '2026-11-23', to: '2026-11-29' });
    expect(latestPeriod('week', '2026-11-28')).toEqual({ from: '2026-11-16', to: '2026-11-22' });
    expect(latestPeriod('month', '2026-11-30')).toEqual({ from: '2026-11-01', to: '2026-11-30' });
    expect(latestPeriod('month', '2026-11-29')).toEqual({ from: '2026-10-01', to: '2026-10-31' });
    expect(latestPeriod('month', '2028-02-29')).toEqual({ from: '2028-02-01', to: '2028-02-29' });
  });

  it('a weekly schedule emails its week once, with the chosen CSVs attached; the day run sends it; a second run does not', async () => {
    const outbox = await mkdtemp(path.join(tmpdir(), 'adbrain-exports-'));
    const bad = addSchedule(db, client.id, { every: 'week', kinds: ['spend'], recipients: ['not-an-email'] });
    await expect(bad).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/not-an-email is not an email address/) });
    const s = await addSchedule(db, client.id, { every: 'week', kinds: ['spend', 'links'], recipients: ['books@exp.example'] }, new Date('2026-11-25T10:00:00Z'));
    const ctx = { db, client, asOf: LAST, now: NOW, outboxDir: outbox };
    const first = await runClientDay(ctx, { steps: [exportsStep] });
    expect(first.steps[0]).toMatchObject({ status: 'ok', detail: 'sent 2026-11-23..2026-11-29 (2 files)' });
    const files = await readdir(path.join(outbox, 'exp', LAST));
    expect(files.filter((f) => f.endsWith('.eml'))).toEqual([`export-week-${s.id.slice(0, 8)}.eml`]);
    expect(files).toEqual(expect.arrayContaining(['exp-spend-2026-11-23-2026-11-29.csv', 'exp-links-2026-11-23-2026-11-29.csv']));
    const again = await sendDueExports(db, { ...client }, addDays(LAST, 1), { sender: outboxSender(outbox), from: 'a@x.test' });
    expect(again).toMatchObject({ sent: [], skipped: [{ scheduleId: s.id, period: '2026-11-23..2026-11-29', why: 'already sent' }] });
    const delivery = await db.prisma.exportDelivery.findMany({ where: { scheduleId: s.id } });
    expect(delivery).toHaveLength(1);
    expect(delivery[0]).toMatchObject({ provider: 'outbox', sentAt: expect.any(Date) });
  });

  it('two sends of the due exports at once (the day run and `adbrain exports send`): each period is one email', async () => {
    const m = await addSchedule(db, client.id, { every: 'month', kinds: ['spend'], recipients: ['books@exp.example'] }, new Date('2026-10-15T10:00:00Z'));
    const keys: string[] = [];
    const sender: Sender = {
      name: 'resend',
      async send(msg) {
        await new Promise((r) => setTimeout(r, 100));
        keys.push(msg.idempotencyKey);
        return { provider: 'resend', providerId: `p-${keys.length}` } as Awaited<ReturnType<Sender['send']>>;
      },
    };
    const both = await Promise.all([1, 2].map(() => sendDueExports(db, { ...client }, LAST, { sender, from: 'a@x.test' })));
    expect(keys).toEqual([`export:${m.id}:2026-10-01..2026-10-31`]);
    expect(both.flatMap((r) => r.sent).map((x) => x.scheduleId)).toEqual([m.id]);
    expect(both.flatMap((r) => r.skipped).filter((x) => x.scheduleId === m.id)).toEqual([{ scheduleId: m.id, period: '2026-10-01..2026-10-31', why: 'already sent' }]);
  });
});
