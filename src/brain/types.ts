// The brain's inputs and outputs. Pure data: the brain reads no database, no
// clock and no files; src/run/brain-run.ts loads and persists around it.
import type { MetricValues } from '../ingest/batch.ts';
import type { CampaignObjectives, Objective } from './objective.ts';

export interface BrainEntity {
  id: string;
  platform: string;
  kind: string;
  externalId: string;
  name: string;
  parentId: string | null;
  status: string;
  attributes: Record<string, unknown>;
  /** An ad account's own monthly budget (minor units); paced on its own. */
  budgetCents?: number | null;
}

/** One entity's own numbers for one local day (money in cents). */
export interface BrainDay extends MetricValues {
  entityId: string;
  date: string;
}

export interface EntityColumns {
  entityId: string;
  /** Days since 1970-01-01 (UTC calendar days): no date strings to parse per row. */
  days: ArrayLike<number>;
  spendCents: ArrayLike<number>;
  impressions: ArrayLike<number>;
  clicks: ArrayLike<number>;
  conversions: ArrayLike<number>;
  revenueCents: ArrayLike<number>;
  /** NaN where not reported (the brain does not read it; the row loader passes it on). */
  reach?: ArrayLike<number>;
  /** NaN where not reported. */
  frequency: ArrayLike<number>;
}

export interface BrainSettings {
  currency: string;
  /** What the client buys with its spend (default: revenue) and per-campaign overrides. */
  objective?: Objective;
  campaignObjectives?: CampaignObjectives;
  /** Per platform, the first day a connector may still restate (its settling window). */
  provisionalFrom?: Record<string, string>;
  monthlyBudgetCents: number | null;
  burnRoiBelow: number;
  burnMinSpendCents: number;
  winRoiAbove: number;
  winMinRevenueCents: number;
}

export type InsightStatus = 'PENDING' | 'IN_PROGRESS' | 'APPLIED' | 'DISMISSED' | 'RESOLVED';

export interface PastInsight {
  id: string;
  type: InsightType;
  entityId: string | null;
  status: InsightStatus;
  since: string | null;
  impactCents: number;
  /** Measured after an APPLIED insight's follow-up window; null until then. */
  realisedCents: number | null;
  /** The action kind the insight proposed, for learning. */
  action: ActionKind | null;
}

export interface ScoredPrediction {
  metric: string;
  /** The day the forecast was made (its window). */
  madeOn: string;
  targetDate: string;
  point: number;
  actual: number;
  hit: boolean;
  /** In-sample seasonal-naive MAE of the series when the forecast was made. */
  scale: number;
}

export interface BrainInput {
  asOf: string;
  settings: BrainSettings;
  entities: BrainEntity[];
  /** Daily rows up to and including asOf (later rows are ignored). */
  days: BrainDay[];
  /** The same kind of data, one entry per entity with parallel arrays: how the
   * database loader hands over millions of rows without an object per row. */
  columns?: EntityColumns[];
  insights: PastInsight[];
  /** Predictions whose actuals are known, for the track record. */
  scored: ScoredPrediction[];
}

export const INSIGHT_TYPES = [
  'burning',
  'winner',
  'creative_fatigue',
  'anomaly_spike',
  'anomaly_drop',
  'budget_overspend',
  'budget_underspend',
  'forecast_risk',
  'action',
] as const;
export type InsightType = (typeof INSIGHT_TYPES)[number];
/** Inbox items that are not the brain's findings: a connection that needs reconnecting. */
export const SYSTEM_INSIGHT_TYPES = ['connection_reauth', 'connection_expiring'] as const;

export type Severity = 'low' | 'medium' | 'high' | 'critical';

export type ActionKind =
  | 'pause'
  | 'scale'
  | 'refresh_creative'
  | 'move_budget'
  | 'investigate'
  | 'test'
  | 'cut_budget'
  | 'raise_budget'
  | 'move_traffic';

export interface EntityRef {
  id: string;
  kind: string;
  externalId: string;
  name: string;
  platform: string;
}

export interface Finding {
  type: Exclude<InsightType, 'action'>;
  entity: EntityRef | null;
  severity: Severity;
  /** Expected $ at stake over the next 7 days, in cents (positive = money to save or gain). */
  impactCents: number;
  confidence: number;
  /** The day the condition began. */
  since: string;
  title: string;
  /** The numbers behind the finding, JSON-safe. */
  facts: Record<string, number | string | null>;
  /** Worth knowing, nothing to do (good news, a month already over): no ranked action. */
  informational?: boolean;
}
