// Forecast risk judges next week's revenue by the range of its total, not the daily
// upper edges added up (which assume every day beats its forecast at once).
import { describe, expect, it } from 'vitest';
import { detectForecastRisk } from '../src/brain/oracle/forecast-risk.ts';
import type { EntityForecast } from '../src/brain/oracle/forecasts.ts';
import { buildSeries } from '../src/brain/series.ts';
import { addDays } from '../src/time.ts';
import { makeInput } from './helpers/brain.ts';

const AS_OF = '2026-11-30';
const week = (point: number, lower: number, upper: number) => Array.from({ length: 14 }, (_, k) => ({ date: addDays(AS_OF, k + 1), point, lower, upper }));

describe('forecast risk', () => {
  const input = makeInput({ asOf: AS_OF, days: 60, series: [{ id: 'camp', kind: 'campaign', spend: () => 10_000, revenue: () => 12_000 }] });
  const s = buildSeries(input.entities, input.days, AS_OF);
  const spend: EntityForecast = { entityId: 'camp', metric: 'spendCents', model: 'm', scale: 1, days: week(10_000, 9_000, 11_000) };
  // Revenue $80 a day forecast; each day could reach $105 (7 × 105 = 735 > 700 of spend), the week's total only $620.
  const revenue: EntityForecast = { entityId: 'camp', metric: 'revenueCents', model: 'm', scale: 1, days: week(8_000, 5_500, 10_500), total: { days: 7, point: 56_000, lower: 50_000, upper: 62_000 } };

  it('is sure (0.8) when the range of the week\'s total stays below its spend, and says the range', () => {
    const [f] = detectForecastRisk(s, [spend, revenue]);
    expect(f).toMatchObject({ type: 'forecast_risk', confidence: 0.8, facts: { spendNext7Cents: 70_000, revenueNext7Cents: 56_000, revenueNext7HighCents: 62_000, revenueNext7LowCents: 50_000 } });
  });

  it('without a total (forecasts made before it existed), the added daily edges decide: less sure', () => {
    const [f] = detectForecastRisk(s, [spend, { ...revenue, total: undefined }]);
    expect(f).toMatchObject({ confidence: 0.5, facts: { revenueNext7HighCents: 73_500 } });
  });
});
