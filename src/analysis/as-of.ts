// Which days a brain run, a day run or a report may be asked for: not after the
// client's last complete day (the brain would read a future with no data and
// resolve real insights), not before its first day of data.
import type { Db } from '../db/client.ts';
import { AppError } from '../errors.ts';
import { lastCompleteDay } from '../time.ts';

export async function checkAsOf(
  db: Db,
  client: { id: string; slug: string; timezone: string },
  asOf: string,
  now: Date,
  o: { field?: string; requireData?: boolean } = {},
): Promise<void> {
  const field = o.field ?? 'asOf';
  const last = lastCompleteDay(client.timezone, now);
  if (asOf > last) {
    throw new AppError('invalid_input', `${field} ${asOf} is after ${client.slug}'s last complete day (${last} in ${client.timezone})`, [
      { path: field, message: `must be ${last} or earlier` },
    ]);
  }
  if (o.requireData === false) return;
  // Walks the date index from the oldest day: stops at the client's first row.
  const [first] = await db.sql.query<{ d: string | null }>(
    `SELECT m.date::text AS d FROM daily_metric m JOIN entity e ON e.id = m.entity_id WHERE e.client_id = $1::uuid ORDER BY m.date LIMIT 1`,
    [client.id],
  );
  if (!first?.d) throw new AppError('invalid_input', `${client.slug} has no data yet: import a file or connect a source first`, [{ path: field, message: 'the client has no data' }]);
  if (asOf < first.d) {
    throw new AppError('invalid_input', `${field} ${asOf} is before ${client.slug}'s first day of data (${first.d})`, [{ path: field, message: `must be ${first.d} or later` }]);
  }
}
