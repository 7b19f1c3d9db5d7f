// A Postgres server that drops connections mid-transaction or refuses them (a
// restart) never kills the process: requests answer 503 with Retry-After, the
// day's steps and imports retry with backoff, and what reaches a user is one line.
// Runs on a Postgres server only (TEST_DATABASE_URL); CI sets it.
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../src/api/server.ts';
import { loadConfig } from '../src/config.ts';
import { openDb, type Db } from '../src/db/client.ts';
import type { Sql } from '../src/db/sql.ts';
import { isTransientDbError, userMessage } from '../src/db/retry.ts';
import { addAgency } from '../src/domain/agencies.ts';
import { createApiKey } from '../src/domain/api-keys.ts';
import { addClient } from '../src/domain/clients.ts';
import { importCsv } from '../src/import/import-csv.ts';
import { deliverDailyReport, reportKey } from '../src/reports/daily-report.ts';
import type { Sender } from '../src/reports/senders.ts';
import { runClientDay, type DayStep } from '../src/run/day.ts';
import { createCampaign, siteKeyOf } from '../src/tracking/campaigns.ts';
import { createServerDatabase, serverUrl } from './helpers/db.ts';
import { startTcpProxy, type TcpProxy } from './helpers/tcp-proxy.ts';

const HEADER = 'date,platform,account,campaign,adset,ad,link,spend,impressions,clicks,conversions,revenue';
const bigCsv = (rows: number) => {
  const lines = [HEADER];
  for (let i = 0; i < rows; i++) lines.push(`2026-11-${String(1 + (i % 20)).padStart(2, '0')},meta,Acc,Camp ${i % 50},Set ${i % 7},Ad ${Math.floor(i / 20)},,${(i % 90) + 1}.25,1000,10,1,20.00`);
  return Buffer.from(lines.join('\n'));
};
const fast = { retries: 6, minTimeoutMs: 50 };

describe.runIf(serverUrl)('when the database server drops or refuses connections', { timeout: 120_000 }, () => {
  let proxy: TcpProxy;
  let direct: Db;
  let viaProxy: Db;
  let database: { url: string; drop: () => Promise<void> };

  beforeAll(async () => {
    database = await createServerDatabase();
    direct = await openDb({ databaseUrl: database.url, dataDir: 'memory://', migrate: true });
    await addClient(direct.prisma, { slug: 'acme', timezone: 'UTC' });
    proxy = await startTcpProxy({ host: new URL(serverUrl).hostname, port: Number(new URL(serverUrl).port || 5432) });
    viaProxy = await openDb({ databaseUrl: proxy.url(database.url), dataDir: 'memory://', migrate: false });
  });
  afterAll(async () => {
    await viaProxy?.close();
    await direct?.close();
    await proxy?.close();
    await database?.drop();
  });

  const terminateOthers = async () => {
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    const dbName = new URL(database.url).pathname.slice(1);
    const r = await admin.query('SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [dbName]);
    await admin.end();
    return r.rows[0].n as number;
  };

  it('pg_terminate_backend in the middle of a transaction: the caller gets a transient error, the pool recovers', async () => {
    const tx = direct.sql.tx(async (sql) => {
      await sql.query("INSERT INTO agency (id, slug, name, timezone, currency) VALUES (gen_random_uuid(), 'doomed', 'D', 'UTC', 'USD')");
      await sql.query('SELECT pg_sleep(5)');
    }).then(() => null, (e: unknown) => e);
    await new Promise((r) => setTimeout(r, 300));
    expect(await terminateOthers()).toBeGreaterThan(0);
    const err = await tx;
    expect(err).not.toBeNull();
    expect(isTransientDbError(err)).toBe(true);
    expect(userMessage(err)).toMatch(/^the database is unavailable \(57P01\)/);
    // Nothing half-written, and the next query works on a fresh connection.
    expect(await direct.prisma.agency.count({ where: { slug: 'doomed' } })).toBe(0);
    // The same for Prisma's own transaction path (adapter-pg checks out a client).
    const ptx = direct.prisma.$transaction(async (t) => {
      await t.agency.create({ data: { slug: 'doomed2', name: 'D' } });
      await t.$queryRawUnsafe('SELECT pg_sleep(5)');
    }).then(() => null, (e: unknown) => e);
    await new Promise((r) => setTimeout(r, 300));
    await terminateOthers();
    expect(isTransientDbError(await ptx)).toBe(true);
    expect(await direct.prisma.agency.count({ where: { slug: { startsWith: 'doomed' } } })).toBe(0);
  });

  it('an import whose connection drops mid-transaction is retried whole: all rows once, one import run', async () => {
    const csv = bigCsv(30_000);
    const retried: number[] = [];
    // Cut every connection the first time the import writes metrics: inside its
    // transaction, after the import run and the entities were written.
    let cut = false;
    const cutting = (sql: Sql): Sql => ({
      ...sql,
      async query(text, params) {
        if (!cut && text.includes('INSERT INTO daily_metric')) {
          cut = true;
          proxy.dropAll();
        }
        return sql.query(text, params);
      },
      tx: (fn) => sql.tx((inner) => fn(cutting(inner))),
    });
    const db: Db = { ...viaProxy, sql: cutting(viaProxy.sql) };
    const s = await importCsv(db, csv, 'big.csv', { clientSlug: 'acme', now: new Date('2026-11-23T12:00:00Z'), dbRetry: { ...fast, onRetry: (a) => retried.push(a) } });
    expect(cut).toBe(true);
    expect(retried).toEqual([1]);
    expect(s.imported).toBe(30_000);
    const [counts] = await direct.sql.query<{ rows: number; runs: number }>(
      "SELECT (SELECT count(*) FROM daily_metric)::int AS rows, (SELECT count(*) FROM import_run WHERE file_name = 'big.csv')::int AS runs",
    );
    expect(counts).toEqual({ rows: s.inserted, runs: 1 });
    expect(s.inserted).toBe(s.imported);
  });

  it('a day step that loses its connection is retried with backoff; a lasting outage fails the step in one line', async () => {
    const client = await viaProxy.prisma.client.findUniqueOrThrow({ where: { slug: 'acme' } });
    let calls = 0;
    const flaky: DayStep = {
      name: 'flaky',
      async run(ctx) {
        calls++;
        if (calls === 1) {
          proxy.setDown(true);
          setTimeout(() => proxy.setDown(false), 200);
        }
        const n = await ctx.db.prisma.entity.count({ where: { clientId: ctx.client.id } });
        return { status: 'ok', detail: `${n} entities` };
      },
    };
    const retries: string[] = [];
    const ctx = { db: viaProxy, client, asOf: '2026-11-22', now: new Date(), outboxDir: '/nonexistent', dbRetry: fast, onRetry: (s: string, a: number, m: string) => retries.push(`${s} ${a}: ${m}`) };
    const ok = await runClientDay(ctx, { steps: [flaky] });
    expect(ok.ok).toBe(true);
    expect(calls).toBeGreaterThan(1);
    expect(retries[0]).toMatch(/^flaky 1: the database is unavailable/);

    proxy.setDown(true);
    try {
      const failed = await runClientDay({ ...ctx, dbRetry: { retries: 2, minTimeoutMs: 20 } }, { steps: [flaky] });
      expect(failed.ok).toBe(false);
      expect(failed.steps[0]!.detail).toMatch(/^the database is unavailable \(\w+\); try again when it is back$/);
    } finally {
      proxy.setDown(false);
    }
  });

  it('the server stays up: 503 with Retry-After while the database is down, answers again after', async () => {
    const agency = await addAgency(direct.prisma, { slug: 'ops', name: 'Ops' });
    const { key } = await createApiKey(direct.prisma, agency.id, { role: 'admin' });
    const opsClient = await addClient(direct.prisma, { slug: 'ops-shop', agency: 'ops', timezone: 'UTC' });
    const s = await startServer(viaProxy, loadConfig({}), { port: 0 });
    const base = `http://127.0.0.1:${s.port}`;
    const auth = { authorization: `Bearer ${key}` };
    try {
      expect((await fetch(`${base}/v1/clients`, { headers: auth })).status).toBe(200);
      // An upload in flight when every connection drops.
      const upload = fetch(`${base}/v1/clients/${opsClient.id}/imports?fileName=up.csv`, {
        method: 'POST', headers: { ...auth, 'content-type': 'text/csv' }, body: bigCsv(20_000),
      });
      await new Promise((r) => setTimeout(r, 300));
      proxy.dropAll();
      expect([201, 503]).toContain((await upload).status);

      proxy.setDown(true);
      for (const p of ['/v1/clients', '/v1/insights', '/v1/health']) {
        const r = await fetch(`${base}${p}`, { headers: auth });
        expect(r.status, p).toBe(503);
        if (p !== '/v1/health') {
          expect(r.headers.get('retry-after')).toBe('5');
          expect(await r.json()).toEqual({ error: { code: 'database_unavailable', message: 'the database is unavailable right now; retry shortly', details: null } });
        }
      }
      proxy.setDown(false);
      expect((await fetch(`${base}/v1/clients`, { headers: auth })).status).toBe(200);
      expect((await fetch(`${base}/v1/health`)).status).toBe(200);
    } finally {
      proxy.setDown(false);
      await s.close();
    }
  });

  it('a click during the outage still reaches its destination; its visit is written once the database is back', async () => {
    const c = await addClient(direct.prisma, { slug: 'click-shop', timezone: 'UTC' });
    const t = await createCampaign(direct.prisma, c.id, { name: 'Cut', platform: 'instagram', type: 'reel', destinationUrl: 'https://shop.example/cut', code: 'CUT' });
    const link = `/t/CUT?s=${await siteKeyOf(direct.prisma, c.id)}`;
    const s = await startServer(viaProxy, loadConfig({}), { port: 0 });
    const click = () => fetch(`http://127.0.0.1:${s.port}${link}`, { redirect: 'manual', headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0' } });
    try {
      expect((await click()).status).toBe(302);
      proxy.setDown(true);
      proxy.dropAll();
      const during = [];
      for (let i = 0; i < 12; i++) during.push(await click());
      expect(during.map((r) => r.status)).toEqual(Array(12).fill(302));
      expect(during.every((r) => r.headers.get('location')?.startsWith('https://shop.example/cut?'))).toBe(true);
      proxy.setDown(false);
      // The writer retries after 1 s, then 2 s, …
      const deadline = Date.now() + 20_000;
      let n = 0;
      while (Date.now() < deadline && (n = await direct.prisma.visit.count({ where: { campaignId: t.id } })) < 13) await new Promise((r) => setTimeout(r, 200));
      expect(n).toBe(13);
    } finally {
      proxy.setDown(false);
      await s.close();
    }
  });

  it('a report emailed just before the database goes away is recorded as sent when it is back, and never sent twice', async () => {
    const c = await addClient(direct.prisma, { slug: 'mailed-shop', timezone: 'UTC', recipients: ['owner@mailed.example'] });
    const sends: string[] = [];
    // The provider accepts the email; at that moment every connection drops for 3 s.
    const sender: Sender = {
      name: 'resend',
      async send(msg) {
        sends.push(msg.idempotencyKey);
        proxy.setDown(true);
        proxy.dropAll();
        setTimeout(() => proxy.setDown(false), 3_000);
        return { provider: 'resend', providerId: `em_${sends.length}` };
      },
    };
    const opts = { sender, from: 'r@adbrain.example', now: new Date('2026-11-23T07:00:00Z'), recordRetry: { retries: 8, minTimeoutMs: 200 } };
    const first = await deliverDailyReport(viaProxy, c, '2026-11-22', opts);
    expect(first.status).toBe('delivered');
    const row = await direct.prisma.report.findUniqueOrThrow({ where: { idempotencyKey: reportKey(c.id, '2026-11-22') } });
    expect(row).toMatchObject({ status: 'sent', providerId: 'em_1' });
    expect((await deliverDailyReport(viaProxy, c, '2026-11-22', opts)).status).toBe('already-delivered');
    expect(sends).toHaveLength(1);
  });

  it('the CLI says in one line that the database is unreachable, with its exit code', async () => {
    // A port nothing listens on: connection refused.
    const free = await new Promise<number>((resolve) => {
      const srv = net.createServer().listen(0, '127.0.0.1', () => {
        const port = (srv.address() as net.AddressInfo).port;
        srv.close(() => resolve(port));
      });
    });
    const url = `postgres://adbrain:hunter2secret@127.0.0.1:${free}/x`;
    const r = spawnSync(process.execPath, [path.resolve('bin/adbrain.mjs'), 'clients', 'list'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: url, ADBRAIN_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64') },
      timeout: 60_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^error: the database is unavailable \(ECONNREFUSED\); try again when it is back — postgres:\/\/adbrain:\[redacted\]@127\.0\.0\.1:\d+\/x\n$/);
    expect(r.stderr).not.toContain('hunter2secret');
  });
});
