// The real `adbrain` binary against an embedded database in a temporary folder.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const bin = path.resolve('bin/adbrain.mjs');
let cwd: string;
// Every command runs at one fixed moment (never the wall clock): 04:51 UTC, when
// Los Angeles and Chicago are still on 2026-12-06 and Berlin is on 12-07.
const NOW = '2026-12-07T04:51:00Z';

function adbrain(...args: string[]) {
  return adbrainWith({}, ...args);
}

function adbrainWith(extra: Record<string, string>, ...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ADBRAIN_DATA_DIR: path.join(cwd, 'data'), ADBRAIN_NOW: NOW, ...extra },
    timeout: 150_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const noStack = (s: string) => expect(s).not.toMatch(/^\s+at /m);

describe('adbrain CLI', { timeout: 180_000 }, () => {
  beforeAll(async () => {
    cwd = await mkdtemp(path.join(tmpdir(), 'adbrain-cli-'));
  });

  it('migrates the embedded database (once) and creates a local key, saying so', () => {
    const first = adbrain('db', 'migrate');
    expect(first.code).toBe(0);
    expect(first.err).toMatch(/created a local encryption key at .*encryption\.key/);
    expect(first.out).toMatch(/applied \d+ migration/);
    const second = adbrain('db', 'migrate');
    expect(second.code).toBe(0);
    expect(second.out).toMatch(/is up to date/);
    expect(second.err).not.toMatch(/encryption key/);
  });

  it('adds and lists clients; duplicates and bad settings are clear errors', () => {
    const add = adbrain('clients', 'add', 'acme', '--name', 'Acme Co', '--timezone', 'Europe/Berlin', '--currency', 'eur', '--json');
    expect(add.code).toBe(0);
    expect(JSON.parse(add.out)).toMatchObject({ slug: 'acme', name: 'Acme Co', timezone: 'Europe/Berlin', currency: 'EUR' });
    const list = adbrain('clients', 'list', '--json');
    expect(JSON.parse(list.out)).toEqual([expect.objectContaining({ slug: 'acme', agency: 'default', reportHour: 9 })]);
    const dup = adbrain('clients', 'add', 'acme');
    expect(dup.code).toBe(2);
    expect(dup.err).toBe("error: client 'acme' already exists\n");
    const bad = adbrain('clients', 'add', 'Bad Slug!', '--timezone', 'Mars/Base');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/<slug>: use lowercase letters/);
    expect(bad.err).toMatch(/timezone: unknown IANA timezone/);
    noStack(bad.err);
  });

  it('sets what a client is judged by; an incomplete objective is a usage error naming the flag', () => {
    const incomplete = adbrain('clients', 'objective', 'acme', 'leads');
    expect(incomplete.code).toBe(2);
    expect(incomplete.err).toMatch(/a leads objective needs a target CPA \(targetCpaCents, CLI --target-cpa\)/);
    noStack(incomplete.err);
    expect(adbrain('clients', 'objective', 'acme', 'sales').err).toMatch(/expected one of: revenue, leads, value/);
    const set = adbrain('clients', 'objective', 'acme', 'leads', '--target-cpa', '29.90');
    expect(set.code).toBe(0);
    expect(set.out).toBe('acme is judged by leads at a €29.90 target CPA\n');
    expect(JSON.parse(adbrain('clients', 'objective', 'acme', '--json').out)).toMatchObject({ kind: 'leads', targetCpaCents: 2990, campaigns: [] });
    expect(adbrain('clients', 'list').out).toMatch(/leads at a €29\.90 target CPA/);
    expect(adbrain('clients', 'objective', 'acme', 'revenue').out).toBe('acme is judged by revenue (ROI / ROAS)\n');
    expect(adbrain('clients', 'objective', 'acme', 'value', '--campaign', 'Nope', '--value', '5').err).toMatch(/no campaign "Nope" in this client/);
  });

  it('imports a file, and rejects a bad one listing its rows without touching the data', async () => {
    const header = 'date,platform,account,campaign,spend,impressions,clicks,conversions,revenue';
    await writeFile(path.join(cwd, 'good.csv'), `${header}\n2026-03-01,meta,A,ApplePay-1639-SC5-facebook,10.00,100,3,1,30.00\n`);
    await writeFile(path.join(cwd, 'bad.csv'), `${header}\n2026-03-02,meta,A,C,10.00,100,3,1,30.00\n2026-03-03,meta,A,C,-1,100,3,1,30.00\n2026-03-04,meta,A,C,1,many,3,1,30.00\n`);
    const good = adbrain('import', 'good.csv', '--client', 'acme', '--json');
    expect(good.code).toBe(0);
    expect(JSON.parse(good.out)).toMatchObject({ status: 'succeeded', inserted: 1, format: 'generic' });
    const bad = adbrain('import', 'bad.csv', '--client', 'acme');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('error: bad.csv: 2 of 3 rows have errors; nothing was imported');
    expect(bad.err).toContain('line 3, spend: spend cannot be negative (value: "-1")');
    expect(bad.err).toContain('line 4, impressions: impressions is not a number (value: "many")');
    noStack(bad.err);
    const badJson = adbrain('import', 'bad.csv', '--client', 'acme', '--json');
    expect(badJson.code).toBe(2);
    expect(JSON.parse(badJson.out).error.details.errors).toHaveLength(2);
    // Two of three rows would go: --skip-invalid alone refuses, --allow-drop says it is meant.
    const refused = adbrain('import', 'bad.csv', '--client', 'acme', '--skip-invalid');
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/--skip-invalid would drop .*2 of 3 rows; nothing was imported .*--allow-drop/);
    const partial = adbrain('import', 'bad.csv', '--client', 'acme', '--skip-invalid', '--allow-drop');
    expect(partial.code).toBe(0);
    expect(partial.out).toMatch(/imported 1 of 3 rows .* 1 new/);
    expect(partial.out).toMatch(/rejected 2 row\(s\), stored on import run/);
    const unknown = adbrain('import', 'good.csv', '--client', 'nope');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/client 'nope' not found. Add it with: adbrain clients add nope/);
    const missing = adbrain('import', 'missing.csv', '--client', 'acme');
    expect(missing.err).toBe('error: file not found: missing.csv\n');
  });

  it('export: a CSV to stdout or a file; schedules; an unknown export is a usage error', async () => {
    const out = adbrain('export', 'spend', '--client', 'acme', '--from', '2026-03-01', '--to', '2026-03-07');
    expect(out.code).toBe(0);
    expect(out.out).toBe('date,platform,account,currency,spend\r\n2026-03-01,meta,A,EUR,10.00\r\n2026-03-02,meta,A,EUR,10.00\r\n');
    const file = adbrain('export', 'links', '--client', 'acme', '--from', '2026-03-01', '--to', '2026-03-07', '--out', 'links.csv');
    expect(file.code).toBe(0);
    expect(file.out).toBe('');
    expect(file.err).toMatch(/wrote 0 links rows \(2026-03-01 → 2026-03-07\) to links\.csv/);
    expect(await readFile(path.join(cwd, 'links.csv'), 'utf8')).toMatch(/^platform,link,slug,campaign,ad,status,killed_at,currency,spend/);
    const bad = adbrain('export', 'secrets', '--client', 'acme');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/"secrets" is not an export; choose from metrics, spend, links, campaigns, insights/);
    const sched = adbrain('exports', 'schedule', '--client', 'acme', '--every', 'month', '--kinds', 'spend,metrics', '--to', 'books@acme.example', '--json');
    expect(sched.code).toBe(0);
    expect(JSON.parse(sched.out)).toMatchObject({ every: 'month', kinds: ['spend', 'metrics'], recipients: ['books@acme.example'] });
    const badKinds = adbrain('exports', 'schedule', '--client', 'acme', '--every', 'month', '--kinds', 'spend,taxes', '--to', 'books@acme.example');
    expect(badKinds.code).toBe(2);
    expect(badKinds.err).toMatch(/taxes: choose from/);
    noStack(bad.err + badKinds.err);
    // A name with a line break inside its quotes is one row, not two.
    await writeFile(path.join(cwd, 'multiline.csv'), 'date,platform,account,campaign,spend,impressions,clicks,conversions,revenue\n2026-03-03,meta,A,"Spring\nsale",5.00,100,3,1,30.00\n');
    expect(adbrain('import', 'multiline.csv', '--client', 'acme').code).toBe(0);
    const multi = adbrain('export', 'metrics', '--client', 'acme', '--from', '2026-03-01', '--to', '2026-03-07', '--out', 'metrics.csv');
    expect(multi.err).toMatch(/wrote 3 metrics rows/);
    // A reader that stops early (| head -1) ends the export quietly: exit 0, nothing on stderr.
    const head = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${bin}" export metrics --client acme --from 2026-01-01 --to 2026-03-07 | head -c 20 > /dev/null`], {
      cwd, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: process.env.HOME, ADBRAIN_DATA_DIR: path.join(cwd, 'data'), ADBRAIN_NOW: NOW },
    });
    expect(head.stderr).toBe('');
    expect(head.status).toBe(0);
    // Exports taken are audited.
    const audited = JSON.parse(adbrain('audit', '--client', 'acme', '--action', 'export.', '--json').out).data as { action: string; after: { kind: string } }[];
    expect(audited.map((a) => a.after.kind)).toEqual(expect.arrayContaining(['spend', 'links', 'metrics']));
  });

  it('tests: create a split test of two entities, list, show, stop; a bad metric or one variant is a usage error', () => {
    const made = adbrain('tests', 'create', 'Pay test', '--client', 'acme', '--metric', 'conversion_rate', '--variant', 'ApplePay-1639-SC5-facebook', '--variant', 'C=2', '--start', '2026-03-01', '--json');
    expect(made.code).toBe(0);
    expect(JSON.parse(made.out)).toMatchObject({ name: 'Pay test', metric: 'conversion_rate', status: 'running', variants: [{ control: true, weight: 1 }, { control: false, weight: 2 }] });
    expect(adbrain('tests', 'list', '--client', 'acme').out).toMatch(/Pay test\s+conversion_rate\s+running\s+2\s+not evaluated yet/);
    expect(adbrain('tests', 'show', 'Pay test', '--client', 'acme').out).toMatch(/^Pay test \(conversion_rate, running\): not evaluated yet/);
    expect(adbrain('tests', 'stop', 'Pay test', '--client', 'acme').out).toBe('stopped test "Pay test"\n');
    const badMetric = adbrain('tests', 'create', 'X', '--client', 'acme', '--metric', 'vibes', '--variant', 'C', '--variant', 'ApplePay-1639-SC5-facebook');
    expect(badMetric.code).toBe(2);
    expect(badMetric.err).toMatch(/--metric.*one of conversion_rate, revenue_per_click, roi/);
    const one = adbrain('tests', 'create', 'Y', '--client', 'acme', '--metric', 'roi', '--variant', 'C');
    expect(one.code).toBe(2);
    expect(one.err).toMatch(/--variant: a test needs two or more variants/);
    noStack(badMetric.err + one.err);
  });

  it('webhooks: add prints the secret once, list never shows it nor the URL\'s token; a private URL is refused; agencies notify', () => {
    const refused = adbrain('webhooks', 'add', 'http://127.0.0.1:9/hook', '--agency', 'default');
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/resolves to 127\.0\.0\.1, a private or local address/);
    // Shaped like a Slack incoming webhook, whose path is its credential.
    const url = 'http://127.0.0.1:9/services/T0/B0/sEcReTtOkEn42';
    const added = adbrainWith({ ADBRAIN_WEBHOOKS_ALLOW_PRIVATE: '1' }, 'webhooks', 'add', url, '--agency', 'default', '--events', 'alert.sent,report.sent', '--json');
    expect(added.code).toBe(0);
    const { secret, endpoint } = JSON.parse(added.out) as { secret: string; endpoint: { events: string[] } };
    expect(secret).toMatch(/^whsec_/);
    expect(endpoint.events).toEqual(['alert.sent', 'report.sent']);
    const list = adbrain('webhooks', 'list', '--agency', 'default');
    // The URL is shown masked: enough to tell endpoints apart, never its token.
    expect(list.out).toMatch(/http:\/\/127\.0\.0\.1:9\/services\/…En42\s+alert\.sent,report\.sent\s+yes/);
    expect(list.out).not.toContain(secret.slice(6));
    expect(list.out).not.toContain('sEcReTtOkEn');
    expect(JSON.parse(added.out).endpoint.url).toBe(url); // the JSON for machines keeps it whole
    const badEvent = adbrainWith({ ADBRAIN_WEBHOOKS_ALLOW_PRIVATE: '1' }, 'webhooks', 'add', 'http://127.0.0.1:9/x', '--agency', 'default', '--events', 'alert.snet');
    expect(badEvent.code).toBe(2);
    expect(badEvent.err).toMatch(/events: alert\.snet — choose from/);
    expect(adbrain('agencies', 'notify', 'default', 'ops@acme.example').out).toBe('default notifications go to ops@acme.example\n');
    expect(adbrain('agencies', 'notify', 'default', 'nope').code).toBe(2);
    // Every emailed action link signed so far stops working.
    expect(adbrain('agencies', 'revoke-links', 'default').out).toMatch(/^default: action links signed before 2026-12-07T04:5\d:\d\d\.\d{3}Z no longer work\n$/);
    noStack(refused.err + badEvent.err);
  });

  it('refuses a day after the client\'s last complete day, or before its data, naming the flag', () => {
    const run = adbrain('run', '--client', 'acme', '--as-of', '2099-01-01');
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/^error: --as-of 2099-01-01 is after acme's last complete day \(\d{4}-\d{2}-\d{2} in Europe\/Berlin\)\n/);
    const report = adbrain('report', '--client', 'acme', '--date', '2099-01-01');
    expect(report.code).toBe(2);
    expect(report.err).toMatch(/^error: --date 2099-01-01 is after acme's last complete day/);
    const before = adbrain('analyze', '--client', 'acme', '--as-of', '2001-01-01');
    expect(before.code).toBe(2);
    expect(before.err).toMatch(/^error: --as-of 2001-01-01 is before acme's first day of data \(2026-03-01\)/);
    noStack(before.err);
  });

  it('runs a day for a client and writes its report to ./outbox', async () => {
    const r = adbrain('run', '--client', 'acme', '--as-of', '2026-03-02', '--json');
    expect(r.code).toBe(0);
    const res = JSON.parse(r.out).results[0];
    expect(res).toMatchObject({ client: 'acme', asOf: '2026-03-02', ok: true });
    expect(await readdir(path.join(cwd, 'outbox', 'acme', '2026-03-02'))).toContain('report.txt');
    const badDate = adbrain('run', '--as-of', '2026-02-31');
    expect(badDate.code).not.toBe(0);
    expect(badDate.err).toMatch(/expected a real date as YYYY-MM-DD/);
  });

  it('start: demo agency plus a run for each demo client', async () => {
    const r = adbrain('start', '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out);
    expect(out.results.map((x: { client: string }) => x.client).sort()).toEqual(['demo-affiliate', 'demo-leads', 'demo-shop']);
    expect(out.results.every((x: { ok: boolean }) => x.ok)).toBe(true);
    expect((await readdir(path.join(cwd, 'outbox'))).sort()).toEqual(['acme', 'demo-affiliate', 'demo-leads', 'demo-shop']);
  });

  it('one day everywhere: each client is judged on its last complete day, and the report, analyze, links list and inbox agree', async () => {
    // At 04:51 UTC, 2026-12-06 has not ended in Los Angeles: the affiliate's last complete day is 12-05.
    const truth = JSON.parse(await readFile(path.join(cwd, 'data', 'demo', 'ground-truth.json'), 'utf8'));
    expect(truth.clients).toMatchObject({ 'demo-affiliate': { to: '2026-12-05' }, 'demo-shop': { to: '2026-12-06' }, 'demo-leads': { to: '2026-12-05' } });
    const burner = truth.events.find((e: { client: string; type: string }) => e.client === 'demo-affiliate' && e.type === 'burning').entity.name as string;
    const winner = truth.events.find((e: { client: string; type: string }) => e.client === 'demo-affiliate' && e.type === 'winner').entity.name as string;
    expect(await readdir(path.join(cwd, 'outbox', 'demo-affiliate'))).toContain('2026-12-05');
    const report = JSON.parse(await readFile(path.join(cwd, 'outbox', 'demo-affiliate', '2026-12-05', 'report.json'), 'utf8'));
    expect(report.date).toBe('2026-12-05');
    expect(report.burning.map((b: { name: string }) => b.name)).toEqual([burner]);
    expect(report.actions[0]).toMatchObject({ entity: expect.objectContaining({ name: burner }) });
    const analysis = JSON.parse(adbrain('analyze', '--client', 'demo-affiliate', '--json').out);
    expect(analysis.asOf).toBe('2026-12-05');
    const verdicts = (types: string[]) => analysis.insights.filter((i: { type: string }) => types.includes(i.type)).map((i: { type: string; entity: { name: string } }) => `${i.type}:${i.entity.name}`).sort();
    expect(verdicts(['burning', 'winner'])).toEqual([`burning:${burner}`, `winner:${winner}`]);
    const links = JSON.parse(adbrain('links', 'list', '--client', 'demo-affiliate', '--json').out);
    expect(links.to).toBe('2026-12-05');
    expect(links.links.filter((l: { verdict: string | null }) => l.verdict).map((l: { verdict: string; name: string }) => `${l.verdict}:${l.name}`).sort()).toEqual([`burning:${burner}`, `winner:${winner}`]);
    const inbox = JSON.parse(adbrain('insights', 'list', '--client', 'demo-affiliate', '--json').out) as { type: string; entity: { name: string } | null }[];
    expect(inbox.filter((i) => i.type === 'burning' || i.type === 'winner').map((i) => `${i.type}:${i.entity!.name}`).sort()).toEqual([`burning:${burner}`, `winner:${winner}`]);
  });

  it('analyze: prints insights with type codes, forecasts and the track record as JSON', () => {
    const r = adbrain('analyze', '--client', 'demo-affiliate', '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out);
    expect(Object.keys(out)).toEqual(expect.arrayContaining(['asOf', 'insights', 'forecasts', 'trackRecord']));
    expect(out.insights.map((i: { type: string }) => i.type)).toEqual(expect.arrayContaining(['burning', 'winner']));
    const burning = out.insights.find((i: { type: string }) => i.type === 'burning');
    expect(burning).toMatchObject({ entity: { kind: 'link', platform: 'tiktok' }, severity: expect.any(String), impact: expect.any(Number), confidence: expect.any(Number) });
    expect(JSON.parse(adbrain('audit', '--client', 'demo-affiliate', '--action', 'analysis.start', '--json').out).data).toEqual(expect.arrayContaining([expect.objectContaining({ action: 'analysis.start', after: { asOf: out.asOf } })]));
    const unknown = adbrain('analyze', '--client', 'nope');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/client 'nope' not found/);
  });

  it('forecast: every series of a long CSV, to a file', async () => {
    const rows = ['series_id,date,value'];
    for (let t = 0; t < 70; t++) {
      const d = new Date(Date.UTC(2026, 0, 1 + t)).toISOString().slice(0, 10);
      rows.push(`a,${d},${100 + 10 * (t % 7)}`, `b,${d},${50 + t}`);
    }
    await writeFile(path.join(cwd, 'long.csv'), rows.join('\n') + '\n');
    const r = adbrain('forecast', '--input', 'long.csv', '--horizon', '7', '--out', 'fc.csv');
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/forecast 2 series/);
    const lines = (await readFile(path.join(cwd, 'fc.csv'), 'utf8')).trim().split('\n');
    expect(lines[0]).toBe('series_id,date,h,point,lower,upper,model');
    expect(lines).toHaveLength(1 + 2 * 7);
    const [, date, h, point, lower, upper] = lines[1]!.split(',');
    expect([date, h]).toEqual(['2026-03-12', '1']);
    expect(Number(lower)).toBeLessThanOrEqual(Number(point));
    expect(Number(upper)).toBeGreaterThanOrEqual(Number(point));
    const bad = adbrain('forecast', '--input', 'good.csv');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/expected the columns series_id, date, value/);
  });

  it('insights: list the inbox and move an insight through it', () => {
    const list = adbrain('insights', 'list', '--client', 'demo-affiliate', '--status', 'PENDING', '--json');
    expect(list.code).toBe(0);
    const rows = JSON.parse(list.out) as { id: string; type: string; status: string }[];
    const burning = rows.find((r) => r.type === 'burning')!;
    expect(burning.status).toBe('PENDING');
    // One page of one: the rest are announced on stderr with the command for the next page.
    const page = adbrain('insights', 'list', '--client', 'demo-affiliate', '--status', 'PENDING', '--limit', '1');
    expect(page.code).toBe(0);
    expect(page.err).toBe(`showing 1–1 of ${rows.length}; next page: adbrain insights list --client demo-affiliate --status PENDING --limit 1 --offset 1\n`);
    expect(page.out.trim().split('\n')).toHaveLength(2);
    const prefix = burning.id.slice(0, 8);
    const start = adbrain('insights', 'start', prefix, '--actor', 'ana');
    expect(start.code).toBe(0);
    expect(start.out).toContain('PENDING → IN_PROGRESS');
    const apply = adbrain('insights', 'apply', prefix, '--note', 'paused it', '--json');
    expect(JSON.parse(apply.out)).toMatchObject({ status: 'APPLIED', events: [{ toStatus: 'PENDING' }, { toStatus: 'IN_PROGRESS', actor: 'ana' }, { toStatus: 'APPLIED', note: 'paused it' }] });
    const again = adbrain('insights', 'dismiss', prefix);
    expect(again.code).toBe(2);
    expect(again.err).toBe('error: cannot dismiss an insight that is APPLIED (allowed from: PENDING, IN_PROGRESS)\n');
  });
  it('report, links kill|restore, clients update and alerts check', async () => {
    const rep = adbrain('report', '--client', 'demo-leads', '--date', '2026-11-10', '--outbox', '--json');
    expect(rep.code).toBe(0);
    expect(JSON.parse(rep.out)).toMatchObject({ status: 'delivered', provider: 'outbox' });
    expect((await readdir(path.join(cwd, 'outbox', 'demo-leads', '2026-11-10'))).sort()).toEqual(['message.eml', 'report.html', 'report.json', 'report.pdf', 'report.txt']);
    const eml = await readFile(path.join(cwd, 'outbox', 'demo-leads', '2026-11-10', 'message.eml'), 'utf8');
    expect(eml).toMatch(/Content-Type: multipart\/mixed/);
    expect(eml).toMatch(/filename=report\.pdf/);
    const twice = adbrain('report', '--client', 'demo-leads', '--date', '2026-11-10');
    expect(twice.out).toMatch(/already delivered .*not sent again/);
    const send = adbrain('report', '--client', 'demo-leads', '--send');
    expect(send.code).toBe(2);
    expect(send.err).toBe('error: --send needs RESEND_API_KEY\n');

    const links = JSON.parse(adbrain('insights', 'list', '--client', 'demo-affiliate', '--json').out) as { entity: { name: string; kind: string } | null }[];
    const link = links.find((i) => i.entity?.kind === 'link')!.entity!.name;
    const kill = adbrain('links', 'kill', link, '--client', 'demo-affiliate', '--reason', 'offer paused', '--json');
    expect(kill.code).toBe(0);
    expect(JSON.parse(kill.out)).toMatchObject({ name: link, status: 'killed', killedReason: 'offer paused' });
    expect(JSON.parse(adbrain('links', 'list', '--client', 'demo-affiliate', '--killed', '--json').out).links).toMatchObject([{ name: link, killed: true, killedReason: 'offer paused' }]);
    expect(JSON.parse(adbrain('links', 'restore', link, '--client', 'demo-affiliate', '--json').out)).toMatchObject({ status: 'active', killedReason: null });
    const unknown = adbrain('links', 'kill', 'no-such-link', '--client', 'demo-affiliate');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/no link, ad or other entity "no-such-link"/);

    const upd = adbrain('clients', 'update', 'demo-affiliate', '--daily-spend-alert', '1', '--cooldown-hours', '12', '--consecutive-check', 'off', '--json');
    expect(upd.code).toBe(0);
    expect(JSON.parse(upd.out)).toMatchObject({ alertCooldownHours: 12, alertConsecutiveCheck: false });
    const bad = adbrain('clients', 'update', 'demo-affiliate', '--recipients', 'not-an-email');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--recipients \(value 1\)/);
    noStack(bad.err);

    const check = adbrain('alerts', 'check', '--client', 'demo-affiliate', '--json');
    expect(check.code).toBe(0);
    const [res] = JSON.parse(check.out).results;
    expect(res.sent.length).toBeGreaterThan(0);
    const again = JSON.parse(adbrain('alerts', 'check', '--client', 'demo-affiliate', '--json').out).results[0];
    expect(again.sent).toEqual([]);
    expect(again.suppressed.length).toBe(res.sent.length + res.suppressed.length);
  });

  it('keys: create prints the secret once, list never shows it, revoke', () => {
    const made = adbrain('keys', 'create', '--agency', 'demo', '--role', 'member', '--name', 'zapier', '--json');
    expect(made.code).toBe(0);
    const k = JSON.parse(made.out) as { key: string; prefix: string; role: string };
    expect(k).toMatchObject({ role: 'member', key: expect.stringMatching(/^adb_[0-9a-f]{12}_[\w-]{43}$/) });
    const list = adbrain('keys', 'list', '--agency', 'demo');
    expect(list.out).toContain(k.prefix);
    expect(list.out).not.toContain(k.key.split('_')[2]);
    expect(adbrain('keys', 'revoke', k.prefix, '--agency', 'demo').out).toMatch(/revoked/);
    const bad = adbrain('keys', 'create', '--agency', 'demo', '--role', 'root');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/role/);
    noStack(bad.err);
  });
});
