// The API's side of the audit log: the acting key and the request id of every
// mutation. Handlers call audit() once the change is made; test/audit.test.ts
// walks every mutating endpoint of the OpenAPI document and fails on one that
// records nothing.
import type { Context } from 'hono';
import { recordAudit, type Actor, type AuditEntry } from '../audit/log.ts';
import type { AppEnv } from './env.ts';

export function apiActor(c: Context<AppEnv>): Actor {
  const k = c.get('key');
  return { kind: 'api_key', id: k.keyId, name: `${k.keyName} (${k.prefix})` };
}

export async function audit(c: Context<AppEnv>, e: AuditEntry): Promise<void> {
  await recordAudit(c.get('deps').db.prisma, apiActor(c), { agencyId: c.get('key').agencyId, ...e }, c.get('requestId'));
}
