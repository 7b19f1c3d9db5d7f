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

export async function getAgencyBySlug(prisma: PrismaClient, slug: string) {
  const a = await prisma.agency.findUnique({ where: { slug } });
  if (!a) throw new AppError('not_found', `agency '${slug}' not found. Add it with: adbrain agencies add ${slug}`);
  return a;
}
