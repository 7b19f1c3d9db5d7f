// What every source (CSV import, demo simulator, API connectors) hands to the
// writer: the entities it saw, parents first, and one metric row per leaf entity
// and local day. Keys are `${platform}|${kind}|${externalId}`.
import type { EntityKind, Platform } from '../generated/prisma/enums.ts';

export interface EntitySpec {
  platform: Platform;
  kind: EntityKind;
  externalId: string;
  name: string;
  parentKey?: string;
  attributes?: Record<string, unknown>;
}

/** One day of one entity's numbers; money in integer cents. null = not reported (unknown, not 0). */
export interface MetricValues {
  spendCents: number;
  impressions: number | null;
  clicks: number | null;
  conversions: number | null;
  revenueCents: number | null;
  reach: number | null;
  frequency: number | null;
}

/** A sum of two reported values: unknown when either is (the day of a link two ads point at). */
export const addKnown = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : a + b);

export interface MetricRow extends MetricValues {
  entityKey: string;
  /** Local day in the client's timezone, YYYY-MM-DD. */
  date: string;
}

export interface WriteBatch {
  entities: Map<string, EntitySpec>;
  metrics: MetricRow[];
}

export const entityKey = (platform: string, kind: string, externalId: string) => `${platform}|${kind}|${externalId}`;

export function newBatch(): WriteBatch {
  return { entities: new Map(), metrics: [] };
}

/** Adds an entity unless present; returns its key. Later names win (renames). */
export function addEntity(batch: WriteBatch, spec: EntitySpec): string {
  const key = entityKey(spec.platform, spec.kind, spec.externalId);
  const prev = batch.entities.get(key);
  if (!prev) batch.entities.set(key, spec);
  else if (prev.name !== spec.name || (spec.parentKey && prev.parentKey !== spec.parentKey)) {
    batch.entities.set(key, { ...prev, name: spec.name, parentKey: spec.parentKey ?? prev.parentKey });
  }
  return key;
}
