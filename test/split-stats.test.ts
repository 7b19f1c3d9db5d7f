// The split-test statistics against reference values computed independently in R 4
// (prop.test(correct = FALSE) for the two-proportion test and its interval;
// integrate(dbeta(p, αB, βB) · pbeta(p, αA, βA)) for the chance to beat control; the
// delta-method ratio written out in R), edge cases included, and the sequential
// test's error rate under daily peeking by simulation.
import { describe, expect, it } from 'vitest';
import { chanceToBeat, clicksNeeded, msprtP, ratioDiff, twoProportion, twoSidedP } from '../src/splits/stats.ts';

// [xA, nA, xB, nB] → R: p, conf.int of B − A, chance to beat.
const R_CASES: [number, number, number, number, number, number, number, number][] = [
  [14, 28, 16, 30, 0.7996044106, -0.2238992852, 0.2905659519, 0.5985482067],
  [100, 2000, 130, 2000, 0.0415910202, 0.0005789398, 0.0294210602, 0.9790979132],
  [0, 200, 5, 200, 0.0244377877, 0.0033625835, 0.0466374165, 0.9849550854], // zero conversions in one arm
  [20, 400, 20, 400, 1, -0.0302050736, 0.0302050736, 0.5], // identical arms
  [1, 3, 2, 4, 0.6592430037, -0.5576562458, 0.8909895791, 0.6428571429], // tiny samples
  [45, 1000, 60, 1000, 0.1326177819, -0.004538295, 0.034538295, 0.9329864179],
];

describe('split-test statistics', () => {
  it.each(R_CASES)('A %i/%i vs B %i/%i matches R', (xA, nA, xB, nB, p, lo, hi, ctb) => {
    const t = twoProportion({ x: xA, n: nA }, { x: xB, n: nB });
    expect(t.p).toBeCloseTo(p, 6);
    expect(t.ci95[0]).toBeCloseTo(lo, 6);
    expect(t.ci95[1]).toBeCloseTo(hi, 6);
    expect(chanceToBeat({ x: xA, n: nA }, { x: xB, n: nB })).toBeCloseTo(ctb, 7);
  });

  it('both arms without a conversion: no difference, p = 1, an even chance', () => {
    const t = twoProportion({ x: 0, n: 150 }, { x: 0, n: 150 });
    expect(t).toMatchObject({ diff: 0, p: 1, lift: null });
    expect(chanceToBeat({ x: 0, n: 150 }, { x: 0, n: 150 })).toBeCloseTo(0.5, 9);
  });

  it('revenue per click: the delta-method ratio over days matches R', () => {
    const a = { num: [120, 95, 143, 110, 130, 101, 125], den: [100, 90, 120, 95, 110, 92, 105] };
    const b = { num: [128, 110, 140, 104, 128, 112, 122], den: [102, 95, 118, 90, 112, 96, 100] };
    const d = ratioDiff(a, b);
    expect(d.diff).toBeCloseTo(1.1837307153 - 1.1573033708, 9);
    expect(d.variance).toBeCloseTo(0.000387641557 + 0.000234199317, 11);
    expect(d.z).toBeCloseTo(1.0597755447, 6);
    expect(d.p).toBeCloseTo(0.289246725, 6);
    // One day is no variance estimate: never significant.
    expect(ratioDiff({ num: [5], den: [10] }, { num: [50], den: [10] }).p).toBe(1);
  });

  it('two-sided p of z', () => {
    expect(twoSidedP(1.959963984540054)).toBeCloseTo(0.05, 7);
    expect(twoSidedP(0)).toBeCloseTo(1, 7);
    expect(twoSidedP(3.290526731491926)).toBeCloseTo(0.001, 7);
  });

  it('peeking every day: the fixed test is fooled about a third of the time, the sequential test at most α', () => {
    // 1,000 A/A tests at a 5 % conversion rate, 300 clicks a day per arm, read for 30 days.
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const binom = (n: number, p: number) => {
      let k = 0;
      for (let i = 0; i < n; i++) if (rand() < p) k++;
      return k;
    };
    let fixed = 0, sequential = 0;
    for (let t = 0; t < 1000; t++) {
      const a = { x: 0, n: 0 }, b = { x: 0, n: 0 };
      let fixedHit = false, seqHit = false;
      for (let day = 0; day < 30; day++) {
        a.n += 300; a.x += binom(300, 0.05);
        b.n += 300; b.x += binom(300, 0.05);
        const r = twoProportion(a, b);
        if (r.p < 0.05) fixedHit = true;
        const tau2 = (0.3 * 0.05) ** 2;
        if (msprtP(r.diff, r.variance, tau2) < 0.05) seqHit = true;
      }
      if (fixedHit) fixed++;
      if (seqHit) sequential++;
    }
    expect(fixed / 1000).toBeGreaterThan(0.15);
    expect(sequential / 1000).toBeLessThanOrEqual(0.05);
  });

  it('a real 30 % lift is called by the sequential test within the month', () => {
    const a = { x: 0, n: 0 }, b = { x: 0, n: 0 };
    let day = 0;
    for (; day < 60; day++) {
      a.n += 1000; a.x += 50;
      b.n += 1000; b.x += 65;
      const r = twoProportion(a, b);
      if (msprtP(r.diff, r.variance, (0.3 * 0.05) ** 2) < 0.05) break;
    }
    expect(day).toBeLessThan(30);
  });

  it('clicks needed for 80 % power', () => {
    // 5 % → 6 %: about 8,150 clicks an arm (the textbook figure).
    expect(clicksNeeded(0.05, 0.01)).toBeGreaterThan(8000);
    expect(clicksNeeded(0.05, 0.01)).toBeLessThan(8300);
    expect(clicksNeeded(0.05, 0)).toBe(Number.POSITIVE_INFINITY);
  });
});
