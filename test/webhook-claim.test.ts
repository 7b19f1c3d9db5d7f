// Two delivery batches at once — `adbrain serve`'s or Inngest's, and a CLI command's
// at exit — post each delivery once: a Slack channel has no webhook-id to dedupe on.
// On a Postgres server the batches are two pools, as two processes would be.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../src/db/client.ts';
import { addAgency } from '../src/domain/agencies.ts';
import { addClient } from '../src/domain/clients.ts';
import { outboxSender } from '../src/reports/senders.ts';
import { runDueDeliveries, type DeliveryOptions } from '../src/webhooks/deliver.ts';
import { addEndpoint } from '../src/webhooks/endpoints.ts';
import { emitEvent } from '../src/webhooks/events.ts';
import { dbKinds, freshDb, type TestDb } from './helpers/db.ts';

describe.each(dbKinds)('two webhook delivery batches at once (%s)', (kind) => {
  let db: TestDb;
  let other: Db;
  let server: http.Server;
  let url: string;
  const hits: string[] = [];
  const key = randomBytes(32);

  beforeAll(async () => {
    db = await freshDb(kind);
    other = db.url ? await openDb({ databaseUrl: db.url, dataDir: 'memory://', migrate: false }) : db;
    // A receiver that takes its time, so both batches are in flight together.
    server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => setTimeout(() => {
        hits.push(String(req.headers['webhook-id']));
        res.writeHead(200).end('ok');
      }, 150));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    if (other !== db) await other.close();
    await db?.destroy();
  });

  it('post each delivery once and record one attempt each; nothing is left due', async () => {
    const agency = await addAgency(db.prisma, { slug: 'claim', name: 'Claim' });
    const client = await addClient(db.prisma, { slug: 'claimed', agency: 'claim' });
    const { endpoint } = await addEndpoint(db, key, agency.id, { url, events: ['test.decided'] }, true);
    const now = new Date();
    for (let i = 0; i < 6; i++) await emitEvent(db, { clientId: client.id, type: 'test.decided', data: { i }, now });
    const opts = async (): Promise<DeliveryOptions> => ({ key, now: () => now, allowPrivate: true, timeoutMs: 5_000, sender: outboxSender(await mkdtemp(path.join(tmpdir(), 'adbrain-claim-'))), from: 'a@x.test' });
    const [a, b] = await Promise.all([runDueDeliveries(db, await opts()), runDueDeliveries(other, await opts())]);
    expect(hits).toHaveLength(6);
    expect(new Set(hits).size).toBe(6);
    expect(a.succeeded + b.succeeded).toBe(6);
    expect(await db.prisma.webhookDelivery.count({ where: { endpointId: endpoint.id, status: 'succeeded' } })).toBe(6);
    expect(await db.prisma.webhookAttempt.count({ where: { delivery: { endpointId: endpoint.id } } })).toBe(6);
    // A third batch finds nothing due.
    expect((await runDueDeliveries(db, await opts())).attempted).toBe(0);
  });
});
