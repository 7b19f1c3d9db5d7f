import { describe, expect, it } from 'vitest';
import { inferDayOrder, parseCents, parseCount, parseDate, parseNonNegative } from '../src/import/values.ts';

describe('parseCents', () => {
  it.each([
    ['12.34', 1234],
    ['$1,234.56', 123456],
    ['1.234,56 €', 123456],
    ['€ 1 234,50', 123450],
    ['USD 99', 9900],
    ['99 USD', 9900],
    ['0', 0],
    ['0.005', 1],
    ['0.004', 0],
    ['12.3', 1230],
    ['1,234', 123400],
    ['12,5', 1250],
    ['1.234.567', 123456700],
    ["1'234.50", 123450],
  ])('%s → %d cents', (raw, cents) => {
    expect(parseCents(raw)).toEqual({ ok: true, value: cents });
  });

  it.each([
    ['-12.00', 'cannot be negative'],
    ['(12.00)', 'cannot be negative'],
    ['abc', 'is not a number'],
    ['12.34.56', 'is not a number'],
    ['1,23,4', 'is not a number'],
    ['99999999999999999999', 'is too large'],
    ['1e5', 'is not a number'],
  ])('%s is refused (%s)', (raw, reason) => {
    expect(parseCents(raw)).toEqual({ ok: false, reason });
  });

  it('keeps sums exact where floats drift', () => {
    const cents = ['0.10', '0.20', '0.70'].map((s) => (parseCents(s) as { value: number }).value);
    expect(cents.reduce((a, b) => a + b, 0)).toBe(100);
  });
});

describe('parseCount / parseNonNegative', () => {
  it('accepts thousands separators and whole decimals', () => {
    expect(parseCount('12,345')).toEqual({ ok: true, value: 12345 });
    expect(parseCount('17.0')).toEqual({ ok: true, value: 17 });
  });
  it('refuses fractions, negatives and huge counts', () => {
    expect(parseCount('1.5')).toEqual({ ok: false, reason: 'must be a whole number' });
    expect(parseCount('-3')).toEqual({ ok: false, reason: 'cannot be negative' });
    expect(parseCount('123456789012345678')).toEqual({ ok: false, reason: 'is too large' });
  });
  it('keeps fractional conversions', () => {
    expect(parseNonNegative('3.5', 1e9)).toEqual({ ok: true, value: 3.5 });
  });
});

describe('parseDate', () => {
  it.each([
    ['2026-03-05', 'mdy', '2026-03-05'],
    ['2026/03/05', 'mdy', '2026-03-05'],
    ['2026-03-05 00:00:00', 'mdy', '2026-03-05'],
    ['2026-03-05T00:00:00Z', 'mdy', '2026-03-05'],
    ['03/05/2026', 'mdy', '2026-03-05'],
    ['05/03/2026', 'dmy', '2026-03-05'],
    ['05.03.2026', 'dmy', '2026-03-05'],
    ['3/5/26', 'mdy', '2026-03-05'],
    ['Mar 5, 2026', 'mdy', '2026-03-05'],
    ['5 March 2026', 'mdy', '2026-03-05'],
  ] as const)('%s (%s) → %s', (raw, order, want) => {
    expect(parseDate(raw, order)).toEqual({ ok: true, value: want });
  });
  it.each(['2026-02-30', '2026-13-01', 'yesterday', '31/31/2026', '1999-12-31'])('%s is refused', (raw) => {
    expect(parseDate(raw).ok).toBe(false);
  });
  it('infers day-first files from a day above 12', () => {
    expect(inferDayOrder(['01/02/2026', '25/02/2026'])).toBe('dmy');
    expect(inferDayOrder(['01/02/2026', '02/25/2026'])).toBe('mdy');
  });
});
