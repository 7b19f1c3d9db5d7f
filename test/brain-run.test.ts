import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { presentAnalysis } from '../src/brain/present.ts';
import { runBrain, scoreClientPredictions } from '../src/run/brain-run.ts';
import { INSIGHT_TYPES } from '../src/brain/types.ts';
import { runDemo } from '../src/demo/demo.ts';
import { dbKinds, freshDb, type TestDb } from './helpers/db.ts';

const END = '2026-11-21';

describe.each(dbKinds)('brain persistence on %s', (kind) => {
  let db: TestDb;
  beforeAll(async () => {
    db = await freshDb(kind);
    await runDemo(db, { endDate: END, dataDir: await mkdtemp(path.join(tmpdir(), 'adbrain-brain-')) });
  });
  afterAll(async () => db?.destroy());

  const client = () => db.prisma.client.findUniqueOrThrow({ where: { slug: 'demo-affiliate' } });

  it('writes a BrainRun, predictions and insights; a re-run of the day duplicates nothing', async () => {
    const c = await client();
    const first = await runBrain(db, c, '2026-11-14', { now: new Date('2026-11-15T10:00:00Z') });
    expect(first.predictions.written).toBeGreaterThan(100);
    expect(first.insights.created).toBeGreaterThan(0);
    const counts = async () => ({
      runs: await db.prisma.brainRun.count({ where: { clientId: c.id } }),
      predictions: await db.prisma.prediction.count({ where: { entity: { clientId: c.id } } }),
      insights: await db.prisma.insight.count({ where: { clientId: c.id } }),
      events: await db.prisma.insightEvent.count({ where: { insight: { clientId: c.id } } }),
    });
    const before = await counts();
    const again = await runBrain(db, c, '2026-11-14', { now: new Date('2026-11-15T11:00:00Z') });
    expect(again.insights).toMatchObject({ created: 0, updated: first.insights.created + first.insights.updated });
    expect(await counts()).toEqual(before);
    // The day's run is one row, replaced by the re-run with what the re-run found.
    expect(again.brainRunId).toBe(first.brainRunId);
    const stored = await db.prisma.brainRun.findUniqueOrThrow({ where: { id: again.brainRunId } });
    const oracle = stored.oracle as { findings: unknown[]; forecasts: number };
    expect(stored.status).toBe('succeeded');
    expect(stored.asOf.toISOString().slice(0, 10)).toBe('2026-11-14');
    expect(oracle.findings).toHaveLength(again.output.oracle.findings.length);
    expect(oracle.forecasts).toBe(again.output.oracle.forecasts.length);
    expect((stored.memory as { kind: string }[]).some((m) => m.kind === 'account')).toBe(true);
    expect(stored.timings).toMatchObject({ forecasts: again.output.timings.forecasts });
    expect(stored.updatedAt.getTime()).toBeGreaterThan(stored.createdAt.getTime());
    const types = (await db.prisma.insight.findMany({ where: { clientId: c.id } })).map((i) => i.type);
    for (const t of types) expect(INSIGHT_TYPES).toContain(t);
  });

  it('two runs of one day at once (the day run, an API analysis, `adbrain analyze`) both succeed and open each insight once', async () => {
    const c = await db.prisma.client.findUniqueOrThrow({ where: { slug: 'demo-shop' } });
    const hook = await db.prisma.webhookEndpoint.create({ data: { agencyId: c.agencyId, url: 'https://hooks.example/brain', secret: 'x', events: ['insight.created'] } });
    const both = await Promise.all([0, 1].map((k) => runBrain(db, c, END, { now: new Date(`2026-11-22T10:00:0${k}Z`) })));
    const insights = await db.prisma.insight.count({ where: { clientId: c.id } });
    expect(insights).toBeGreaterThan(0);
    expect(both[0]!.insights.created + both[1]!.insights.created).toBe(insights);
    expect(both[0]!.brainRunId).toBe(both[1]!.brainRunId);
    expect(await db.prisma.webhookDelivery.count({ where: { endpointId: hook.id, eventType: 'insight.created' } })).toBe(insights);
    await db.prisma.webhookEndpoint.delete({ where: { id: hook.id } });
  });

  it('scores earlier predictions when their actuals arrive and reports a track record', async () => {
    const c = await client();
    const later = await runBrain(db, c, END, { now: new Date('2026-11-22T10:00:00Z') });
    expect(later.predictions.scored).toBeGreaterThan(100);
    const tr = later.output.oracle.trackRecord;
    // One day of real forecasts scored: too few yet, so the record shown is the backtest on the last 8 weeks.
    expect(tr).toMatchObject({ source: 'backtest', scoredWindows: 1, origins: 8 });
    expect(tr.predictions).toBeGreaterThan(100);
    expect(tr.mase).toBeGreaterThan(0);
    expect(tr.mase).toBeLessThan(3);
    expect(tr.coverage).toBeGreaterThan(0.4);
    const scored = await db.prisma.prediction.findFirstOrThrow({ where: { entity: { clientId: c.id }, actual: { not: null } } });
    expect(scored.error).toBeCloseTo(scored.actual! - scored.point, 6);
  });

  it('presents insights with type codes, entities, severity, impact and confidence, and ROAS forecasts', async () => {
    const c = await client();
    const r = await runBrain(db, c, END, { now: new Date('2026-11-22T12:00:00Z') });
    const entities = new Map((await db.prisma.entity.findMany({ where: { clientId: c.id } })).map((e) => [e.id, { id: e.id, kind: e.kind, externalId: e.externalId, name: e.name, platform: e.platform }]));
    const view = presentAnalysis(r.output, entities);
    const burning = view.insights.find((i) => i.type === 'burning')!;
    expect(burning).toMatchObject({ entity: { kind: 'link', platform: 'tiktok' }, severity: expect.any(String), since: expect.stringMatching(/^2026-11-/) });
    expect(burning.impact).toBeCloseTo(burning.impactCents / 100, 2);
    expect(burning.confidence).toBeGreaterThan(0.5);
    // Each finding carries the ranked action curiosity attached to it, in the view and in the stored insight.
    expect(burning.action).toMatchObject({ kind: 'pause', rank: expect.any(Number), what: expect.stringMatching(/^Pause /) });
    const stored = await db.prisma.insight.findFirstOrThrow({ where: { clientId: c.id, type: 'burning' } });
    expect(stored.payload).toMatchObject({ action: { kind: 'pause', rank: burning.action!.rank } });
    const campaign = view.forecasts.find((f) => f.entity?.kind === 'campaign')!;
    expect(campaign.metrics.spendCents!.days).toHaveLength(14);
    expect(campaign.roas![0]!.date).toBe('2026-11-22');
  });
  it('resolves open insights whose condition cleared, keeps decisions, and reopens a condition that returns', async () => {
    const c = await client();
    const mk = (fingerprint: string, status: 'PENDING' | 'IN_PROGRESS' | 'APPLIED' | 'DISMISSED') =>
      db.prisma.insight.create({
        data: { clientId: c.id, type: 'burning', severity: 'high', title: fingerprint, body: '', fingerprint, status, since: new Date('2026-11-01T00:00:00Z') },
      });
    const open = await mk('burning:gone:2026-11-01', 'PENDING');
    const working = await mk('burning:gone2:2026-11-01', 'IN_PROGRESS');
    const applied = await mk('burning:gone3:2026-11-01', 'APPLIED');
    const dismissed = await mk('burning:gone4:2026-11-01', 'DISMISSED');
    // An episode that begins after the day being run is not judged by it.
    const future = await db.prisma.insight.create({ data: { clientId: c.id, type: 'winner', severity: 'low', title: 'f', body: '', fingerprint: 'winner:x:2026-11-30', since: new Date('2026-11-30T00:00:00Z') } });
    const now = new Date('2026-11-22T13:00:00Z');
    const first = await runBrain(db, c, END, { now });
    const live = await db.prisma.insight.findFirstOrThrow({ where: { clientId: c.id, id: { in: first.insights.ids } } });
    expect(first.insights.resolved).toBeGreaterThanOrEqual(2);
    const status = async (id: string) => (await db.prisma.insight.findUniqueOrThrow({ where: { id } })).status;
    expect(await status(open.id)).toBe('RESOLVED');
    expect(await status(working.id)).toBe('RESOLVED');
    expect(await status(applied.id)).toBe('APPLIED');
    expect(await status(dismissed.id)).toBe('DISMISSED');
    expect(await status(future.id)).toBe('PENDING');
    expect(await status(live.id)).not.toBe('RESOLVED');
    const ev = await db.prisma.insightEvent.findFirstOrThrow({ where: { insightId: working.id, toStatus: 'RESOLVED' } });
    expect(ev).toMatchObject({ actor: 'adbrain', fromStatus: 'IN_PROGRESS', note: 'condition cleared', at: now });

    // The same episode seen again after it was resolved is reopened, not duplicated.
    await db.prisma.insight.update({ where: { id: live.id }, data: { status: 'RESOLVED', resolvedAt: now } });
    const count = await db.prisma.insight.count({ where: { clientId: c.id } });
    const again = await runBrain(db, c, END, { now: new Date('2026-11-22T14:00:00Z') });
    expect(again.insights).toMatchObject({ created: 0, reopened: 1 });
    expect(await db.prisma.insight.count({ where: { clientId: c.id } })).toBe(count);
    expect(await db.prisma.insight.findUniqueOrThrow({ where: { id: live.id } })).toMatchObject({ status: 'PENDING', resolvedAt: null });
    expect(await db.prisma.insightEvent.count({ where: { insightId: live.id, note: 'condition returned' } })).toBe(1);
  });

  it('scoring after a sync (short window) gives the same actuals as the brain run\'s scoring (full history)', async () => {
    const c = await client();
    await runBrain(db, c, '2026-11-05', { now: new Date('2026-11-06T08:00:00Z') });
    const made = { entity: { clientId: c.id }, madeOn: new Date('2026-11-05T00:00:00Z'), targetDate: { lte: new Date('2026-11-12T00:00:00Z') } };
    const scored = await scoreClientPredictions(db, c, '2026-11-12');
    const short = await db.prisma.prediction.findMany({ where: made, orderBy: { id: 'asc' }, select: { id: true, actual: true, hit: true } });
    expect(scored).toBeGreaterThan(50);
    expect(short.every((p) => p.actual !== null)).toBe(true);
    await db.prisma.prediction.updateMany({ where: made, data: { actual: null, error: null, hit: null, scoredAt: null } });
    await runBrain(db, c, '2026-11-12', { now: new Date('2026-11-13T08:00:00Z') });
    const full = await db.prisma.prediction.findMany({ where: made, orderBy: { id: 'asc' }, select: { id: true, actual: true, hit: true } });
    expect(full).toEqual(short);
    expect(await scoreClientPredictions(db, c, '2026-11-12')).toBe(0);
  });
});

describe.each(dbKinds)('runs out of order on %s: the past never rewrites the present', (kind) => {
  let db: TestDb;
  beforeAll(async () => {
    db = await freshDb(kind);
    await runDemo(db, { endDate: END, dataDir: await mkdtemp(path.join(tmpdir(), 'adbrain-brain-order-')) });
  });
  afterAll(async () => db?.destroy());

  it('a run of an earlier day leaves every insight seen later as it was, and opens nothing new', async () => {
    const c = await db.prisma.client.findUniqueOrThrow({ where: { slug: 'demo-affiliate' } });
    const snapshot = async () => {
      const rows = await db.prisma.insight.findMany({ where: { clientId: c.id }, orderBy: { id: 'asc' }, include: { events: { orderBy: { id: 'asc' } } } });
      return rows.map(({ lastSeen: _l, ...r }) => r);
    };
    await runBrain(db, c, '2026-11-14', { now: new Date('2026-11-15T10:00:00Z') });
    await runBrain(db, c, END, { now: new Date('2026-11-22T10:00:00Z') });
    const present = await snapshot();
    expect(present.filter((i) => i.status === 'PENDING').length).toBeGreaterThan(0);
    expect(present.every((i) => i.seenAsOf !== null)).toBe(true);

    // Back in time, far enough that other episodes are open and today's have not begun.
    const past = await runBrain(db, c, '2026-10-20', { now: new Date('2026-11-22T11:00:00Z') });
    expect(past.output.oracle.findings.length).toBeGreaterThan(0); // it did see things back then
    expect(past.insights.created).toBe(0);
    expect(past.insights.resolved).toBe(0);
    expect(await snapshot()).toEqual(present);

    // The present again: nothing moved while we looked at the past.
    const again = await runBrain(db, c, END, { now: new Date('2026-11-22T12:00:00Z') });
    expect(again.insights).toMatchObject({ created: 0, resolved: 0, reopened: 0 });
    const after = await snapshot();
    expect(after.map((i) => [i.id, i.status, i.title, i.impactCents])).toEqual(present.map((i) => [i.id, i.status, i.title, i.impactCents]));
  });
});
