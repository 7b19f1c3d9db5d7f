// API keys: `adb_<prefix>_<secret>`. The prefix finds the key and is safe to show;
// only a SHA-256 of the high-entropy secret is stored, and the secret is shown once.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Sql } from '../db/sql.ts';
import { AppError, invalid } from '../errors.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import type { Role } from '../generated/prisma/enums.ts';
import { issuesOf } from './schemas.ts';

export const ROLES = ['admin', 'member', 'viewer'] as const;
const KEY_RE = /^adb_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

const hash = (secret: string) => createHash('sha256').update(secret).digest();

export const newKeySchema = z.object({
  name: z.string().trim().min(1).max(100).default('api key'),
  role: z.enum(ROLES),
});

export async function createApiKey(prisma: PrismaClient, agencyId: string, input: unknown) {
  const parsed = newKeySchema.safeParse(input);
  if (!parsed.success) throw invalid('invalid API key', issuesOf(parsed.error));
  const prefix = randomBytes(6).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  const row = await prisma.apiKey.create({
    data: { agencyId, name: parsed.data.name, role: parsed.data.role as Role, prefix, secretHash: hash(secret).toString('hex') },
  });
  return { key: `adb_${prefix}_${secret}`, row };
}

export function listApiKeys(sql: Sql, agencyId: string) {
  return sql.query<{ id: string; name: string; prefix: string; role: Role; createdAt: Date; lastUsedAt: Date | null; revokedAt: Date | null }>(
    `SELECT id::text AS id, name, prefix, role::text AS role, created_at AS "createdAt", last_used_at AS "lastUsedAt", revoked_at AS "revokedAt"
       FROM api_key WHERE agency_id = $1::uuid ORDER BY created_at, id`,
    [agencyId],
  );
}

/** Revokes a key of the agency, by id or prefix; revoking twice is harmless. */
export async function revokeApiKey(prisma: PrismaClient, agencyId: string, idOrPrefix: string, now = new Date()) {
  const isUuid = /^[0-9a-f-]{36}$/i.test(idOrPrefix);
  const key = await prisma.apiKey.findFirst({ where: { agencyId, ...(isUuid ? { id: idOrPrefix } : { prefix: idOrPrefix }) } });
  if (!key) throw new AppError('not_found', `API key ${idOrPrefix} not found`);
  return prisma.apiKey.update({ where: { id: key.id }, data: { revokedAt: key.revokedAt ?? now } });
}

export interface KeyIdentity {
  keyId: string;
  /** The key's name and public prefix: who is acting, in the audit log. */
  keyName: string;
  prefix: string;
  agencyId: string;
  role: Role;
}

/** The identity behind a presented key, or null (unknown, malformed, wrong secret or revoked). */
export async function verifyApiKey(prisma: PrismaClient, presented: string, now = new Date()): Promise<KeyIdentity | null> {
  const m = KEY_RE.exec(presented.trim());
  if (!m) return null;
  const key = await prisma.apiKey.findUnique({ where: { prefix: m[1]! } });
  if (!key || key.revokedAt) return null;
  const expected = Buffer.from(key.secretHash, 'hex');
  const given = hash(m[2]!);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  // Recording use at most once a minute keeps reads from becoming writes.
  if (!key.lastUsedAt || now.getTime() - key.lastUsedAt.getTime() > 60_000) {
    await prisma.apiKey.update({ where: { id: key.id }, data: { lastUsedAt: now } });
  }
  return { keyId: key.id, keyName: key.name, prefix: key.prefix, agencyId: key.agencyId, role: key.role };
}
