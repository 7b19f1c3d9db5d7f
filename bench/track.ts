// npm run bench:track [-- --visits 10000000 --seconds 10]
// First-party tracking on loopback, in one run:
//   1. visit ingest through the real beacon (POST /v1/track/visit: site key, origin, bot check, the batched
//      writer) with autocannon — flat out (events/s, counted in the database afterwards) and at a fixed
//      1,000 requests/s (p50 / p99) — against a bare Hono endpoint doing one INSERT per event;
//   2. campaign analytics for 30 days, and one conversion's attribution, over N seeded visits.
// Postgres with TEST_DATABASE_URL (the numbers the issue asks for); PGlite otherwise, smaller.
import { serve } from '@hono/node-server';
import autocannon from 'autocannon';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import { createApp } from '../src/api/app.ts';
import { apiDeps } from '../src/api/server.ts';
import { loadConfig } from '../src/config.ts';
import type { Db } from '../src/db/client.ts';
import { addAgency } from '../src/domain/agencies.ts';
import { addClient } from '../src/domain/clients.ts';
import { campaignAnalytics } from '../src/tracking/analytics.ts';
import { siteKeyOf } from '../src/tracking/campaigns.ts';
import { recordConversion } from '../src/tracking/conversions.ts';
import { rebuildSnapshots } from '../src/tracking/snapshots.ts';
import { onEachDb } from './server-db.ts';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const SECONDS = arg('seconds', 10);
const UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const ORIGIN = 'https://shop.example';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * q) / 100))]!;

function listen(fetch: (r: Request) => Response | Promise<Response>): Promise<{ url: string; close: () => Promise<void> }> {
  return new Promise((resolve) => {
    const s = serve({ fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => resolve({ url: `http://127.0.0.1:${info.port}`, close: () => new Promise((r) => s.close(() => r())) }));
  });
}

async function load(url: string, body: string, o: { rate?: number; connections: number }) {
  const r = await autocannon({
    url, method: 'POST', duration: SECONDS, connections: o.connections, ...(o.rate ? { overallRate: o.rate } : {}),
    headers: { 'content-type': 'text/plain;charset=UTF-8', origin: ORIGIN, 'user-agent': UA }, body,
  });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors };
}

await onEachDb('adbrain-bench-track', async (label, db: Db, url) => {
  const visits = url ? arg('visits', 10_000_000) : arg('pglite-visits', 1_000_000);
  console.log(`\n${label}`);
  await addAgency(db.prisma, { slug: 'bench', name: 'Bench' });
  const client = await addClient(db.prisma, { slug: 'bench-shop', agency: 'bench', timezone: 'UTC' });
  await db.prisma.client.update({ where: { id: client.id }, data: { trackOrigins: [ORIGIN] } });
  const site = await siteKeyOf(db.prisma, client.id);
  await db.sql.query(`INSERT INTO tracking_campaign (client_id, name, code, destination_url, cost_cents) SELECT $1::uuid, 'C ' || g, 'C_' || g, 'https://shop.example/', 100000 FROM generate_series(1, 1000) g`, [client.id]);
  const body = JSON.stringify({ k: site, s: 'bench-session-000000000001', c: 'C_1', u: 'https://shop.example/p?utm_campaign=C_1' });

  // 1. ingest: adbrain's beacon vs a bare endpoint with one INSERT per event.
  const app = createApp(apiDeps(db, loadConfig({}), () => new Date()), { beaconLimit: 1e9 });
  const ours = await listen(app.fetch);
  const bare = new Hono().post('/visit', async (c) => {
    const b = JSON.parse(await c.req.text()) as { s: string; u: string };
    await db.sql.query("INSERT INTO visit (client_id, session_id, kind, at, path) VALUES ($1::uuid, $2, 'view', now(), $3)", [client.id, b.s, b.u]);
    return c.body(null, 204);
  });
  const base = await listen(bare.fetch);
  try {
    const count = async () => Number((await db.sql.query<{ n: string }>('SELECT count(*)::text AS n FROM visit'))[0]!.n);
    const settle = async () => { for (let i = 0, last = -1; i < 50; i++) { const n = await count(); if (n === last) return n; last = n; await new Promise((r) => setTimeout(r, 200)); } return count(); };
    let before = await count();
    const flatOurs = await load(`${ours.url}/v1/track/visit`, body, { connections: 50 });
    const storedOurs = (await settle()) - before;
    before = await count();
    const flatBare = await load(`${base.url}/visit`, body, { connections: 50 });
    const storedBare = (await settle()) - before;
    const rateOurs = await load(`${ours.url}/v1/track/visit`, body, { connections: 20, rate: 1000 });
    const rateBare = await load(`${base.url}/visit`, body, { connections: 20, rate: 1000 });
    await settle();
    console.log(`  ingest flat out (${SECONDS} s, 50 connections): beacon ${Math.round(flatOurs.rps).toLocaleString('en-US')} req/s, ${Math.round(storedOurs / SECONDS).toLocaleString('en-US')} events/s stored (${flatOurs.non2xx} non-2xx) · bare INSERT ${Math.round(flatBare.rps).toLocaleString('en-US')} req/s, ${Math.round(storedBare / SECONDS).toLocaleString('en-US')} stored · ratio ${(storedOurs / Math.max(1, storedBare)).toFixed(2)}×`);
    console.log(`  at 1,000 requests/s: beacon p50 ${rateOurs.p50} ms, p99 ${rateOurs.p99} ms (${Math.round(rateOurs.rps)} req/s) · bare INSERT p50 ${rateBare.p50} ms, p99 ${rateBare.p99} ms (${Math.round(rateBare.rps)} req/s)`);
  } finally {
    await ours.close();
    await base.close();
  }

  // 2. analytics and attribution over N visits: 1,000 campaigns, 90 days, 200,000 sessions.
  let t0 = performance.now();
  await db.sql.query('DELETE FROM visit');
  await db.sql.query(
    `INSERT INTO visit (client_id, campaign_id, session_id, kind, at, device, country)
     SELECT $1::uuid, c.id, 's' || (g % 200000), CASE WHEN g % 3 = 0 THEN 'click' ELSE 'view' END, TIMESTAMPTZ '2026-09-01' + (((g::bigint * 7776000) / $2::bigint) || ' seconds')::interval,
       CASE WHEN g % 2 = 0 THEN 'mobile' ELSE 'desktop' END, CASE WHEN g % 5 = 0 THEN 'FR' ELSE 'DE' END
     FROM generate_series(1, $2::int) g JOIN LATERAL (SELECT id FROM tracking_campaign WHERE client_id = $1::uuid AND code = 'C_' || (1 + g % 1000)) c ON true`,
    [client.id, visits],
  );
  await db.sql.query('ANALYZE visit');
  console.log(`  seeded ${visits.toLocaleString('en-US')} visits in ${Math.round(performance.now() - t0).toLocaleString('en-US')} ms`);
  // Seeded past the write path: the hourly snapshots are rebuilt from the raw visits (what a time-zone change does).
  t0 = performance.now();
  const hours = await rebuildSnapshots(db, client.id);
  console.log(`  snapshots rebuilt from the raw visits: ${hours.toLocaleString('en-US')} campaign-hours in ${Math.round(performance.now() - t0).toLocaleString('en-US')} ms`);
  const all = await db.prisma.trackingCampaign.findMany({ where: { clientId: client.id } });
  const one = all.find((c) => c.code === 'C_7')!;
  const range = { from: '2026-10-01', to: '2026-10-30', timezone: 'UTC' };
  const times: number[] = [];
  let visitsSeen = 0;
  for (let i = 0; i < 7; i++) {
    t0 = performance.now();
    const r = await campaignAnalytics(db, client.id, one, all, range, { includeChildren: false, model: 'last_touch' });
    times.push(performance.now() - t0);
    visitsSeen = r.visits;
  }
  console.log(`  campaign analytics, 30 days (${visitsSeen.toLocaleString('en-US')} of its visits): median ${median(times).toFixed(1)} ms, worst ${Math.max(...times).toFixed(1)} ms (target ≤ 200 ms)`);
  const attrib: number[] = [];
  for (let i = 0; i < 200; i++) {
    t0 = performance.now();
    await recordConversion(db, { clientId: client.id, orderId: `bench-${i}`, revenueCents: 5_000, currency: 'USD', at: new Date('2026-11-29T12:00:00Z'), sessionId: `s${(i * 997) % 200000}` });
    attrib.push(performance.now() - t0);
  }
  console.log(`  a conversion's attribution (insert + last touch over the session's visits, 200 orders): median ${median(attrib).toFixed(2)} ms, p99 ${p(attrib, 99).toFixed(2)} ms (target ≤ 5 ms)`);
});
