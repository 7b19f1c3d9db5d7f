// Calibration in real use: a burning / winner call is judged on the 7 days after it
// (or until the entity was killed): right when its ROI stayed on the called side of
// the line. The brain run records each call with the probability it stated and judges
// it once its week has passed; the report says how often confident calls were right.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriesOf } from '../src/brain/cycle.ts';
import { REVENUE } from '../src/brain/objective.ts';
import { judgeCall } from '../src/brain/oracle/call-outcome.ts';
import { runBrain } from '../src/run/brain-run.ts';
import { addClient } from '../src/domain/clients.ts';
import { importCsv } from '../src/import/import-csv.ts';
import { callRecord } from '../src/insights/call-follow-up.ts';
import { loadReportModel } from '../src/reports/load-model.ts';
import { buildReportView } from '../src/reports/view.ts';
import { deterministicSummary } from '../src/llm/deterministic.ts';
import { summaryFacts } from '../src/llm/facts.ts';
import { addDays } from '../src/time.ts';
import { makeInput } from './helpers/brain.ts';
import { freshDb, type TestDb } from './helpers/db.ts';

describe('judging one call (hand-made series)', () => {
  // 30 days to 2026-11-30; $100 a day; revenue per day from the function.
  const series = (rev: (t: number) => number | null, asOf = '2026-11-30') => {
    const input = makeInput({ asOf, days: 30, series: [{ id: 'l', kind: 'link', spend: () => 10_000, revenue: (t) => rev(t) }] });
    return { s: seriesOf(input), settings: input.settings };
  };
  const calledOn = '2026-11-20'; // t = 20; the week after is t = 21 … 27
  it('burning stays below the line: right; climbs back above it: wrong', () => {
    const { s, settings } = series(() => 2_000); // ROI −80 %
    expect(judgeCall(s.byId.get('l'), s, REVENUE, settings, { calledOn, verdict: 'burning', line: -0.5, killedOn: null })).toEqual({ outcome: 'right', roi: -0.8, days: 7 });
    const back = series((t) => (t <= 20 ? 2_000 : 9_000)); // −10 % after the call
    expect(judgeCall(back.s.byId.get('l'), back.s, REVENUE, back.settings, { calledOn, verdict: 'burning', line: -0.5, killedOn: null })).toMatchObject({ outcome: 'wrong', days: 7 });
  });
  it('a winner above its line is right; the window ends at a kill; killed at once or no revenue: unjudged; an open week: not yet', () => {
    const { s, settings } = series((t) => (t <= 22 ? 40_000 : 1_000)); // ROI +300 % on the two days before the kill
    expect(judgeCall(s.byId.get('l'), s, REVENUE, settings, { calledOn, verdict: 'winner', line: 2, killedOn: '2026-11-23' })).toEqual({ outcome: 'right', roi: 3, days: 2 });
    expect(judgeCall(s.byId.get('l'), s, REVENUE, settings, { calledOn, verdict: 'winner', line: 2, killedOn: '2026-11-21' })).toEqual({ outcome: 'unjudged', roi: null, days: 0 });
    const none = series(() => null);
    expect(judgeCall(none.s.byId.get('l'), none.s, REVENUE, none.settings, { calledOn, verdict: 'burning', line: -0.5, killedOn: null })).toMatchObject({ outcome: 'unjudged' });
    const early = series(() => 2_000, '2026-11-26'); // only 6 of the 7 days seen
    expect(judgeCall(early.s.byId.get('l'), early.s, REVENUE, early.settings, { calledOn, verdict: 'burning', line: -0.5, killedOn: null })).toBeNull();
  });
});

describe('calls followed up by the brain run, shown in the report', () => {
  let db: TestDb;
  const HEADER = 'date,platform,account,campaign,adset,ad,link,spend,impressions,clicks,conversions,revenue';
  beforeAll(async () => {
    db = await freshDb('pglite');
  });
  afterAll(async () => db?.destroy());

  it('a burning call is recorded with its probability, judged right a week later, and counted in the report line', async () => {
    await addClient(db.prisma, { slug: 'calls', timezone: 'UTC', currency: 'USD' });
    const rows = [HEADER];
    // 20 healthy days, then the link stops converting for good.
    for (let k = 0; k < 40; k++) {
      const d = addDays('2026-10-20', k);
      const bad = d >= '2026-11-09';
      rows.push(`${d},tiktok,Acc,Camp,S,Ad,lnk-1,100.00,1000,10,${bad ? 0 : 4},${bad ? '0.00' : '260.00'}`);
      rows.push(`${d},tiktok,Acc,Camp,S,Ad2,lnk-2,100.00,1000,10,4,260.00`);
    }
    await importCsv(db, Buffer.from(rows.join('\n')), 'calls.csv', { clientSlug: 'calls', now: new Date('2026-12-01T08:00:00Z') });
    const client = await db.prisma.client.findUniqueOrThrow({ where: { slug: 'calls' } });
    const now = new Date('2026-12-01T08:00:00Z');
    let called: { calledOn: Date | null; callProbability: number | null } | null = null;
    for (let d = '2026-11-10'; d <= '2026-11-14' && !called; d = addDays(d, 1)) {
      await runBrain(db, client, d, { now });
      called = await db.prisma.insight.findFirst({ where: { clientId: client.id, type: 'burning' }, select: { calledOn: true, callProbability: true, callOutcome: true } });
    }
    expect(called).not.toBeNull();
    const calledOn = called!.calledOn!.toISOString().slice(0, 10);
    expect(called!.callProbability).toBeGreaterThanOrEqual(0.9);
    // Before its week is over: not judged.
    await runBrain(db, client, addDays(calledOn, 6), { now });
    expect((await db.prisma.insight.findFirstOrThrow({ where: { clientId: client.id, type: 'burning' } })).callOutcome).toBeNull();
    await runBrain(db, client, addDays(calledOn, 7), { now });
    const judged = await db.prisma.insight.findFirstOrThrow({ where: { clientId: client.id, type: 'burning' } });
    expect(judged).toMatchObject({ callOutcome: 'right', callRoi: -1 });
    expect(await callRecord(db.sql, { clientId: client.id }, addDays(calledOn, 7))).toMatchObject({ right: 1, judged: 1 });
    // The 7-day totals: stored with the sum's own range, and scored once all of their days are in.
    const totals = await db.prisma.prediction.findMany({ where: { metric: 'spendCents:7d', madeOn: new Date(`${calledOn}T00:00:00Z`) } });
    expect(totals.length).toBeGreaterThan(0);
    for (const t of totals) {
      expect(t.targetDate.toISOString().slice(0, 10)).toBe(addDays(calledOn, 7));
      expect(t.lower).toBeLessThanOrEqual(t.point);
      expect(t.upper).toBeGreaterThanOrEqual(t.point);
      expect(t.actual).toBe(2 * 7 * 10_000); // two links × 7 days × $100
    }
    const model = await loadReportModel(db, client, addDays(calledOn, 7), now);
    expect(model.forecast?.rangeOf).toBe('total');
    expect(model.callRecord).toMatchObject({ right: 1, judged: 1, agency: null });
    const view = buildReportView(model, deterministicSummary(summaryFacts(model)));
    expect(summaryFacts(model).callRecord).toMatchObject({ right: 1, judged: 1, minProbability: '90%' });
    expect(view.trackRecord?.text).toContain('Burning and winner calls at 90 %+ sure, judged 7 days later: right 1 of 1 over the last 90 days.');
  });
});
