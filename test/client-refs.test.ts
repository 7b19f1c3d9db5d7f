// A client named as commands print it: slug, full id, the 8-character id prefix, or
// its name in any case; a near miss gets "did you mean"; two clients of one name say so.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addClient, clientRowBySlug, getClientBySlug } from '../src/domain/clients.ts';
import { freshDb, type TestDb } from './helpers/db.ts';

describe('client references', () => {
  let db: TestDb;
  let id = '';
  beforeAll(async () => {
    db = await freshDb('pglite');
    id = (await addClient(db.prisma, { slug: 'gsales', name: 'Google Sales' })).id;
    await addClient(db.prisma, { slug: 'twin-a', name: 'Twin' });
    await addClient(db.prisma, { slug: 'twin-b', name: 'twin' });
  });
  afterAll(async () => db?.destroy());

  it('slug, id, id prefix and name all find it, by the ORM and by plain SQL', async () => {
    for (const ref of ['gsales', id, id.slice(0, 8), id.slice(0, 8).toUpperCase(), 'google sales', 'Google Sales']) {
      expect((await getClientBySlug(db.prisma, ref)).id).toBe(id);
      expect((await clientRowBySlug(db.sql, ref)).id).toBe(id);
    }
  });

  it('a near miss gets "did you mean"; an unknown one how to add it; a shared name asks for the slug', async () => {
    await expect(getClientBySlug(db.prisma, 'gsale')).rejects.toMatchObject({ code: 'not_found', message: "client 'gsale' not found; did you mean 'gsales'?" });
    await expect(clientRowBySlug(db.sql, 'gsalse')).rejects.toMatchObject({ code: 'not_found', details: { suggestions: ['gsales'] } });
    await expect(getClientBySlug(db.prisma, 'acme')).rejects.toThrow(/client 'acme' not found\. Add it with: adbrain clients add acme/);
    await expect(getClientBySlug(db.prisma, 'TWIN')).rejects.toMatchObject({ code: 'invalid_input', message: "'TWIN' names two clients (twin-a, twin-b); use the slug" });
  });
});
