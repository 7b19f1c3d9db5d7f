// Reading the audit log: newest first, filtered, in keyset pages (the id is the
// cursor, so a page never shifts when new rows arrive).
import type { PrismaClient } from '../generated/prisma/client.ts';

export interface AuditQuery {
  agencyId?: string;
  clientId?: string;
  action?: string;
  entityType?: string;
  entityId?: string;
  /** An API key id, or a name fragment (`cli:ana`). */
  actor?: string;
  since?: Date;
  until?: Date;
  limit: number;
  /** The last id of the previous page. */
  before?: bigint;
}

export async function listAudit(prisma: PrismaClient, q: AuditQuery) {
  const rows = await prisma.auditLog.findMany({
    where: {
      ...(q.agencyId ? { agencyId: q.agencyId } : {}),
      ...(q.clientId ? { clientId: q.clientId } : {}),
      ...(q.action ? { action: q.action.endsWith('.') ? { startsWith: q.action } : q.action } : {}),
      ...(q.entityType ? { entityType: q.entityType } : {}),
      ...(q.entityId ? { entityId: q.entityId } : {}),
      ...(q.actor ? { OR: [{ actorId: q.actor }, { actorName: { contains: q.actor } }] } : {}),
      ...(q.since || q.until ? { createdAt: { ...(q.since ? { gte: q.since } : {}), ...(q.until ? { lt: q.until } : {}) } } : {}),
      ...(q.before !== undefined ? { id: { lt: q.before } } : {}),
    },
    orderBy: { id: 'desc' },
    take: q.limit + 1,
  });
  const page = rows.slice(0, q.limit);
  return { rows: page.map(auditOut), next: rows.length > q.limit ? page.at(-1)!.id.toString() : null };
}

export const auditOut = (r: { id: bigint; agencyId: string | null; clientId: string | null; actorKind: string; actorId: string | null; actorName: string; action: string; entityType: string; entityId: string | null; before: unknown; after: unknown; requestId: string | null; createdAt: Date }) => ({
  id: r.id.toString(), at: r.createdAt.toISOString(), actor: { kind: r.actorKind, id: r.actorId, name: r.actorName },
  action: r.action, entity: { type: r.entityType, id: r.entityId }, clientId: r.clientId, before: r.before ?? null, after: r.after ?? null, requestId: r.requestId,
});
