import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBrainInput, runBrain } from '../src/run/brain-run.ts';
import { ACTION_FOR, learnPriors } from '../src/brain/curiosity/actions.ts';
import { runDemo } from '../src/demo/demo.ts';
import { transition } from '../src/insights/inbox.ts';
import { dbKinds, freshDb, type TestDb } from './helpers/db.ts';

describe.each(dbKinds)('realised impact of applied insights on %s', (kind) => {
  let db: TestDb;
  beforeAll(async () => {
    db = await freshDb(kind);
    await runDemo(db, { endDate: '2026-11-21', dataDir: await mkdtemp(path.join(tmpdir(), 'adbrain-follow-')) });
  });
  afterAll(async () => db?.destroy());

  /** Profit of an entity and everything under it, straight from the stored rows. */
  const profit = async (entityId: string, from: string, to: string) => {
    const [r] = await db.sql.query<{ p: number }>(
      `WITH RECURSIVE t AS (SELECT id FROM entity WHERE id = $1::uuid UNION ALL SELECT e.id FROM entity e JOIN t ON e.parent_id = t.id)
       SELECT coalesce(sum(m.revenue_cents - m.spend_cents), 0)::float8 AS p FROM daily_metric m JOIN t ON t.id = m.entity_id
        WHERE m.date BETWEEN $2::date AND $3::date`,
      [entityId, from, to],
    );
    return r!.p;
  };

  it('stores the forecast when applied and records actual − forecast seven days later, feeding the next cycle', async () => {
    const c = await db.prisma.client.findUniqueOrThrow({ where: { slug: 'demo-affiliate' } });
    const run = await runBrain(db, c, '2026-11-10', { now: new Date('2026-11-11T06:00:00Z') });
    // An insight on an entity the oracle forecasts (accounts, campaigns, big ads).
    const forecast = new Set(run.output.oracle.forecasts.map((f) => f.entityId));
    const target = await db.prisma.insight.findFirstOrThrow({ where: { clientId: c.id, status: 'PENDING', entityId: { in: [...forecast] } }, orderBy: { impactCents: 'desc' } });
    const applied = await transition(db.prisma, target.id, 'apply', { actor: 'ana', note: 'done', now: new Date('2026-11-11T15:00:00Z') });
    const basis = applied.appliedBasis as { madeOn: string; forecastProfitCents: number };
    expect(applied.appliedOn).toEqual(new Date('2026-11-11T00:00:00Z'));
    expect(basis.madeOn).toBe('2026-11-10');
    const points = await db.prisma.prediction.findMany({
      where: { entityId: target.entityId!, madeOn: new Date('2026-11-10T00:00:00Z'), metric: { in: ['spendCents', 'revenueCents'] }, targetDate: { gte: new Date('2026-11-12T00:00:00Z'), lte: new Date('2026-11-18T00:00:00Z') } },
    });
    expect(points).toHaveLength(14);
    expect(basis.forecastProfitCents).toBe(Math.round(points.reduce((s, p) => s + (p.metric === 'revenueCents' ? p.point : -p.point), 0)));

    // Six days on, the window is still open.
    await runBrain(db, c, '2026-11-17', { now: new Date('2026-11-18T06:00:00Z') });
    expect((await db.prisma.insight.findUniqueOrThrow({ where: { id: target.id } })).realisedCents).toBeNull();

    await runBrain(db, c, '2026-11-18', { now: new Date('2026-11-19T06:00:00Z') });
    const done = await db.prisma.insight.findUniqueOrThrow({ where: { id: target.id } });
    const actual = await profit(target.entityId!, '2026-11-12', '2026-11-18');
    expect(Number(done.realisedCents)).toBe(Math.round(actual) - basis.forecastProfitCents);
    expect(done.appliedBasis).toMatchObject({ basis: 'forecast', actualProfitCents: Math.round(actual), baselineProfitCents: basis.forecastProfitCents });
    // The brain's learning sees the outcome: one measured action of that kind, with its ratio.
    const input = await loadBrainInput(db, c, '2026-11-18');
    const past = input.insights.find((i) => i.id === target.id)!;
    expect(past.realisedCents).toBe(Number(done.realisedCents));
    const prior = learnPriors(input.insights).get(past.action ?? ACTION_FOR[target.type as 'burning'])!;
    expect(prior.measured).toBe(1);
    const ratio = Math.max(-1, Math.min(3, Number(done.realisedCents) / Number(target.impactCents)));
    expect(prior.realisation).toBeCloseTo(Math.max(0.1, Math.min(2, (ratio + 2) / 3)), 9);

    // Reopening forgets the follow-up.
    const reopened = await transition(db.prisma, target.id, 'reopen', { actor: 'ana' });
    expect(reopened).toMatchObject({ appliedOn: null, appliedBasis: null, realisedCents: null });
  });
});
