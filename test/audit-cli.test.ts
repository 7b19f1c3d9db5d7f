// The real `adbrain` binary: its changes land in the audit log as the CLI user
// (or ADBRAIN_ACTOR), `adbrain audit` reads them back, and a client is exported
// to a zip, then erased — only with --purge.
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.ts';

describe('adbrain audit, db prune, agencies retention, clients export / delete', { timeout: 180_000 }, () => {
  let cwd: string;
  const adbrain = cli(() => cwd);

  beforeAll(async () => {
    cwd = await mkdtemp(path.join(tmpdir(), 'adbrain-audit-cli-'));
  });

  it('records each change with its actor, and lists them newest first', async () => {
    expect((await adbrain(['clients', 'add', 'acme', '--timezone', 'UTC', '--currency', 'USD'], { ADBRAIN_ACTOR: 'ana@agency' })).code).toBe(0);
    expect((await adbrain(['clients', 'update', 'acme', '--name', 'Acme Shoes', '--budget', '1500'], { ADBRAIN_ACTOR: 'ana@agency' })).code).toBe(0);
    const csv = path.join(cwd, 'spend.csv');
    await import('node:fs/promises').then((fs) => fs.writeFile(csv, 'date,platform,campaign,spend,impressions,clicks,conversions,revenue\n2026-11-20,meta,Spring,12.50,900,20,1,30.00\n'));
    expect((await adbrain(['import', csv, '--client', 'acme'])).code).toBe(0);
    expect((await adbrain(['agencies', 'retention', 'default', '--llm-days', '30'])).code).toBe(0);
    const low = await adbrain(['agencies', 'retention', 'default', '--metrics-months', '3']);
    expect(low.code).toBe(2);
    expect(low.err).toMatch(/--metrics-months.*400 days/);

    const r = await adbrain(['audit', '--json']);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.out).data as { action: string; actor: { kind: string; name: string }; before: any; after: any }[];
    expect(rows.map((x) => x.action)).toEqual(['agency.retention', 'import.create', 'client.update', 'client.create']);
    expect(rows[2]!.actor).toEqual({ kind: 'cli', id: null, name: 'ana@agency' });
    expect(rows[0]!.actor.name).toMatch(/^cli:/);
    expect(rows[2]!.before.name).toBe('acme');
    expect(rows[2]!).toMatchObject({ after: { name: 'Acme Shoes', monthlyBudgetCents: 150_000 } });
    expect(rows[1]!.after).toMatchObject({ imported: 1, dateFrom: '2026-11-20' });
    expect(rows[0]!).toMatchObject({ before: { llmDays: 90 }, after: { llmDays: 30 } });

    const text = await adbrain(['audit', '--client', 'acme', '--limit', '1']);
    expect(text.out).toMatch(/import\.create/);
    expect(text.err).toMatch(/older rows: adbrain audit --before \d+ --client acme/);
  });

  it('prunes (a dry run first), exports a client to a zip and erases it only with --purge', async () => {
    const dry = await adbrain(['db', 'prune', '--dry-run', '--json']);
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.out)).toMatchObject({ dryRun: true, rows: 0 });
    const zip = path.join(cwd, 'acme.zip');
    const ex = await adbrain(['clients', 'export', 'acme', '--out', zip]);
    expect(ex.code, ex.err).toBe(0);
    expect(ex.out).toMatch(/wrote .*acme\.zip: \d+ files, \d+ rows/);
    expect((await stat(zip)).size).toBeGreaterThan(500);
    expect((await readFile(zip)).subarray(0, 2).toString()).toBe('PK');

    const no = await adbrain(['clients', 'delete', 'acme']);
    expect(no.code).toBe(2);
    expect(no.err).toMatch(/--purge/);
    const yes = await adbrain(['clients', 'delete', 'acme', '--purge']);
    expect(yes.code, yes.err).toBe(0);
    expect(yes.out).toMatch(/erased acme: .*daily_metric/);
    expect((await adbrain(['clients', 'list', '--json'])).out.trim()).toBe('[]');
    const left = JSON.parse((await adbrain(['audit', '--json'])).out).data as { action: string }[];
    expect(left.map((x) => x.action)).toEqual(['client.purge', 'agency.retention']);
  });
});
