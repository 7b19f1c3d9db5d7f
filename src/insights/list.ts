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
  opts: { clientId?: string; agencyId?: string; status?: InsightStatus | InsightStatus[]; type?: string; limit?: number; offset?: number; sort?: 'impact' | 'recent' } = {},
): Promise<{ rows: InsightRow[]; total: number }> {
  const where = `WHERE ($1::uuid IS NULL OR i.client_id = $1::uuid) AND ($2::text[] IS NULL OR i.status::text = ANY($2::text[]))
      AND ($3::text IS NULL OR i.type = $3) AND ($4::uuid IS NULL OR i.client_id IN (SELECT id FROM client WHERE agency_id = $4::uuid))`;
  const order = opts.sort === 'recent' ? 'i.last_seen DESC, i.impact_cents DESC, i.id' : 'i.impact_cents DESC, i.last_seen DESC, i.id';
  const statuses = opts.status === undefined ? null : Array.isArray(opts.status) ? opts.status : [opts.status];
  const params = [opts.clientId ?? null, statuses, opts.type ?? null, opts.agencyId ?? null];
  const [rows, [count]] = await Promise.all([
    sql.query<{
      id: string; client_id: string; slug: string; currency: string; type: string; status: InsightStatus; severity: string; title: string; impact: number; confidence: number;
      since: string | null; first_seen: Date; last_seen: Date; kind: string | null; external_id: string | null; name: string | null; platform: string | null; p1: string | null; p2: string | null; p3: string | null;
    }>(
      `SELECT i.id::text, i.client_id::text, c.slug, c.currency, i.type, i.status::text AS status, i.severity::text AS severity, i.title, i.impact_cents::float8 AS impact, i.confidence,
              i.since::text AS since, i.first_seen, i.last_seen, e.kind::text AS kind, e.external_id, e.name, e.platform::text AS platform, p1.name AS p1, p2.name AS p2, p3.name AS p3
         FROM insight i JOIN client c ON c.id = i.client_id
         LEFT JOIN entity e ON e.id = i.entity_id LEFT JOIN entity p1 ON p1.id = e.parent_id LEFT JOIN entity p2 ON p2.id = p1.parent_id LEFT JOIN entity p3 ON p3.id = p2.parent_id
         ${where} ORDER BY ${order} LIMIT $5 OFFSET $6`,
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

export interface InboxRow extends InsightRow {
  clientName: string;
  snoozedUntil: string | null;
  realisedCents: number | null;
}

export interface InboxQuery {
  agencyId: string;
  clientId?: string;
  statuses?: InsightStatus[];
  type?: string;
  limit: number;
  /** The last row of the previous page (keyset: most money first, then id). */
  after?: { impactCents: number; id: string };
}

/**
 * One page of an agency's inbox, most money first. Keyset paging (impact, id) keeps
 * page 200 of 10,000 insights as fast as page 1; the total is counted once per page.
 */
export async function listInbox(sql: Sql, q: InboxQuery): Promise<{ rows: InboxRow[]; total: number; next: { impactCents: number; id: string } | null }> {
  const params: unknown[] = [q.agencyId, q.clientId ?? null, q.statuses?.length ? q.statuses : null, q.type ?? null];
  const where = `WHERE c.agency_id = $1::uuid AND ($2::uuid IS NULL OR i.client_id = $2::uuid) AND ($3::text[] IS NULL OR i.status::text = ANY($3::text[])) AND ($4::text IS NULL OR i.type = $4)`;
  const keyset = q.after ? ` AND (i.impact_cents, i.id) < ($${params.push(q.after.impactCents)}::bigint, $${params.push(q.after.id)}::uuid)` : '';
  const [rows, [count]] = await Promise.all([
    sql.query<{
      id: string; client_id: string; slug: string; client_name: string; currency: string; type: string; status: InsightStatus; severity: string; title: string; impact: number; confidence: number;
      since: string | null; first_seen: Date; last_seen: Date; snoozed_until: string | null; realised: number | null; kind: string | null; external_id: string | null; name: string | null; platform: string | null; p1: string | null; p2: string | null;
    }>(
      `SELECT i.id::text, i.client_id::text, c.slug, c.name AS client_name, c.currency, i.type, i.status::text AS status, i.severity::text AS severity, i.title, i.impact_cents::float8 AS impact, i.confidence,
              i.since::text AS since, i.first_seen, i.last_seen, i.snoozed_until::text AS snoozed_until, i.realised_cents::float8 AS realised,
              e.kind::text AS kind, e.external_id, e.name, e.platform::text AS platform, p1.name AS p1, p2.name AS p2
         FROM insight i JOIN client c ON c.id = i.client_id
         LEFT JOIN entity e ON e.id = i.entity_id LEFT JOIN entity p1 ON p1.id = e.parent_id LEFT JOIN entity p2 ON p2.id = p1.parent_id
         ${where}${keyset} ORDER BY i.impact_cents DESC, i.id DESC LIMIT $${params.push(q.limit + 1)}`,
      params,
    ),
    sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM insight i JOIN client c ON c.id = i.client_id ${where}`, params.slice(0, 4)),
  ]);
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return {
    total: count?.n ?? 0,
    next: rows.length > q.limit && last ? { impactCents: last.impact, id: last.id } : null,
    rows: page.map((r) => ({
      id: r.id, clientId: r.client_id, clientName: r.client_name, client: { slug: r.slug, currency: r.currency }, type: r.type, status: r.status, severity: r.severity, title: r.title,
      impactCents: r.impact, confidence: r.confidence, since: r.since, firstSeen: new Date(r.first_seen), lastSeen: new Date(r.last_seen), snoozedUntil: r.snoozed_until, realisedCents: r.realised,
      entity: r.kind === null ? null : { kind: r.kind, externalId: r.external_id!, name: r.name!, platform: r.platform!, parent: r.p1 === null ? null : { name: r.p1, parent: r.p2 === null ? null : { name: r.p2 } } },
    })),
  };
}
