// Loads one client's entities and daily metrics for a date range in two queries.
// When several sources report the same entity and day, one wins: connectors over
// CSV imports over demo data, so numbers are never double counted.
import type { MetricValues } from '../ingest/batch.ts';
import type { Sql } from './sql.ts';

export interface EntityRow {
  id: string;
  platform: string;
  kind: string;
  externalId: string;
  name: string;
  parentId: string | null;
  status: string;
  attributes: Record<string, unknown>;
}

export interface DailyRow extends MetricValues {
  entityId: string;
  date: string;
}

export async function loadEntities(sql: Sql, clientId: string): Promise<EntityRow[]> {
  return sql.query<EntityRow>(
    `SELECT id::text AS "id", platform::text AS "platform", kind::text AS "kind", external_id AS "externalId",
            name, parent_id::text AS "parentId", status::text AS "status", attributes
       FROM entity WHERE client_id = $1::uuid`,
    [clientId],
  );
}

export async function loadDaily(sql: Sql, clientId: string, from: string, to: string): Promise<DailyRow[]> {
  return sql.query<DailyRow>(
    `SELECT DISTINCT ON (m.entity_id, m.date)
            m.entity_id::text AS "entityId", m.date::text AS "date", m.spend_cents::float8 AS "spendCents",
            m.impressions::float8 AS "impressions", m.clicks::float8 AS "clicks",
            m.conversions::float8 AS "conversions", m.revenue_cents::float8 AS "revenueCents",
            m.reach::float8 AS "reach", m.frequency::float8 AS "frequency"
       FROM daily_metric m JOIN entity e ON e.id = m.entity_id
      WHERE e.client_id = $1::uuid AND m.date BETWEEN $2::date AND $3::date
      ORDER BY m.entity_id, m.date, CASE m.source WHEN 'demo' THEN 3 WHEN 'csv' THEN 2 ELSE 1 END`,
    [clientId, from, to],
  );
}

/** Latest day with data per platform, for freshness lines. */
export async function latestDayByPlatform(sql: Sql, clientId: string): Promise<{ platform: string; latest: string }[]> {
  return sql.query(
    `SELECT e.platform::text AS "platform", max(m.date)::text AS "latest"
       FROM daily_metric m JOIN entity e ON e.id = m.entity_id
      WHERE e.client_id = $1::uuid GROUP BY e.platform ORDER BY e.platform`,
    [clientId],
  );
}
