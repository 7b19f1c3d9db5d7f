import { mkdtemp } from 'node:fs/promises';
import Papa from 'papaparse';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { previewModel } from '../emails/preview-data.ts';
import { runDemo } from '../src/demo/demo.ts';
import { deliverDailyReport, renderDailyReport, reportAttachments, reportKey } from '../src/reports/daily-report.ts';
import { loadReportModel } from '../src/reports/load-model.ts';
import { outboxSender, resendSender } from '../src/reports/senders.ts';
import { lastCompleteDay } from '../src/time.ts';
import { freshDb, type TestDb } from './helpers/db.ts';
import { HTML_NAME } from './helpers/llm.ts';
import { pdfText, popplerPages } from './helpers/pdf.ts';
import { startFakeResend, type FakeResend } from './fakes/resend-server.ts';

const decode = (html: string) =>
  html.replace(/<[^>]+>/g, ' ').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#x27;|&#39;/g, "'").replace(/&amp;/g, '&').replace(/&nbsp;|\u00a0/g, ' ');
const squash = (s: string) => s.replace(/\s+/g, ' ');

describe('rendered report', () => {
  // A euro client, an accented name and an attacker's HTML/markdown in a creative name.
  const model = previewModel();
  model.client = { ...model.client, name: 'Zoë’s Café GmbH (Δ ≥ 5 €)', currency: 'EUR' };
  for (const line of model.rollups.creatives) if (line.name === 'Unboxing 15s') line.name = HTML_NAME;
  let r: Awaited<ReturnType<typeof renderDailyReport>>;
  let pdf: { text: string; pages: number };
  beforeAll(async () => {
    r = await renderDailyReport(model);
    pdf = await pdfText(r.pdf);
  });

  it('shows the same key numbers in the HTML, the text and the PDF', () => {
    const html = squash(decode(r.html));
    const text = squash(r.text);
    const pdfFlat = squash(pdf.text);
    const keys = [
      ...r.view.tiles.map((t) => t.value),
      ...r.view.tiles.flatMap((t) => [t.vsPreviousDay.text, t.vs7DayAverage.text]),
      ...r.view.actions.map((a) => a.impact),
      ...r.view.periods.rows.flatMap((row) => row.cells),
      r.view.forecast!.profit,
      r.view.headline,
    ];
    expect(keys.some((k) => k.includes('€'))).toBe(true);
    for (const k of keys) {
      expect(html, `HTML lacks ${k}`).toContain(k);
      expect(text, `text lacks ${k}`).toContain(k);
      expect(pdfFlat, `PDF lacks ${k}`).toContain(k);
    }
    // Accented names and Δ-free symbols survive into the PDF's text layer (the font has the glyphs).
    expect(pdfFlat).toContain('Zoë’s Café GmbH (Δ ≥ 5 €)');
    expect(pdfFlat).toContain('Café hook — Zoë v2');
  });

  it('escapes hostile names and stays email-safe: no script, no external CSS, inline styles, alt text', () => {
    expect(r.html).not.toContain('<img src=x');
    expect(r.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(r.html).not.toMatch(/<script/i);
    expect(r.html).not.toMatch(/<link[^>]+stylesheet/i);
    expect(r.html).not.toMatch(/<svg/i);
    expect((r.html.match(/ style="/g) ?? []).length).toBeGreaterThan(100);
    for (const img of r.html.match(/<img\b[^>]*>/gi) ?? []) expect(img).toMatch(/\balt="[^"]+"/);
    // Long names keep their head and their tail (the middle is shortened).
    expect(r.text).toContain(HTML_NAME.slice(0, 15));
    expect(r.text).toContain(HTML_NAME.slice(-10));
  });

  it('produces a PDF that opens, page by page', () => {
    expect(pdf.pages).toBeGreaterThanOrEqual(1);
    const rendered = popplerPages(r.pdf);
    if (rendered !== null) expect(rendered).toBe(pdf.pages);
  });
});

describe('a report on real-sized data: 400 burning links', () => {
  const model = previewModel();
  const base = model.burning[0]!;
  model.burning = Array.from({ length: 400 }, (_, k) => ({
    ...base, entityId: `e${k}`, name: `Link ${k}, "quoted" https://trk.example/${k}?utm_campaign=${'x'.repeat(40)}`,
    spendCents: 10_000 + k, revenueCents: 1_000, profitCents: -9_000 - k, roi: -0.9,
  })).sort((a, b) => a.profitCents - b.profitCents);

  it('shows the worst 15 with "and 385 more", keeps the email under 100 KB and attaches the full list', async () => {
    const r = await renderDailyReport(model);
    expect(r.view.burning!.rows).toHaveLength(15);
    expect(r.view.burning!.rows[0]!.name).toContain('Link 399,');
    expect(r.view.burning!.more).toBe('… and 385 more — all 400 are in burning-links.csv (attached)');
    expect(Buffer.byteLength(r.html)).toBeLessThan(100 * 1024); // Gmail clips at about 102 KB
    expect(r.text).toContain('… and 385 more');
    expect(squash((await pdfText(r.pdf)).text)).toContain('and 385 more');

    const files = reportAttachments(r);
    expect(files.map((a) => a.filename)).toEqual(['report.pdf', 'burning-links.csv']);
    const rows = Papa.parse<string[]>(files[1]!.content.toString().trim()).data;
    expect(rows).toHaveLength(401);
    expect(rows[0]).toEqual(['name', 'kind', 'platform', 'since', 'window_days', `spend_${model.client.currency}`, `revenue_${model.client.currency}`, `profit_${model.client.currency}`, 'roi', 'conversions', `cpa_${model.client.currency}`]);
    expect(rows[1]![0]).toBe(model.burning[0]!.name); // commas and quotes survive
    expect(rows[1]![7]).toBe('-93.99');
    const { burningCsv } = await import('../src/reports/burning-csv.ts');
    expect(burningCsv([{ ...model.burning[0]!, name: '=HYPERLINK("http://evil")' }], 'USD').split('\n')[1]).toMatch(/^"'=HYPERLINK\(""http:\/\/evil""\)",/);
    // A short list needs no attachment.
    expect(reportAttachments(await renderDailyReport({ ...model, burning: model.burning.slice(0, 3) })).map((a) => a.filename)).toEqual(['report.pdf']);
  });
});

describe('report delivery through Resend', () => {
  let db: TestDb;
  let fake: FakeResend;
  const DATE = '2026-11-21';
  beforeAll(async () => {
    db = await freshDb('pglite');
    fake = await startFakeResend();
    await runDemo(db, { endDate: DATE, dataDir: await mkdtemp(path.join(tmpdir(), 'adbrain-rep-')) });
  });
  afterAll(async () => {
    await fake?.close();
    await db?.destroy();
  });

  const client = (slug: string) => db.prisma.client.findUniqueOrThrow({ where: { slug } });
  const sender = () => resendSender({ apiKey: 're_test', baseURL: fake.url, retries: 3, minTimeoutMs: 5 });
  const opts = () => ({ sender: sender(), from: 'adbrain <r@x.test>', now: new Date('2026-11-22T09:00:00Z') });

  it('retries 5xx and 429 with the same key and sends exactly one email; a re-run sends nothing', async () => {
    const c = await client('demo-affiliate');
    fake.failNext([500, 429]);
    const before = fake.requests.length;
    const r = await deliverDailyReport(db, c, DATE, opts());
    expect(r).toMatchObject({ status: 'delivered', provider: 'resend' });
    const mine = fake.requests.slice(before);
    expect(mine).toHaveLength(3);
    expect(new Set(mine.map((m) => m.key))).toEqual(new Set([reportKey(c.id, DATE)]));
    expect(fake.reportsFor(DATE)).toHaveLength(1);
    const body = fake.sent.get(reportKey(c.id, DATE))!.body;
    expect(body.to).toEqual(c.recipients);
    expect(body.attachments[0]).toMatchObject({ filename: 'report.pdf' });
    expect(body.html).toContain('Spend and revenue, last 30 days');
    expect(await db.prisma.report.findUniqueOrThrow({ where: { idempotencyKey: reportKey(c.id, DATE) } })).toMatchObject({ status: 'sent', provider: 'resend', providerId: r.location });

    const again = await deliverDailyReport(db, c, DATE, opts());
    expect(again.status).toBe('already-delivered');
    expect(fake.requests.length - before).toBe(3);
  });

  it('written to the outbox is recorded as written, not sent; a provider configured later still sends it, once', async () => {
    const c = await client('demo-leads');
    const day = '2026-11-20';
    const outbox = outboxSender(await mkdtemp(path.join(tmpdir(), 'adbrain-rep-outbox-')));
    const w = await deliverDailyReport(db, c, day, { ...opts(), sender: outbox });
    expect(w).toMatchObject({ status: 'delivered', provider: 'outbox' });
    expect(await db.prisma.report.findUniqueOrThrow({ where: { idempotencyKey: reportKey(c.id, day) } })).toMatchObject({ status: 'written', provider: 'outbox' });
    expect((await deliverDailyReport(db, c, day, { ...opts(), sender: outbox })).status).toBe('already-delivered');
    const sent = await deliverDailyReport(db, c, day, opts());
    expect(sent).toMatchObject({ status: 'delivered', provider: 'resend' });
    expect((await deliverDailyReport(db, c, day, opts())).status).toBe('already-delivered');
    expect(fake.reportsFor(day)).toHaveLength(1);
  });

  it('two deliveries of one report at once (the day run and `report send`): one request, one report.sent event', async () => {
    const c = await client('demo-affiliate');
    const day = '2026-11-19';
    const hook = await db.prisma.webhookEndpoint.create({ data: { agencyId: c.agencyId, url: 'https://hooks.example/reports', secret: 'x', events: ['report.sent'] } });
    const before = fake.requests.length;
    const both = await Promise.all([deliverDailyReport(db, c, day, opts()), deliverDailyReport(db, c, day, opts())]);
    expect(both.map((r) => r.status).sort()).toEqual(['already-delivered', 'delivered']);
    expect(fake.requests.length - before).toBe(1);
    expect(await db.prisma.webhookDelivery.count({ where: { endpointId: hook.id, eventType: 'report.sent' } })).toBe(1);
    await db.prisma.webhookEndpoint.delete({ where: { id: hook.id } });
  });

  it('a crash after Resend accepted but before the row was marked sent does not send twice', async () => {
    const c = await client('demo-shop');
    const model = await loadReportModel(db, c, DATE);
    const r = await renderDailyReport(model);
    // The first attempt reached Resend, then the process died.
    await sender().send({ idempotencyKey: reportKey(c.id, DATE), from: 'a@x.test', to: c.recipients, subject: 's', html: r.html, text: r.text, attachments: [], outbox: { client: c.slug, date: DATE, stem: 'report' } });
    const sentBefore = fake.sent.size;
    const retry = await deliverDailyReport(db, c, DATE, opts());
    expect(retry.status).toBe('delivered');
    expect(fake.sent.size).toBe(sentBefore);
  });

  it('surfaces a refusal without retrying it, and records it on the Report; no recipients is refused before sending', async () => {
    const c = await client('demo-leads');
    fake.failNext([422]);
    const before = fake.requests.length;
    await expect(deliverDailyReport(db, c, DATE, opts())).rejects.toThrow(/Resend refused the email: fake 422 \(HTTP 422\)/);
    expect(fake.requests.length - before).toBe(1);
    expect(await db.prisma.report.findUniqueOrThrow({ where: { idempotencyKey: reportKey(c.id, DATE) } })).toMatchObject({ status: 'failed', error: expect.stringMatching(/422/) });

    await db.prisma.client.update({ where: { id: c.id }, data: { recipients: [] } });
    await expect(deliverDailyReport(db, c, DATE, opts())).rejects.toThrow(/no recipients/);
    expect(fake.requests.length - before).toBe(1);
  });
});

describe('the report day is yesterday in the client\'s timezone', () => {
  it.each([
    // Around midnight UTC: Kolkata is already tomorrow, Los Angeles still today.
    ['Asia/Kolkata', '2026-11-22T18:29:00Z', '2026-11-21'],
    ['Asia/Kolkata', '2026-11-22T18:31:00Z', '2026-11-22'],
    ['America/Los_Angeles', '2026-11-23T00:30:00Z', '2026-11-21'],
    ['America/Los_Angeles', '2026-11-23T08:05:00Z', '2026-11-22'],
    ['UTC', '2026-11-23T00:00:00Z', '2026-11-22'],
    // DST ends in Los Angeles on 2026-11-01 at 02:00 PDT → 01:00 PST.
    ['America/Los_Angeles', '2026-11-01T06:59:00Z', '2026-10-30'],
    ['America/Los_Angeles', '2026-11-01T07:00:00Z', '2026-10-31'],
    ['America/Los_Angeles', '2026-11-01T09:30:00Z', '2026-10-31'],
    ['America/Los_Angeles', '2026-11-02T07:59:00Z', '2026-10-31'],
    ['America/Los_Angeles', '2026-11-02T08:00:00Z', '2026-11-01'],
    // DST starts on 2026-03-08 at 02:00 PST → 03:00 PDT.
    ['America/Los_Angeles', '2026-03-09T06:59:00Z', '2026-03-07'],
    ['America/Los_Angeles', '2026-03-09T07:00:00Z', '2026-03-08'],
  ])('%s at %s → %s', (tz, now, day) => {
    expect(lastCompleteDay(tz, new Date(now))).toBe(day);
  });
});
