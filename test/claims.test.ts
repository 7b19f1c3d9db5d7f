// verify_claims' matcher on hand-made tool results: right, rounded, wrong and
// unit-confused numbers, currencies, dates inside a period, digits inside names.
import { describe, expect, it } from 'vitest';
import { addResult, emptyIndex, verifyText } from '../src/llm/claims.ts';

const src = { tool: 'query_metrics', args: { client: 'acme' } };

function index() {
  const ix = emptyIndex();
  addResult(ix, src, { client: 'acme', currency: 'USD', from: '2026-11-15', to: '2026-11-21', rows: [{ name: 'Promo 2024 – 50% off', spend: '$1,234.56', roas: '2.31×', roi: '-12.5%', conversions: 42, cpa: '$29.39' }] });
  addResult(ix, { tool: 'list_links', args: {} }, { links: [{ name: 'Link 7', profit: '-$310.00', since: '2026-11-18', probability: '97%' }] });
  return ix;
}

const check = (text: string, currency = 'USD') => verifyText(text, index(), currency);

describe('verifyText', () => {
  it('matches right and rounded numbers, naming the fact and the call', () => {
    const r = check('Spend was $1,234.56 (about $1.2k, or 1,235 dollars) with 42 conversions at $29.39, ROAS 2.31× and ROI −12.5%; Link 7 lost $310 since Nov 18, 97% sure.');
    expect(r.filter((c) => !c.supported)).toEqual([]);
    expect(r.find((c) => c.text === '$1,234.56')!.fact).toEqual({ text: '$1,234.56', label: 'rows[Promo 2024 – 50% off].spend', source: src });
    expect(r.map((c) => c.text)).toContain('Nov 18');
  });

  it('flags wrong numbers with the nearest fact', () => {
    const [c] = check('Spend was $1,500.');
    expect(c).toMatchObject({ supported: false, reason: expect.stringMatching(/nearest: \$1,234\.56/) });
  });

  it('catches unit confusions: cents as dollars, percent for times, times for percent', () => {
    expect(check('Spend was $123,456.')[0]!.reason).toMatch(/100 times off \$1,234\.56/);
    expect(check('ROAS was 2.31%.')[0]!.reason).toMatch(/written as percent.*2\.31× .*multiplier/);
    expect(check('ROI was 12.5×.')[0]!.reason).toMatch(/written as multiplier.*-12\.5%/);
  });

  it('refuses another currency, and lets "$" stand for any dollar', () => {
    expect(check('Spend was €1,234.56.')[0]!.reason).toMatch(/in EUR; this client's numbers are in USD/);
    expect(check('Spend was £1,234.56.')[0]!.supported).toBe(false);
    expect(check('Spend was 1,234.56 USD.')[0]!.supported).toBe(true);
    const cad = emptyIndex();
    addResult(cad, src, { spend: 'CA$980.00' });
    expect(verifyText('spend $980', cad, 'CAD')[0]!.supported).toBe(true);
    expect(verifyText('spend A$980', cad, 'CAD')[0]!.supported).toBe(false);
  });

  it('takes a day inside the covered period as a reference, and not a day outside it', () => {
    expect(check('On 2026-11-16 nothing happened.')[0]!.supported).toBe(true);
    expect(check('On 2026-10-02 nothing happened.')[0]!.supported).toBe(false);
  });

  it('never takes digits inside a name as facts, and skips a quoted name', () => {
    expect(check('Promo 2024 – 50% off is the top campaign.')).toEqual([]);
    expect(check('Sales rose 50%.')[0]!.supported).toBe(false);
    expect(check('The year 2024 was good.')[0]!.supported).toBe(false);
  });

  it('without one client\'s currency (ask across clients), each amount matches a fact in its own currency', () => {
    const ix = emptyIndex();
    addResult(ix, src, { client: 'us', rows: [{ spend: '$1,200.00' }] });
    addResult(ix, src, { client: 'de', rows: [{ spend: '€980.00' }] });
    const r = verifyText('The US shop spent $1,200.00 and the German one €980.00; not €1,200.00.', ix);
    expect(r.map((c) => [c.text, c.supported])).toEqual([['$1,200.00', true], ['€980.00', true], ['€1,200.00', false]]);
  });
});
