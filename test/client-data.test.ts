// A client's data handed over (the export zip) and erased (purge): every table of
// the schema is classified, the zip holds exactly the client's rows with a manifest
// whose hashes match, and the purge takes every row of the client — and nothing of
// anyone else — in one transaction, leaving one audit row.
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { createApp } from '../src/api/app.ts';
import { apiDeps } from '../src/api/server.ts';
import { recordAudit } from '../src/audit/log.ts';
import { runBrain } from '../src/run/brain-run.ts';
import { writeClientArchive, type Manifest } from '../src/client-data/archive.ts';
import { purgeClient } from '../src/client-data/erase.ts';
import { NOT_CLIENT_DATA, OWNED } from '../src/client-data/tables.ts';
import { loadConfig } from '../src/config.ts';
import { runDemo } from '../src/demo/demo.ts';
import { createApiKey } from '../src/domain/api-keys.ts';
import { saveConnection } from '../src/domain/connections.ts';
import { deliverDailyReport } from '../src/reports/daily-report.ts';
import { outboxSender } from '../src/reports/senders.ts';
import { emitEvent } from '../src/webhooks/events.ts';
import { dbKinds, freshDb, type TestDb } from './helpers/db.ts';

const END = '2026-11-21';
const NOW = new Date('2026-11-22T12:00:00Z');
const TOKEN = 'EAAB-secret-token-for-the-export-test';

function unzip(buf: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buf, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const files = new Map<string, Buffer>();
      zip.on('entry', (e: yauzl.Entry) => {
        zip.openReadStream(e, (err2, s) => {
          if (err2 || !s) return reject(err2);
          const parts: Buffer[] = [];
          s.on('data', (d: Buffer) => parts.push(d));
          s.on('end', () => {
            files.set(e.fileName, Buffer.concat(parts));
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(files));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

const countsOf = async (db: TestDb, clientId: string) => {
  const out: Record<string, number> = {};
  for (const t of OWNED) {
    const [r] = await db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${t.table}" WHERE ${t.where.replace(/\$1/g, '$1::uuid')}`, [clientId]);
    out[t.table] = r!.n;
  }
  return out;
};

describe.each(dbKinds)('client export and erase (%s)', (kind) => {
  let db: TestDb;
  let dir: string;
  let client: { id: string; slug: string; name: string; agencyId: string };
  let others: string[];

  beforeAll(async () => {
    db = await freshDb(kind);
    dir = await mkdtemp(path.join(tmpdir(), 'adbrain-client-data-'));
    await runDemo(db, { endDate: END, dataDir: dir });
    const c = await db.prisma.client.findUniqueOrThrow({ where: { slug: 'demo-affiliate' } });
    client = c;
    others = (await db.prisma.client.findMany({ where: { id: { not: c.id } } })).map((x) => x.id);
    await runBrain(db, c, END, { now: NOW });
    await deliverDailyReport(db, c, END, { sender: outboxSender(path.join(dir, 'outbox')), from: 'a@x.test', now: NOW });
    await saveConnection(db.prisma, randomBytes(32), { clientId: c.id, platform: 'meta', credentials: { accessToken: TOKEN } });
    await db.prisma.webhookEndpoint.create({ data: { agencyId: c.agencyId, url: 'https://hooks.example/x', secret: 'x' } });
    await emitEvent(db, { agencyId: c.agencyId, clientId: c.id, type: 'alert.sent', data: { headline: 'burning' }, now: NOW });
    await recordAudit(db.prisma, { kind: 'cli', id: null, name: 'cli:test' }, { action: 'client.update', entityType: 'client', entityId: c.id, agencyId: c.agencyId, clientId: c.id, before: { name: 'a' }, after: { name: 'b' } });
    // Some old data already rolled up by the prune.
    const e = await db.prisma.entity.findFirstOrThrow({ where: { clientId: c.id, kind: 'link' } });
    await db.prisma.metricMonth.create({ data: { entityId: e.id, month: new Date('2023-01-01T00:00:00Z'), source: 'csv', days: 31, spendCents: 12_345n } });
  }, 120_000);
  afterAll(async () => db?.destroy());

  it('every table of the schema is either client data or classified as not', async () => {
    const tables = (await db.sql.query<{ t: string }>("SELECT table_name AS t FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'")).map((r) => r.t);
    const known = new Set([...OWNED.map((t) => t.table), ...NOT_CLIENT_DATA]);
    expect(tables.filter((t) => !known.has(t)), 'tables in neither OWNED nor NOT_CLIENT_DATA').toEqual([]);
  });

  it('the export zip holds every row of the client, files matching the manifest, no secret and no one else', async () => {
    const file = path.join(dir, 'export.zip');
    const manifest = await writeClientArchive(db, client, createWriteStream(file), NOW);
    const files = await unzip(await readFile(file));
    const m = JSON.parse(files.get('manifest.json')!.toString()) as Manifest;
    expect(m).toEqual(JSON.parse(JSON.stringify(manifest)));
    expect(m.client.slug).toBe('demo-affiliate');
    expect([...files.keys()].sort()).toEqual([...m.files.map((f) => f.name), 'manifest.json'].sort());
    for (const f of m.files) expect(createHash('sha256').update(files.get(f.name)!).digest('hex'), f.name).toBe(f.sha256);
    const counts = await countsOf(db, client.id);
    for (const t of OWNED.filter((x) => !x.omit?.includes('*'))) {
      const f = m.files.find((x) => x.table === t.table)!;
      expect(f.rows, t.table).toBe(counts[t.table]);
      const body = files.get(f.name)!.toString();
      if (f.name.endsWith('.json')) expect(JSON.parse(body)).toHaveLength(counts[t.table]!);
      else expect(body.trimEnd().split('\r\n').length - 1, t.table).toBe(counts[t.table]);
    }
    expect(counts.daily_metric).toBeGreaterThan(1_000);
    expect(counts.metric_month).toBe(1);
    expect(m.files.some((f) => /^reports\/2026-11-21-daily-.*\.html$/.test(f.name))).toBe(true);
    expect(m.files.some((f) => f.name.endsWith('.pdf'))).toBe(true);
    const all = [...files.values()].map((b) => b.toString('latin1')).join('\n');
    expect(all).not.toContain(TOKEN);
    const conns = JSON.parse(files.get('connection.json')!.toString()) as Record<string, unknown>[];
    expect(conns).toHaveLength(1);
    expect(Object.keys(conns[0]!)).not.toContain('credentials');
    for (const id of others) expect(all.includes(id), 'another client\'s id in the export').toBe(false);
  });

  it('GET /v1/clients/{id}/export.zip streams the same archive (admin) and records who took it', async () => {
    const agencyKey = (await createApiKey(db.prisma, client.agencyId, { role: 'admin', name: 'dpo' })).key;
    const app = createApp(apiDeps(db, loadConfig({}), () => NOW));
    const res = await app.request(`/v1/clients/${client.id}/export.zip`, { headers: { authorization: `Bearer ${agencyKey}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    const files = await unzip(Buffer.from(await res.arrayBuffer()));
    const m = JSON.parse(files.get('manifest.json')!.toString()) as Manifest;
    expect(m.files.find((f) => f.table === 'daily_metric')!.rows).toBe((await countsOf(db, client.id)).daily_metric);
    expect(await db.prisma.auditLog.count({ where: { action: 'client.export', clientId: client.id } })).toBe(1);
  });

  it('a purge that fails half-way leaves everything as it was', async () => {
    const before = await countsOf(db, client.id);
    // An actor the audit table refuses (no name): the last statement of the transaction fails.
    await expect(purgeClient(db.prisma, client, { kind: 'cli', id: null, name: null as unknown as string })).rejects.toThrow();
    expect(await countsOf(db, client.id)).toEqual(before);
  });

  it('the purge erases every row of the client and nothing of anyone else, keeping one audit row', async () => {
    const othersBefore = await Promise.all(others.map((id) => countsOf(db, id)));
    const agencyRows = { endpoints: await db.prisma.webhookEndpoint.count(), keys: await db.prisma.apiKey.count() };
    const rows = await purgeClient(db.prisma, client, { kind: 'cli', id: null, name: 'cli:dpo' });
    expect(rows.daily_metric).toBeGreaterThan(1_000);
    const after = await countsOf(db, client.id);
    expect(Object.entries(after).filter(([t, n]) => n > 0 && t !== 'audit_log')).toEqual([]);
    expect(after.audit_log).toBe(1);
    const [row] = await db.prisma.auditLog.findMany({ where: { clientId: client.id } });
    expect(row).toMatchObject({ action: 'client.purge', actorName: 'cli:dpo', before: { slug: 'demo-affiliate', rows: expect.objectContaining({ daily_metric: rows.daily_metric }) } });
    expect(await db.prisma.webhookDelivery.count()).toBe(0);
    // Nothing anywhere still names the client or one of its entities: every uuid and text column of every table is searched.
    const cols = await db.sql.query<{ t: string; c: string }>("SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = current_schema() AND data_type IN ('uuid', 'text', 'jsonb') AND table_name <> 'audit_log'");
    for (const { t, c } of cols) {
      const [hit] = await db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${t}" WHERE "${c}"::text LIKE '%' || $1 || '%'`, [client.id]);
      expect(hit!.n, `${t}.${c} still names the erased client`).toBe(0);
    }
    expect(await Promise.all(others.map((id) => countsOf(db, id)))).toEqual(othersBefore);
    expect({ endpoints: await db.prisma.webhookEndpoint.count(), keys: await db.prisma.apiKey.count() }).toEqual(agencyRows);
  });
});
