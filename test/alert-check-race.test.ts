// Two alert checks of one client at once (the Inngest check after a sync, the day
// run's check and `adbrain alerts check` from a terminal can overlap): the alerts go
// out once — one email, one alert.sent event each, one Slack message — however the
// two interleave. On a Postgres server the two checks are two pools, as two
// processes would be.
import { afterAll, describe, expect, it } from 'vitest';
import { checkAlerts } from '../src/alerts/check.ts';
import { addClient } from '../src/domain/clients.ts';
import { importCsv } from '../src/import/import-csv.ts';
import type { Sender } from '../src/reports/senders.ts';
import { openDb, type Db } from '../src/db/client.ts';
import { dbKinds, freshDb, type TestDb } from './helpers/db.ts';

const HEADER = 'date,platform,account,campaign,adset,ad,link,spend,impressions,clicks,conversions,revenue';
const NOW = new Date('2026-11-23T12:00:00Z');

/** A provider that takes its time, so two checks are both inside a send at once; every message kept. */
function slowSender(log: { key: string; subject: string }[], ms = 150): Sender {
  return {
    name: 'resend',
    async send(msg) {
      await new Promise((r) => setTimeout(r, ms));
      log.push({ key: msg.idempotencyKey, subject: msg.subject });
      return { providerId: `p-${log.length}` } as Awaited<ReturnType<Sender['send']>>;
    },
  };
}

describe.each(dbKinds)('two alert checks of one client at once (%s)', (kind) => {
  const open: { close(): Promise<void> }[] = [];
  let db: TestDb;
  afterAll(async () => {
    for (const o of open) await o.close();
    await db?.destroy();
  });

  async function seed(slug: string, links: number) {
    await addClient(db.prisma, { slug, name: slug, timezone: 'UTC', currency: 'USD', recipients: ['ops@x.test'] });
    const rows = [HEADER];
    for (let k = 0; k < links; k++) for (const d of ['2026-11-22', '2026-11-23']) rows.push(`${d},tiktok,Acc,Camp,S,Ad ${k},lnk-${k},${80 + k}.00,1000,10,0,0`);
    await importCsv(db, Buffer.from(rows.join('\n')), `${slug}.csv`, { clientSlug: slug, now: NOW });
    const client = await db.prisma.client.findUniqueOrThrow({ where: { slug } });
    const machine = await db.prisma.webhookEndpoint.create({ data: { agencyId: client.agencyId, url: `https://hooks.example/${slug}`, secret: 'x', events: ['alert.sent'] } });
    const slack = await db.prisma.webhookEndpoint.create({ data: { agencyId: client.agencyId, url: `https://hooks.slack.com/services/T0/B0/${slug}`, secret: 'x' } });
    return { client, machine, slack };
  }

  /** A second handle on the same database: another pool on a server, the same instance embedded. */
  async function second(): Promise<Db> {
    if (!db.url) return db;
    const other = await openDb({ databaseUrl: db.url, dataDir: 'memory://', migrate: false });
    open.push(other);
    return other;
  }

  for (const links of [2, 6]) {
    it(`${links} burning links: ${links < 4 ? 'an email each' : 'one digest'}, sent once; one event per alert`, async () => {
      db ??= await freshDb(kind);
      const { client, machine, slack } = await seed(`race-${links}`, links);
      const other = await second();
      const log: { key: string; subject: string }[] = [];
      const [a, b] = await Promise.all([
        checkAlerts(db, client, { now: NOW, sender: slowSender(log), from: 'a@x.test' }),
        checkAlerts(other, client, { now: new Date(NOW.getTime() + 1000), sender: slowSender(log), from: 'a@x.test' }),
      ]);
      // Between them the two checks sent each alert once, and no message twice.
      expect(a.sent.length + b.sent.length).toBe(links);
      expect(log).toHaveLength(links < 4 ? links : 1);
      expect(new Set(log.map((m) => m.key)).size).toBe(log.length);
      expect(await db.prisma.alert.count({ where: { clientId: client.id } })).toBe(links);
      expect(await db.prisma.alert.count({ where: { clientId: client.id, sentAt: null } })).toBe(0);
      expect(await db.prisma.webhookDelivery.count({ where: { endpointId: machine.id, eventType: 'alert.sent' } })).toBe(links);
      expect(await db.prisma.webhookDelivery.count({ where: { endpointId: slack.id } })).toBe(links < 4 ? links : 1);
    });
  }

  it('a check that may not wait is refused while another runs, with the client named, and sends nothing', async () => {
    db ??= await freshDb(kind);
    const { client } = await seed('race-busy', 2);
    const other = await second();
    const log: { key: string; subject: string }[] = [];
    const first = checkAlerts(db, client, { now: NOW, sender: slowSender(log, 300), from: 'a@x.test' });
    // Until the first holds its lease.
    while (!(await db.sql.query('SELECT 1 FROM lease WHERE name = $1', [`alerts:${client.id}`])).length) await new Promise((r) => setTimeout(r, 10));
    await expect(checkAlerts(other, client, { now: NOW, sender: slowSender(log), from: 'a@x.test', waitMs: 0 })).rejects.toThrow(
      /^the alert check of race-busy is already running \(held until .*\); it was not run twice/,
    );
    expect((await first).sent).toHaveLength(2);
    expect(log).toHaveLength(2);
  });
});
