// Hostile input, generated: thousands of CSV uploads and API requests built from a
// seeded generator (the seed is in every failure message). Each must answer
// without a 5xx, with the error shape and a bounded body, and a failed call must
// write nothing. Bounded in time: it stops at its count or its time budget.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import { apiDeps } from '../src/api/server.ts';
import { loadConfig } from '../src/config.ts';
import { Rng } from '../src/demo/random.ts';
import { addAgency } from '../src/domain/agencies.ts';
import { createApiKey } from '../src/domain/api-keys.ts';
import { addClient } from '../src/domain/clients.ts';
import { importCsv } from '../src/import/import-csv.ts';
import { dbKinds, freshDb, type TestDb } from './helpers/db.ts';
import { TEST_NOW } from './helpers/cli.ts';

const NOW = new Date('2026-11-24T12:00:00Z');
const HEADER = ['date', 'platform', 'account', 'campaign', 'adset', 'ad', 'link', 'spend', 'impressions', 'clicks', 'conversions', 'revenue'];
const SEED = Number(process.env.FUZZ_SEED ?? 20261201);

/** A valid row, then mutations: the generator's vocabulary of what real and hostile files contain. */
function baseRow(r: Rng, i: number): string[] {
  return [`2026-11-${String(r.int(1, 23)).padStart(2, '0')}`, r.pick(['meta', 'tiktok', 'google']), 'Acc', `Camp ${i % 5}`, `Set ${i % 3}`, `Ad ${i}`, r.next() < 0.3 ? `https://t.example/l/${i % 4}` : '',
    (r.int(0, 90000) / 100).toFixed(2), String(r.int(0, 99999)), String(r.int(0, 999)), String(r.int(0, 30)), (r.int(0, 300000) / 100).toFixed(2)];
}
const HOSTILE_CELLS = (r: Rng): string[] => [
  'a\u0000b', '\u0000', 'x'.repeat(r.int(501, 3000)), 'é'.repeat(r.int(300, 1500)), '日本語'.repeat(r.int(100, 900)),
  '1e10', '99999999999', '9'.repeat(40), '-5', '(12.00)', 'NaN', 'Infinity', '1,2,3', '12..5', '€1.234,56', '$-0', '0x1F',
  '0000-00-00', '2026-02-31', '9999-12-31', '1999-12-31', '13/45/2026', '2026-13-45', '31.02.2026', 'yesterday', '',
  '"', '""', '=cmd|\' /C calc\'!A0', '<script>alert(1)</script>', '\u202eevil', 'Robert\'); DROP TABLE entity;--', '\r', '\n',
  'https://' + 'a'.repeat(r.int(2000, 5000)),
];
function mutateCell(r: Rng, row: string[]) {
  row[r.int(0, row.length - 1)] = r.pick(HOSTILE_CELLS(r));
}
function quote(c: string) {
  return /[",\r\n;]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c;
}

function generateFile(r: Rng): Buffer {
  const kind = r.int(0, 11);
  if (kind === 0) return Buffer.from(Array.from({ length: r.int(0, 4000) }, () => r.int(0, 255))); // binary noise
  if (kind === 1) return Buffer.from(''); // empty
  if (kind === 2) return Buffer.from(HEADER.join(',') + '\n'); // header only
  if (kind === 3) return Buffer.from(HEADER.map(() => 'h'.repeat(r.int(1, 5000))).join(',')); // odd header
  const rows = Array.from({ length: r.int(1, 40) }, (_, i) => baseRow(r, i));
  const mutations = kind === 4 ? 0 : r.int(1, 4);
  for (let m = 0; m < mutations; m++) mutateCell(r, r.pick(rows));
  if (kind === 5) rows.push(rows[0]!.slice()); // duplicate row
  if (kind === 6) r.pick(rows).pop(); // short row
  if (kind === 7) r.pick(rows).push('extra');
  const sep = kind === 8 ? ';' : ',';
  const eol = r.next() < 0.3 ? '\r\n' : '\n';
  let text = [HEADER.join(sep), ...rows.map((row) => row.map(quote).join(sep))].join(eol);
  if (kind === 9) text = text.slice(0, r.int(1, text.length)) + '"unclosed'; // cut mid-quote
  let buf = Buffer.from(text);
  if (kind === 10) buf = Buffer.concat([buf.subarray(0, r.int(0, buf.length)), Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xa0, 0xa1]), buf.subarray(r.int(0, buf.length))]); // invalid UTF-8
  if (kind === 11) buf = r.next() < 0.5 ? Buffer.from(text, 'utf16le') : Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le')]); // UTF-16 without BOM / wrong BOM
  return buf;
}

function badDay(r: Rng): string {
  return r.pick(['0000-00-00', '2026-02-31', '9999-12-31', '2026-10-01', '2026-13-45', '1999-12-31', '2027-01-01', '2026-11-24', '20261101', 'x', '', '2026-11-2', '2026-1-01', '2026-11-22T00:00:00Z', '٢٠٢٦-١١-٠١', '2026-11-01\u0000']);
}

describe.each(dbKinds)('fuzzing on %s', (kind) => {
  let db: TestDb;
  let app: ReturnType<typeof createApp>;
  let auth: Record<string, string>;
  let clientId: string;
  const budget = kind === 'pglite' ? { files: 1500, requests: 1500, ms: 75_000 } : { files: 400, requests: 400, ms: 30_000 };

  beforeAll(async () => {
    db = await freshDb(kind);
    const agency = await addAgency(db.prisma, { slug: 'fz', name: 'Fuzz' });
    auth = { authorization: `Bearer ${(await createApiKey(db.prisma, agency.id, { role: 'admin' })).key}` };
    clientId = (await addClient(db.prisma, { slug: 'fuzz', agency: 'fz', timezone: 'UTC' })).id;
    const r = new Rng(1);
    const good = [HEADER.join(','), ...Array.from({ length: 60 }, (_, i) => baseRow(r, i).join(','))].join('\n');
    await importCsv(db, Buffer.from(good), 'seed.csv', { clientSlug: 'fuzz', now: NOW });
    app = createApp(apiDeps(db, loadConfig({}), () => NOW), { rateLimit: 1_000_000, authFailureLimit: 1_000_000 });
  }, 120_000);
  afterAll(async () => db?.destroy());

  const footprint = async () =>
    (await db.sql.query<Record<string, number>>(
      `SELECT (SELECT count(*) FROM daily_metric)::int AS metrics, (SELECT count(*) FROM import_run)::int AS runs,
              (SELECT count(*) FROM entity)::int AS entities, (SELECT count(*) FROM analysis_run)::int AS analyses,
              (SELECT count(*) FROM insight)::int AS insights, (SELECT coalesce(sum(spend_cents), 0)::float8 FROM daily_metric) AS spend`,
    ))[0]!;

  it('CSV uploads: never a 5xx, bounded error bodies, nothing written when refused', { timeout: 180_000 }, async () => {
    const r = new Rng(SEED);
    const t0 = Date.now();
    let n = 0;
    const statuses = new Map<number, number>();
    for (; n < budget.files && Date.now() - t0 < budget.ms; n++) {
      const file = generateFile(r);
      const skipInvalid = r.next() < 0.4;
      const before = await footprint();
      const res = await app.request(`/v1/clients/${clientId}/imports?skipInvalid=${skipInvalid}&fileName=f${n}.csv`, { method: 'POST', headers: { ...auth, 'content-type': 'text/csv' }, body: file });
      const text = await res.text();
      const where = `seed ${SEED}, file ${n} (${file.length} bytes): ${res.status} ${text.slice(0, 300)}`;
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      expect(res.status, where).toBeLessThan(500);
      expect(text.length, where).toBeLessThan(256 * 1024);
      if (res.status >= 400) {
        expect(JSON.parse(text).error.code, where).toEqual(expect.any(String));
        expect(await footprint(), where).toEqual(before);
      } else {
        expect(res.status, where).toBe(201);
        expect((await footprint()).runs, where).toBe(before.runs! + 1);
      }
    }
    expect(n).toBeGreaterThanOrEqual(kind === 'pglite' ? 300 : 100);
    // The generator reaches both outcomes.
    expect(statuses.get(201) ?? 0).toBeGreaterThan(20);
    expect(statuses.get(422) ?? 0).toBeGreaterThan(20);
  });

  it('API requests with hostile dates and parameters: 4xx with field paths, nothing written', { timeout: 120_000 }, async () => {
    const r = new Rng(SEED + 1);
    const t0 = Date.now();
    let n = 0;
    for (; n < budget.requests && Date.now() - t0 < budget.ms / 2; n++) {
      const which = r.int(0, 3);
      const before = await footprint();
      let res: Response;
      let expectRefused = false;
      if (which === 0) {
        const asOf = badDay(r);
        expectRefused = true;
        res = await app.request(`/v1/clients/${clientId}/analysis`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ asOf }) });
      } else if (which === 1) {
        const q = new URLSearchParams({ from: r.next() < 0.5 ? badDay(r) : '2026-11-01', to: r.next() < 0.5 ? badDay(r) : '2026-11-20', groupBy: r.pick(['day', 'entity', 'x', '']) });
        res = await app.request(`/v1/clients/${clientId}/metrics?${q}`, { headers: auth });
      } else if (which === 2) {
        const q = new URLSearchParams({ clientId: r.pick([clientId, 'x', '00000000-0000-0000-0000-000000000000']), status: r.pick(['PENDING', 'nope', '']), limit: r.pick(['1', '0', '-1', '1e9', 'x']), cursor: r.pick(['', 'abc', '\u0000']) });
        res = await app.request(`/v1/insights?${q}`, { headers: auth });
      } else {
        const [field, value] = r.pick<[string, unknown]>([
          ['timezone', 'Mars/Base'], ['timezone', ''], ['currency', 'XXX'], ['currency', 12], ['recipients', ['not-an-email']], ['recipients', 'a@x'],
          ['name', 'x'.repeat(5000)], ['name', ''], ['reportHour', 24], ['reportHour', 1.5], ['monthlyBudgetCents', -1], ['monthlyBudgetCents', 1e300], ['nope', 1],
        ]);
        res = await app.request(`/v1/clients/${clientId}`, { method: 'PATCH', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ [field]: value }) });
        expectRefused = true;
      }
      const text = await res.text();
      const where = `seed ${SEED + 1}, request ${n} (${which}): ${res.status} ${text.slice(0, 300)}`;
      expect(res.status, where).toBeLessThan(500);
      if (res.status >= 400) expect(JSON.parse(text).error.code, where).toEqual(expect.any(String));
      if (expectRefused) expect(res.status, where).toBeGreaterThanOrEqual(400);
      if (res.status >= 400) expect(await footprint(), where).toEqual(before);
    }
    expect(n).toBeGreaterThanOrEqual(kind === 'pglite' ? 300 : 100);
  });

  it('a 10 MB one-line file answers a short error', async () => {
    const res = await app.request(`/v1/clients/${clientId}/imports`, { method: 'POST', headers: { ...auth, 'content-type': 'text/csv' }, body: 'x'.repeat(10 * 1024 * 1024) });
    expect(res.status).toBe(422);
    expect((await res.text()).length).toBeLessThan(4096);
  });
});

describe('fuzzing the CLI', () => {
  it('bad files exit 0 or 2, with one error line and no stack', { timeout: 240_000 }, () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'adbrain-fuzz-cli-'));
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, ADBRAIN_DATA_DIR: path.join(cwd, 'data'), ADBRAIN_NOW: TEST_NOW };
    const cli = (...args: string[]) => spawnSync(process.execPath, [path.resolve('bin/adbrain.mjs'), ...args], { cwd, env, encoding: 'utf8', timeout: 120_000 });
    expect(cli('clients', 'add', 'fz', '--timezone', 'UTC').status).toBe(0);
    const r = new Rng(SEED + 2);
    const files = Array.from({ length: 6 }, (_, i) => {
      const f = path.join(cwd, `f${i}.csv`);
      writeFileSync(f, generateFile(r));
      return f;
    });
    for (const [i, f] of files.slice(0, 6).entries()) {
      const one = cli('import', f, '--client', 'fz', ...(i % 2 ? ['--skip-invalid'] : []));
      expect([0, 2], `${f}: ${one.stderr}`).toContain(one.status);
      expect(one.stderr, f).not.toMatch(/^\s+at /m);
    }
    for (const asOf of ['0000-00-00', '2026-02-31', '9999-12-31']) {
      const a = cli('analyze', '--client', 'fz', '--as-of', asOf);
      expect(a.status).toBe(2);
      expect(a.stderr).toMatch(/--as-of/);
    }
  });

  // (A NUL cannot reach argv — the OS ends the string there; files with NULs are the CSV fuzz above.)
  it('hostile arguments — invalid UTF-8, lone surrogates, 100 KB strings: an error line or a clean value, never a stack', { timeout: 240_000 }, () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'adbrain-fuzz-args-'));
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, ADBRAIN_DATA_DIR: path.join(cwd, 'data'), ADBRAIN_NOW: TEST_NOW };
    const bin = path.resolve('bin/adbrain.mjs');
    // Through bash, so that the bytes reach argv as they are (a JS string cannot hold invalid UTF-8).
    const sh = (script: string) => spawnSync('bash', ['-c', script], { cwd, env: { ...env, ADB: `${process.execPath} ${bin}` }, encoding: 'utf8', timeout: 120_000 });
    expect(sh('$ADB clients add hx --timezone UTC').status).toBe(0);
    const BAD = `"$(printf 'a\\xff\\xfeb')"`;
    const SURROGATE = `"$(printf 'x\\xed\\xa0\\x80y')"`;
    const HUGE = '"$(head -c 100000 /dev/zero | tr \'\\0\' x)"';
    const runs = [
      `$ADB clients add ${BAD} --timezone UTC`,
      `$ADB clients add hx2 --name ${BAD} --timezone UTC`,
      `$ADB clients add hx3 --name ${HUGE} --timezone UTC`,
      `$ADB clients add hx4 --timezone ${SURROGATE}`,
      `$ADB clients update hx --recipients ${BAD}`,
      `$ADB campaigns create ${SURROGATE} --client hx --destination https://shop.example/`,
      `$ADB campaigns create ${HUGE} --client hx --destination https://shop.example/`,
      `$ADB campaigns create ok --client hx --destination ${BAD}`,
      `$ADB campaigns create ok2 --client hx --destination https://shop.example/ --code ${BAD}`,
      `$ADB campaigns show ${HUGE} --client hx`,
      `$ADB audit --actor ${BAD}`,
      `$ADB audit --action ${HUGE}`,
      `$ADB links kill ${BAD} --client hx --reason ${HUGE}`,
      `$ADB export metrics --client ${SURROGATE} --from 2026-11-01 --to 2026-11-02`,
      `$ADB analyze --client hx --as-of ${BAD}`,
    ];
    for (const script of runs) {
      const r = sh(script);
      const what = `${script.slice(0, 80)} → ${r.status}: ${r.stderr.slice(0, 300)}`;
      if (process.env.SHOW_RUNS) console.log(what);
      expect([0, 1, 2], what).toContain(r.status);
      expect(r.stderr, what).not.toMatch(/^\s+at /m);
      expect(r.stderr, what).not.toMatch(/TypeError|RangeError|PrismaClient|invalid byte sequence/);
      if (r.status !== 0) expect(r.stderr.trim().split('\n').length, what).toBeLessThanOrEqual(3);
      // An error quoting 100 KB of input is cut, not printed whole.
      for (const line of r.stderr.split('\n')) expect(line.length, what).toBeLessThanOrEqual(400);
    }
    // What was kept is clean: no NUL, no lone surrogate, no 100 KB name.
    const listed = sh('$ADB clients list --json && $ADB campaigns list --client hx --json');
    expect(listed.status).toBe(0);
    expect(listed.stdout).not.toMatch(/\u0000|\\u0000|\\ud800|x{1000}/);
  });
});
