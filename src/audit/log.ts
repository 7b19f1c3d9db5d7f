// The audit log: who changed what. Every mutation through the API or the CLI calls
// recordAudit once, with the entity as it was and as it became. Values are made
// JSON-safe here (BigInt, Date, bytes) and secrets never reach the table.
import type { PrismaClient } from '../generated/prisma/client.ts';

export interface Actor {
  kind: 'api_key' | 'cli' | 'system' | 'email_link' | 'web' | 'mcp';
  /** The API key id, the user id (web), the link's nonce (email link), or null. */
  id: string | null;
  /** The key's name and prefix, `cli:<os user>`, or the job's name. */
  name: string;
}

export interface AuditEntry {
  action: string;
  entityType: string;
  entityId?: string | null;
  agencyId?: string | null;
  clientId?: string | null;
  before?: unknown;
  after?: unknown;
}

type AuditDb = Pick<PrismaClient, 'auditLog'>;

export async function recordAudit(db: AuditDb, actor: Actor, e: AuditEntry, requestId?: string | null): Promise<void> {
  await db.auditLog.create({
    data: {
      agencyId: e.agencyId ?? null, clientId: e.clientId ?? null,
      actorKind: actor.kind, actorId: actor.id, actorName: actor.name,
      action: e.action, entityType: e.entityType, entityId: e.entityId ?? null,
      before: (auditValue(e.before) ?? undefined) as never, after: (auditValue(e.after) ?? undefined) as never,
      requestId: requestId ?? null,
    },
  });
}

// Field names whose values are secret (credentials, hashes, signing secrets) or
// bulky bodies that do not belong in a change record.
const SECRET = /secret|token|password|credential|hash$|^key$|authorization|^cookie/i;
const BULKY = /^(pdf|html|text|body)$/;

/** A JSON value for the before / after columns: secrets replaced, bodies sized, dates ISO, BigInt as numbers. */
export function auditValue(v: unknown, key = ''): unknown {
  if (v === undefined) return undefined;
  if (v === null) return null;
  if (key && SECRET.test(key)) return '[redacted]';
  if (key && BULKY.test(key) && (typeof v === 'string' || v instanceof Uint8Array)) return `[${v.length} ${typeof v === 'string' ? 'chars' : 'bytes'}]`;
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Uint8Array) return `[${v.length} bytes]`;
  if (typeof v === 'object' && typeof (v as { toFixed?: unknown }).toFixed === 'function' && 'd' in (v as object)) return Number(v); // Prisma Decimal
  if (Array.isArray(v)) return v.map((x) => auditValue(x) ?? null);
  if (typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      const y = auditValue(x, k);
      if (y !== undefined) out[k] = y;
    }
    return out;
  }
  return v;
}
