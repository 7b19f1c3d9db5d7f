// Minor units per ISO 4217: amounts typed, imported and shown in JPY, USD and BHD.
import { describe, expect, it } from 'vitest';
import { amountUnit, currencyExponent, toMajor, toMinorUnits } from '../src/domain/currency.ts';
import { parseCents } from '../src/import/values.ts';
import { money } from '../src/reports/format.ts';

describe('currencies without (or with more) minor units', () => {
  it.each([
    ['JPY', 0], ['KRW', 0], ['VND', 0], ['CLP', 0], ['USD', 2], ['EUR', 2], ['BHD', 3], ['KWD', 3], ['CLF', 4],
  ] as const)('%s has exponent %i', (c, e) => expect(currencyExponent(c)).toBe(e));

  it('reads amounts into the minor unit, rounding half away from zero beyond it', () => {
    expect(parseCents('¥1,500', false, 0)).toEqual({ ok: true, value: 1500 });
    expect(parseCents('1500.5', false, 0)).toEqual({ ok: true, value: 1501 });
    expect(parseCents('12.345', false, 2)).toEqual({ ok: true, value: 1235 });
    expect(parseCents('1.2345', false, 3)).toEqual({ ok: true, value: 1235 });
    expect(toMinorUnits('30', 'JPY', '--target-cpa')).toBe(30);
    expect(toMinorUnits('29.90', 'USD', '--target-cpa')).toBe(2990);
    expect(() => toMinorUnits('abc', 'JPY', '--budget')).toThrow('--budget: "abc" is not a number (an amount in JPY)');
  });

  it('shows them at their own scale, and the API says the unit', () => {
    expect(money(1500, 'JPY')).toBe('¥1,500');
    expect(money(1500, 'USD')).toBe('$15.00');
    expect(money(1500, 'BHD')).toMatch(/1\.500/);
    expect(toMajor(1500, 'JPY')).toBe(1500);
    expect(amountUnit('JPY')).toMatchObject({ minorUnitsPerUnit: 1, exponent: 0 });
    expect(amountUnit('USD')).toMatchObject({ minorUnitsPerUnit: 100, exponent: 2 });
  });
});
