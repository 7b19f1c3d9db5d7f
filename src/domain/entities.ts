// Entities as users name them, and the kill list: a killed link or ad keeps its
// history but leaves alerts and the "act now" lists.
import { AppError } from '../errors.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';

/** Finds one entity of a client by id, external id or exact name (links and ads first). */
export async function findEntity(prisma: PrismaClient, clientId: string, ref: string) {
  const r = ref.trim();
  if (!r) throw new AppError('invalid_input', 'give the entity: its id, external id or exact name');
  const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(r);
  const rows = await prisma.entity.findMany({
    where: { clientId, OR: [...(isUuid ? [{ id: r }] : []), { externalId: r }, { name: r }] },
    take: 20,
  });
  if (rows.length === 0) throw new AppError('not_found', `no link, ad or other entity "${r}" in this client`);
  const preferred = rows.filter((e) => e.kind === 'link' || e.kind === 'ad');
  const pick = preferred.length ? preferred : rows;
  if (pick.length > 1) {
    throw new AppError('invalid_input', `"${r}" matches ${pick.length} entities; use the id`, pick.map((e) => ({ id: e.id, kind: e.kind, platform: e.platform, externalId: e.externalId })));
  }
  return pick[0]!;
}

export async function killEntity(prisma: PrismaClient, entityId: string, opts: { reason?: string; now?: Date } = {}) {
  return prisma.entity.update({
    where: { id: entityId },
    data: { status: 'killed', killedAt: opts.now ?? new Date(), killedReason: opts.reason?.trim() || null },
  });
}

export async function restoreEntity(prisma: PrismaClient, entityId: string) {
  return prisma.entity.update({ where: { id: entityId }, data: { status: 'active', killedAt: null, killedReason: null } });
}

/**
 * Whether an entity's numbers add into the client's totals (report totals, budget
 * pacing, daily spend alerts, the account forecast). A first-party campaign linked
 * to ad spend — and its account — mirror numbers the ad platform already reports.
 */
export const countsInTotals = (e: { attributes?: unknown } | undefined): boolean => !(e?.attributes as { mirror?: boolean } | undefined)?.mirror;
