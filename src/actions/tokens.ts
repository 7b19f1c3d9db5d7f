// Signed action links: "Apply", "Dismiss", "Kill link" in an email act without a
// password, so the link itself is the credential. A token is
//   v1.<payload, base64url JSON>.<HMAC-SHA256 of "v1.<payload>", base64url>
// keyed by a key derived (HKDF) from the encryption key, so it cannot be forged or
// edited (another insight, another action); it expires (14 days by default), is
// used once (its nonce is recorded when it acts), and every link of an agency
// signed before a moment can be revoked at once.
import { createHmac, hkdfSync, randomUUID, timingSafeEqual } from 'node:crypto';

export const LINK_ACTIONS = ['apply', 'dismiss', 'snooze', 'kill', 'pause'] as const;
export type LinkAction = (typeof LINK_ACTIONS)[number];

export interface ActionClaim {
  /** agency, client, insight (apply / dismiss) or entity (kill; pause on the ad platform) the link is bound to. */
  agencyId: string;
  clientId: string;
  insightId: string | null;
  entityId: string | null;
  action: LinkAction;
  /** Seconds since the epoch. */
  issuedAt: number;
  expiresAt: number;
  nonce: string;
}

export const DEFAULT_LINK_DAYS = 14;

/** The HMAC key for action links: its own key, derived from the encryption key (never the encryption key itself). */
export function linkKey(encryptionKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', encryptionKey, Buffer.alloc(0), 'adbrain action links v1', 32));
}

const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64url');
const mac = (key: Buffer, signed: string) => createHmac('sha256', key).update(signed).digest();

export function signAction(key: Buffer, c: Omit<ActionClaim, 'issuedAt' | 'expiresAt' | 'nonce'>, now: Date, days = DEFAULT_LINK_DAYS): string {
  const issuedAt = Math.floor(now.getTime() / 1000);
  // Short keys: the token goes into every button of every email.
  const payload = { a: c.agencyId, c: c.clientId, i: c.insightId, e: c.entityId, x: c.action, t: issuedAt, exp: issuedAt + days * 86_400, n: randomUUID() };
  const signed = `v1.${b64(JSON.stringify(payload))}`;
  return `${signed}.${b64(mac(key, signed))}`;
}

export type Verified = { ok: true; claim: ActionClaim } | { ok: false; why: 'malformed' | 'tampered' | 'expired'; claim?: ActionClaim };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const uuidOrNull = (v: unknown) => v === null || (typeof v === 'string' && UUID.test(v));

/** Checks the signature first (nothing in an unsigned token is read), then the shape and the expiry. */
export function verifyAction(key: Buffer, token: string, now: Date): Verified {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== 'v1' || token.length > 2_000) return { ok: false, why: 'malformed' };
  const signed = `${parts[0]}.${parts[1]}`;
  const given = Buffer.from(parts[2]!, 'base64url');
  const want = mac(key, signed);
  if (given.length !== want.length || !timingSafeEqual(given, want)) return { ok: false, why: 'tampered' };
  let p: Record<string, unknown>;
  try {
    p = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return { ok: false, why: 'malformed' };
  }
  const fine = typeof p.a === 'string' && UUID.test(p.a) && typeof p.c === 'string' && UUID.test(p.c) && uuidOrNull(p.i) && uuidOrNull(p.e) &&
    (LINK_ACTIONS as readonly unknown[]).includes(p.x) && Number.isInteger(p.t) && Number.isInteger(p.exp) && typeof p.n === 'string' && UUID.test(p.n);
  if (!fine) return { ok: false, why: 'malformed' };
  const claim: ActionClaim = { agencyId: p.a as string, clientId: p.c as string, insightId: p.i as string | null, entityId: p.e as string | null, action: p.x as LinkAction, issuedAt: p.t as number, expiresAt: p.exp as number, nonce: p.n as string };
  if (now.getTime() / 1000 >= claim.expiresAt) return { ok: false, why: 'expired', claim };
  return { ok: true, claim };
}
