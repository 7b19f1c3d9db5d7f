// Turns a simulated client straight into brain input (no database): used by the
// detection tests and the brain benchmark.
import type { BrainInput, BrainSettings } from '../brain/types.ts';
import type { SimClient } from './simulate.ts';

export const DEFAULT_SETTINGS: Omit<BrainSettings, 'currency' | 'monthlyBudgetCents'> = {
  burnRoiBelow: -0.5,
  burnMinSpendCents: 5_000,
  winRoiAbove: 2,
  winMinRevenueCents: 10_000,
};

export function simBrainInput(c: SimClient, asOf: string): BrainInput {
  const entities = [...c.batch.entities.entries()].map(([key, e]) => ({
    id: key,
    platform: e.platform,
    kind: e.kind,
    externalId: e.externalId,
    name: e.name,
    parentId: e.parentKey ?? null,
    status: 'active',
    attributes: e.attributes ?? {},
  }));
  const days = c.batch.metrics
    .filter((m) => m.date <= asOf)
    .map((m) => ({ ...m, entityId: m.entityKey }));
  return {
    asOf,
    settings: { ...DEFAULT_SETTINGS, currency: c.currency, monthlyBudgetCents: c.monthlyBudgetCents },
    entities,
    days,
    insights: [],
    scored: [],
  };
}
