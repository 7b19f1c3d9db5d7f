// The insight inbox: what users decided about each insight. Every change is a
// compare-and-set on the current status (two people clicking at once cannot both
// win) and leaves an InsightEvent with who, when, from, to and the note.
import { AppError } from '../errors.ts';
import { emitEvent } from '../webhooks/events.ts';
import { Prisma, type PrismaClient } from '../generated/prisma/client.ts';
import { addDays, localDate } from '../time.ts';
export { entityPath } from './list.ts';
import { appliedBasis } from './follow-up.ts';
import type { InsightStatus } from '../generated/prisma/enums.ts';

export type InboxAction = 'start' | 'apply' | 'dismiss' | 'reopen';

/** The status each action leads to. */
export const TARGET: Record<InboxAction, InsightStatus> = {
  start: 'IN_PROGRESS',
  apply: 'APPLIED',
  dismiss: 'DISMISSED',
  reopen: 'PENDING',
};

/** Which statuses each action may leave from. */
const FROM: Record<InboxAction, InsightStatus[]> = {
  start: ['PENDING'],
  apply: ['PENDING', 'IN_PROGRESS'],
  dismiss: ['PENDING', 'IN_PROGRESS'],
  // A decision can be taken back; a resolved condition is reopened by the brain when it returns.
  reopen: ['IN_PROGRESS', 'APPLIED', 'DISMISSED'],
};

export function canTransition(from: InsightStatus, action: InboxAction): boolean {
  return FROM[action].includes(from);
}

/** Finds an insight by id or unique id prefix (8+ characters), within a client or agency scope. */
export async function findInsight(prisma: PrismaClient, idOrPrefix: string, scope: { clientId?: string; agencyId?: string } = {}) {
  const id = idOrPrefix.trim().toLowerCase();
  if (!/^[0-9a-f-]{8,36}$/.test(id)) throw new AppError('invalid_input', `"${idOrPrefix}" is not an insight id (at least 8 characters of it)`);
  // uuid columns have no LIKE; compare on the text form, inside the scope.
  const rows = await prisma.$queryRawUnsafe<{ id: string }[]>(
    `SELECT i.id::text AS id FROM insight i JOIN client c ON c.id = i.client_id
      WHERE i.id::text LIKE $1 AND ($2::uuid IS NULL OR i.client_id = $2::uuid) AND ($3::uuid IS NULL OR c.agency_id = $3::uuid)
      LIMIT 2`,
    `${id}%`,
    scope.clientId ?? null,
    scope.agencyId ?? null,
  );
  if (rows.length === 0) throw new AppError('not_found', `insight ${idOrPrefix} not found`);
  if (rows.length > 1) throw new AppError('invalid_input', `"${idOrPrefix}" matches several insights; give more of the id`);
  return prisma.insight.findUniqueOrThrow({ where: { id: rows[0]!.id } });
}

export async function transition(
  prisma: PrismaClient,
  insightId: string,
  action: InboxAction,
  opts: { actor: string; note?: string; now?: Date },
) {
  const now = opts.now ?? new Date();
  const insight = await prisma.insight.findUnique({ where: { id: insightId }, include: { client: { select: { timezone: true } } } });
  if (!insight) throw new AppError('not_found', `insight ${insightId} not found`);
  const to = TARGET[action];
  if (!canTransition(insight.status, action)) {
    throw new AppError(
      'conflict',
      `cannot ${action} an insight that is ${insight.status} (allowed from: ${FROM[action].join(', ')})`,
    );
  }
  const note = opts.note?.trim() || null;
  // Applying stores the forecast the outcome will be judged against; taking it back forgets it.
  let followUp: Prisma.InsightUpdateManyMutationInput = {};
  if (action === 'apply') {
    const appliedOn = localDate(insight.client.timezone, now);
    const basis = await appliedBasis(prisma, insight, appliedOn);
    followUp = { appliedOn: new Date(`${appliedOn}T00:00:00Z`), appliedBasis: JSON.parse(JSON.stringify(basis)) };
  } else if (insight.status === 'APPLIED') {
    followUp = { appliedOn: null, appliedBasis: Prisma.DbNull, realisedCents: null, realisedAt: null };
  }
  const updated = await prisma.$transaction(async (tx) => {
    const changed = await tx.insight.updateMany({
      where: { id: insight.id, status: insight.status },
      data: { status: to, resolvedAt: to === 'PENDING' || to === 'IN_PROGRESS' ? null : now, ...followUp },
    });
    if (changed.count !== 1) throw new AppError('conflict', `insight ${insight.id} changed meanwhile; look again and retry`);
    await tx.insightEvent.create({ data: { insightId: insight.id, actor: opts.actor, at: now, fromStatus: insight.status, toStatus: to, note } });
    return tx.insight.findUniqueOrThrow({ where: { id: insight.id }, include: { events: { orderBy: { at: 'asc' } } } });
  });
  await emitEvent({ prisma }, { clientId: insight.clientId, type: 'insight.status_changed', now, data: { insightId: insight.id, type: insight.type, title: insight.title, from: insight.status, to, actor: opts.actor, note } });
  return updated;
}


export const SNOOZE_DAYS = 7;

/**
 * "Remind me in a week": an open insight leaves the report's "act now" list and its
 * alerts are held back through the client's local today + `days`; it stays open in
 * the inbox and comes back by itself. Recorded as an event (same status, a note).
 */
export async function snoozeInsight(prisma: PrismaClient, insightId: string, opts: { actor: string; days?: number; note?: string; now?: Date }) {
  const now = opts.now ?? new Date();
  const days = opts.days ?? SNOOZE_DAYS;
  if (!Number.isInteger(days) || days < 1 || days > 90) throw new AppError('invalid_input', `days: snooze for 1 to 90 days, not ${days}`, [{ path: 'days', message: '1–90' }]);
  const insight = await prisma.insight.findUnique({ where: { id: insightId }, include: { client: { select: { timezone: true } } } });
  if (!insight) throw new AppError('not_found', `insight ${insightId} not found`);
  if (insight.status !== 'PENDING' && insight.status !== 'IN_PROGRESS') throw new AppError('conflict', `cannot snooze an insight that is ${insight.status} (allowed from: PENDING, IN_PROGRESS)`);
  const until = addDays(localDate(insight.client.timezone, now), days);
  const note = `snoozed until ${until}${opts.note?.trim() ? `: ${opts.note.trim()}` : ''}`;
  const updated = await prisma.$transaction(async (tx) => {
    await tx.insight.update({ where: { id: insight.id }, data: { snoozedUntil: new Date(`${until}T00:00:00Z`) } });
    await tx.insightEvent.create({ data: { insightId: insight.id, actor: opts.actor, at: now, fromStatus: insight.status, toStatus: insight.status, note } });
    return tx.insight.findUniqueOrThrow({ where: { id: insight.id } });
  });
  await emitEvent({ prisma }, { clientId: insight.clientId, type: 'insight.status_changed', now, data: { insightId: insight.id, type: insight.type, title: insight.title, from: insight.status, to: insight.status, actor: opts.actor, note } });
  return { insight: updated, until };
}

/** Fingerprints of the client's insights snoozed through `day` (the report's and the alerts' day). */
export async function snoozedFingerprints(prisma: PrismaClient, clientId: string, day: string): Promise<Set<string>> {
  const rows = await prisma.insight.findMany({ where: { clientId, snoozedUntil: { gte: new Date(`${day}T00:00:00Z`) }, status: { in: ['PENDING', 'IN_PROGRESS'] } }, select: { fingerprint: true } });
  return new Set(rows.map((r) => r.fingerprint));
}
