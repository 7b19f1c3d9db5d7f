// The inbox at real scale: per finding type the top ROLLUP_TOP entities are
// insights of their own; new ones beyond them share one insight that lists them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLLUP_TOP, runBrain } from '../src/run/brain-run.ts';
import { addClient, getClientBySlug } from '../src/domain/clients.ts';
import { importCsv } from '../src/import/import-csv.ts';
import { dbKinds, freshDb, type TestDb } from './helpers/db.ts';

const NOW = new Date('2026-11-20T12:00:00Z');

function burningFile(links: number, days = 8): Buffer {
  const rows = ['date,platform,campaign,link,spend,impressions,clicks,conversions,revenue'];
  for (let d = 0; d < days; d++) {
    const date = `2026-11-${String(10 + d).padStart(2, '0')}`;
    // Link k loses (25 + k) dollars a day: impact grows with k.
    for (let k = 0; k < links; k++) rows.push(`${date},meta,Affiliates,https://t.example/l${k},${(30 + k).toFixed(2)},1000,20,1,${(5).toFixed(2)}`);
  }
  return Buffer.from(rows.join('\n') + '\n');
}

describe.each(dbKinds)('inbox roll-up on %s', (kind) => {
  let db: TestDb;
  beforeAll(async () => {
    db = await freshDb(kind);
    await addClient(db.prisma, { slug: 'aff', timezone: 'UTC', currency: 'USD' });
  });
  afterAll(async () => db?.destroy());

  it('60 burning links: the 25 that lose most one by one, "…and 35 more burning links" listing the rest; re-runs keep it so', async () => {
    await importCsv(db, burningFile(60), 'links.csv', { clientSlug: 'aff', now: NOW });
    const c = await getClientBySlug(db.prisma, 'aff');
    const r = await runBrain(db, c, '2026-11-17', { now: NOW });
    expect(r.output.oracle.findings.filter((f) => f.type === 'burning')).toHaveLength(60);
    const burning = await db.prisma.insight.findMany({ where: { clientId: c.id, type: 'burning' }, include: { entity: true } });
    const single = burning.filter((i) => i.entity);
    const rollup = burning.filter((i) => !i.entity);
    expect(single).toHaveLength(ROLLUP_TOP);
    // The ones shown individually are the biggest losers (links 35…59).
    expect(single.map((i) => Number(i.entity!.name.split('/l')[1])).sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, k) => 35 + k));
    expect(rollup).toHaveLength(1);
    expect(rollup[0]!.title).toBe('…and 35 more burning links: https://t.example/l34, https://t.example/l33, https://t.example/l32, …');
    const payload = rollup[0]!.payload as { members: { name: string; impactCents: number }[]; facts: { count: number } };
    expect(payload.facts.count).toBe(35);
    expect(payload.members.map((m) => m.name)).toContain('https://t.example/l0');
    expect(Number(rollup[0]!.impactCents)).toBe(payload.members.reduce((a, m) => a + m.impactCents, 0));

    const count = () => db.prisma.insight.count({ where: { clientId: c.id } });
    const before = await count();
    await runBrain(db, c, '2026-11-17', { now: new Date('2026-11-20T13:00:00Z') });
    expect(await count()).toBe(before);
  });
});
