import type { Sql } from '../db/sql.ts';
import { AppError, invalid } from '../errors.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { issuesOf, newAgencySchema } from './schemas.ts';

export const DEFAULT_AGENCY_SLUG = 'default';

export async function addAgency(prisma: PrismaClient, input: unknown) {
  const parsed = newAgencySchema.safeParse(input);
  if (!parsed.success) throw invalid('invalid agency', issuesOf(parsed.error));
  const a = parsed.data;
  const existing = await prisma.agency.findUnique({ where: { slug: a.slug } });
  if (existing) throw new AppError('conflict', `agency '${a.slug}' already exists`);
  return prisma.agency.create({
    data: { slug: a.slug, name: a.name ?? a.slug, timezone: a.timezone, currency: a.currency },
  });
}

/** The agency clients land in when none is named; created on first use. */
export async function ensureDefaultAgency(prisma: PrismaClient) {
  return prisma.agency.upsert({
    where: { slug: DEFAULT_AGENCY_SLUG },
    update: {},
    create: { slug: DEFAULT_AGENCY_SLUG, name: 'My agency' },
  });
}

const agencyNotFound = (slug: string) => new AppError('not_found', `agency '${slug}' not found. Add it with: adbrain agencies add ${slug}`);

export async function getAgencyBySlug(prisma: PrismaClient, slug: string) {
  const a = await prisma.agency.findUnique({ where: { slug } });
  if (!a) throw agencyNotFound(slug);
  return a;
}

/** The agency's id by slug over plain SQL (read-only commands start without the ORM). */
export async function agencyIdBySlug(sql: Sql, slug: string): Promise<string> {
  const [a] = await sql.query<{ id: string }>('SELECT id::text AS id FROM agency WHERE slug = $1', [slug]);
  if (!a) throw agencyNotFound(slug);
  return a.id;
}
