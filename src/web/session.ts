// Who is using the web inbox (/app): emailed sign-in links and browser sessions.
// Both are random secrets of which only a SHA-256 is stored. A magic link is used
// once and works for 15 minutes; a session lasts 14 days. Who a session is (a user,
// or an API key pasted at sign-in) is read on every request: removing the user,
// revoking the key or changing a role takes effect on the next page.
import { createHash, randomBytes } from 'node:crypto';
import type { PrismaClient } from '../generated/prisma/client.ts';
import type { Role } from '../generated/prisma/enums.ts';

export const MAGIC_LINK_MINUTES = 15;
export const SESSION_DAYS = 14;

const secret = () => randomBytes(32).toString('base64url');
const digest = (token: string) => createHash('sha256').update(token).digest('hex');

/** Only paths of the web inbox are followed after sign-in (never another site). */
export function safeNext(next: unknown): string | null {
  return typeof next === 'string' && /^\/app(\/[\w\-./?=&%]*)?$/.test(next) && !next.includes('//') && next.length <= 500 ? next : null;
}

export async function issueMagicLink(prisma: PrismaClient, user: { id: string; agencyId: string }, next: string | null, now: Date): Promise<string> {
  const token = secret();
  await prisma.magicLink.create({
    data: { tokenHash: digest(token), agencyId: user.agencyId, userId: user.id, next: safeNext(next), createdAt: now, expiresAt: new Date(now.getTime() + MAGIC_LINK_MINUTES * 60_000) },
  });
  return token;
}

export type MagicCheck = { ok: true; userId: string; agencyId: string; name: string; email: string; next: string | null } | { ok: false; why: 'unknown' | 'used' | 'expired' };

/** What a magic link stands for, without using it (the confirmation page). */
export async function checkMagicLink(prisma: PrismaClient, token: string, now: Date): Promise<MagicCheck> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return { ok: false, why: 'unknown' };
  const row = await prisma.magicLink.findUnique({ where: { tokenHash: digest(token) }, include: { user: true } });
  if (!row) return { ok: false, why: 'unknown' };
  if (row.usedAt) return { ok: false, why: 'used' };
  if (row.expiresAt <= now) return { ok: false, why: 'expired' };
  return { ok: true, userId: row.userId, agencyId: row.agencyId, name: row.user.name, email: row.user.email, next: row.next };
}

/** Uses the link (once: a second redeem of the same link, even a concurrent one, finds it used). */
export async function redeemMagicLink(prisma: PrismaClient, token: string, now: Date): Promise<MagicCheck> {
  const check = await checkMagicLink(prisma, token, now);
  if (!check.ok) return check;
  const { count } = await prisma.magicLink.updateMany({ where: { tokenHash: digest(token), usedAt: null }, data: { usedAt: now } });
  return count === 1 ? check : { ok: false, why: 'used' };
}

export async function startSession(prisma: PrismaClient, who: { agencyId: string; userId?: string; apiKeyId?: string }, now: Date): Promise<string> {
  const token = secret();
  await prisma.webSession.create({
    data: {
      agencyId: who.agencyId, userId: who.userId ?? null, apiKeyId: who.apiKeyId ?? null, tokenHash: digest(token), csrf: secret(),
      createdAt: now, expiresAt: new Date(now.getTime() + SESSION_DAYS * 86_400_000),
    },
  });
  return token;
}

export interface Viewer {
  sessionId: string;
  agencyId: string;
  agencyName: string;
  role: Role;
  /** A person's name and email, or the API key's name. */
  name: string;
  email: string | null;
  userId: string | null;
  apiKeyId: string | null;
  csrf: string;
}

export async function sessionOf(prisma: PrismaClient, token: string | undefined, now: Date): Promise<Viewer | null> {
  if (!token || !/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
  const s = await prisma.webSession.findUnique({ where: { tokenHash: digest(token) }, include: { user: true, agency: { select: { name: true } } } });
  if (!s || s.endedAt || s.expiresAt <= now) return null;
  const base = { sessionId: s.id, agencyId: s.agencyId, agencyName: s.agency.name, csrf: s.csrf, userId: s.userId, apiKeyId: s.apiKeyId };
  if (s.user) return { ...base, role: s.user.role, name: s.user.name, email: s.user.email };
  if (s.apiKeyId) {
    const k = await prisma.apiKey.findFirst({ where: { id: s.apiKeyId, agencyId: s.agencyId, revokedAt: null } });
    return k ? { ...base, role: k.role, name: `${k.name} (${k.prefix})`, email: null } : null;
  }
  return null;
}

export async function endSession(prisma: PrismaClient, sessionId: string, now: Date): Promise<void> {
  await prisma.webSession.updateMany({ where: { id: sessionId, endedAt: null }, data: { endedAt: now } });
}
