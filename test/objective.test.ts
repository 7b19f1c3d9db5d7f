// The objective rules, as a table: what burns and what wins under revenue,
// leads at a target CPA and a value per conversion — and the alert rules agree.
import { describe, expect, it } from 'vitest';
import { evidenceAt } from '../src/brain/oracle/evidence.ts';
import { judge, objectiveOf, type KnownTotals, type Objective } from '../src/brain/objective.ts';
import { checkObjective } from '../src/domain/objectives.ts';

const th = { burnRoiBelow: -0.5, burnMinSpendCents: 5_000, winRoiAbove: 2, winMinRevenueCents: 10_000 };
const REV: Objective = { kind: 'revenue', targetCpaCents: null, valuePerConversionCents: null };
const LEADS: Objective = { kind: 'leads', targetCpaCents: 3_000, valuePerConversionCents: null };
const VALUE: Objective = { kind: 'value', targetCpaCents: null, valuePerConversionCents: 2_000 };
const t = (spend: number, revenue: number | null, conversions: number | null): KnownTotals => ({
  spend,
  revenue: revenue ?? 0,
  revenueSpend: revenue === null ? 0 : spend,
  conversions: conversions ?? 0,
  conversionSpend: conversions === null ? 0 : spend,
});

describe('judge', () => {
  it.each([
    ['revenue: ROI −80 % on $100 burns', REV, t(10_000, 2_000, 1), 'burning'],
    ['revenue: revenue not reported is never judged', REV, t(10_000, null, 5), null],
    ['revenue: ROI +250 % on $400 revenue wins', REV, t(10_000, 35_000, 9), 'winner'],
    ['leads: CPA $100 on $100 against $30 burns', LEADS, t(10_000, null, 1), 'burning'],
    ['leads: no leads from $100 burns', LEADS, t(10_000, null, 0), 'burning'],
    ['leads: no leads from $55 is not enough spend (two target CPAs = $60)', LEADS, t(5_500, null, 0), null],
    ['leads: CPA $50 is above target but not far', LEADS, t(10_000, null, 2), null],
    ['leads: CPA $12.50 with 8 leads wins', LEADS, t(10_000, null, 8), 'winner'],
    ['leads: CPA $13.75 with only 4 leads is too few to call a winner', LEADS, t(5_500, null, 4), null],
    ['leads: CPA $11 with 5 leads wins', LEADS, t(5_500, null, 5), 'winner'],
    ['leads: conversions not reported is never judged', LEADS, t(10_000, 0, null), null],
    ['value: 2 × $20 on $100 is ROI −60 %: burns', VALUE, t(10_000, null, 2), 'burning'],
    ['value: 20 × $20 on $100 is ROI +300 %: wins', VALUE, t(10_000, null, 20), 'winner'],
  ] as const)('%s', (_what, o, totals, verdict) => {
    expect(judge(totals, o, th).verdict).toBe(verdict);
  });

  it('says why it did not judge', () => {
    expect(judge(t(10_000, null, 1), REV, th).unjudged).toBe('revenue not reported');
    expect(judge(t(10_000, null, 1), { ...LEADS, targetCpaCents: null }, th).unjudged).toBe('no target CPA set');
  });

  it('spend on days without reported revenue is set aside, not judged as a loss', () => {
    // $100 with $300 revenue reported, $400 more spend whose revenue was not reported.
    const j = judge({ spend: 50_000, revenue: 30_000, revenueSpend: 10_000, conversions: 0, conversionSpend: 50_000 }, REV, th);
    expect(j).toMatchObject({ verdict: null, roi: 2, unknownSpend: 40_000 });
  });

  it('a campaign override applies to everything under it', () => {
    const parent = new Map([['ad', 'adset'], ['adset', 'camp'], ['camp', 'acct']]);
    const of = (id: string) => objectiveOf(id, (x) => parent.get(x), REV, { camp: LEADS });
    expect([of('ad'), of('adset'), of('camp'), of('acct')].map((o) => o.kind)).toEqual(['leads', 'leads', 'leads', 'revenue']);
  });

  it('refuses an incomplete objective, naming the field', () => {
    expect(() => checkObjective({ kind: 'leads', targetCpaCents: null, valuePerConversionCents: null })).toThrow(/targetCpaCents/);
    expect(() => checkObjective({ kind: 'value', targetCpaCents: null, valuePerConversionCents: null })).toThrow(/valuePerConversionCents/);
    expect(checkObjective({ kind: 'revenue', targetCpaCents: 5, valuePerConversionCents: 7 })).toEqual(REV);
  });
});

describe('the burning / winner evidence follows the objective', () => {
  // Days of $40 with no revenue reported: a lead form.
  const series = (leads: number[]) => ({
    spendCents: Float64Array.from(leads, () => 4_000),
    revenueCents: Float64Array.from(leads, () => Number.NaN),
    conversions: Float64Array.from(leads),
    launch: 0,
  });
  const steady = [2, 1, 2, 1, 2, 2, 1, 2, 1, 2, 2, 1, 2, 1];
  const few = series([...steady, 0, 0, 0, 0, 0]);
  const many = series([...steady, 2, 1, 2, 2, 1]);
  it('a link that has never sold is judged the same in any currency: its spend counted against the client\'s own minimum', () => {
    // Three days of spend, no sale anywhere in the client; the same link in dollars and
    // in a currency a hundred times smaller (thresholds in that currency too).
    const noSale = (k: number) => ({ spendCents: Float64Array.from([3_000, 3_000, 3_000], (x) => x * k), revenueCents: new Float64Array(3), conversions: new Float64Array(3), launch: 0 });
    const usd = evidenceAt(noSale(1), 2, REV, th)!;
    const idr = evidenceAt(noSale(100), 2, REV, { ...th, burnMinSpendCents: 100 * th.burnMinSpendCents, winMinRevenueCents: 100 * th.winMinRevenueCents })!;
    expect(idr.pBurn).toBeCloseTo(usd.pBurn, 10);
    expect(idr.verdict).toBe(usd.verdict);
    expect(usd.verdict).toBe('burning');
  });

  it('a lead-gen ad without revenue is not judged by ROI; by CPA against its target it is', () => {
    expect(evidenceAt(few, 18, REV, th)).toBeNull();
    const ev = evidenceAt(few, 18, LEADS, th)!;
    expect(ev.verdict).toBe('burning');
    // Its leads dried up five days ago: the regime is dated from then, and judged on it alone.
    expect(ev.since).toBe(14);
    expect(ev.pBurn).toBeGreaterThanOrEqual(0.9);
    expect(ev.totals).toMatchObject({ spend: 20_000, conversions: 0 });
    // Leads at about $27 against a $30 target: fine, neither burning nor a winner (that
    // needs half the target) — no stretch of its days is even centred beyond a line.
    expect(evidenceAt(many, 18, LEADS, th)).toBeNull();
    // At a $90 target the same leads are cheap (CPA under a third of it): a winner, dated from its first day.
    const cheap = evidenceAt(many, 18, { ...LEADS, targetCpaCents: 9_000 }, th)!;
    expect(cheap).toMatchObject({ verdict: 'winner', since: 0, changed: false });
  });
});
