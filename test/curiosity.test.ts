import { describe, expect, it } from 'vitest';
import { learnPriors, rankActions } from '../src/brain/curiosity/actions.ts';
import { buildSeries } from '../src/brain/series.ts';
import type { Finding, PastInsight } from '../src/brain/types.ts';
import { MIN_SCORED_WINDOWS, trackRecordOf } from '../src/brain/oracle/track-record.ts';
import { backtestSeries } from '../src/brain/oracle/backtest.ts';
import { addDays } from '../src/time.ts';
import { makeInput } from './helpers/brain.ts';

const AS_OF = '2026-06-30';
const s = (() => {
  const input = makeInput({ asOf: AS_OF, days: 30, series: [{ id: 'a', spend: () => 1000 }] });
  return buildSeries(input.entities, input.days, AS_OF);
})();

const finding = (type: Finding['type'], id: string, impactCents: number, confidence: number, severity: Finding['severity'] = 'medium'): Finding => ({
  type,
  entity: { id, kind: 'link', externalId: id, name: id, platform: 'tiktok' },
  severity,
  impactCents,
  confidence,
  since: AS_OF,
  title: id,
  facts: { x: 1 },
});

const past = (type: PastInsight['type'], status: PastInsight['status'], n: number): PastInsight[] =>
  Array.from({ length: n }, (_, i) => ({ id: `${type}-${status}-${i}`, type, entityId: null, status, since: null, impactCents: 0, realisedCents: null, action: null }));

describe('curiosity', () => {
  it('ranks by expected $ impact × confidence, carrying the inputs that explain each action', () => {
    const actions = rankActions([finding('winner', 'w', 20_000, 0.9), finding('burning', 'b', 50_000, 0.9), finding('creative_fatigue', 'f', 30_000, 0.5)], s, []);
    expect(actions.map((a) => [a.rank, a.kind, a.entity!.id])).toEqual([[1, 'pause', 'b'], [2, 'refresh_creative', 'f'], [3, 'scale', 'w']]);
    expect(actions[0]!.inputs).toMatchObject({ x: 1, priorApplied: 0, priorDismissed: 0, acceptRate: 0.5 });
  });

  it('sinks kinds the user keeps dismissing and lifts kinds they apply', () => {
    const findings = [finding('burning', 'b', 30_000, 0.9), finding('winner', 'w', 30_000, 0.9)];
    const neutral = rankActions(findings, s, []);
    expect(neutral[0]!.kind).toBe('pause');
    const learned = rankActions(findings, s, [...past('burning', 'DISMISSED', 6), ...past('winner', 'APPLIED', 3)]);
    expect(learned.map((a) => a.kind)).toEqual(['scale', 'pause']);
    const priors = learnPriors([...past('burning', 'DISMISSED', 6), ...past('winner', 'APPLIED', 3), ...past('winner', 'PENDING', 5)]);
    expect(priors.get('pause')).toEqual({ applied: 0, dismissed: 6, acceptRate: 1 / 8, measured: 0, realisation: 1 });
    expect(priors.get('scale')).toEqual({ applied: 3, dismissed: 0, acceptRate: 4 / 5, measured: 0, realisation: 1 });
  });

  it('learns from realised impact: kinds that paid less than promised sink, kinds that paid more rise', () => {
    const measured = (type: PastInsight['type'], ratio: number, n: number): PastInsight[] =>
      Array.from({ length: n }, (_, i) => ({ id: `${type}-m-${i}`, type, entityId: null, status: 'APPLIED', since: null, impactCents: 10_000, realisedCents: Math.round(10_000 * ratio), action: null }));
    const findings = [finding('burning', 'b', 30_000, 0.9), finding('winner', 'w', 30_000, 0.9)];
    // Same applied counts for both kinds: only what the applied ones delivered differs.
    const history = [...measured('burning', -0.5, 4), ...measured('winner', 1.5, 4)];
    const ranked = rankActions(findings, s, history);
    expect(ranked.map((a) => a.kind)).toEqual(['scale', 'pause']);
    const priors = learnPriors(history);
    expect(priors.get('pause')!.realisation).toBeCloseTo((4 * -0.5 + 2) / 6 < 0.1 ? 0.1 : (4 * -0.5 + 2) / 6, 6);
    expect(priors.get('scale')!.realisation).toBeCloseTo((4 * 1.5 + 2) / 6, 6);
    expect(ranked.find((a) => a.kind === 'pause')!.inputs.realisation).toBe(0.1);
    // Unmeasured history leaves the estimate alone.
    expect(learnPriors(past('winner', 'APPLIED', 4)).get('scale')!.realisation).toBe(1);
  });

  it('never buries a critical pause under less urgent actions expected to be worth less — whatever the learning and the exploration bonus', () => {
    const pause = finding('burning', 'burner', 40_000, 0.9, 'critical');
    // An unsure anomaly with a large estimate: the exploration bonus alone put it first.
    const unsure = finding('anomaly_spike', 'odd', 90_000, 0.3);
    const fatigue = finding('creative_fatigue', 'tired', 60_000, 0.5);
    const ranked = rankActions([unsure, fatigue, pause], s, [...past('burning', 'DISMISSED', 4)]);
    expect(ranked.map((a) => a.entity!.id)).toEqual(['burner', 'odd', 'tired']);
    // A less urgent action expected to be worth more still goes first.
    const big = finding('creative_fatigue', 'big', 200_000, 0.5);
    expect(rankActions([big, pause], s, []).map((a) => a.entity!.id)).toEqual(['big', 'burner']);
  });

  it('gives uncertain candidates an exploration bonus that fades with feedback', () => {
    const sure = finding('winner', 'sure', 10_000, 0.95);
    const unsure = finding('anomaly_spike', 'unsure', 14_000, 0.3);
    expect(rankActions([sure, unsure], s, []).map((a) => a.entity!.id)).toEqual(['sure', 'unsure']);
    const bonus = (n: number) => rankActions([unsure], s, past('anomaly_spike', 'APPLIED', n).concat(past('anomaly_spike', 'DISMISSED', n)))[0]!.score;
    expect(bonus(0)).toBeGreaterThan(bonus(10));
  });
});

describe('track record', () => {
  it('is the MASE and interval coverage of scored predictions', () => {
    const tr = trackRecordOf([
      { metric: 'spendCents', madeOn: AS_OF, targetDate: AS_OF, point: 100, actual: 110, hit: true, scale: 20 },
      { metric: 'spendCents', madeOn: AS_OF, targetDate: AS_OF, point: 100, actual: 60, hit: false, scale: 20 },
      { metric: 'clicks', madeOn: AS_OF, targetDate: AS_OF, point: 10, actual: 10, hit: true, scale: 5 },
    ]);
    expect(tr).toMatchObject({ predictions: 3, mase: round((0.5 + 2 + 0) / 3), coverage: round(2 / 3) });
    expect(tr.byMetric.spendCents).toEqual({ predictions: 2, mase: 1.25, coverage: 0.5 });
    expect(trackRecordOf([])).toMatchObject({ predictions: 0, mase: null, coverage: null, source: 'scored' });
  });
});

describe('a track record from day one: the backtest', () => {
  // A steady weekly pattern with noise, 120 days.
  const values = Array.from({ length: 120 }, (_, i) => 1000 * WEEK[i % 7]! * (1 + 0.05 * Math.sin(i * 1.7)));

  it('scores 8 weekly origins over the last 8 weeks, each from the days before it only', () => {
    const r = backtestSeries(values, 'spendCents', values.length - 1);
    expect(r.origins).toBe(8);
    expect(r.rows).toHaveLength(8 * 7);
    const mase = r.rows.reduce((a, x) => a + x.err, 0) / r.rows.length;
    expect(Number.isFinite(mase) && mase > 0).toBe(true);
    // A spike planted after an origin cannot change what was forecast from it: the
    // windows before the spike's week score exactly the same.
    const spiked = [...values];
    spiked[values.length - 3] = 50_000;
    const s2 = backtestSeries(spiked, 'spendCents', values.length - 1);
    expect(s2.rows.slice(0, 7 * 7)).toEqual(r.rows.slice(0, 7 * 7));
    expect(s2.rows.slice(7 * 7)).not.toEqual(r.rows.slice(7 * 7));
  });

  it('on a tiny series says "insufficient data", not a number', () => {
    const input = makeInput({ asOf: AS_OF, days: 10, extraEntities: [{ id: 'acct', kind: 'account', parentId: null, platform: 'meta', externalId: 'acct', name: 'acct', status: 'active', attributes: {} }], series: [{ id: 'ad', parentId: 'acct', spend: () => 5000, revenue: () => 9000 }] });
    const tr = trackRecordOf([], buildSeries(input.entities, input.days, input.asOf));
    expect(tr).toMatchObject({ source: 'backtest', predictions: 0, mase: null, coverage: null, insufficient: expect.stringMatching(/^insufficient data/) });
  });

  it('stands in until real forecasts of enough days are scored, then steps aside', () => {
    const input = makeInput({ asOf: AS_OF, days: 120, extraEntities: [{ id: 'acct', kind: 'account', parentId: null, platform: 'meta', externalId: 'acct', name: 'acct', status: 'active', attributes: {} }], series: [{ id: 'ad', parentId: 'acct', spend: (i) => 5000 * WEEK[i % 7]! * (1 + 0.05 * Math.sin(i * 1.7)), revenue: (i) => 9000 * WEEK[i % 7]! * (1 + 0.08 * Math.cos(i)) }] });
    const s = buildSeries(input.entities, input.days, input.asOf);
    const one = (madeOn: string) => ({ metric: 'spendCents', madeOn, targetDate: AS_OF, point: 100, actual: 100, hit: true, scale: 20 });
    const few = trackRecordOf([one('2026-06-28'), one('2026-06-29')], s);
    expect(few).toMatchObject({ source: 'backtest', scoredWindows: 2, origins: 8 });
    expect(few.mase).toBeGreaterThan(0);
    expect(few.coverage).toBeGreaterThan(0.5);
    const enough = trackRecordOf(Array.from({ length: MIN_SCORED_WINDOWS }, (_, i) => one(addDays('2026-06-20', i))), s);
    expect(enough).toMatchObject({ source: 'scored', mase: 0, coverage: 1 });
  });
});

const round = (x: number) => Math.round(x * 1e4) / 1e4;
const WEEK = [1, 1.05, 1.08, 1.02, 0.95, 0.85, 0.9];
