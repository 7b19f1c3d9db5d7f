// kill -9 of `adbrain webhooks deliver` in the middle of a batch: when the claim
// lapses the next batch sends only what was not recorded yet — at most the
// deliveries that were in flight (one per sender), not everything the killed batch
// had already posted. (An independent test counted 1,986 repeats over 6 kills when
// outcomes were recorded only at the end of a batch.)
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../src/db/client.ts';
import { addAgency } from '../src/domain/agencies.ts';
import { addClient } from '../src/domain/clients.ts';
import { runDueDeliveries, SENDERS } from '../src/webhooks/deliver.ts';
import { addEndpoint } from '../src/webhooks/endpoints.ts';
import { emitEvent } from '../src/webhooks/events.ts';
import { createServerDatabase, dbKinds } from './helpers/db.ts';

const NOW = new Date('2026-12-03T08:40:00Z');
const EVENTS = 240;
const KILL_AFTER = 80;

describe.each(dbKinds)('a delivery batch killed mid-way (%s)', (kind) => {
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const f of cleanup.reverse()) await f();
  });

  it(`repeats at most the ${SENDERS} in flight`, { timeout: 120_000 }, async () => {
    const key = randomBytes(32);
    const dir = await mkdtemp(path.join(tmpdir(), 'adbrain-hook-crash-'));
    const server = kind === 'postgres' ? await createServerDatabase() : null;
    if (server) cleanup.push(server.drop);
    const open = () => openDb({ databaseUrl: server?.url ?? null, dataDir: path.join(dir, 'data'), migrate: true });
    const hits: string[] = [];
    let onHit = () => {};
    const receiver = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => setTimeout(() => {
        hits.push(String(req.headers['webhook-id']));
        onHit();
        res.writeHead(200).end('ok');
      }, 15));
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    cleanup.push(() => new Promise<void>((r) => receiver.close(() => r())));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

    let db: Db = await open();
    const agency = await addAgency(db.prisma, { slug: 'crash', name: 'Crash' });
    const client = await addClient(db.prisma, { slug: 'crashed', agency: 'crash' });
    await addEndpoint(db, key, agency.id, { url, events: ['test.decided'] }, true);
    for (let i = 0; i < EVENTS; i++) await emitEvent(db, { clientId: client.id, type: 'test.decided', data: { i }, now: NOW });
    await db.close();

    // The real command, killed without warning once KILL_AFTER posts have arrived.
    const child = spawn(process.execPath, [path.resolve('bin/adbrain.mjs'), 'webhooks', 'deliver'], {
      cwd: dir,
      env: {
        PATH: process.env.PATH, HOME: process.env.HOME, ADBRAIN_DATA_DIR: path.join(dir, 'data'), ADBRAIN_ENCRYPTION_KEY: key.toString('hex'),
        ADBRAIN_WEBHOOKS_ALLOW_PRIVATE: '1', ADBRAIN_NOW: NOW.toISOString(), ...(server ? { DATABASE_URL: server.url } : {}),
      },
      stdio: 'ignore',
    });
    const exited = new Promise<void>((r) => child.on('exit', () => r()));
    onHit = () => {
      if (hits.length >= KILL_AFTER) child.kill('SIGKILL');
    };
    await exited;
    onHit = () => {};
    const sentBeforeKill = new Set(hits).size;
    expect(sentBeforeKill).toBeGreaterThanOrEqual(KILL_AFTER);
    expect(sentBeforeKill).toBeLessThan(EVENTS);

    // After the 15-minute claim has lapsed, the next batch finishes the job.
    db = await open();
    cleanup.push(() => db.close());
    const later = new Date(NOW.getTime() + 16 * 60_000);
    const r = await runDueDeliveries(db, { key, now: () => later, allowPrivate: true, timeoutMs: 5_000 });
    const unique = new Set(hits);
    const repeats = hits.length - unique.size;
    expect(unique.size).toBe(EVENTS);
    expect(repeats).toBeLessThanOrEqual(SENDERS);
    expect(r.attempted).toBeLessThanOrEqual(EVENTS - sentBeforeKill + SENDERS);
    expect(await db.prisma.webhookDelivery.count({ where: { status: 'succeeded' } })).toBe(EVENTS);
  });
});
