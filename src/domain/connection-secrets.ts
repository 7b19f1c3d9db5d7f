// A connection's credentials, encrypted at rest (AES-256-GCM, bound to the client,
// platform and label). Its own module so the connectors (src/sources/) read
// credentials without importing the connection's domain logic, which imports them:
// the arrows run one way, domain/connections.ts → sources/ → here.
import { decryptSecret, encryptSecret } from '../crypto/secrets.ts';
import type { Platform, PrismaClient } from '../generated/prisma/client.ts';

const aadFor = (clientId: string, platform: string, label: string) => `connection:${clientId}:${platform}:${label}`;

/** Stores a connector's credentials encrypted (AES-256-GCM); re-saving rotates them. */
export async function saveConnection(
  prisma: PrismaClient,
  key: Buffer,
  input: { clientId: string; platform: Platform; label?: string; credentials: Record<string, unknown> },
) {
  const label = input.label ?? 'default';
  const credentials = encryptSecret(JSON.stringify(input.credentials), key, aadFor(input.clientId, input.platform, label));
  return prisma.connection.upsert({
    where: { clientId_platform_label: { clientId: input.clientId, platform: input.platform, label } },
    update: { credentials, status: 'active', lastError: null },
    create: { clientId: input.clientId, platform: input.platform, label, credentials },
  });
}

export function readCredentials(
  key: Buffer,
  conn: { clientId: string; platform: string; label: string; credentials: string },
): Record<string, unknown> {
  return JSON.parse(decryptSecret(conn.credentials, key, aadFor(conn.clientId, conn.platform, conn.label)));
}

