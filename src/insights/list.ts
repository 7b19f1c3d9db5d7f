// The inbox as a list: most money first (or most recently seen), paged, with a
// total, each entity with up to three parents so two "Ad 1"s can be told apart.
// Plain SQL: `insights list` starts without the ORM.
import type { Sql } from '../db/sql.ts';
import type { InsightStatus } from '../generated/prisma/enums.ts';

type Parent = { name: string; parent?: Parent | null };

export interface InsightRow {
  id: string;
  clientId: string;
  client: { slug: string; currency: string };
  type: string;
  status: InsightStatus;
  severity: string;
  title: string;
  impactCents: number;
  confidence: number;
  since: string | null;
  firstSeen: Date;
  lastSeen: Date;
  entity: { kind: string; externalId: string; name: string; platform: string; parent: Parent | null } | null;
}

export async function listInsights(
  sql: Sql,
  opts: { clientId?: string; status?: InsightStatus; limit?: number; offset?: number; sort?: 'impact' | 'recent' } = {},
): Promise<{ rows: InsightRow[]; total: number }> {
  const where = 'WHERE ($1::uuid IS NULL OR i.client_id = $1::uuid) AND ($2::text IS NULL OR i.status::text = $2)';
  const order = opts.sort === 'recent' ? 'i.last_seen DESC, i.impact_cents DESC, i.id' : 'i.impact_cents DESC, i.last_seen DESC, i.id';
  const params = [opts.clientId ?? null, opts.status ?? null];
  const [rows, [count]] = await Promise.all([
    sql.query<{
      id: string; client_id: string; slug: string; currency: string; type: string; status: InsightStatus; severity: string; title: string; impact: number; confidence: number;
      since: string | null; first_seen: Date; last_seen: Date; kind: string | null; external_id: string | null; name: string | null; platform: string | null; p1: string | null; p2: string | null; p3: string | null;
    }>(
      `SELECT i.id::text, i.client_id::text, c.slug, c.currency, i.type, i.status::text AS status, i.severity::text AS severity, i.title, i.impact_cents::float8 AS impact, i.confidence,
              i.since::text AS since, i.first_seen, i.last_seen, e.kind::text AS kind, e.external_id, e.name, e.platform::text AS platform, p1.name AS p1, p2.name AS p2, p3.name AS p3
         FROM insight i JOIN client c ON c.id = i.client_id
         LEFT JOIN entity e ON e.id = i.entity_id LEFT JOIN entity p1 ON p1.id = e.parent_id LEFT JOIN entity p2 ON p2.id = p1.parent_id LEFT JOIN entity p3 ON p3.id = p2.parent_id
         ${where} ORDER BY ${order} LIMIT $3 OFFSET $4`,
      [...params, opts.limit ?? 200, opts.offset ?? 0],
    ),
    sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM insight i ${where}`, params),
  ]);
  const chain = (names: (string | null)[]): Parent | null => {
    const [first, ...rest] = names;
    return first == null ? null : { name: first, parent: chain(rest) };
  };
  return {
    total: count?.n ?? 0,
    rows: rows.map((r) => ({
      id: r.id, clientId: r.client_id, client: { slug: r.slug, currency: r.currency }, type: r.type, status: r.status, severity: r.severity, title: r.title,
      impactCents: r.impact, confidence: r.confidence, since: r.since, firstSeen: new Date(r.first_seen), lastSeen: new Date(r.last_seen),
      entity: r.kind === null ? null : { kind: r.kind, externalId: r.external_id!, name: r.name!, platform: r.platform!, parent: chain([r.p1, r.p2, r.p3]) },
    })),
  };
}

/** "Account › Campaign › Ad set › Ad" for an entity with its parents loaded (nearest first). */
export function entityPath(e: { name: string; parent?: { name: string; parent?: { name: string; parent?: { name: string } | null } | null } | null }): string {
  const names: string[] = [e.name];
  for (let p = e.parent; p; p = (p as { parent?: typeof p }).parent ?? null) names.unshift(p.name);
  return names.join(' › ');
}
