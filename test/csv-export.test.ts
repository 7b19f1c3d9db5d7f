// The CSV writer: RFC 4180 quoting, formula cells neutralised, exact money.
import { describe, expect, it } from 'vitest';
import { csvCell, csvRow, money } from '../src/exports/csv.ts';

describe('CSV cells', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['=HYPERLINK("x")', `"'=HYPERLINK(""x"")"`],
    ['+1', "'+1"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    ['\rx', `"'\rx"`],
    ['', ''],
  ])('%j → %j', (input, out) => expect(csvCell(input)).toBe(out));

  it('numbers and money are written as numbers, a negative amount too', () => {
    expect(csvRow([-5, money('-123456', 2), money(7n, 2), money('1500', 0), money('1234567', 3), null, 'x'])).toBe('-5,-1234.56,0.07,1500,1234.567,,x\r\n');
    // Beyond 2^53 the amount stays exact.
    expect(csvRow([money('90071992547409931', 2)])).toBe('900719925474099.31\r\n');
  });
});
