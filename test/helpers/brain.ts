// Builds brain input from plain arrays for detector tests.
import type { BrainDay, BrainEntity, BrainInput } from '../../src/brain/types.ts';
import { addDays } from '../../src/time.ts';

export interface SeriesSpec {
  id: string;
  /** Default: the id. */
  name?: string;
  kind?: string;
  parentId?: string | null;
  platform?: string;
  status?: string;
  spend: (t: number) => number;
  impressions?: (t: number) => number;
  clicks?: (t: number) => number;
  conversions?: (t: number) => number;
  /** null: not reported that day. */
  revenue?: (t: number) => number | null;
  frequency?: (t: number) => number | null;
}

export function makeInput(opts: { asOf: string; days: number; series: SeriesSpec[]; extraEntities?: BrainEntity[]; budgetCents?: number | null }): BrainInput {
  const start = addDays(opts.asOf, -(opts.days - 1));
  const entities: BrainEntity[] = [...(opts.extraEntities ?? [])];
  const days: BrainDay[] = [];
  for (const s of opts.series) {
    entities.push({ id: s.id, kind: s.kind ?? 'ad', parentId: s.parentId ?? null, platform: s.platform ?? 'meta', externalId: s.id, name: s.name ?? s.id, status: s.status ?? 'active', attributes: {} });
    for (let t = 0; t < opts.days; t++) {
      days.push({
        entityId: s.id,
        date: addDays(start, t),
        spendCents: Math.round(s.spend(t)),
        impressions: Math.round(s.impressions?.(t) ?? s.spend(t) * 10),
        clicks: Math.round(s.clicks?.(t) ?? s.spend(t) / 10),
        conversions: s.conversions?.(t) ?? 0,
        revenueCents: ((v) => (v === null ? null : Math.round(v ?? 0)))(s.revenue?.(t)),
        reach: null,
        frequency: s.frequency?.(t) ?? null,
      });
    }
  }
  return {
    asOf: opts.asOf,
    settings: { currency: 'USD', monthlyBudgetCents: opts.budgetCents ?? null, burnRoiBelow: -0.5, burnMinSpendCents: 5000, winRoiAbove: 2, winMinRevenueCents: 10000 },
    entities,
    days,
    insights: [],
    scored: [],
  };
}
