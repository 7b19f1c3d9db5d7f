// A client row's brain settings: thresholds as numbers, the objective and its
// per-campaign overrides. One reading for the daily run, the alert check and
// `links list`, so the three judge by the same lines.
import { objectiveSettings, type ObjectiveColumns } from '../domain/objectives.ts';
import type { BrainSettings } from './types.ts';

export interface SettingsColumns extends ObjectiveColumns {
  currency: string;
  monthlyBudgetCents?: bigint | number | null;
  burnRoiBelow: unknown;
  burnMinSpendCents: unknown;
  winRoiAbove: unknown;
  winMinRevenueCents: unknown;
}

export function brainSettings(client: SettingsColumns): BrainSettings {
  return {
    currency: client.currency,
    monthlyBudgetCents: client.monthlyBudgetCents === null || client.monthlyBudgetCents === undefined ? null : Number(client.monthlyBudgetCents),
    burnRoiBelow: Number(client.burnRoiBelow),
    burnMinSpendCents: Number(client.burnMinSpendCents),
    winRoiAbove: Number(client.winRoiAbove),
    winMinRevenueCents: Number(client.winMinRevenueCents),
    ...objectiveSettings(client),
  };
}
