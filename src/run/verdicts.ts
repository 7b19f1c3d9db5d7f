// The brain's burning / winner verdicts for one client, read straight from the
// database: what the intraday alert check and `links list` show, by the same
// evidence (oracle/evidence.ts) the daily insights are raised on.
import type { Sql } from '../db/sql.ts';
import { loadDailyColumns, loadEntities, type EntityRow } from '../db/metrics-read.ts';
import { addDays } from '../time.ts';
import type { Objective } from '../brain/objective.ts';
import { EVIDENCE, type Evidence } from '../brain/oracle/evidence.ts';
import { performanceEvidence } from '../brain/oracle/performance.ts';
import { buildSeries, type EntitySeries, type SeriesSet } from '../brain/series.ts';
import { brainSettings, type SettingsColumns } from '../brain/settings.ts';
import type { BrainSettings } from '../brain/types.ts';

export interface VerdictClient extends SettingsColumns {
  id: string;
}

export interface ClientVerdicts {
  entities: EntityRow[];
  series: SeriesSet;
  settings: BrainSettings;
  /** Entity id → its evidence (every judged leaf, with or without a verdict). */
  byId: Map<string, { e: EntitySeries; o: Objective; ev: Evidence }>;
}

export async function loadVerdicts(sql: Sql, client: VerdictClient, asOf: string): Promise<ClientVerdicts> {
  const from = addDays(asOf, -(EVIDENCE.lookbackDays - 1));
  const [entities, columns] = await Promise.all([loadEntities(sql, client.id), loadDailyColumns(sql, client.id, from, asOf)]);
  // The monthly budget plays no part in a verdict.
  const settings = brainSettings({ ...client, monthlyBudgetCents: null });
  const series = buildSeries(entities.map((e) => ({ ...e, attributes: (e.attributes ?? {}) as Record<string, unknown> })), [], asOf, EVIDENCE.lookbackDays, columns);
  const byId = new Map(performanceEvidence(series, settings).map((x) => [x.e.entity.id, x]));
  return { entities, series, settings, byId };
}
