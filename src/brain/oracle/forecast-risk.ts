// Forecast risk: a campaign that made money last week but whose forecast says
// the coming week loses money.
import { round } from '../memory.ts';
import { sumRange, type SeriesSet } from '../series.ts';
import type { Finding } from '../types.ts';
import type { EntityForecast } from './forecasts.ts';
import { refOf } from './performance.ts';

const MIN_SPEND_7 = 10_000;

export function detectForecastRisk(s: SeriesSet, forecasts: EntityForecast[]): Finding[] {
  const byEntity = new Map<string, Partial<Record<string, EntityForecast>>>();
  for (const f of forecasts) (byEntity.get(f.entityId) ?? byEntity.set(f.entityId, {}).get(f.entityId)!)[f.metric] = f;
  const end = s.length - 1;
  const out: Finding[] = [];
  for (const [id, f] of byEntity) {
    const e = s.byId.get(id)!;
    if (e.entity.kind !== 'campaign' || !f.spendCents || !f.revenueCents) continue;
    const spendNext = f.spendCents.days.slice(0, 7).reduce((a, d) => a + d.point, 0);
    const revNext = f.revenueCents.days.slice(0, 7).reduce((a, d) => a + d.point, 0);
    const spendLast = sumRange(e.spendCents, end - 6, end);
    const revLast = sumRange(e.revenueCents, end - 6, end);
    if (spendNext < MIN_SPEND_7 || revLast < spendLast || revNext >= spendNext) continue;
    // Confidence: whether the week's revenue range stays below the week's spend — the
    // range of the 7-day total itself (oracle/ets.ts sumInterval), not the daily
    // upper edges added up, which assume every day beats its forecast at once.
    const total = f.revenueCents.total?.days === 7 ? f.revenueCents.total : null;
    const revUpper = total ? total.upper : f.revenueCents.days.slice(0, 7).reduce((a, d) => a + d.upper, 0);
    out.push({
      type: 'forecast_risk',
      entity: refOf(e),
      severity: revNext < 0.7 * spendNext ? 'high' : 'medium',
      impactCents: Math.round(spendNext - revNext),
      confidence: round(revUpper < spendNext ? 0.8 : 0.5, 2),
      since: s.dayOf(end),
      // After a week without spend there is no ROAS to compare with: it is said so.
      title: `${e.entity.name} is forecast to lose money next week (ROAS ${(revNext / spendNext).toFixed(2)}${spendLast > 0 ? ` after ${(revLast / spendLast).toFixed(2)}` : ', after a week without spend'})`,
      facts: {
        spendLast7Cents: Math.round(spendLast),
        revenueLast7Cents: Math.round(revLast),
        spendNext7Cents: Math.round(spendNext),
        revenueNext7Cents: Math.round(revNext),
        // The 80 % range of next week's revenue total.
        revenueNext7HighCents: Math.round(revUpper),
        ...(total && { revenueNext7LowCents: Math.round(total.lower) }),
      },
    });
  }
  return out;
}
