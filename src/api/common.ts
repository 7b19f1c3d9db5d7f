// Shared pieces of the routes: schemas, role checks and tenant-scoped lookups.
// Every lookup is scoped to the key's agency: another agency's id is a 404,
// exactly like an id that does not exist.
import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { AppError } from '../errors.ts';
import { credentialKey } from '../sources/sync.ts';
import { isSaneDay } from '../time.ts';
import type { AppEnv } from './env.ts';

export const ErrorSchema = z
  .object({ error: z.object({ code: z.string(), message: z.string(), details: z.any() }) })
  .openapi('Error');

/** An enum that takes any letter case on input ("applied" is APPLIED); answers and docs use the listed spelling. */
export function anyCase<const T extends readonly [string, ...string[]]>(values: T) {
  const canonical = new Map(values.map((v) => [v.toLowerCase(), v]));
  return z.preprocess((v) => (typeof v === 'string' ? (canonical.get(v.trim().toLowerCase()) ?? v) : v), z.enum(values));
}

/** Routes whose ids go straight to the database (keys, webhooks): a full id only. */
export const UuidParam = z.object({ id: z.uuid().openapi({ param: { name: 'id', in: 'path' } }) });
/** An id as printed anywhere: the full id or a unique prefix of 8+ characters; a client also by its slug. */
export const IdParam = z.object({
  id: z.string().min(1).max(200).openapi({ param: { name: 'id', in: 'path' }, description: 'the full id, or a unique prefix of 8 or more characters (as the CLI prints); for a client also its slug' }),
});
export const Day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD')
  .refine(isSaneDay, 'not a real calendar date between 2000-01-01 and 2100-12-31');

const err = (description: string) => ({ content: { 'application/json': { schema: ErrorSchema } }, description });
/** The error responses every authenticated route can give. */
export const errors = {
  401: err('Missing, unknown or revoked API key'),
  403: err('The key\'s role may not do this'),
  404: err('Not found (or not in your agency)'),
  422: err('Validation failed; details lists each field path'),
  429: err('Rate limit exceeded'),
};
export const json = <T extends z.ZodType>(schema: T, description: string) => ({ content: { 'application/json': { schema } }, description });
export const security = [{ bearer: [] }];

const RANK = { viewer: 0, member: 1, admin: 2 } as const;

export function requireRole(c: Scope, role: keyof typeof RANK) {
  const have = c.get('key').role;
  if (RANK[have] < RANK[role]) throw new AppError('forbidden', `this needs a ${role} key; yours is ${have}`);
}

/** What the lookups read from a request: the app's deps and the caller's key (the web inbox presents its viewer as one). */
export type Scope = { get: Context<AppEnv>['get'] };
const deps = (c: Scope) => c.get('deps');
const agency = (c: Scope) => c.get('key').agencyId;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PREFIX = /^[0-9a-f]{8}[0-9a-f-]{0,28}$/i;
type Scoped = 'client' | 'insight' | 'report' | 'entity' | 'analysis_run' | 'connection' | 'split_test' | 'tracking_campaign' | 'ad_action' | 'action_rule';

/**
 * The full id a reference stands for within the key's agency: a full id as is, a
 * prefix of 8+ hex characters when exactly one row has it, a client's slug. Never
 * hands a non-id to a uuid column (that is a database error, not a 404).
 */
export async function refToId(c: Scope, table: Scoped, ref: string, what: string): Promise<string> {
  if (UUID.test(ref)) return ref.toLowerCase();
  const byPrefix = PREFIX.test(ref);
  if (!byPrefix && table !== 'client') throw new AppError('not_found', `${what} ${ref} not found`);
  const scope = table === 'client' ? 't.agency_id = $1::uuid' : 't.client_id IN (SELECT id FROM client WHERE agency_id = $1::uuid)';
  const params: string[] = [agency(c)];
  const or: string[] = [];
  if (table === 'client') or.push(`t.slug = $${params.push(ref)}`);
  if (byPrefix) or.push(`t.id::text LIKE $${params.push(`${ref.toLowerCase()}%`)}`);
  const rows = await deps(c).db.sql.query<{ id: string }>(`SELECT t.id::text AS id FROM ${table} t WHERE ${scope} AND (${or.join(' OR ')}) LIMIT 3`, params);
  if (rows.length === 0) throw new AppError('not_found', `${what} ${ref} not found`);
  if (rows.length > 1) throw new AppError('invalid_input', `${what} ${ref} is ambiguous: ${rows.length > 2 ? 'three or more' : 'two'} match; give more of the id`);
  return rows[0]!.id;
}

export async function scopedClient(c: Scope, ref: string) {
  const id = await refToId(c, 'client', ref, 'client');
  const client = await deps(c).db.prisma.client.findFirst({ where: { id, agencyId: agency(c) } });
  if (!client) throw new AppError('not_found', `client ${ref} not found`);
  return client;
}

export async function scopedInsight(c: Scope, ref: string) {
  const id = await refToId(c, 'insight', ref, 'insight');
  const i = await deps(c).db.prisma.insight.findFirst({ where: { id, client: { agencyId: agency(c) } } });
  if (!i) throw new AppError('not_found', `insight ${ref} not found`);
  return i;
}

export async function scopedReport(c: Scope, ref: string) {
  const id = await refToId(c, 'report', ref, 'report');
  const r = await deps(c).db.prisma.report.findFirst({ where: { id, client: { agencyId: agency(c) } } });
  if (!r) throw new AppError('not_found', `report ${ref} not found`);
  return r;
}

export async function scopedEntity(c: Scope, ref: string) {
  const id = await refToId(c, 'entity', ref, 'entity');
  const e = await deps(c).db.prisma.entity.findFirst({ where: { id, client: { agencyId: agency(c) } } });
  if (!e) throw new AppError('not_found', `entity ${ref} not found`);
  return e;
}

export async function scopedAnalysis(c: Scope, ref: string) {
  const id = await refToId(c, 'analysis_run', ref, 'analysis run');
  const r = await deps(c).db.prisma.analysisRun.findFirst({ where: { id, client: { agencyId: agency(c) } } });
  if (!r) throw new AppError('not_found', `analysis run ${ref} not found`);
  return r;
}

export const cents = (v: bigint | null) => (v === null ? null : Number(v));
export const isoDay = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : null);

export async function scopedConnection(c: Scope, ref: string) {
  const id = await refToId(c, 'connection', ref, 'connection');
  const r = await deps(c).db.prisma.connection.findFirst({ where: { id, client: { agencyId: agency(c) } } });
  if (!r) throw new AppError('not_found', `connection ${id} not found`);
  return r;
}

/** The key that opens stored secrets (connection credentials, webhook secrets), or a config error naming the variable. */
export function keyOf(c: { get: (k: 'deps') => AppEnv['Variables']['deps'] }, what: string): Buffer {
  const key = credentialKey(c.get('deps').config);
  if (!key) throw new AppError('config', `set ADBRAIN_ENCRYPTION_KEY to keep ${what}`);
  return key;
}

export async function scopedAdAction(c: Scope, ref: string) {
  const id = await refToId(c, 'ad_action', ref, 'action');
  const r = await deps(c).db.prisma.adAction.findFirst({ where: { id, client: { agencyId: agency(c) } } });
  if (!r) throw new AppError('not_found', `action ${ref} not found`);
  return r;
}
