// Calibration in real use: every burning / winner call is judged once its 7 days
// have passed (src/brain/oracle/call-outcome.ts), on the same series the brain run
// reads; the report then tells each client how often the brain's confident calls
// were right ("calls at 90 %+: right N of M, last 90 days"), and the agency's too.
import type { Db } from '../db/client.ts';
import type { Sql } from '../db/sql.ts';
import { judgeCall } from '../brain/oracle/call-outcome.ts';
import { objectiveFor } from '../brain/oracle/performance.ts';
import type { SeriesSet } from '../brain/series.ts';
import type { BrainSettings } from '../brain/types.ts';
import { localDate } from '../time.ts';

export const CALL_TYPES = ['burning', 'winner'] as const;

/** Judges the client's open calls whose window has ended by the series' as-of day; answers how many were judged. */
export async function judgeCalls(db: Db, clientId: string, timezone: string, s: SeriesSet, settings: BrainSettings): Promise<number> {
  const open = await db.sql.query<{ id: string; type: 'burning' | 'winner'; entity_id: string | null; called_on: string; line: number | null; killed_at: Date | null }>(
    `SELECT i.id::text, i.type, i.entity_id::text, i.called_on::text, (i.payload->'facts'->>'line')::float8 AS line, e.killed_at
       FROM insight i LEFT JOIN entity e ON e.id = i.entity_id
      WHERE i.client_id = $1::uuid AND i.type = ANY($2::text[]) AND i.called_on IS NOT NULL AND i.call_outcome IS NULL AND i.called_on < $3::date`,
    [clientId, [...CALL_TYPES], s.asOf],
  );
  let judged = 0;
  for (const c of open) {
    const e = c.entity_id ? s.byId.get(c.entity_id) : undefined;
    if (c.line === null) continue;
    const killedOn = c.killed_at ? localDate(timezone, new Date(c.killed_at)) : null;
    const r = judgeCall(e, s, e ? objectiveFor(e, s, settings) : { kind: 'revenue', targetCpaCents: null, valuePerConversionCents: null }, settings, { calledOn: c.called_on, verdict: c.type, line: c.line, killedOn });
    if (!r) continue;
    await db.sql.query(`UPDATE insight SET call_outcome = $2, call_roi = $3 WHERE id = $1::uuid AND call_outcome IS NULL`, [c.id, r.outcome, r.roi]);
    judged++;
  }
  return judged;
}

export interface CallRecord {
  /** Calls stated at least this sure. */
  minProbability: number;
  days: number;
  right: number;
  judged: number;
}

/** How often the calls at `minProbability`+ made in the last `days` days before `asOf` were right: one client's, or the whole agency's. */
export async function callRecord(sql: Sql, scope: { clientId: string } | { agencyId: string }, asOf: string, minProbability = 0.9, days = 90): Promise<CallRecord> {
  const where = 'clientId' in scope ? 'i.client_id = $1::uuid' : 'i.client_id IN (SELECT id FROM client WHERE agency_id = $1::uuid)';
  const [r] = await sql.query<{ right: number; judged: number }>(
    `SELECT count(*) FILTER (WHERE i.call_outcome = 'right')::int AS right, count(*) FILTER (WHERE i.call_outcome IN ('right', 'wrong'))::int AS judged
       FROM insight i
      WHERE ${where} AND i.call_probability >= $2 AND i.called_on > ($3::date - $4::int) AND i.called_on <= $3::date`,
    ['clientId' in scope ? scope.clientId : scope.agencyId, minProbability, asOf, days],
  );
  return { minProbability, days, right: r?.right ?? 0, judged: r?.judged ?? 0 };
}
