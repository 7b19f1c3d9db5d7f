// A Google-Ads-sales-shaped export: month-first dates written with "/", day-first
// with "-", a few day-first dates written with "/" ("5/11/2024" among November's
// "11/16/2024"), revenue "NA" on some rows. Made by its own generator (not the demo's),
// with the truth per row kept: every row must land on its true day or be refused by
// line — never a silent misdate, whatever --date-format says.
import { describe, expect, it } from 'vitest';
import { AppError } from '../src/errors.ts';
import type { ImportSummary } from '../src/import/import-csv.ts';
import { importPerClient } from './helpers/import-into.ts';

const NOW = new Date('2026-03-10T12:00:00Z');
const HEADER = 'date,platform,campaign,spend,impressions,clicks,conversions,revenue';

interface Row {
  line: number;
  raw: string;
  day: string; // the true day
  spendCents: number;
}

/** Park–Miller: a generator of its own, not the demo's. */
function lcg(seed: number) {
  let s = seed % 2147483647;
  return () => (s = (s * 48271) % 2147483647) / 2147483647;
}

function googleSalesFile(seed: number) {
  const r = lcg(seed);
  const lines = [HEADER];
  const rows: Row[] = [];
  for (let d = 1; d <= 30; d++) {
    for (const campaign of ['Data analytics', 'Brand search', 'Display remarketing']) {
      const dd = String(d).padStart(2, '0');
      // Day-first with "/" on a few early-month rows of one campaign, as in the real file.
      const odd = campaign === 'Brand search' && d >= 3 && d <= 7 && r() < 0.7;
      const raw = odd ? `${d}/11/2024` : r() < 0.6 ? `11/${d}/2024` : `${dd}-11-2024`;
      const spendCents = 500 + Math.floor(r() * 40_000);
      const clicks = Math.floor(r() * 300);
      const revenue = r() < 0.3 ? 'NA' : (Math.floor(r() * 90_000) / 100).toFixed(2);
      lines.push(`${raw},google,${campaign},${(spendCents / 100).toFixed(2)},${clicks * 20},${clicks},${Math.floor(clicks / 30)},${revenue}`);
      rows.push({ line: lines.length, raw, day: `2024-11-${dd}`, spendCents });
    }
  }
  return { content: Buffer.from(lines.join('\n') + '\n'), rows };
}

describe('a/b/yyyy dates read per separator', () => {
  const { state, run } = importPerClient('gsales', 'google-sales.csv', { now: NOW, timezone: 'America/New_York' });

  async function spendByDay(slug: string): Promise<Record<string, number>> {
    const rows = await state.db.sql.query<{ date: string; spend: number }>(
      `SELECT to_char(m.date, 'YYYY-MM-DD') AS date, sum(m.spend_cents)::float8 AS spend
         FROM daily_metric m JOIN entity e ON e.id = m.entity_id JOIN client c ON c.id = e.client_id
        WHERE c.slug = $1 GROUP BY 1`,
      [slug],
    );
    return Object.fromEntries(rows.map((x) => [x.date, x.spend]));
  }

  const truthByDay = (rows: Row[]) => {
    const out: Record<string, number> = {};
    for (const x of rows) out[x.day] = (out[x.day] ?? 0) + x.spendCents;
    return out;
  };

  for (const seed of [7, 1234, 99_001]) {
    it(`auto: every row on its true day or refused by line (seed ${seed})`, async () => {
      const { content, rows } = googleSalesFile(seed);
      const odd = rows.filter((x) => !x.raw.startsWith('11/') && x.raw.includes('/'));
      expect(odd.length).toBeGreaterThan(0);
      // "11/12/2024" is 12 November or 11 December — both near the file's other dates, in a "/" that carries both orders.
      const unsettled = rows.filter((x) => x.raw === '11/12/2024');

      const strict = await run(content);
      if (unsettled.length === 0) {
        expect(strict.result).not.toBeInstanceOf(Error);
      } else {
        expect(strict.result).toBeInstanceOf(AppError);
        const errs = ((strict.result as AppError).details as ImportSummary).errors;
        expect(errs.map((e) => e.line)).toEqual(unsettled.map((x) => x.line));
        for (const e of errs) expect(e.reason).toMatch(/could be 2024-11-12 or 2024-12-11/);
        expect(await spendByDay(strict.clientSlug)).toEqual({});
      }

      const { clientSlug, result } = await run(content, { skipInvalid: true });
      const s = result as ImportSummary;
      expect(s).toMatchObject({ imported: rows.length - unsettled.length, rejected: unsettled.length, dateFrom: '2024-11-01', dateTo: '2024-11-30' });
      expect(s.dateFormat).toBe('MM/DD/YYYY and DD/MM/YYYY, DD-MM-YYYY');
      const notes = s.dateNotes.join('\n');
      expect(notes).toContain(`line ${odd[0]!.line}: ${odd[0]!.raw} is near the file's other dates only day-first`);
      const kept = rows.filter((x) => !unsettled.includes(x));
      expect(await spendByDay(clientSlug)).toEqual(truthByDay(kept));
    });
  }

  it('an explicit order never misdates: rows it contradicts (by their own digits, their separator, or a reading far from the rest) are errors', async () => {
    const { content, rows } = googleSalesFile(7);
    const mdy = await run(content, { dateFormat: 'mdy', skipInvalid: true, allowDrop: true });
    const s = mdy.result as ImportSummary;
    const dashed = rows.filter((x) => x.raw.includes('-'));
    const odd = rows.filter((x) => !x.raw.startsWith('11/') && x.raw.includes('/'));
    const refused = new Set([...dashed, ...odd].map((x) => x.line));
    expect(s.errors.map((e) => e.line).sort((a, b) => a - b)).toEqual([...refused].sort((a, b) => a - b));
    const reasons = s.errorGroups.map((g) => g.reason).join('\n');
    expect(reasons).toMatch(/is day-first, but --date-format says month-first for dates written with "-"/);
    expect(reasons).toMatch(/would be month-first by --date-format, but dates written with "-" in this file are day-first/);
    expect(reasons).toMatch(/read month-first is 2024-0\d-11, more than 31 days from every other date in the file; day-first it would be 2024-11-0\d/);
    expect(await spendByDay(mdy.clientSlug)).toEqual(truthByDay(rows.filter((x) => !refused.has(x.line))));

    // Per separator: every row is read, except a day-first date written with "/", which the order put months away.
    const per = await run(content, { dateFormat: { '/': 'mdy', '-': 'dmy' }, skipInvalid: true, allowDrop: true });
    const p = per.result as ImportSummary;
    expect(p.errors.map((e) => e.line)).toEqual(odd.map((x) => x.line));
    expect(p.dateFormat).toBe('MM/DD/YYYY, DD-MM-YYYY');
    expect(await spendByDay(per.clientSlug)).toEqual(truthByDay(rows.filter((x) => !odd.includes(x))));
  });

  it('dates late in the file that change how early ones read are honoured (the file is read again)', async () => {
    // 5,000 rows whose "-" dates read both ways, then one that shows "-" is day-first.
    const lines = [HEADER];
    for (let i = 0; i < 5000; i++) lines.push(`03-11-2024,google,Campaign ${i},1.00,10,1,0,NA`);
    lines.push('16-11-2024,google,Campaign 0,2.00,10,1,0,NA');
    const { clientSlug, result } = await run(Buffer.from(lines.join('\n') + '\n'));
    expect(result).toMatchObject({ imported: 5001, dateFrom: '2024-11-03', dateTo: '2024-11-16', dateFormat: 'DD-MM-YYYY' });
    expect(await spendByDay(clientSlug)).toEqual({ '2024-11-03': 500_000, '2024-11-16': 200 });
  });

  it('--date-format takes one order or one per separator, and names what is wrong', async () => {
    const { parseDateFormat } = await import('../src/import/date-plan.ts');
    expect(parseDateFormat('/=mdy, -=dmy')).toEqual({ ok: true, value: { '/': 'mdy', '-': 'dmy' } });
    expect(parseDateFormat('DMY')).toEqual({ ok: true, value: 'dmy' });
    expect(parseDateFormat('/=ymd')).toMatchObject({ ok: false, reason: expect.stringMatching(/"\/=ymd" is not an order/) });
  });
});
