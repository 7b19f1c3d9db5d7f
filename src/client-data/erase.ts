// `adbrain clients delete --purge` / DELETE /v1/clients/{id}: the client and
// everything it owns go in one transaction (the schema cascades from client to
// its tables), with its audit history and the webhook envelopes about it; what
// stays is the one audit row saying who erased it, when, and how many rows went.
import { recordAudit, type Actor } from '../audit/log.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { OWNED, webhookDeliveriesOf } from './tables.ts';

export async function purgeClient(prisma: PrismaClient, client: { id: string; slug: string; name: string; agencyId: string }, actor: Actor, requestId?: string | null): Promise<Record<string, number>> {
  return prisma.$transaction(async (tx) => {
    const rows: Record<string, number> = {};
    for (const t of OWNED) {
      const [r] = await tx.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM "${t.table}" WHERE ${t.where.replace(/\$1/g, '$1::uuid')}`, client.id);
      if (r && r.n > 0) rows[t.table] = r.n;
    }
    await tx.$executeRawUnsafe(`DELETE FROM webhook_delivery WHERE ${webhookDeliveriesOf}`, client.id);
    await tx.auditLog.deleteMany({ where: { clientId: client.id } });
    await tx.client.delete({ where: { id: client.id } });
    await recordAudit(tx, actor, { action: 'client.purge', entityType: 'client', entityId: client.id, agencyId: client.agencyId, clientId: client.id, before: { slug: client.slug, name: client.name, rows } }, requestId);
    return rows;
  }, { timeout: 600_000, maxWait: 30_000 });
}
