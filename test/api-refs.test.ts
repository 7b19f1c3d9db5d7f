// Ids that round-trip: a client by id, slug or the 8-character prefix the CLI prints;
// an insight or entity by prefix; enum values in any letter case. (An independent
// test found `/v1/clients/gsales` refused as "Invalid UUID" and "applied" refused.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import { apiDeps } from '../src/api/server.ts';
import { loadConfig } from '../src/config.ts';
import { addAgency } from '../src/domain/agencies.ts';
import { createApiKey } from '../src/domain/api-keys.ts';
import { addClient } from '../src/domain/clients.ts';
import { importCsv } from '../src/import/import-csv.ts';
import { freshDb, type TestDb } from './helpers/db.ts';

const NOW = new Date('2026-03-10T12:00:00Z');

describe('ids and names that round-trip in the API', () => {
  let db: TestDb;
  let app: ReturnType<typeof createApp>;
  let auth: Record<string, string>;
  let clientId: string;
  let insightId: string;
  beforeAll(async () => {
    db = await freshDb('pglite');
    const agency = await addAgency(db.prisma, { slug: 'refs', name: 'Refs' });
    auth = { authorization: `Bearer ${(await createApiKey(db.prisma, agency.id, { role: 'admin' })).key}` };
    clientId = (await addClient(db.prisma, { slug: 'gsales', agency: 'refs', timezone: 'UTC' })).id;
    // Another agency's client with the same slug must never be reached.
    await addAgency(db.prisma, { slug: 'other', name: 'Other' });
    await addClient(db.prisma, { slug: 'gsales-x', agency: 'other', timezone: 'UTC' });
    await importCsv(db, Buffer.from('date,platform,campaign,link,spend,impressions,clicks,conversions,revenue\n2026-03-01,tiktok,Spring,https://a.example/x,10.00,100,5,1,20.00\n'), 'f.csv', { clientSlug: 'gsales', now: NOW });
    const i = await db.prisma.insight.create({ data: { clientId, type: 'burning', severity: 'high', title: 'A link burns', body: 'b', fingerprint: 'refs-1' } });
    insightId = i.id;
    app = createApp(apiDeps(db, loadConfig({}), () => NOW));
  });
  afterAll(async () => db?.destroy());

  const get = async (p: string) => app.request(p, { headers: auth });

  it('a client by id, slug or 8-character prefix; a wrong one is a 404 naming it, never a 500', async () => {
    for (const ref of [clientId, 'gsales', clientId.slice(0, 8), clientId.toUpperCase()]) {
      const r = await get(`/v1/clients/${ref}/entities`);
      expect(r.status, ref).toBe(200);
    }
    for (const ref of ['nope', 'gsales-x', '00000000', 'x'.repeat(200)]) {
      const r = await get(`/v1/clients/${encodeURIComponent(ref)}/entities`);
      expect(r.status, ref).toBe(404);
      expect(((await r.json()) as { error: { message: string } }).error.message).toContain(`client ${ref} not found`);
    }
  });

  it('an insight by prefix, its status in any case; the list filter takes a slug and any case', async () => {
    const r = await app.request(`/v1/insights/${insightId.slice(0, 8)}`, { method: 'PATCH', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ status: 'applied', note: 'paused it' }) });
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ id: insightId, status: 'APPLIED' });
    const list = await get('/v1/insights?clientId=gsales&status=applied&type=BURNING');
    expect(list.status).toBe(200);
    expect(((await list.json()) as { data: { id: string }[] }).data.map((x) => x.id)).toEqual([insightId]);
    const bad = await app.request(`/v1/insights/${insightId}`, { method: 'PATCH', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ status: 'done' }) });
    expect(bad.status).toBe(422);
  });

  it('entities by prefix; enum filters in any case', async () => {
    const list = await get(`/v1/clients/gsales/entities?kind=LINK`);
    const links = ((await list.json()) as { data: { id: string; kind: string }[] }).data;
    expect(links.map((e) => e.kind)).toEqual(['link']);
    const kill = await app.request(`/v1/entities/${links[0]!.id.slice(0, 8)}/kill`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{}' });
    expect(kill.status).toBe(200);
    expect(await kill.json()).toMatchObject({ id: links[0]!.id, status: 'killed' });
  });

  it('the CLI finds a link by the 8-character id `links list` prints, and takes --status in any case', async () => {
    const { findEntity } = await import('../src/domain/entities.ts');
    const link = await db.prisma.entity.findFirstOrThrow({ where: { clientId, kind: 'link' } });
    expect((await findEntity(db.prisma, clientId, link.id.slice(0, 8))).id).toBe(link.id);
    await expect(findEntity(db.prisma, clientId, '00000000')).rejects.toThrow(/no link, ad or other entity "00000000"/);
    const { anyCaseChoice } = await import('../src/cli/options.ts');
    const status = anyCaseChoice('--status <s>', '', ['PENDING', 'APPLIED']);
    expect(status.parseArg!('applied', undefined)).toBe('APPLIED');
    expect(() => status.parseArg!('done', undefined)).toThrow(/expected one of PENDING, APPLIED/);
  });
});
