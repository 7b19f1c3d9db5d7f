// Exports that carry ids only (an ad-level Meta breakdown with "Ad set ID" and no
// names) and lookup files that name them: `--names adsets.csv --names campaigns.csv`
// (API: multipart parts "names") joins names by id, so no campaign shows as an id.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import { apiDeps } from '../src/api/server.ts';
import { loadConfig } from '../src/config.ts';
import { addAgency } from '../src/domain/agencies.ts';
import { createApiKey } from '../src/domain/api-keys.ts';
import { addClient } from '../src/domain/clients.ts';
import { AppError } from '../src/errors.ts';
import { readNamesFiles, type ImportSummary } from '../src/import/import-csv.ts';
import { readNameLookup } from '../src/import/names-lookup.ts';
import { importPerClient } from './helpers/import-into.ts';

const NOW = new Date('2026-03-10T12:00:00Z');
const lines = (...ls: string[]) => Buffer.from(ls.join('\n') + '\n');

// Data: ad set ids only (no campaign, no names); the lookups say the rest.
const DATA = lines(
  'Day,Ad Set ID,Amount spent (USD),Impressions,Link clicks,Purchases,Purchases conversion value',
  '2026-03-01,23851,10.00,1000,20,1,40.00',
  '2026-03-01,23852,5.50,400,9,0,0',
  '2026-03-02,23851,12.25,1100,25,2,80.00',
  '2026-03-02,23853,7.00,600,11,1,30.00',
);
const ADSETS = lines('ad_set_id,ad_set_name,campaign_id', '23851,Retarget 30d,120001', '23852,Lookalike 1%,120001', '23853,Retarget 30d,120002');
const CAMPAIGNS = lines('Campaign ID,Campaign name', '120001,Spring sale', '120002,Autumn sale');

describe('names files joined by id', () => {
  const { state, run } = importPerClient('ids', 'adsets-by-id.csv', { now: NOW, timezone: 'UTC', choices: { platform: 'meta' } });

  async function tree(slug: string) {
    const rows = await state.db.sql.query<{ kind: string; external_id: string; name: string; parent: string | null; spend: number }>(
      `SELECT e.kind::text AS kind, e.external_id, e.name, p.name AS parent,
              coalesce((SELECT sum(spend_cents) FROM daily_metric m WHERE m.entity_id = e.id), 0)::float8 AS spend
         FROM entity e JOIN client c ON c.id = e.client_id LEFT JOIN entity p ON p.id = e.parent_id
        WHERE c.slug = $1 AND e.kind IN ('campaign', 'adset') ORDER BY e.kind, e.external_id`,
      [slug],
    );
    return rows;
  }

  it('a file of ad set ids is refused without names, and reads with them: campaigns and ad sets by name, each under its campaign', async () => {
    const without = await run(DATA);
    expect(without.result).toBeInstanceOf(AppError);
    expect((without.result as AppError).message).toMatch(/missing "campaign name".*The file has ids \("Ad Set ID"\): names files join their names by id \(--names adsets.csv/);

    const names = readNameLookup([{ fileName: 'adsets.csv', content: ADSETS }, { fileName: 'campaigns.csv', content: CAMPAIGNS }]);
    const { clientSlug, result } = await run(DATA, { names });
    const s = result as ImportSummary;
    expect(s).toMatchObject({ imported: 4, rejected: 0, names: [{ file: 'adsets.csv', kinds: ['adset'], rows: 3 }, { file: 'campaigns.csv', kinds: ['campaign'], rows: 2 }] });
    expect(await tree(clientSlug)).toEqual([
      { kind: 'campaign', external_id: '120001', name: 'Spring sale', parent: expect.any(String), spend: 0 },
      { kind: 'campaign', external_id: '120002', name: 'Autumn sale', parent: expect.any(String), spend: 0 },
      { kind: 'adset', external_id: '23851', name: 'Retarget 30d', parent: 'Spring sale', spend: 2225 },
      { kind: 'adset', external_id: '23852', name: 'Lookalike 1%', parent: 'Spring sale', spend: 550 },
      { kind: 'adset', external_id: '23853', name: 'Retarget 30d', parent: 'Autumn sale', spend: 700 },
    ]);
  });

  it('a campaign column that holds ids takes the names; an id the names files lack is a row error naming it', async () => {
    const data = lines('date,platform,campaign,spend,impressions,clicks', '2026-03-01,google,120001,3.00,100,4', '2026-03-01,google,999,1.00,10,1');
    const names = readNameLookup([{ fileName: 'campaigns.csv', content: CAMPAIGNS }]);
    // 999 is not an id the names files know, and the column is a name column: it stays the campaign's name (a name may be digits).
    const mixed = await run(data, { names, choices: {} });
    expect(mixed.result).toMatchObject({ imported: 2 });
    expect((await tree(mixed.clientSlug)).map((r) => [r.external_id, r.name])).toEqual([['120001', 'Spring sale'], ['default/999', '999']]);
    // In an id column, an id without a name is a row error.
    const ok = await run(lines('date,platform,campaign_id,spend,impressions,clicks', '2026-03-01,google,120001,3.00,100,4', '2026-03-01,google,999,1.00,10,1'), { names, choices: {} });
    const e = ok.result as AppError;
    expect(e).toBeInstanceOf(AppError);
    expect((e.details as ImportSummary).errors).toEqual([expect.objectContaining({ line: 3, reason: 'campaign id 999 has no name in the names file(s): pass a names file (--names campaigns.csv)' })]);
    const good = await run(lines('date,platform,campaign,spend,impressions,clicks', '2026-03-01,google,120001,3.00,100,4'), { names, choices: {} });
    expect(good.result).toMatchObject({ imported: 1 });
    expect(await tree(good.clientSlug)).toEqual([{ kind: 'campaign', external_id: '120001', name: 'Spring sale', parent: expect.any(String), spend: 300 }]);
  });

  it('a names file is checked: no id + name pair, or one id with two names, is refused naming the file and lines', async () => {
    expect(() => readNameLookup([{ fileName: 'x.csv', content: lines('foo,bar', '1,2') }])).toThrow(/x\.csv: not a names file .*"foo", "bar"/);
    expect(() => readNameLookup([
      { fileName: 'a.csv', content: lines('campaign_id,campaign_name', '1,Spring') },
      { fileName: 'b.csv', content: lines('campaign_id,campaign_name', '2,Autumn', '1,Winter') },
    ])).toThrow(/b\.csv, line 3: campaign id 1 is named "Winter" here and "Spring" in a\.csv, line 2/);
    const dir = mkdtempSync(path.join(tmpdir(), 'names-'));
    writeFileSync(path.join(dir, 'campaigns.csv'), CAMPAIGNS);
    expect((await readNamesFiles([path.join(dir, 'campaigns.csv')])).names.campaign).toEqual({ 120001: 'Spring sale', 120002: 'Autumn sale' });
    await expect(readNamesFiles([path.join(dir, 'nope.csv')])).rejects.toThrow(/file not found: .*nope\.csv/);
  });

  it('the API takes the CSV and its names files as one multipart upload', async () => {
    const agency = await addAgency(state.db.prisma, { slug: 'names-api', name: 'Names' });
    const auth = { authorization: `Bearer ${(await createApiKey(state.db.prisma, agency.id, { role: 'admin' })).key}` };
    const client = await addClient(state.db.prisma, { slug: 'names-api', agency: 'names-api', timezone: 'UTC' });
    const app = createApp(apiDeps(state.db, loadConfig({}), () => NOW));
    const form = new FormData();
    form.append('file', new Blob([DATA]), 'data.csv');
    form.append('names', new Blob([ADSETS]), 'adsets.csv');
    form.append('names', new Blob([CAMPAIGNS]), 'campaigns.csv');
    const res = await app.request(`/v1/clients/${client.id}/imports?platform=meta`, { method: 'POST', headers: auth, body: form });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ imported: 4, names: [{ file: 'adsets.csv' }, { file: 'campaigns.csv' }] });
    expect((await tree('names-api')).filter((r) => r.kind === 'adset').map((r) => `${r.parent} › ${r.name}`)).toEqual(['Spring sale › Retarget 30d', 'Spring sale › Lookalike 1%', 'Autumn sale › Retarget 30d']);

    const noFile = new FormData();
    noFile.append('names', new Blob([CAMPAIGNS]), 'campaigns.csv');
    const bad = await app.request(`/v1/clients/${client.id}/imports`, { method: 'POST', headers: auth, body: noFile });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/no "file" part/);
  });
});
