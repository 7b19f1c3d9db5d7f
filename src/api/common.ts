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

export const IdParam = z.object({ id: z.uuid().openapi({ param: { name: 'id', in: 'path' } }) });
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

export function requireRole(c: Context<AppEnv>, role: keyof typeof RANK) {
  const have = c.get('key').role;
  if (RANK[have] < RANK[role]) throw new AppError('forbidden', `this needs a ${role} key; yours is ${have}`);
}

const deps = (c: Context<AppEnv>) => c.get('deps');
const agency = (c: Context<AppEnv>) => c.get('key').agencyId;

export async function scopedClient(c: Context<AppEnv>, id: string) {
  const client = await deps(c).db.prisma.client.findFirst({ where: { id, agencyId: agency(c) } });
  if (!client) throw new AppError('not_found', `client ${id} not found`);
  return client;
}

export async function scopedInsight(c: Context<AppEnv>, id: string) {
  const i = await deps(c).db.prisma.insight.findFirst({ where: { id, client: { agencyId: agency(c) } } });
  if (!i) throw new AppError('not_found', `insight ${id} not found`);
  return i;
}

export async function scopedReport(c: Context<AppEnv>, id: string) {
  const r = await deps(c).db.prisma.report.findFirst({ where: { id, client: { agencyId: agency(c) } } });
  if (!r) throw new AppError('not_found', `report ${id} not found`);
  return r;
}

export async function scopedEntity(c: Context<AppEnv>, id: string) {
  const e = await deps(c).db.prisma.entity.findFirst({ where: { id, client: { agencyId: agency(c) } } });
  if (!e) throw new AppError('not_found', `entity ${id} not found`);
  return e;
}

export async function scopedAnalysis(c: Context<AppEnv>, id: string) {
  const r = await deps(c).db.prisma.analysisRun.findFirst({ where: { id, client: { agencyId: agency(c) } } });
  if (!r) throw new AppError('not_found', `analysis run ${id} not found`);
  return r;
}

export const cents = (v: bigint | null) => (v === null ? null : Number(v));
export const isoDay = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : null);

export async function scopedConnection(c: Context<AppEnv>, id: string) {
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
