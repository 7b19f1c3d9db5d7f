// White-label: an agency's brand on every report and email a client receives —
// daily report, correction, alert, alert digest, scheduled export, text message —
// with no trace of adbrain (subject, From, headers, HTML, text, PDF text and
// metadata, attachments); the logo inline in the email and drawn in the PDF; the
// colours checked for contrast; a client's overrides; a layout that hides and
// reorders sections in the HTML, the text and the PDF alike.
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import { Resvg } from '@resvg/resvg-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkKey } from '../src/actions/tokens.ts';
import { checkAlerts } from '../src/alerts/check.ts';
import { smsBody } from '../src/alerts/sms.ts';
import { createApp } from '../src/api/app.ts';
import { apiDeps } from '../src/api/server.ts';
import { LOGO_BOX, processLogo } from '../src/branding/logo.ts';
import { parseBrandPatch } from '../src/branding/settings.ts';
import { loadBrand, patchBrand, setLogo } from '../src/branding/store.ts';
import { loadConfig } from '../src/config.ts';
import { createApiKey } from '../src/domain/api-keys.ts';
import { addClient } from '../src/domain/clients.ts';
import { addSchedule, sendDueExports } from '../src/exports/index.ts';
import { importCsv } from '../src/import/import-csv.ts';
import { deliverDailyReport, remakeDailyReport } from '../src/reports/daily-report.ts';
import { parseLayout, saveLayout } from '../src/reports/layout.ts';
import { deliverPeriodReport } from '../src/reports/period-report.ts';
import { periodEndingBy } from '../src/reports/periods.ts';
import { previewDailyReport } from '../src/reports/preview.ts';
import { outboxSender, resendSender } from '../src/reports/senders.ts';
import { freshDb, type TestDb } from './helpers/db.ts';
import { pdfText } from './helpers/pdf.ts';
import { requester } from './helpers/request.ts';
import { cli } from './helpers/cli.ts';
import { startFakeResend, type FakeResend } from './fakes/resend-server.ts';

const HEADER = 'date,platform,account,campaign,adset,ad,link,spend,impressions,clicks,conversions,revenue';
const NOW = new Date('2026-11-24T12:00:00Z');
// Alerts judge today so far: checked late on the last day of data.
const ALERT_NOW = new Date('2026-11-23T18:00:00Z');
const DAY = '2026-11-23';
const PRIMARY = '#0a5c4e';
const ACCENT = '#7a1fa2';
// A transparent SVG logo: a green disc and a purple bar on nothing.
const LOGO_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 320 80"><circle cx="40" cy="40" r="34" fill="${PRIMARY}"/><rect x="90" y="26" width="210" height="28" rx="6" fill="${ACCENT}"/></svg>`;
const ADBRAIN = /adbrain/i;
const ENC = Buffer.alloc(32, 9).toString('base64');
const LINK_KEY = linkKey(Buffer.from(ENC, 'base64'));

/** Days of ads for a client: `burning` links spend with no sale on the last two days, one link sells. */
async function seed(db: TestDb, slug: string, burning: number, agency?: string) {
  await addClient(db.prisma, { slug, name: `${slug} Co`, timezone: 'UTC', currency: 'USD', recipients: ['ops@client.example'], ...(agency && { agency }) });
  const rows = [HEADER];
  for (let d = 20; d >= 0; d--) {
    const date = new Date(Date.UTC(2026, 10, 23 - d)).toISOString().slice(0, 10);
    rows.push(`${date},meta,Acc,Camp,S,Winner ad,lnk-win,100.00,5000,80,6,${(320 + d).toFixed(2)}`);
    for (let k = 0; k < burning; k++) if (d <= 1) rows.push(`${date},meta,Acc,Camp,S,Ad ${k},lnk-${k},${60 + 5 * k}.00,1000,10,0,0`);
  }
  await importCsv(db, Buffer.from(rows.join('\n')), `${slug}.csv`, { clientSlug: slug, now: NOW });
  return db.prisma.client.findUniqueOrThrow({ where: { slug } });
}

/** `n` links that spend without a sale for two days and nothing else (burning, as the brain judges it). */
async function seedBurning(db: TestDb, slug: string, n: number) {
  await addClient(db.prisma, { slug, name: `${slug} Co`, timezone: 'UTC', currency: 'USD', recipients: ['ops@client.example'] });
  const rows = [HEADER];
  for (let k = 0; k < n; k++) for (const d of ['2026-11-22', '2026-11-23']) rows.push(`${d},tiktok,Acc,Camp,S,Ad ${k},lnk-${k},${60 + 5 * k}.00,1000,10,0,0`);
  await importCsv(db, Buffer.from(rows.join('\n')), `${slug}.csv`, { clientSlug: slug, now: ALERT_NOW });
  return db.prisma.client.findUniqueOrThrow({ where: { slug } });
}

/** Every string of a message the client can see, attachments decoded (the PDF as its text and raw bytes). */
async function visible(body: any): Promise<string[]> {
  const out = [body.from, body.subject, body.html, body.text, String(body.reply_to ?? body.replyTo ?? '')];
  for (const a of body.attachments ?? []) {
    const bytes = Buffer.from(a.content, 'base64');
    out.push(a.filename);
    if (a.filename.endsWith('.pdf')) out.push((await pdfText(bytes)).text, bytes.toString('latin1'));
    else if (!a.content_id && !a.contentId) out.push(bytes.toString('utf8'));
  }
  return out;
}

describe('white-labelled reports and emails', () => {
  let db: TestDb;
  let fake: FakeResend;
  let agencyId: string;
  const sender = () => resendSender({ apiKey: 're_test', baseURL: fake.url, retries: 1, minTimeoutMs: 5 });
  const FROM = 'adbrain <reports@adbrain.local>';

  beforeAll(async () => {
    db = await freshDb('pglite');
    fake = await startFakeResend();
    const one = await seed(db, 'one', 1);
    agencyId = one.agencyId;
    await patchBrand(db, { agencyId }, parseBrandPatch({ name: 'Acme Growth', primary: PRIMARY, accent: ACCENT, fromAddress: 'reports@acme.example', replyTo: 'team@acme.example', footer: 'Acme Growth Ltd · 12 High Street, Leeds' }));
    await setLogo(db, { agencyId }, Buffer.from(LOGO_SVG));
  }, 120_000);
  afterAll(async () => {
    await fake?.close();
    await db?.destroy();
  });

  it('the daily report and its correction: From, Reply-To, inline logo, colours; nothing says adbrain', async () => {
    const client = await db.prisma.client.findUniqueOrThrow({ where: { slug: 'one' } });
    const r = await deliverDailyReport(db, client, DAY, { sender: sender(), from: FROM, now: NOW });
    expect(r.status).toBe('delivered');
    const mail = fake.sent.get(`daily:${client.id}:${DAY}`)!.body;
    expect(mail.from).toBe('"Acme Growth" <reports@acme.example>');
    expect([mail.reply_to ?? mail.replyTo].flat()).toEqual(['team@acme.example']);
    const logo = mail.attachments.find((a: any) => a.filename === 'logo.png');
    expect(logo.content_id ?? logo.contentId).toBe('brand-logo');
    expect(mail.html).toContain('src="cid:brand-logo"');
    expect(mail.html).toContain(PRIMARY);
    expect(mail.html).toContain('Acme Growth · Daily report');
    expect(mail.text).toContain('Acme Growth Ltd · 12 High Street, Leeds');
    const seen = await visible(mail);
    for (const s of seen) expect(s).not.toMatch(ADBRAIN);
    // The PDF draws the logo (an image) and carries the brand in its metadata and footer.
    const pdf = Buffer.from(mail.attachments.find((a: any) => a.filename === 'report.pdf').content, 'base64');
    expect(pdf.toString('latin1')).toMatch(/\/Subtype\s*\/Image/);
    expect(pdf.toString('latin1')).toContain('(Acme Growth)');
    expect((await pdfText(pdf)).text).toContain('Acme Growth · Daily report for one Co');
    // The stored report opens in a browser: its logo inline, not a cid: link.
    const row = await db.prisma.report.findUniqueOrThrow({ where: { id: r.reportId } });
    expect(row.html).toContain('src="data:image/png;base64,');
    expect(row.html).not.toContain('cid:');

    const c = await remakeDailyReport(db, client, DAY, { sender: sender(), from: FROM, now: NOW });
    const fix = fake.sent.get(`correction:${client.id}:${DAY}:${c.correction}`)!.body;
    expect(fix.subject).toMatch(/^Correction: /);
    for (const s of await visible(fix)) expect(s).not.toMatch(ADBRAIN);
  }, 60_000);

  it('an alert, an alert digest, a scheduled export and a text message carry the brand and no adbrain', async () => {
    const one = await seedBurning(db, 'alerty', 1);
    const many = await seedBurning(db, 'many', 4);
    const before = fake.sent.size;
    const a = await checkAlerts(db, one, { now: ALERT_NOW, sender: sender(), from: FROM, links: { key: () => LINK_KEY, baseUrl: 'https://go.acme.example' } });
    expect(a.sent.length).toBeGreaterThanOrEqual(1);
    const b = await checkAlerts(db, many, { now: ALERT_NOW, sender: sender(), from: FROM, links: { key: () => LINK_KEY, baseUrl: 'https://go.acme.example' } });
    expect(b.sent.length).toBeGreaterThanOrEqual(4);
    const alertMails = [...fake.sent.values()].slice(before).map((x) => x.body);
    expect(alertMails.some((m) => m.subject.startsWith('[Acme Growth alerts]'))).toBe(true);
    for (const m of alertMails) {
      expect(m.from).toBe('"Acme Growth" <reports@acme.example>');
      expect(m.html).toContain('cid:brand-logo');
      for (const s of await visible(m)) expect(s).not.toMatch(ADBRAIN);
    }
    await addSchedule(db, one.id, { every: 'week', kinds: ['spend'], recipients: ['books@client.example'] }, new Date('2026-11-10T10:00:00Z'));
    const e = await sendDueExports(db, one, DAY, { sender: sender(), from: FROM });
    expect(e.sent).toHaveLength(1);
    const exportMail = [...fake.sent.values()].at(-1)!.body;
    expect(exportMail.subject).toMatch(/^Weekly export: alerty Co/);
    for (const s of await visible(exportMail)) expect(s).not.toMatch(ADBRAIN);
    // The page a kill button opens wears the brand too: logo, colour, no adbrain.
    const kill = /Kill this link: https:\/\/go\.acme\.example(\/a\/\S+)/.exec(alertMails[0]!.text)![1]!;
    const app = createApp(apiDeps(db, loadConfig({ ADBRAIN_ENCRYPTION_KEY: ENC, ADBRAIN_PUBLIC_URL: 'https://go.acme.example' }), () => ALERT_NOW));
    const confirm = await (await app.request(kill)).text();
    expect(confirm).toContain('Kill this link?');
    expect(confirm).toContain('src="data:image/png;base64,');
    expect(confirm).toContain(`background:${PRIMARY}`);
    expect(confirm).not.toMatch(ADBRAIN);
    const brand = await loadBrand(db, { agencyId, clientId: one.id });
    expect(smsBody(one, { headline: 'lnk-0 is burning money', url: 'https://go.acme.example/a/x' }, brand.name)).toMatch(/^Acme Growth · alerty Co: lnk-0 is burning money/);
  }, 60_000);

  it('weekly and monthly reports carry the brand too ("Weekly report", its logo), and no adbrain', async () => {
    const client = await db.prisma.client.findUniqueOrThrow({ where: { slug: 'one' } });
    for (const kind of ['weekly', 'monthly'] as const) {
      const r = await deliverPeriodReport(db, client, periodEndingBy(kind, DAY), { sender: sender(), from: FROM, now: NOW });
      expect(r.status).toBe('delivered');
      const mail = [...fake.sent.values()].at(-1)!.body;
      expect(mail.text.split('\n')[0]).toBe(`Acme Growth · ${kind === 'weekly' ? 'Weekly' : 'Monthly'} report — one Co`);
      expect(mail.html).toContain('src="cid:brand-logo"');
      for (const s of await visible(mail)) expect(s).not.toMatch(ADBRAIN);
    }
  }, 60_000);

  it('without a brand the same report says adbrain (the scan above can fail)', async () => {
    const other = await db.prisma.agency.create({ data: { slug: 'plain', name: 'Plain Agency' } });
    const client = await seed(db, 'plain-client', 1, other.slug);
    await deliverDailyReport(db, client, DAY, { sender: sender(), from: FROM, now: NOW });
    const mail = fake.sent.get(`daily:${client.id}:${DAY}`)!.body;
    expect(mail.from).toBe(FROM);
    expect((await visible(mail)).join('\n')).toMatch(ADBRAIN);
    expect(mail.attachments.map((a: any) => a.filename)).not.toContain('logo.png');
  }, 60_000);

  it('the outbox copy: the .html shows the logo as a data: URI, the .eml carries it as an inline part', async () => {
    const client = await seed(db, 'boxed', 1, 'default');
    const dir = await mkdtemp(path.join(tmpdir(), 'adbrain-brand-'));
    await deliverDailyReport(db, client, DAY, { sender: outboxSender(dir), from: FROM, now: NOW });
    const day = path.join(dir, 'boxed', DAY);
    const files = await readdir(day);
    expect(files.sort()).toEqual(['message.eml', 'report.html', 'report.json', 'report.pdf', 'report.txt']);
    const html = await readFile(path.join(day, 'report.html'), 'utf8');
    expect(html).toContain('src="data:image/png;base64,');
    const eml = await readFile(path.join(day, 'message.eml'), 'utf8');
    expect(eml).toMatch(/^From: "?Acme Growth"? <reports@acme\.example>/m);
    expect(eml).toMatch(/^Reply-To: team@acme\.example/m);
    expect(eml).toMatch(/^Content-Id: <brand-logo>/im);
    expect(eml).toMatch(/^Message-ID:\s+<[^>]+@acme\.example>/m);
    for (const f of ['report.html', 'report.txt', 'message.eml']) expect(await readFile(path.join(day, f), 'utf8'), f).not.toMatch(ADBRAIN);
  }, 60_000);

  it('a client overrides the agency field by field; its own logo wins', async () => {
    const client = await seed(db, 'special', 1, 'default');
    await patchBrand(db, { agencyId, clientId: client.id }, parseBrandPatch({ title: 'Performance report', primary: '#1d3a8a' }));
    let b = await loadBrand(db, { agencyId, clientId: client.id });
    expect(b).toMatchObject({ name: 'Acme Growth', title: 'Performance report', primary: '#1d3a8a', accent: ACCENT, replyTo: 'team@acme.example' });
    const agencyLogo = b.logo!.png;
    const own = new Resvg('<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100"><rect width="200" height="100" fill="#222"/></svg>').render().asPng();
    await setLogo(db, { agencyId, clientId: client.id }, own);
    b = await loadBrand(db, { agencyId, clientId: client.id });
    expect(b.logo!.png.equals(agencyLogo)).toBe(false);
    expect(b.logo).toMatchObject({ width: 112, height: 56 });
    // Clearing a field falls back to the agency's.
    await patchBrand(db, { agencyId, clientId: client.id }, parseBrandPatch({ primary: null }));
    expect((await loadBrand(db, { agencyId, clientId: client.id })).primary).toBe(PRIMARY);
    const p = await previewDailyReport(db, client, DAY, NOW);
    expect(p.text.split('\n')[0]).toBe('Acme Growth · Performance report — special Co');
  }, 60_000);

  it('colours below 4.5:1 against white are refused, naming the field and the ratio; the stored brand is unchanged', async () => {
    expect(() => parseBrandPatch({ primary: '#ffcc00' })).toThrow(/primary: #ffcc00 has a contrast of 1\.\d\d:1 against white; text needs at least 4\.5:1/);
    expect(() => parseBrandPatch({ accent: '#999' })).toThrow(/accent: #999999 has a contrast of 2\.85:1/);
    expect(() => parseBrandPatch({ primary: 'green' })).toThrow(/primary: a colour is #rgb or #rrggbb/);
    expect(() => parseBrandPatch({ colour: '#000000' })).toThrow(/colour/);
    expect(() => parseBrandPatch({ name: 'Acme\nBcc: x@y' })).toThrow(/name: no control characters/);
    expect(parseBrandPatch({ primary: '#063' })).toEqual({ primary: '#006633' });
    const admin = (await createApiKey(db.prisma, agencyId, { role: 'admin' })).key;
    const call = requester(() => createApp(apiDeps(db, loadConfig({}), () => NOW)), { key: () => admin });
    const r = await call('PATCH', '/v1/brand', { body: { name: 'Other', accent: '#ffcc00' } });
    expect(r.status).toBe(422);
    expect(r.json.error.details).toEqual([expect.objectContaining({ path: 'accent', message: expect.stringContaining('1.51:1') })]);
    expect((await loadBrand(db, { agencyId })).name).toBe('Acme Growth');
    // A logo over REST: the raw SVG; a text file is refused by its type.
    const svg = await call('PUT', '/v1/brand/logo', { raw: LOGO_SVG, type: 'image/svg+xml' });
    expect(svg.json).toMatchObject({ type: 'image/svg+xml', width: 224, height: 56 });
    const txt = await call('PUT', '/v1/brand/logo', { raw: 'hello', type: 'text/plain' });
    expect(txt.status).toBe(422);
    const got = await call('GET', '/v1/brand/logo');
    expect(got.text).toBe(LOGO_SVG);
    expect(got.headers.get('content-security-policy')).toContain('sandbox');
  }, 60_000);
});

describe('logos', () => {
  const big = (side: number) => new Resvg(`<svg xmlns="http://www.w3.org/2000/svg" width="${side}" height="${side}"><rect width="${side}" height="${side}" fill="#123456"/><circle cx="${side / 2}" cy="${side / 2}" r="${side / 3}" fill="#e33"/></svg>`).render().asPng();

  /** The top-left pixel of a PNG (the first pixel is its raw bytes under every filter type). */
  const topLeft = (png: Buffer) => {
    let at = 8;
    const idat: Buffer[] = [];
    let colourType = -1;
    while (at < png.length) {
      const len = png.readUInt32BE(at);
      const type = png.toString('latin1', at + 4, at + 8);
      if (type === 'IHDR') colourType = png[at + 8 + 9]!;
      if (type === 'IDAT') idat.push(png.subarray(at + 8, at + 8 + len));
      at += 12 + len;
    }
    const raw = inflateSync(Buffer.concat(idat));
    return { colourType, rgba: [...raw.subarray(1, 5)] };
  };

  it('a 3000-pixel PNG is accepted and shown within 240×56, as a small image', () => {
    const source = big(3000);
    const p = processLogo(source);
    expect(p).toMatchObject({ type: 'image/png', width: 56, height: 56 });
    expect(p.png.length).toBeLessThan(source.length / 4);
    expect(p.width).toBeLessThanOrEqual(LOGO_BOX.width);
  });

  it('a transparent SVG stays transparent (RGBA, clear corners) and keeps its proportions', () => {
    const p = processLogo(Buffer.from(LOGO_SVG));
    expect(p).toMatchObject({ type: 'image/svg+xml', width: 224, height: 56 });
    const px = topLeft(p.png);
    expect(px.colourType).toBe(6);
    expect(px.rgba[3]).toBe(0);
  });

  it('refuses what it cannot show, saying why', () => {
    expect(() => processLogo(Buffer.alloc(0))).toThrow(/logo: the file is empty/);
    expect(() => processLogo(Buffer.concat([big(64), Buffer.alloc(1024 * 1024)]))).toThrow(/logo: the file is 1\.0 MB; at most 1 MB/);
    expect(() => processLogo(Buffer.from('GIF89a...'))).toThrow(/not a PNG, JPEG or SVG/);
    expect(() => processLogo(big(64).subarray(0, 60))).toThrow(/logo: the PNG file is damaged or cut short/);
    expect(() => processLogo(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'))).toThrow(/10×10 px is too small/);
    expect(() => processLogo(Buffer.from('<svg><unclosed'))).toThrow(/the SVG cannot be read/);
    expect(() => processLogo(big(5001))).toThrow(/5001×5001 px; at most 5000/);
  });

  it('a JPEG goes through the same renderer; one cut short is refused', async () => {
    const jpeg = await readFile(path.resolve('test/fixtures/logo.jpg'));
    const p = processLogo(jpeg);
    expect(p).toMatchObject({ type: 'image/jpeg', width: 168, height: 56 });
    // Drawn, not skipped: the PNG holds the circle's green.
    expect(topLeft(p.png).colourType).toBe(6);
    expect(p.png.length).toBeGreaterThan(500);
    expect(() => processLogo(jpeg.subarray(0, jpeg.length - 200))).toThrow(/logo: the JPEG file is damaged or cut short/);
  });
});

describe('report layouts', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await freshDb('pglite');
  });
  afterAll(async () => {
    await db?.destroy();
  });

  it('hide and reorder sections and KPI tiles in the HTML, the text and the PDF alike', async () => {
    const client = await seed(db, 'laid', 2);
    const before = await previewDailyReport(db, client, DAY, NOW);
    // Shown by default: the sections the layout hides below.
    for (const shown of ['Data freshness', 'By account (7 days)', 'Revenue']) expect(before.text).toContain(shown);
    const layout = parseLayout({ sections: ['trend', 'summary', 'kpis'], kpis: ['spend', 'roas'] });
    await saveLayout(db.prisma, client.id, layout);
    const p = await previewDailyReport(db, client, DAY, NOW);
    const pdf = (await pdfText(p.pdf)).text;
    // The HTML from its heading on (its hidden preview line repeats the headline first).
    for (const [what, doc] of [['html', p.html.slice(p.html.indexOf('<h1'))], ['text', p.text], ['pdf', pdf]] as const) {
      const trend = doc.toLowerCase().indexOf('last 7 and 30 days');
      expect(trend, `${what}: the trend shown`).toBeGreaterThan(-1);
      expect(trend, `${what}: the trend before the summary`).toBeLessThan(doc.indexOf('made $'));
      expect(doc.indexOf('made $'), `${what}: the summary before the tiles`).toBeLessThan(doc.indexOf('ROAS', doc.indexOf('made $')));
      expect(doc, `${what}: no freshness`).not.toContain('Data freshness');
      expect(doc, `${what}: no roll-ups`).not.toContain('By account (7 days)');
      expect(doc, `${what}: no revenue tile`).not.toMatch(/Revenue\s*\$[\d,]+\.\d\d\s*[+−-]/);
    }
    for (const t of ['Spend', 'ROAS']) expect(p.html).toContain(`>${t}</p>`);
    expect(p.html).not.toContain('>Profit</p>');
    // A layout tried in a preview is not stored.
    const tried = await previewDailyReport(db, client, DAY, NOW, parseLayout({ sections: ['freshness', 'summary'] }));
    expect(tried.text.indexOf('Data freshness')).toBeLessThan(tried.text.indexOf('made $'));
    expect((await db.prisma.client.findUniqueOrThrow({ where: { id: client.id } })).reportLayout).toEqual(layout);
    expect(() => parseLayout({ sections: ['summary', 'summary'] })).toThrow(/summary is listed twice/);
    expect(() => parseLayout({ sections: [] })).toThrow(/at least one section/);
    expect(() => parseLayout({ sections: ['summary'], kpis: ['ctr'] })).toThrow(/kpis\.0/);
  }, 60_000);

  it('the CLI: brand set / logo, report layout --set, report preview --layout (HTML, text, PDF); a refused colour exits 2 naming the flag', async () => {
    const cwd = await mkdtemp(path.join(tmpdir(), 'adbrain-brand-cli-'));
    const run = cli(() => cwd);
    expect((await run(['clients', 'add', 'acme', '--timezone', 'UTC', '--currency', 'USD'])).code).toBe(0);
    const rows = [HEADER, ...Array.from({ length: 10 }, (_, i) => `2026-12-0${i % 2 ? 1 : 2},meta,Acc,Camp,S,Ad ${i},lnk-${i},${20 + i}.00,1000,10,1,${30 + i}.00`)];
    await writeFile(path.join(cwd, 'ads.csv'), rows.join('\n'));
    expect((await run(['import', 'ads.csv', '--client', 'acme'])).code).toBe(0);
    const low = await run(['brand', 'set', '--agency', 'default', '--name', 'Acme Growth', '--primary', '#ffcc00']);
    expect(low.code).toBe(2);
    expect(low.err).toContain('--primary: #ffcc00 has a contrast of 1.51:1 against white');
    expect(low.err).not.toMatch(/^\s+at /m);
    const set = await run(['brand', 'set', '--agency', 'default', '--name', 'Acme Growth', '--primary', PRIMARY, '--footer', 'Acme Growth Ltd']);
    expect(set.code, set.err).toBe(0);
    expect(set.out).toContain('white-labelled as Acme Growth');
    await writeFile(path.join(cwd, 'logo.svg'), LOGO_SVG);
    const logo = await run(['brand', 'logo', 'logo.svg', '--agency', 'default']);
    expect(logo.out).toContain('shown at 224×56 px');
    await writeFile(path.join(cwd, 'layout.json'), JSON.stringify({ sections: ['kpis', 'summary'], kpis: ['spend'] }));
    await writeFile(path.join(cwd, 'bad.json'), JSON.stringify({ sections: ['summary', 'nope'] }));
    const bad = await run(['report', 'layout', '--client', 'acme', '--set', 'bad.json']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('bad.json: sections.1');
    const pv = await run(['report', 'preview', '--client', 'acme', '--date', '2026-12-02', '--layout', 'layout.json', '--out', 'look']);
    expect(pv.code, pv.err).toBe(0);
    const text = await readFile(path.join(cwd, 'look', 'preview.txt'), 'utf8');
    expect(text.split('\n')[0]).toBe('Acme Growth · Daily report — acme');
    expect(text.indexOf('Spend')).toBeLessThan(text.indexOf('made'));
    expect(text).not.toMatch(ADBRAIN);
    expect(await readFile(path.join(cwd, 'look', 'preview.html'), 'utf8')).toContain('data:image/png;base64,');
    expect((await pdfText(await readFile(path.join(cwd, 'look', 'preview.pdf')))).text).toContain('Acme Growth Ltd');
    expect((await run(['report', 'layout', '--client', 'acme', '--set', 'layout.json'])).out).toContain('sections: kpis, summary');
    expect((await run(['report', 'layout', '--client', 'acme', '--reset'])).out).toContain('every section (the default)');
  }, 120_000);
});
