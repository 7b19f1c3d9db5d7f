import { readFileSync } from 'node:fs';
import path from 'node:path';
import Papa from 'papaparse';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { addClient } from '../src/domain/clients.ts';
import { AppError } from '../src/errors.ts';
import { importCsv, type ImportOptions, type ImportSummary } from '../src/import/import-csv.ts';
import { dbKinds, freshDb, type TestDb } from './helpers/db.ts';

const NOW = new Date('2026-03-10T12:00:00Z');
const HEADER = 'date,platform,account,campaign,adset,ad,link,spend,impressions,clicks,conversions,revenue';

const csv = (...lines: string[]) => Buffer.from(lines.join('\n') + '\n');

describe.each(dbKinds)('CSV import on %s', (kind) => {
  let db: TestDb;
  let seq = 0;
  let client: string;

  beforeAll(async () => {
    db = await freshDb(kind);
  });
  afterAll(async () => {
    await db?.destroy();
  });
  beforeEach(async () => {
    client = `acme-${++seq}`;
    await addClient(db.prisma, { slug: client, timezone: 'America/New_York', currency: 'USD' });
  });

  const run = (content: Buffer, opts: Partial<ImportOptions> = {}, name = 'file.csv') =>
    importCsv(db, content, name, { clientSlug: client, now: NOW, ...opts });

  async function rejection(content: Buffer, opts: Partial<ImportOptions> = {}): Promise<AppError> {
    const err = await run(content, opts).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }

  const rowErrors = (e: AppError) => (e.details as ImportSummary).errors;

  async function metricCount(slug = client) {
    const [r] = await db.sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM daily_metric m JOIN entity e ON e.id = m.entity_id JOIN client c ON c.id = e.client_id WHERE c.slug = $1`,
      [slug],
    );
    return r!.n;
  }

  async function totals(slug = client) {
    const [r] = await db.sql.query<{ spend: number; revenue: number; clicks: number }>(
      `SELECT coalesce(sum(spend_cents),0)::float8 AS spend, coalesce(sum(revenue_cents),0)::float8 AS revenue,
              coalesce(sum(clicks),0)::float8 AS clicks
         FROM daily_metric m JOIN entity e ON e.id = m.entity_id JOIN client c ON c.id = e.client_id WHERE c.slug = $1`,
      [slug],
    );
    return r!;
  }

  it('imports the generic format with its entity tree and parsed campaign names', async () => {
    const s = await run(
      csv(
        HEADER,
        '2026-03-01,tiktok,1639,ApplePay-1639-SC5-tiktok,Broad,Hook 1,https://trk.example/a,120.50,10000,150,6,192.00',
        '2026-03-01,tiktok,1639,ApplePay-1639-SC5-tiktok,Broad,Hook 2,https://trk.example/b,80.00,8000,90,2,64.00',
        '2026-03-02,meta,act_9,CashApp-3175-SC12-facebook,,,,"1,000.25",50000,700,20,900',
      ),
    );
    expect(s).toMatchObject({ status: 'succeeded', format: 'generic', rows: 3, imported: 3, inserted: 3, updated: 0, rejected: 0 });
    expect(s.dateFrom).toBe('2026-03-01');
    expect(s.dateTo).toBe('2026-03-02');
    expect(await totals()).toEqual({ spend: 12050 + 8000 + 100025, revenue: 19200 + 6400 + 90000, clicks: 940 });
    const campaign = await db.prisma.entity.findFirstOrThrow({ where: { client: { slug: client }, kind: 'campaign', platform: 'tiktok' } });
    expect(campaign.attributes).toEqual({ offer: 'ApplePay', offerKey: 'applepay', accountNumber: '1639', sparkCode: 'SC5', platform: 'tiktok' });
    const link = await db.prisma.entity.findFirstOrThrow({ where: { client: { slug: client }, kind: 'link', externalId: 'https://trk.example/a' }, include: { parent: { include: { parent: true } } } });
    expect(link.parent?.kind).toBe('ad');
    expect(link.parent?.name).toBe('Hook 1');
    expect(link.parent?.parent?.kind).toBe('adset');
    const tags = await db.prisma.entity.findMany({ where: { client: { slug: client }, kind: { in: ['offer', 'spark_code'] } }, orderBy: { externalId: 'asc' } });
    expect(tags.map((t) => `${t.kind}:${t.externalId}`).sort()).toEqual(['offer:applepay', 'offer:cashapp', 'spark_code:1639-SC5', 'spark_code:3175-SC12']);
    const runRow = await db.prisma.importRun.findUniqueOrThrow({ where: { id: s.importRunId! } });
    expect(runRow).toMatchObject({ status: 'succeeded', rowsTotal: 3, rowsImported: 3, rowsRejected: 0, format: 'generic' });
  });

  it('is idempotent: the same file twice changes nothing; a corrected file replaces those values', async () => {
    const file = csv(HEADER, '2026-03-01,tiktok,A,Camp,,,,10.00,100,5,1,20.00', '2026-03-02,tiktok,A,Camp,,,,11.00,110,6,1,22.00');
    const first = await run(file);
    const before = await db.sql.query(`SELECT id::text, updated_at::text FROM daily_metric ORDER BY id`);
    const second = await run(file);
    expect(first).toMatchObject({ inserted: 2, updated: 0, unchanged: 0 });
    expect(second).toMatchObject({ inserted: 0, updated: 0, unchanged: 2 });
    expect(await db.sql.query(`SELECT id::text, updated_at::text FROM daily_metric ORDER BY id`)).toEqual(before);
    expect(await metricCount()).toBe(2);

    const corrected = await run(csv(HEADER, '2026-03-02,tiktok,A,Camp,,,,15.00,110,6,2,40.00'));
    expect(corrected).toMatchObject({ inserted: 0, updated: 1, unchanged: 0 });
    expect(await totals()).toMatchObject({ spend: 1000 + 1500, revenue: 2000 + 4000 });
    expect(await metricCount()).toBe(2);
  });

  it('detects a TikTok Ads Manager export (IDs, currency symbols, thousands, total row)', async () => {
    const s = await run(
      csv(
        'Campaign name,Campaign ID,Ad group name,Ad name,Date,Cost,Impressions,Clicks (destination),Conversions,Total complete payment value,Reach,Frequency,Currency',
        'ApplePay-1639-SC5-tiktok,1790001,AG 1,Spark 5 hook,2026-03-01 00:00:00,"$1,234.50","120,000",1500,40,"$2,000.00","90,000",1.33,USD',
        'ApplePay-1639-SC5-tiktok,1790001,AG 1,Spark 5 hook,2026-03-02 00:00:00,$99.99,8000,90,2,$64.00,7000,1.14,USD',
        'Total of 2 results,-,-,-,-,"$1,334.49","128,000",1590,42,"$2,064.00",-,-,-',
      ),
      {},
      'tiktok-report.csv',
    );
    expect(s).toMatchObject({ format: 'tiktok', rows: 2, imported: 2, skippedSummaryRows: 1 });
    expect(await totals()).toEqual({ spend: 123450 + 9999, revenue: 200000 + 6400, clicks: 1590 });
    const campaign = await db.prisma.entity.findFirstOrThrow({ where: { client: { slug: client }, kind: 'campaign' } });
    expect(campaign).toMatchObject({ platform: 'tiktok', externalId: '1790001' });
    const [m] = await db.sql.query<{ reach: number; frequency: number }>(
      `SELECT reach::float8 AS reach, frequency::float8 AS frequency FROM daily_metric m JOIN entity e ON e.id = m.entity_id WHERE e.client_id = $1::uuid AND m.date = '2026-03-01'`,
      [campaign.clientId],
    );
    expect(m).toEqual({ reach: 90000, frequency: 1.33 });
  });

  it('detects a Meta Ads Manager export (currency in the header, day-first dates, blanks as zero)', async () => {
    const s = await run(
      csv(
        'Reporting starts,Reporting ends,Account name,Campaign name,Ad set name,Ad name,Amount spent (USD),Impressions,Link clicks,Purchases,Purchases conversion value,Reach,Frequency',
        '25/02/2026,25/02/2026,Lumen Meta,CashApp-3175-SC12-facebook,US 25-54,Testimonial,"1.234,56","10.000",120,,,8000,1.25',
        '01/03/2026,01/03/2026,Lumen Meta,CashApp-3175-SC12-facebook,US 25-54,Testimonial,12.00,900,10,1,30.00,800,1.1',
      ),
    );
    expect(s).toMatchObject({ format: 'meta', imported: 2, dateFrom: '2026-02-25', dateTo: '2026-03-01' });
    expect(await totals()).toEqual({ spend: 123456 + 1200, revenue: 3000, clicks: 130 });
    const acct = await db.prisma.entity.findFirstOrThrow({ where: { client: { slug: client }, kind: 'account' } });
    expect(acct).toMatchObject({ platform: 'meta', name: 'Lumen Meta' });
  });

  it('refuses a Meta export whose rows span several days', async () => {
    const e = await rejection(
      csv(
        'Reporting starts,Reporting ends,Campaign name,Amount spent (USD),Impressions',
        '2026-03-01,2026-03-07,Camp,70.00,7000',
      ),
    );
    expect(rowErrors(e)[0]!.reason).toMatch(/daily breakdown/);
  });

  it('refuses money in another currency than the client', async () => {
    const e = await rejection(csv('Day,Campaign name,Amount spent (EUR),Impressions', '2026-03-01,Camp,10,100'));
    expect(e.message).toMatch(/EUR but client .* reports in USD/);
    const t = await rejection(
      csv('Date,Campaign name,Cost,Impressions,Clicks,Currency', '2026-03-01,Camp,10,100,1,EUR'),
    );
    expect(rowErrors(t)[0]).toMatchObject({ line: 2, column: 'Currency', reason: expect.stringMatching(/EUR differs/) });
  });

  describe('bad input: the whole file is rejected, every bad row listed, database untouched', () => {
    const expectUntouched = async () => {
      expect(await metricCount()).toBe(0);
      expect(await db.prisma.importRun.count({ where: { client: { slug: client } } })).toBe(0);
      expect(await db.prisma.entity.count({ where: { client: { slug: client } } })).toBe(0);
    };

    it('empty file', async () => {
      const e = await rejection(Buffer.from(''));
      expect(e.message).toMatch(/is empty/);
      const blank = await rejection(Buffer.from('\n\r\n  \n'));
      expect(blank.message).toMatch(/is empty/);
      await expectUntouched();
    });

    it('header without rows', async () => {
      const e = await rejection(csv(HEADER));
      expect(e.message).toMatch(/no data rows/);
      await expectUntouched();
    });

    it('wrong headers name what is missing', async () => {
      const e = await rejection(csv('day,campaign_name,cost', '2026-03-01,x,1'));
      expect(e.message).toMatch(/could not recognise the columns/);
      expect(e.message).toContain('"day"');
      const forced = await rejection(csv('date,platform,account,campaign,spend', '2026-03-01,tiktok,a,c,1'), { format: 'generic' });
      expect(forced.message).toMatch(/missing column\(s\) .*impressions.*clicks/);
      // Conversions and revenue are optional: a file without them is not refused for them.
      expect(forced.message).not.toMatch(/conversions|revenue/);
      await expectUntouched();
    });

    it('bad dates, negative spend, text in numbers, unknown platform, huge numbers: all listed with line and column', async () => {
      const e = await rejection(
        csv(
          HEADER,
          '2026-03-01,tiktok,A,C1,,,,10,100,1,0,0',
          '2026-02-30,tiktok,A,C1,,,,10,100,1,0,0',
          '2026-03-02,tiktok,A,C1,,,,-5.00,100,1,0,0',
          '2026-03-03,tiktok,A,C1,,,,10,lots,1,0,0',
          '2026-03-04,myspace,A,C1,,,,10,100,1,0,0',
          '2026-03-05,tiktok,A,C1,,,,99999999999999999,100,1,0,0',
          'yesterday,tiktok,A,C1,,,,abc,100,1,0,0',
          '2027-01-01,tiktok,A,C1,,,,1,1,1,0,0',
        ),
      );
      expect(e.exitCode).not.toBe(0);
      expect(e.message).toMatch(/7 of 8 rows have errors; nothing was imported/);
      const errs = rowErrors(e).map((x) => [x.line, x.column, x.reason]);
      expect(errs).toEqual([
        [3, 'date', 'date is not a real calendar date'],
        [4, 'spend', 'spend cannot be negative'],
        [5, 'impressions', 'impressions is not a number'],
        [6, 'platform', 'unknown platform "myspace" (expected one of: tiktok, meta, google, shopify, redtrack, other)'],
        [7, 'spend', 'spend is too large'],
        [8, 'date', 'date is not a date (expected YYYY-MM-DD, MM/DD/YYYY or DD.MM.YYYY)'],
        [8, 'spend', 'spend is not a number'],
        [9, 'date', 'date 2027-01-01 is in the future'],
      ]);
      expect(rowErrors(e)[1]!.value).toBe('-5.00');
      await expectUntouched();
    });

    it('duplicate rows point at the first occurrence', async () => {
      const e = await rejection(
        csv(HEADER, '2026-03-01,tiktok,A,C1,S,Ad,,10,100,1,0,0', '2026-03-01,tiktok,A,C1,S,Ad2,,10,100,1,0,0', '2026-03-01,TikTok,A,C1,S,Ad,,12,100,1,0,0'),
      );
      expect(rowErrors(e)).toEqual([{ line: 4, column: null, value: null, reason: 'duplicate row: same day and entity as line 2' }]);
      await expectUntouched();
    });

    it('a row with an unquoted comma has the wrong number of fields', async () => {
      const e = await rejection(csv(HEADER, '2026-03-01,tiktok,A,Camp, with comma,,,,10,100,1,0,0'));
      expect(rowErrors(e)[0]).toMatchObject({ line: 2, reason: 'has 13 fields but the header has 12 (a value with an unquoted comma?)' });
      await expectUntouched();
    });

    it('an unclosed quote stops the file with its line', async () => {
      const e = await rejection(csv(HEADER, '2026-03-01,tiktok,A,"Camp,,,,10,100,1,0,0'));
      expect(e.message).toMatch(/line 2/);
      await expectUntouched();
    });

    it('importing into an unknown client says how to add it', async () => {
      const e = await importCsv(db, csv(HEADER), 'x.csv', { clientSlug: 'nobody', now: NOW }).catch((x) => x);
      expect(e).toBeInstanceOf(AppError);
      expect(e.message).toBe(
        "client 'nobody' not found. Add it with: adbrain clients add nobody [--name \"…\"] [--timezone Area/City] [--currency USD]",
      );
    });
  });

  it('BOM, CRLF, quoted commas and quoted newlines are read correctly', async () => {
    const body = ['\ufeff' + HEADER, '2026-03-01,tiktok,"Acct, Inc.","Camp ""A""",,,,"1,234.00",100,1,0,0', '2026-03-02,tiktok,"Acct, Inc.","multi', 'line",,,,5,100,1,0,0', ''].join('\r\n');
    const s = await run(Buffer.from(body));
    expect(s).toMatchObject({ imported: 3 - 1, rejected: 0 });
    const names = (await db.prisma.entity.findMany({ where: { client: { slug: client } }, orderBy: { name: 'asc' } })).map((e) => e.name);
    expect(names).toEqual(['Acct, Inc.', 'Camp "A"', 'multi\r\nline']);
    // Line numbers keep counting physical lines after a multi-line value.
    const e = await rejection(Buffer.from([HEADER, '2026-03-01,tiktok,A,"two', 'lines",,,,1,1,1,0,0', '2026-03-01,tiktok,A,C,,,,-1,1,1,0,0'].join('\n')));
    expect(rowErrors(e)[0]!.line).toBe(4);
  });

  it('semicolon-separated files and UTF-16 exports are understood', async () => {
    const semi = await run(csv(HEADER.replace(/,/g, ';'), '2026-03-01;meta;A;C;;;;12,50;100;3;1;40,00'));
    expect(semi.imported).toBe(1);
    expect(await totals()).toMatchObject({ spend: 1250, revenue: 4000 });
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${HEADER}\n2026-03-02,meta,A,C,,,,1,1,1,0,0\n`, 'utf16le')]);
    expect((await run(utf16)).imported).toBe(1);
  });

  it('--skip-invalid imports the valid rows and stores the rejected ones on the ImportRun', async () => {
    const s = await run(
      csv(HEADER, '2026-03-01,tiktok,A,C,,,,10,100,1,0,0', '2026-03-02,tiktok,A,C,,,,-10,100,1,0,0', '2026-03-03,tiktok,A,C,,,,12,100,1,0,5'),
      // One row of three: more than 5 % of the rows, with a spend that cannot count.
      { skipInvalid: true, allowDrop: true },
    );
    expect(s).toMatchObject({ status: 'partial', rows: 3, imported: 2, rejected: 1, inserted: 2 });
    const r = await db.prisma.importRun.findUniqueOrThrow({ where: { id: s.importRunId! } });
    expect(r).toMatchObject({ status: 'partial', rowsRejected: 1, rowsImported: 2 });
    expect(r.rejected).toEqual([{ line: 3, column: 'spend', value: '-10', reason: 'spend cannot be negative' }]);
    expect(await metricCount()).toBe(2);
  });

  it('--skip-invalid refuses to drop more than 5 % of the spend unless --allow-drop; a few cheap bad rows still go', async () => {
    const good = Array.from({ length: 40 }, (_, i) => `2026-02-${String(1 + (i % 20)).padStart(2, '0')},meta,A,Big${i >> 4},,Ad ${i},,70.00,1000,20,1,90.00`);
    // Breakdown rows repeating an ad's day: duplicates that carry spend (an independent test kept 17 of 316 rows, $34.21 of $2,819.85, exit 0).
    const dup = Array.from({ length: 10 }, (_, i) => `2026-02-${String(1 + (i % 20)).padStart(2, '0')},meta,A,Big${i >> 4},,Ad ${i},,70.00,1000,20,1,90.00`);
    const e = await rejection(csv(HEADER, ...good, ...dup), { skipInvalid: true });
    expect(e.message).toMatch(/--skip-invalid would drop 20 % of the spend \(\$700\.00 of \$3,500\.00\), 10 of 50 rows; nothing was imported .*--allow-drop/);
    expect(await metricCount()).toBe(0);
    const allowed = await run(csv(HEADER, ...good, ...dup), { skipInvalid: true, allowDrop: true });
    expect(allowed).toMatchObject({ imported: 40, rejected: 10, status: 'partial' });
    // One bad row of $0.50 among $2,800 passes (under 5 % of the spend).
    const few = await run(csv(HEADER, ...good.slice(0, 39).map((l) => l.replace('Big', 'Few')), '2026-02-05,meta,A,Few,,Ad x,,0.50,10,1,0,oops'), { skipInvalid: true });
    expect(few).toMatchObject({ imported: 39, rejected: 1 });
  });

  it('a breakdown export (rows per age and gender) is refused with the way to read it, and --sum-rows adds the rows up per ad and day', async () => {
    const head = 'Campaign name,Ad set name,Ad name,Day,Age,Gender,Amount spent (USD),Impressions,Link clicks,Purchases,Purchases conversion value,Reporting starts,Reporting ends';
    const lines: string[] = [];
    let spend = 0, revenue = 0, clicks = 0;
    for (const day of ['2026-02-01', '2026-02-02']) {
      for (const ad of ['Ad A', 'Ad B']) {
        for (const [k, age] of ['18-24', '25-34', '35-44'].entries()) {
          for (const [g, gender] of ['female', 'male', 'unknown'].entries()) {
            const cents = 137 * (k + 1) + 53 * g + (ad === 'Ad B' ? 11 : 0);
            spend += cents;
            revenue += cents * 2;
            clicks += k + g;
            lines.push(`Spring,Broad,${ad},${day},${age},${gender},${(cents / 100).toFixed(2)},${100 * (k + 1)},${k + g},${g},${((cents * 2) / 100).toFixed(2)},${day},${day}`);
          }
        }
      }
    }
    const e = await rejection(csv(head, ...lines));
    expect(e.message).toMatch(/breakdown export .* --sum-rows adds them up/);
    const s = await run(csv(head, ...lines), { sumRows: true });
    expect(s).toMatchObject({ format: 'meta', imported: 36, rejected: 0, inserted: 4 });
    expect(await totals()).toEqual({ spend, revenue, clicks });
  });

  it('--set supplies a column the file lacks (a Meta breakdown without a campaign column), never one it has', async () => {
    const head = 'Ad set name,Ad name,Day,Amount spent (USD),Impressions,Link clicks,Purchases,Purchases conversion value,Reporting starts,Reporting ends';
    const rows = ['Broad,Ad A,2026-02-03,12.50,1000,20,1,40.00,2026-02-03,2026-02-03', 'Broad,Ad B,2026-02-03,7.50,800,10,0,0,2026-02-03,2026-02-03'];
    expect((await rejection(csv(head, ...rows))).message).toMatch(/missing .*campaign/);
    const s = await run(csv(head, ...rows), { set: { campaign: 'Spring sale', account: 'Main' } });
    expect(s).toMatchObject({ format: 'meta', imported: 2 });
    const c = await db.prisma.entity.findFirstOrThrow({ where: { client: { slug: client }, kind: 'campaign' }, include: { parent: true } });
    expect([c.name, c.parent?.name]).toEqual(['Spring sale', 'Main']);
    expect(await totals()).toEqual({ spend: 2000, revenue: 4000, clicks: 30 });
    expect((await rejection(csv(HEADER, '2026-02-03,meta,A,C,,,,1,1,1,0,0'), { set: { campaign: 'X' } })).message).toMatch(/--set campaign=…: the file has a campaign column/);
  });

  it('two spellings of one campaign are pointed out in the import summary', async () => {
    const s = await run(csv(HEADER, '2026-02-03,google,Acc,Data analytics,,,,10,100,5,1,20', '2026-02-03,google,Acc,DataAnalytics,,,,12,100,5,1,90', '2026-02-03,google,Acc,Display,,,,5,100,5,1,9', '2026-02-03,meta,Acc,Data-Analytics,,,,5,100,5,1,9'));
    expect(s.similarNames).toEqual([{ platform: 'google', names: ['Data analytics', 'DataAnalytics'] }]);
  });

  it('a link shared by two ads on one day is one entity whose day is the sum', async () => {
    const s = await run(csv(HEADER, '2026-03-01,tiktok,A,C,S,Ad1,https://l/1,10,100,2,1,30', '2026-03-01,tiktok,A,C,S,Ad2,https://l/1,5,50,1,0,0'));
    expect(s).toMatchObject({ imported: 2, inserted: 1 });
    const links = await db.prisma.entity.findMany({ where: { client: { slug: client }, kind: 'link' }, include: { metrics: true } });
    expect(links).toHaveLength(1);
    expect(Number(links[0]!.metrics[0]!.spendCents)).toBe(1500);
  });

  it('a file parsed in the worker thread imports exactly what the main thread would, errors included', async () => {
    const rows = [HEADER];
    for (let i = 0; i < 3000; i++) rows.push(`2026-03-0${1 + (i % 9)},meta,A,C ${i % 7},S,Ad ${Math.floor(i / 9)},${i % 5 ? '' : `https://l/${i % 3}`},${(i % 97) + 0.5},100,2,${i % 4},${i % 13}.25`);
    const good = csv(...rows);
    const inWorker = await run(good, { offThread: true });
    const other = `${client}-main`;
    await addClient(db.prisma, { slug: other, timezone: 'America/New_York', currency: 'USD' });
    const inThread = await importCsv(db, good, 'file.csv', { clientSlug: other, now: NOW, offThread: false });
    const { importRunId: _a, client: _c, ...w } = inWorker;
    const { importRunId: _b, client: _d, ...t } = inThread;
    expect(w).toEqual(t);
    expect(await totals()).toEqual(await totals(other));
    expect(await metricCount()).toBe(await metricCount(other));

    const bad = csv(HEADER, '2026-03-01,meta,A,C,,,,-1,1,1,0,0', 'x'.repeat(10), '2026-13-01,meta,A,C,,,,1,1,1,0,0');
    const [ew, et] = [await rejection(bad, { offThread: true }), await rejection(bad, { offThread: false })];
    expect(ew.code).toBe('invalid_input');
    expect(ew.message).toBe(et.message);
    expect(ew.details).toEqual(et.details);
    expect((await rejection(Buffer.from('only,a,header'), { offThread: true })).message).toMatch(/could not recognise the columns/);
  });

  it('never guesses the day order: a date that reads both ways is settled only when the file leaves one reading, else refused by line; --date-format decides', async () => {
    // "/" dates of both orders: each unambiguous one reads its only way; 03/01 can only be 1 March near 25–26 February.
    const mixed = csv(HEADER, '02/25/2026,meta,A,C,,,,1,1,1,0,0', '03/01/2026,meta,A,C,,,,1,1,1,0,0', '26/02/2026,meta,A,C,,,,1,1,1,0,0');
    const s = await run(mixed);
    expect(s).toMatchObject({ imported: 3, dateFormat: 'MM/DD/YYYY and DD/MM/YYYY', dateFrom: '2026-02-25', dateTo: '2026-03-01' });
    expect(s.dateNotes.join('\n')).toMatch(/"\/" are both month-first \(line 2: 02\/25\/2026\) and day-first \(line 4: 26\/02\/2026\)/);
    expect(s.dateNotes.join('\n')).toMatch(/line 3: 03\/01\/2026 → 2026-03-01 \(not 2026-01-03\)/);

    // 02/03 is 3 February or 2 March, both near the others: that line is refused, by number, never guessed.
    const unsettled = csv(HEADER, '02/25/2026,meta,A,C5,,,,1,1,1,0,0', '02/03/2026,meta,A,C5,,,,1,1,1,0,0', '26/02/2026,meta,A,C5,,,,1,1,1,0,0');
    const e = await rejection(unsettled);
    expect(rowErrors(e)).toEqual([expect.objectContaining({ line: 3, column: 'date', value: '02/03/2026', reason: expect.stringMatching(/could be 2026-02-03 or 2026-03-02/) })]);
    expect(await metricCount()).toBe(3); // the first file's rows only

    // With the order given, the row that contradicts it is a row error, never a silent other date.
    const mdy = await run(mixed, { dateFormat: 'mdy', skipInvalid: true, allowDrop: true });
    expect(mdy).toMatchObject({ imported: 2, rejected: 1, dateFormat: 'MM/DD/YYYY', dateFrom: '2026-02-25', dateTo: '2026-03-01' });
    expect(mdy.errors[0]).toMatchObject({ line: 4, column: 'date', reason: expect.stringMatching(/26\/02\/2026 is day-first, but --date-format says month-first/) });

    const ambiguous = csv(HEADER, '03/02/2026,meta,A,C2,,,,1,1,1,0,0', '02/03/2026,meta,A,C2,,,,2,1,1,0,0');
    expect((await rejection(ambiguous)).message).toMatch(/every date could be month-first or day-first \(line 2: 03\/02\/2026\).*--date-format mdy \(MM\/DD\/YYYY\) or dmy/);
    const dmy = await run(ambiguous, { dateFormat: 'dmy' });
    expect(dmy).toMatchObject({ dateFormat: 'DD/MM/YYYY', dateFrom: '2026-02-03', dateTo: '2026-03-02' });
    expect((await run(csv(HEADER, '2026-03-05,meta,A,C3,,,,1,1,1,0,0'))).dateFormat).toBe('YYYY-MM-DD');
  });

  it('many rows failing for one reason are one group with line ranges', async () => {
    const rows = [HEADER, '2026-03-01,meta,A,C,,,,1,1,1,0,0'];
    for (let i = 0; i < 299; i++) rows.push('2026-03-01,meta,A,C,,,,1,1,1,0,0');
    rows.push('2026-03-02,meta,A,C,,,,-4,1,1,0,0', '2026-03-03,meta,A,C,,,,-5,1,1,0,0', '2026-03-04,meta,A,C,,,,1,x,1,0,0');
    const e = await rejection(csv(...rows));
    const d = e.details as ImportSummary;
    expect(d.errorsTotal).toBe(302);
    expect(d.errors).toHaveLength(100);
    expect(d.errorGroups).toEqual([
      { column: null, reason: 'duplicate row: same day and entity as an earlier line', count: 299, lines: '3–301', example: null },
      { column: 'spend', reason: 'spend cannot be negative', count: 2, lines: '302–303', example: '-4' },
      { column: 'impressions', reason: 'impressions is not a number', count: 1, lines: '304', example: 'x' },
    ]);
  });

  const fixture = (name: string) => readFileSync(path.join('test/fixtures/exports', name));
  const NOV = new Date('2026-11-20T12:00:00Z');

  it('reads a Google Ads report: title lines, thousands separators, "--", total rows, currency code', async () => {
    const s = await run(fixture('google-ads-campaigns.csv'), { now: NOV }, 'google-ads-campaigns.csv');
    expect(s).toMatchObject({ format: 'google', rows: 6, imported: 6, skippedSummaryRows: 2, dateFrom: '2026-11-01', dateTo: '2026-11-03', dateFormat: 'YYYY-MM-DD' });
    // Independent sums of the file's rows (the total rows say the same).
    expect(await totals()).toEqual({ spend: 421555, revenue: 1269955, clicks: 2796 });
    const sets = await db.prisma.entity.findMany({ where: { client: { slug: client }, kind: 'adset' }, select: { name: true, platform: true } });
    expect(sets.map((e) => e.name).sort()).toEqual(['Brand terms', 'Running shoes']);
    expect(new Set(sets.map((e) => e.platform))).toEqual(new Set(['google']));
    // The UI's "CSV for Excel" download: UTF-16 with a byte-order mark, tab-separated, CRLF. Same file, same rows.
    const text = fixture('google-ads-campaigns.csv').toString();
    const rows = Papa.parse<string[]>(text.trim()).data;
    const excel = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(rows.map((r) => r.join('\t')).join('\r\n') + '\r\n', 'utf16le')]);
    expect(await run(excel, { now: NOV }, 'excel.csv')).toMatchObject({ format: 'google', imported: 6, skippedSummaryRows: 2, unchanged: 6 });
  });

  it('knows common synonyms (campaign_name, amount_spent, purchases, purchase_value) and needs no account column', async () => {
    const s = await run(fixture('snake-case-export.csv'), { now: NOV });
    expect(s).toMatchObject({ format: 'generic', imported: 2 });
    expect(await totals()).toEqual({ spend: 23050, revenue: 90000, clicks: 468 });
    const account = await db.prisma.entity.findFirstOrThrow({ where: { client: { slug: client }, kind: 'account' } });
    expect(account).toMatchObject({ platform: 'meta', externalId: 'default', name: 'Meta account' });
  });

  it('maps any headers (--map), remembers the mapping for the client and uses it on the next file', async () => {
    const german = fixture('german-mapped.csv');
    expect((await rejection(german, { now: NOV })).message).toMatch(/could not recognise the columns \("Datum", "Kanal", "Kampagne"/);
    const map = { date: 'Datum', platform: 'Kanal', campaign: 'Kampagne', spend: 'Kosten', impressions: 'Impressionen', clicks: 'Klicks', conversions: 'Käufe', revenue: 'Umsatz' } as const;
    const first = await run(german, { choices: { map }, now: NOV });
    expect(first).toMatchObject({ imported: 2, dateFormat: 'DD.MM.YYYY', columns: { map, from: 'given' } });
    expect(await totals()).toEqual({ spend: 233450, revenue: 440000, clicks: 580 });
    const next = await run(Buffer.from(german.toString().replace(/01\.11\.2026/, '03.11.2026')), { now: NOV });
    expect(next).toMatchObject({ inserted: 1, unchanged: 1, columns: { from: 'saved' } });
    expect((await rejection(german, { choices: { map: { ...map, spend: 'Cost' } }, now: NOV })).message).toMatch(/--map spend=Cost: the file has no column "Cost"/);
  });

  it('a generic lead-gen file without revenue keeps its platform and its leads (it was stored as TikTok without either)', async () => {
    const s = await run(csv('date,platform,campaign,ad group,spend,impressions,clicks,leads', '2026-03-01,google,Brand Search,Exact,120.50,4000,210,12', '2026-03-01,google,Generic,Broad,80.00,6000,150,4'));
    expect(s).toMatchObject({ imported: 2, format: 'generic' });
    expect(s.unknown.revenue).toBe(2);
    expect(s.unknown.conversions).toBe(0);
    const rows = await db.sql.query<{ platform: string; conv: number; rev: number | null }>(
      `SELECT e.platform::text, m.conversions::float8 AS conv, m.revenue_cents::float8 AS rev FROM daily_metric m JOIN entity e ON e.id = m.entity_id JOIN client c ON c.id = e.client_id WHERE c.slug = $1 ORDER BY m.conversions`, [client]);
    expect(rows).toEqual([{ platform: 'google', conv: 4, rev: null }, { platform: 'google', conv: 12, rev: null }]);
  });

  it('--map adds to detection: mapping a column the Meta format knows keeps the file a Meta export; an unrecognised file is told what its closest format lacks', async () => {
    const e = await rejection(csv('Day,Campaign name,Ad group name,Spend in USD,Impr', '2026-03-01,c,a,1,2'));
    expect(e.message).toMatch(/Closest: a .*, missing .*spend/);
    const file = fixture('meta-leadgen-no-revenue.csv');
    const plain = await run(file, { now: NOV });
    const mapped = await run(file, { choices: { map: { spend: 'Amount spent (USD)' } }, now: NOV });
    expect(mapped).toMatchObject({ format: 'meta', imported: plain.imported });
  });

  it('--conversions picks the column that counts, and is remembered for the client', async () => {
    await db.prisma.client.update({ where: { slug: client }, data: { currency: 'EUR' } });
    const file = fixture('meta-results-leads.csv');
    const conv = async () => (await db.sql.query<{ n: number }>(`SELECT sum(conversions)::float8 AS n FROM daily_metric m JOIN entity e ON e.id = m.entity_id JOIN client c ON c.id = e.client_id WHERE c.slug = $1`, [client]))[0]!.n;
    await run(file, { now: NOV });
    expect(await conv()).toBe(17); // "Leads" wins over Meta's "Results" by default
    // "Results" counts whatever each ad set optimises for: leads for one ad, link clicks for the other.
    // The result indicator says which: link clicks are not conversions, so that row's are unknown.
    const results = await run(file, { choices: { conversions: 'results' }, now: NOV });
    expect(results.unknown.conversions).toBe(1);
    expect(await conv()).toBe(12);
    const again = await run(file, { now: NOV });
    expect(again.columns).toEqual({ conversions: 'results', from: 'saved' });
    expect(await conv()).toBe(12);
    expect((await rejection(file, { choices: { conversions: 'purchases' }, now: NOV })).message).toMatch(/--conversions purchases: no such column .* Conversion columns in this file: "Results", "Leads"/);
  });

  it('ad names repeated under different ad sets stay separate ads', async () => {
    await run(csv(HEADER, '2026-03-01,meta,A,C,Set 1,Ad 1,,10,100,2,1,30', '2026-03-01,meta,A,C,Set 2,Ad 1,,5,50,1,0,0'));
    expect(await db.prisma.entity.count({ where: { client: { slug: client }, kind: 'ad' } })).toBe(2);
  });
});
