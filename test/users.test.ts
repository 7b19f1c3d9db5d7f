// The agency's people: whom "applied by" names and sign-in links will go to.
// REST (admins add and remove, every key sees) and the CLI, audited, per agency.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import { apiDeps } from '../src/api/server.ts';
import { loadConfig } from '../src/config.ts';
import { addAgency } from '../src/domain/agencies.ts';
import { createApiKey } from '../src/domain/api-keys.ts';
import { cli } from './helpers/cli.ts';
import { freshDb, type TestDb } from './helpers/db.ts';

describe('users', () => {
  let db: TestDb;
  let app: ReturnType<typeof createApp>;
  const keys: Record<string, string> = {};
  beforeAll(async () => {
    db = await freshDb('pglite');
    const a = await addAgency(db.prisma, { slug: 'ua', name: 'UA' });
    const b = await addAgency(db.prisma, { slug: 'ub', name: 'UB' });
    keys.admin = (await createApiKey(db.prisma, a.id, { role: 'admin' })).key;
    keys.viewer = (await createApiKey(db.prisma, a.id, { role: 'viewer' })).key;
    keys.other = (await createApiKey(db.prisma, b.id, { role: 'admin' })).key;
    app = createApp(apiDeps(db, loadConfig({}), () => new Date('2026-12-07T10:00:00Z')));
  });
  afterAll(async () => db?.destroy());

  const call = async (key: string, method: string, p: string, body?: unknown) => {
    const r = await app.request(p, { method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: r.status, json: (await r.json()) as any };
  };

  it('REST: an admin adds (email lower-cased, role in any case), everyone in the agency sees, a viewer cannot add, another agency sees nothing', async () => {
    const added = await call(keys.admin!, 'POST', '/v1/users', { name: 'Ana Ops', email: 'Ana@Agency.Example', role: 'ADMIN' });
    expect(added).toMatchObject({ status: 201, json: { name: 'Ana Ops', email: 'ana@agency.example', role: 'admin' } });
    expect((await call(keys.admin!, 'POST', '/v1/users', { name: 'Ana again', email: 'ana@agency.example' })).status).toBe(409);
    expect((await call(keys.admin!, 'POST', '/v1/users', { name: 'X', email: 'not-an-email' })).json.error.message).toMatch(/email: "not-an-email" is not an email address/);
    expect((await call(keys.viewer!, 'POST', '/v1/users', { name: 'V', email: 'v@agency.example' })).status).toBe(403);
    expect((await call(keys.viewer!, 'GET', '/v1/users')).json.data.map((u: { email: string }) => u.email)).toEqual(['ana@agency.example']);
    expect((await call(keys.other!, 'GET', '/v1/users')).json.data).toEqual([]);
    expect((await call(keys.other!, 'DELETE', '/v1/users/ana@agency.example')).status).toBe(404);
    const removed = await call(keys.admin!, 'DELETE', '/v1/users/ANA@agency.example');
    expect(removed).toMatchObject({ status: 200, json: { email: 'ana@agency.example' } });
    const audit = await db.prisma.auditLog.findMany({ where: { entityType: 'user' }, orderBy: { id: 'asc' } });
    expect(audit.map((x) => x.action)).toEqual(['user.create', 'user.delete']);
  });

  it('CLI: users add, list and remove, with clear errors', { timeout: 60_000 }, async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'adbrain-users-'));
    const run = cli(() => dir);
    expect((await run(['clients', 'add', 'acme'])).code).toBe(0); // makes the default agency
    const add = await run(['users', 'add', 'Bo@Acme.example', '--agency', 'default', '--name', 'Bo Buyer', '--role', 'Viewer']);
    expect(add.out).toMatch(/^added Bo Buyer <bo@acme\.example> as viewer; id [0-9a-f]{8}\n$/);
    const dup = await run(['users', 'add', 'bo@acme.example', '--agency', 'default', '--name', 'Bo']);
    expect(dup.code).toBe(2);
    expect(dup.err).toMatch(/bo@acme\.example is already a user of this agency \(viewer\)/);
    expect((await run(['users', 'add', 'x@acme.example', '--agency', 'default', '--name', 'X', '--role', 'owner'])).err).toMatch(/expected one of viewer, member, admin/);
    expect((await run(['users', 'list', '--agency', 'default'])).out).toMatch(/Bo Buyer\s+bo@acme\.example\s+viewer/);
    expect((await run(['users', 'remove', 'bo@acme.example', '--agency', 'default'])).out).toBe('removed Bo Buyer <bo@acme.example>\n');
    expect((await run(['users', 'list', '--agency', 'default'])).out).toMatch(/^no users in default/);
  });
});
