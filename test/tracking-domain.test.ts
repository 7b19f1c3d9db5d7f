// A client's tracking links on its own host, served by `serve` by Host header:
// its links redirect (counted), another client's do not exist there, nothing else
// of the server is reachable there, and the check command proves the host routes
// here through a loopback "hosts entry" (ADBRAIN_RESOLVE) — and says why when not.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import { apiDeps, startServer } from '../src/api/server.ts';
import { createApiKey } from '../src/domain/api-keys.ts';
import { requester } from './helpers/request.ts';
import { loadConfig } from '../src/config.ts';
import { addClient } from '../src/domain/clients.ts';
import { createCampaign } from '../src/tracking/campaigns.ts';
import { checkTrackDomain, DomainCache, domainProof, parseTrackDomain } from '../src/tracking/domains.ts';
import { freshDb, type TestDb } from './helpers/db.ts';

const PUBLIC = 'https://track.agency.example';

/** A request to the server's port with a chosen Host header, as a proxy forwarding go.brand.test would send it. */
function get(port: number, host: string, path: string): Promise<{ status: number; location?: string; body: string }> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path, headers: { host, 'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148' } }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, body }));
    }).on('error', reject);
  });
}

describe('custom tracking domains', () => {
  let db: TestDb;
  let server: Awaited<ReturnType<typeof startServer>>;
  let ids: { brand: string; other: string };
  let codes: { brand: string; other: string };

  beforeAll(async () => {
    db = await freshDb('pglite');
    const brand = await addClient(db.prisma, { slug: 'brand', timezone: 'UTC' });
    const other = await addClient(db.prisma, { slug: 'other', timezone: 'UTC' });
    await db.prisma.client.update({ where: { id: brand.id }, data: { trackDomain: 'go.brand.test' } });
    const a = await createCampaign(db.prisma, brand.id, { name: 'Spring reel', destinationUrl: 'https://shop.brand.test/spring', platform: 'instagram' });
    const b = await createCampaign(db.prisma, other.id, { name: 'Other', destinationUrl: 'https://other.test/', platform: 'instagram' });
    ids = { brand: brand.id, other: other.id };
    codes = { brand: a.code, other: b.code };
    server = await startServer(db, loadConfig({ ADBRAIN_PUBLIC_URL: PUBLIC }), { port: 0 });
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    await db?.destroy();
  });

  it('serves the client\'s links on its host, and only them', async () => {
    const hit = await get(server.port, 'go.brand.test', `/t/${codes.brand}`);
    expect(hit.status).toBe(302);
    expect(hit.location).toMatch(/^https:\/\/shop\.brand\.test\/spring\?utm_campaign=/);
    // The host with a port and in capitals is the same host.
    expect((await get(server.port, `GO.Brand.test:${server.port}`, `/t/${codes.brand}`)).status).toBe(302);
    // Another client's link does not exist on this host; on the server's own host it does.
    expect((await get(server.port, 'go.brand.test', `/t/${codes.other}`)).status).toBe(404);
    expect((await get(server.port, 'track.agency.example', `/t/${codes.other}`)).status).toBe(302);
    // Nothing else of the server is reachable through a client's host.
    for (const p of ['/v1/clients', '/app', '/openapi.json', '/metrics', '/v1/health']) expect((await get(server.port, 'go.brand.test', p)).status, p).toBe(404);
    expect((await get(server.port, 'go.brand.test', '/t.js')).status).toBe(200);
    // The routing proof: for this client and host only.
    const proof = await get(server.port, 'go.brand.test', '/.well-known/adbrain-domain');
    expect(proof).toMatchObject({ status: 200, body: domainProof(ids.brand, 'go.brand.test') });
    expect((await get(server.port, 'go.unknown.test', '/.well-known/adbrain-domain')).status).toBe(404);
  });

  it('the check reaches the host through a hosts entry and proves it routes here; elsewhere it says why', async () => {
    const resolve = `go.brand.test:${server.port}:127.0.0.1`;
    const url = `http://go.brand.test:${server.port}/.well-known/adbrain-domain`;
    expect(await checkTrackDomain(ids.brand, 'go.brand.test', { url, resolve })).toMatchObject({ ok: true, problem: null });
    // Another server (another adbrain, a parked page) answers the host: not this one.
    const stranger = http.createServer((req, res) => res.writeHead(req.url === '/.well-known/adbrain-domain' ? 200 : 404).end('adbrain-domain-v1 somebody-else'));
    await new Promise<void>((r) => stranger.listen(0, '127.0.0.1', r));
    const port2 = (stranger.address() as AddressInfo).port;
    try {
      const wrong = await checkTrackDomain(ids.brand, 'go.brand.test', { url: `http://go.brand.test:${port2}/.well-known/adbrain-domain`, resolve: `go.brand.test:${port2}:127.0.0.1` });
      expect(wrong).toMatchObject({ ok: false, problem: expect.stringContaining('reaches an adbrain server, but not this one') });
    } finally {
      await new Promise((r) => stranger.close(r));
    }
    // This server, but the host is not this client's: the proxy points here, the domain is not set (or set for another client).
    const notSet = await checkTrackDomain(ids.other, 'go.other.test', { url: `http://go.other.test:${server.port}/.well-known/adbrain-domain`, resolve: `go.other.test:${server.port}:127.0.0.1` });
    expect(notSet.problem).toMatch(/does not know it as this client's domain/);
    // Nothing listens where the name points.
    const closed = await checkTrackDomain(ids.brand, 'go.brand.test', { url: 'http://go.brand.test:9/.well-known/adbrain-domain', resolve: 'go.brand.test:9:127.0.0.1' });
    expect(closed.problem).toMatch(/nothing answers on port 9: check the reverse proxy/);
  });

  it('REST: set it (admin, audited), one client per host, links shown on it, the check from the server', async () => {
    const agencyId = (await db.prisma.client.findUniqueOrThrow({ where: { id: ids.other } })).agencyId;
    const admin = (await createApiKey(db.prisma, agencyId, { role: 'admin' })).key;
    const app = createApp(apiDeps(db, loadConfig({ ADBRAIN_PUBLIC_URL: PUBLIC, ADBRAIN_RESOLVE: 'go.other.test:443:127.0.0.1' }), () => new Date()));
    const call = requester(() => app, { key: () => admin });
    expect((await call('PATCH', `/v1/clients/${ids.other}/tracking`, { body: { domain: 'go.brand.test' } })).status).toBe(409);
    const bad = await call('PATCH', `/v1/clients/${ids.other}/tracking`, { body: { domain: 'https://x' } });
    expect(bad.status).toBe(422);
    const set = await call('PATCH', `/v1/clients/${ids.other}/tracking`, { body: { domain: 'GO.other.test' } });
    expect(set.json).toMatchObject({ domain: 'go.other.test', snippet: expect.stringContaining('src="https://go.other.test/t.js"') });
    const list = await call('GET', `/v1/clients/${ids.other}/tracking-campaigns`);
    expect(list.json.data[0].trackingUrl).toMatch(/^https:\/\/go\.other\.test\/t\//);
    // Port 443 on loopback: nothing there — the check says so instead of failing.
    const check = await call('GET', `/v1/clients/${ids.other}/tracking/domain-check`);
    expect(check.json).toMatchObject({ domain: 'go.other.test', ok: false, problem: expect.stringMatching(/nothing answers on port 443/) });
    expect((await call('PATCH', `/v1/clients/${ids.other}/tracking`, { body: { domain: null } })).json.domain).toBeNull();
  });

  it('made-up Host headers never reach the database: the domain table is read once per 30 s, whatever the hosts', async () => {
    let reads = 0;
    const prisma = { client: { findMany: async () => (reads++, [{ id: 'c1', trackDomain: 'go.brand.test' }]) } };
    const cache = new DomainCache(prisma as never);
    const answers = await Promise.all(Array.from({ length: 2000 }, (_, i) => cache.clientOf(`x${i}.flood.test`, 1_000)));
    expect(answers.every((a) => a === null)).toBe(true);
    expect(await cache.clientOf('go.brand.test', 20_000)).toBe('c1');
    expect(reads).toBe(1);
    await cache.clientOf('go.brand.test', 40_000);
    expect(reads).toBe(2);
  });

  it('a domain must be a host name, and not the server\'s own', () => {
    expect(parseTrackDomain(' Go.Brand.COM. ', PUBLIC)).toBe('go.brand.com');
    expect(() => parseTrackDomain('https://go.brand.com/t', PUBLIC)).toThrow(/not a host name like go\.brand\.com/);
    expect(() => parseTrackDomain('localhost', PUBLIC)).toThrow(/not a host name/);
    expect(() => parseTrackDomain('10.0.0.1', PUBLIC)).toThrow(/not a host name/);
    expect(() => parseTrackDomain('track.agency.example', PUBLIC)).toThrow(/this server's own address/);
  });
});
