// Who an MCP session acts as: an API key's agency and role, exactly like a REST
// request. The scope hands the REST lookups (api/common.ts) the same two things a
// request carries, so every id an agent gives is resolved inside the key's agency
// (another agency's id is "not found", never a row), and every change is audited
// with origin `mcp`.
import type { Inngest } from 'inngest';
import type { Scope } from '../api/common.ts';
import { recordAudit, type Actor, type AuditEntry } from '../audit/log.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import type { KeyIdentity } from '../domain/api-keys.ts';
import { AppError } from '../errors.ts';

export interface McpDeps {
  db: Db;
  config: Config;
  now: () => Date;
  inngest?: Inngest;
}

export interface McpScope {
  deps: McpDeps;
  key: KeyIdentity;
  /** The transport ("stdio" / "http"), for the audit log's actor name. */
  transport: 'stdio' | 'http';
  /** The request id of the HTTP call (null over stdio). */
  requestId: string | null;
  /** Reads shared by the tool calls of one verify_claims (the same range grouped several ways). */
  memo?: Map<string, Promise<unknown>>;
}

const RANK = { viewer: 0, member: 1, admin: 2 } as const;

/** The object the REST lookups read (get('deps'), get('key')). */
export function lookupScope(s: McpScope): Scope {
  const values: Record<string, unknown> = { deps: s.deps, key: s.key, requestId: s.requestId };
  return { get: ((k: string) => values[k]) as Scope['get'] };
}

export function needRole(s: McpScope, role: keyof typeof RANK) {
  if (RANK[s.key.role] < RANK[role]) throw new AppError('forbidden', `this tool changes data and needs a ${role} key; this key is ${s.key.role}`);
}

export function mcpActor(s: McpScope): Actor {
  return { kind: 'mcp', id: s.key.keyId, name: `${s.key.keyName} (${s.key.prefix}) over MCP ${s.transport}` };
}

export async function mcpAudit(s: McpScope, e: AuditEntry) {
  await recordAudit(s.deps.db.prisma, mcpActor(s), { agencyId: s.key.agencyId, ...e }, s.requestId);
}

/** What the inbox records as the actor of a status change. */
export const inboxActor = (s: McpScope) => `mcp:${s.key.keyId}`;
