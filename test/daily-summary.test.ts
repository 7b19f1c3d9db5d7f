import { describe, expect, it } from 'vitest';
import type { DailyRow, EntityRow } from '../src/db/metrics-read.ts';
import { buildDailySummary } from '../src/reports/daily-summary.ts';
import { renderReportText } from '../src/reports/render-text.ts';
import { buildReportView } from '../src/reports/view.ts';
import { deterministicSummary } from '../src/llm/deterministic.ts';
import { summaryFacts } from '../src/llm/facts.ts';
import { addDays } from '../src/time.ts';

const ent = (id: string, kind: string, parentId: string | null, platform = 'meta', name = id): EntityRow => ({
  id, kind, parentId, platform, name, externalId: id, status: 'active', attributes: {},
});
const row = (entityId: string, date: string, spendCents: number, revenueCents: number, conversions: number): DailyRow => ({
  entityId, date, spendCents, revenueCents, conversions, impressions: 0, clicks: 0, reach: null, frequency: null,
});
const client = { slug: 'c', name: 'Client', currency: 'USD', timezone: 'UTC' };
const D = '2026-03-10';

describe('daily summary model', () => {
  const entities = [ent('acct', 'account', null), ent('win', 'campaign', 'acct', 'meta', 'Winner'), ent('lose', 'campaign', 'acct', 'meta', 'Loser'), ent('ad', 'ad', 'lose')];
  const daily: DailyRow[] = [];
  for (let i = 1; i <= 7; i++) daily.push(row('win', addDays(D, -i), 10_000, 20_000, 4));
  daily.push(row('win', D, 20_000, 50_000, 10), row('ad', D, 10_000, 2_000, 1), row('win', addDays(D, 1), 999_999, 0, 0));
  const s = buildDailySummary({ client, date: D, entities, daily, latestByPlatform: [{ platform: 'meta', latest: addDays(D, 1) }] });

  it('computes the day, the previous day and the 7-day average', () => {
    expect(s.day).toEqual({ spendCents: 30_000, revenueCents: 52_000, profitCents: 22_000, roas: 52_000 / 30_000, roi: 22_000 / 30_000, conversions: 11, cpaCents: Math.round(30_000 / 11), unreportedRevenueSpendCents: 0 });
    expect(s.previousDay).toMatchObject({ spendCents: 10_000, revenueCents: 20_000, conversions: 4 });
    expect(s.average7).toMatchObject({ spendCents: 10_000, revenueCents: 20_000, conversions: 4 });
    expect(s.change.vsPreviousDay.spendCents).toBeCloseTo(2);
    expect(s.change.vs7DayAverage.profitCents).toBeCloseTo(1.2);
  });

  it('rolls leaves up to campaigns and ranks them by profit; later days are invisible', () => {
    expect(s.topCampaigns.map((c) => [c.name, c.kpis.profitCents])).toEqual([['Winner', 30_000]]);
    expect(s.bottomCampaigns.map((c) => [c.name, c.kpis.profitCents])).toEqual([['Loser', -8_000]]);
  });

  it('builds the 30-day series, 7/30-day periods against the ones before, and 7-day roll-ups', () => {
    expect(s.trend.days).toHaveLength(30);
    expect(s.trend.days.at(-1)).toEqual({ date: D, spendCents: 30_000, revenueCents: 52_000, profitCents: 22_000 });
    expect(s.trend.last7.current).toMatchObject({ spendCents: 90_000, revenueCents: 172_000 });
    expect(s.trend.last7.previous).toMatchObject({ spendCents: 10_000, revenueCents: 20_000 });
    expect(s.trend.last7.change.spendCents).toBeCloseTo(8);
    expect(s.trend.last30.current.spendCents).toBe(100_000);
    expect(s.rollups.accounts).toEqual([{ key: 'acct', name: 'acct', kpis: expect.objectContaining({ spendCents: 90_000 }) }]);
    expect(s.rollups.creatives).toEqual([{ key: 'ad', name: 'ad', kpis: expect.objectContaining({ spendCents: 10_000, revenueCents: 2_000 }) }]);
  });

  it('uses Shopify revenue instead of the platforms\' claims when a store is connected', () => {
    const withStore = buildDailySummary({
      client, date: D, latestByPlatform: [],
      entities: [...entities, ent('store', 'account', null, 'shopify')],
      daily: [...daily, row('store', D, 0, 40_000, 7)],
    });
    expect(withStore.revenueSource).toBe('shopify');
    expect(withStore.day).toMatchObject({ spendCents: 30_000, revenueCents: 40_000, conversions: 7 });
  });

  it('renders the model\'s numbers as text', () => {
    const text = renderReportText(buildReportView(s, deterministicSummary(summaryFacts(s))));
    expect(text).toContain('$300.00');
    expect(text).toContain('$520.00');
    expect(text).toMatch(/Winner\s+meta\s+\$300\.00/);
    expect(text).toMatch(/Spend\s+\$300\.00\s+\+200% vs prev\. day/);
  });
});
