// The agency roll-up on a schedule: at the agency's roll-up hour (its time zone),
// each of its schedules whose day it is sends that period's roll-up once (the
// delivery's key names the period). Used by the hourly Inngest sweep and `adbrain run`.
import type { Db } from '../db/client.ts';
import { userMessage } from '../db/retry.ts';
import { lastCompleteDay } from '../time.ts';
import { deliverAgencyRollup, rollupPeriod, type RollupDeliverResult } from './agency-report.ts';
import type { RollupPeriod } from './agency-rollup.ts';
import type { DeliverOptions } from './daily-report.ts';
import { duePeriods } from './periods.ts';

/** The roll-up periods an agency's schedules make due by the run for `asOf` (its last complete local day). */
export function dueRollups(schedules: string[], asOf: string): RollupPeriod[] {
  return [...(schedules.includes('daily') ? [rollupPeriod('daily', asOf)] : []), ...duePeriods(schedules, asOf)];
}

export interface RollupRun {
  agency: string;
  kind: string;
  from: string;
  to: string;
  result: RollupDeliverResult | { status: 'failed'; error: string };
}

/** Sends the agency's due roll-ups; one failing (a missing rate) does not stop the others, and says why. */
export async function sendDueRollups(db: Db, agencyId: string, opts: DeliverOptions): Promise<RollupRun[]> {
  const a = await db.prisma.agency.findUniqueOrThrow({ where: { id: agencyId }, select: { slug: true, timezone: true, rollupSchedules: true } });
  const out: RollupRun[] = [];
  for (const p of dueRollups(a.rollupSchedules, lastCompleteDay(a.timezone, opts.now))) {
    const base = { agency: a.slug, kind: p.kind, from: p.from, to: p.to };
    try {
      out.push({ ...base, result: await deliverAgencyRollup(db, agencyId, p, opts) });
    } catch (err) {
      out.push({ ...base, result: { status: 'failed', error: userMessage(err) } });
    }
  }
  return out;
}
