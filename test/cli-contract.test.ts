// What scripts can rely on from the `adbrain` binary: results on stdout, diagnostics
// on stderr; with --json exactly one JSON document on stdout, errors included, as
// { error: { code, message, details } }; exit 0 ok, 1 failure, 2 bad input; no stack
// trace; errors in the words the user typed (flags, close
// names); and `links list` with the last 7 days of every link.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.ts';

let cwd = '';
const adbrain = cli(() => cwd, () => ({ ADBRAIN_ENCRYPTION_KEY: 'k'.repeat(43) }));
const noStack = (s: string) => expect(s).not.toMatch(/^\s+at /m);
/** stdout is exactly one JSON document. */
const one = (out: string) => {
  expect(out.trim().length).toBeGreaterThan(0);
  return JSON.parse(out);
};

describe('the CLI contract', { timeout: 180_000 }, () => {
  beforeAll(async () => {
    cwd = await mkdtemp(path.join(tmpdir(), 'adbrain-contract-'));
    const header = 'date,platform,account,campaign,ad,spend,impressions,clicks,conversions,revenue';
    const rows: string[] = [];
    for (let d = 1; d <= 8; d++) {
      const day = `2026-03-0${d}`;
      rows.push(`${day},meta,A,Spring,Burner 1639-SC7,20.00,1000,30,1,5.00`);
      rows.push(`${day},meta,A,Spring,Winner 1639-SC8,10.00,1000,30,2,50.00`);
    }
    await writeFile(path.join(cwd, 'm.csv'), `${header}\n${rows.join('\n')}\n`);
    expect((await adbrain(['clients', 'add', 'shop', '--currency', 'USD'])).code).toBe(0);
    expect((await adbrain(['import', 'm.csv', '--client', 'shop'])).code).toBe(0);
  });

  it('--version answers the package version on stdout; --help the command list', async () => {
    const v = await adbrain(['--version']);
    expect([v.code, v.out.trim(), v.err]).toEqual([0, JSON.parse(readFileSync('package.json', 'utf8')).version, '']);
    const h = await adbrain(['--help']);
    expect(h.code).toBe(0);
    for (const c of ['clients', 'links', 'import', 'run', 'serve', 'campaigns']) expect(h.out).toMatch(new RegExp(`^  ${c}\\b`, 'm'));
  });

  it('with --json: one document on stdout for results and for every kind of error, with the exit code', async () => {
    for (const args of [['clients', 'list'], ['agencies', 'list'], ['db', 'status'], ['insights', 'list'], ['links', 'list', '--client', 'shop', '--as-of', '2026-03-08']]) {
      const r = await adbrain([...args, '--json']);
      expect(r.code, `${args.join(' ')}: ${r.err}`).toBe(0);
      one(r.out);
    }
    const cases: [string[], number, string, RegExp][] = [
      [['clinets', 'list'], 2, 'invalid_input', /unknown command 'clinets'[\s\S]*clients/],
      [['clients', 'list', '--agnecy', 'x'], 2, 'invalid_input', /unknown option '--agnecy'[\s\S]*--agency/],
      [['clients', 'update', 'shop', '--burn-roi', 'abc'], 2, 'invalid_input', /--burn-roi <roi>' argument 'abc' is invalid\. must be a number like -0\.5/],
      [['clients', 'update', 'shop', '--report-hour', '25'], 2, 'invalid_input', /invalid client settings/],
      [['insights', 'list', '--client', 'nope'], 2, 'not_found', /client 'nope' not found/],
      [['links', 'kill', '1639-sc9', '--client', 'shop'], 2, 'not_found', /did you mean "(Burner|Winner) 1639-SC[78]" or "(Burner|Winner) 1639-SC[78]"\?/],
    ];
    for (const [args, code, errCode, message] of cases) {
      const r = await adbrain([...args, '--json']);
      expect(r.code, args.join(' ')).toBe(code);
      const doc = one(r.out);
      expect(Object.keys(doc)).toEqual(['error']);
      expect(doc.error).toMatchObject({ code: errCode, message: expect.stringMatching(message) });
      expect(Object.keys(doc.error).sort()).toEqual(['code', 'details', 'message']);
      noStack(r.err);
    }
    // Validation errors name the flags, not the fields behind them.
    const hour = one((await adbrain(['clients', 'update', 'shop', '--report-hour', '25', '--json'])).out);
    expect(hour.error.details).toEqual([expect.objectContaining({ path: '--report-hour' })]);
    const dest = one((await adbrain(['campaigns', 'create', 'Reel', '--client', 'shop', '--destination', 'not-a-url', '--json'])).out);
    expect(dest.error.details).toEqual([expect.objectContaining({ path: '--destination' })]);
    const tz = await adbrain(['clients', 'add', 'other', '--timezone', 'Mars/Base']);
    expect([tz.code, tz.err]).toEqual([2, expect.stringMatching(/--timezone: unknown IANA timezone/)]);
    // A failure that is not the user's: exit 1, still one document.
    const down = await adbrain(['clients', 'list', '--json'], { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
    expect(down.code).toBe(1);
    expect(one(down.out).error.code).toBe('database');
  });

  it('without --json: nothing on stdout when it fails, one clear line on stderr, no stack trace', async () => {
    const bad = await adbrain(['clients', 'update', 'shop', '--report-hour', '25']);
    expect([bad.code, bad.out]).toEqual([2, '']);
    expect(bad.err).toMatch(/^error: invalid client settings\n {2}--report-hour: /);
    const kill = await adbrain(['links', 'kill', 'Burner 1639-SC', '--client', 'shop']);
    expect(kill.err).toMatch(/did you mean "Burner 1639-SC7"/);
    const down = await adbrain(['clients', 'list'], { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
    expect([down.code, down.out]).toEqual([1, '']);
    noStack(down.err);
    // Results on stdout, nothing else said.
    const list = await adbrain(['clients', 'list']);
    expect(list.out).toMatch(/^SLUG/);
    expect(list.err).toBe('');
  });

  it('links list: every link with its 7 days of spend, revenue, profit and ROI, sortable, and the kill list', async () => {
    const r = one((await adbrain(['links', 'list', '--client', 'shop', '--as-of', '2026-03-08', '--sort', 'profit', '--json'])).out);
    expect(r).toMatchObject({ client: 'shop', from: '2026-03-02', to: '2026-03-08', currency: 'USD' });
    // 7 days: the burner spent $140 for $35 (ROI −75 %), the winner $70 for $350 (+400 %). Worst profit first.
    expect(r.links.map((l: any) => [l.name, l.spendCents, l.revenueCents, l.profitCents, l.roi, l.verdict])).toEqual([
      ['Burner 1639-SC7', 14_000, 3_500, -10_500, -0.75, 'burning'],
      ['Winner 1639-SC8', 7_000, 35_000, 28_000, 4, 'winner'],
    ]);
    const byRoi = one((await adbrain(['links', 'list', '--client', 'shop', '--as-of', '2026-03-08', '--sort', 'roi', '--json'])).out);
    expect(byRoi.links[0].name).toBe('Burner 1639-SC7');
    const bySpend = one((await adbrain(['links', 'list', '--client', 'shop', '--as-of', '2026-03-08', '--json'])).out);
    expect(bySpend.links[0].name).toBe('Burner 1639-SC7');
    const byRevenue = one((await adbrain(['links', 'list', '--client', 'shop', '--as-of', '2026-03-08', '--sort', 'revenue', '--json'])).out);
    expect(byRevenue.links[0].name).toBe('Winner 1639-SC8');
    expect((await adbrain(['links', 'kill', 'Burner 1639-SC7', '--client', 'shop'])).code).toBe(0);
    const killed = one((await adbrain(['links', 'list', '--client', 'shop', '--as-of', '2026-03-08', '--killed', '--json'])).out);
    expect(killed.links.map((l: any) => [l.name, l.killed, l.verdict])).toEqual([['Burner 1639-SC7', true, null]]);
    const text = await adbrain(['links', 'list', '--client', 'shop', '--as-of', '2026-03-08']);
    expect(text.out).toMatch(/^KIND\s+NAME\s+SPEND\s+REVENUE\s+PROFIT\s+ROI\s+VERDICT/);
    expect(text.out).toMatch(/Winner 1639-SC8\s+\$70\.00\s+\$350\.00\s+\$280\.00\s+400%\s+winner/);
  });
});
