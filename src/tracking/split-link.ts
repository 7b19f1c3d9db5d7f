// A split test's tracking link: GET /t/<linkCode> sends each session to one of the
// test's variants (first-party campaigns) by weight, and always the same one: the
// choice is a hash of the session id and the test, so it is sticky without a lookup
// and survives restarts. The visit is recorded on the variant it saw.
import { createHash } from 'node:crypto';
import type { Db } from '../db/client.ts';

export interface SplitLink {
  testId: string;
  clientId: string;
  fallback: string | null;
  honorDnt: boolean;
  variants: { campaignId: string; code: string; destinationUrl: string; weight: number }[];
}

export async function splitLinkOf(db: Pick<Db, 'sql'>, code: string, site: string | undefined): Promise<SplitLink | null> {
  const rows = await db.sql.query<{ test_id: string; client_id: string; fallback: string | null; honor_dnt: boolean; campaign_id: string; code: string; destination_url: string; weight: number; active: boolean }>(
    `SELECT t.id::text AS test_id, t.client_id::text, c.track_fallback_url AS fallback, c.honor_dnt, tc.id::text AS campaign_id, tc.code, tc.destination_url, v.weight, tc.active
     FROM split_test t JOIN client c ON c.id = t.client_id JOIN split_variant v ON v.test_id = t.id JOIN entity e ON e.id = v.entity_id
     JOIN tracking_campaign tc ON e.platform = 'other' AND e.kind = 'campaign' AND e.external_id = 'tc:' || tc.id::text
     WHERE t.link_code = $1 AND t.status = 'running' AND ${site ? 'c.site_key = $2' : `t.id = (SELECT f.id FROM split_test f WHERE f.link_code = $1 AND f.status = 'running' ORDER BY f.created_at, f.id LIMIT 1)`}
     ORDER BY v.id`,
    site ? [code, site] : [code],
  );
  // Without a site key the oldest running test holds the bare link (as the oldest campaign holds a bare code).
  if (rows.length === 0) return null;
  const live = rows.filter((r) => r.active);
  if (live.length === 0) return null;
  return { testId: rows[0]!.test_id, clientId: rows[0]!.client_id, fallback: rows[0]!.fallback, honorDnt: rows[0]!.honor_dnt, variants: live.map((r) => ({ campaignId: r.campaign_id, code: r.code, destinationUrl: r.destination_url, weight: r.weight })) };
}

/** The variant of this session: a point in [0, 1) from sha256(session, test), laid over the weights. */
export function pickVariant<T extends { weight: number }>(sessionId: string, testId: string, variants: T[]): T {
  const h = createHash('sha256').update(`${testId}:${sessionId}`).digest();
  const u = h.readUInt32BE(0) / 2 ** 32;
  const total = variants.reduce((n, v) => n + v.weight, 0);
  let at = u * total;
  for (const v of variants) {
    if (at < v.weight) return v;
    at -= v.weight;
  }
  return variants.at(-1)!;
}
