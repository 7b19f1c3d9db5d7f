import { distance } from 'fastest-levenshtein';
import type { Sql } from '../db/sql.ts';
import { AppError, invalid } from '../errors.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { ensureDefaultAgency, getAgencyBySlug } from './agencies.ts';
import { toMinorUnits } from './currency.ts';
import { clientUpdateSchema, issuesOf, newClientSchema } from './schemas.ts';

export async function addClient(prisma: PrismaClient, input: unknown) {
  const parsed = newClientSchema.safeParse(input);
  if (!parsed.success) throw invalid('invalid client', issuesOf(parsed.error));
  const c = parsed.data;
  const agency = c.agency ? await getAgencyBySlug(prisma, c.agency) : await ensureDefaultAgency(prisma);
  const existing = await prisma.client.findUnique({ where: { slug: c.slug } });
  if (existing) throw new AppError('conflict', `client '${c.slug}' already exists`);
  const currency = c.currency ?? agency.currency;
  // An amount as typed ("1500", "29.90") is read in the client's currency.
  const budget = c.monthlyBudget !== undefined ? toMinorUnits(c.monthlyBudget, currency, 'budget') : c.monthlyBudgetCents;
  return prisma.client.create({
    data: {
      agencyId: agency.id,
      slug: c.slug,
      name: c.name ?? c.slug,
      // A client inherits its agency's timezone and currency unless told otherwise.
      timezone: c.timezone ?? agency.timezone,
      currency,
      reportHour: c.reportHour,
      recipients: c.recipients,
      monthlyBudgetCents: budget === undefined ? undefined : BigInt(budget),
    },
  });
}

const clientNotFound = (slug: string, close: string[] = []) =>
  new AppError(
    'not_found',
    close.length
      ? `client '${slug}' not found; did you mean ${close.map((c) => `'${c}'`).join(' or ')}?`
      : `client '${slug}' not found. Add it with: adbrain clients add ${slug} [--name "…"] [--timezone Area/City] [--currency USD]`,
    close.length ? { suggestions: close } : undefined,
  );

type Query = (text: string, params: unknown[]) => Promise<{ slug: string; name: string }[]>;

/**
 * The slug of the client a user names: its slug, its id or the 8+ character prefix
 * commands print, or its exact name (any case); else "did you mean" the closest.
 */
async function slugOf(query: Query, ref: string): Promise<string> {
  const r = ref.trim();
  const prefix = /^[0-9a-f]{8}[0-9a-f-]{0,28}$/i.test(r) ? `${r.toLowerCase()}%` : null;
  const rows = await query('SELECT slug, name FROM client WHERE slug = $1 OR lower(name) = lower($1) OR ($2::text IS NOT NULL AND id::text LIKE $2) LIMIT 3', [r, prefix]);
  const bySlug = rows.find((x) => x.slug === r);
  if (bySlug) return bySlug.slug;
  if (rows.length === 1) return rows[0]!.slug;
  if (rows.length > 1) throw new AppError('invalid_input', `'${r}' names ${rows.length > 2 ? 'three or more' : 'two'} clients (${rows.map((x) => x.slug).join(', ')}); use the slug`);
  const all = await query('SELECT slug, name FROM client ORDER BY slug LIMIT 10000', []);
  const t = r.toLowerCase();
  const scored = all.map((c) => ({ slug: c.slug, d: Math.min(distance(t, c.slug.toLowerCase()), distance(t, c.name.toLowerCase())) }));
  const close = scored.filter((x) => x.d <= Math.max(1, Math.floor(t.length / 3))).sort((a, b) => a.d - b.d).slice(0, 3).map((x) => x.slug);
  throw clientNotFound(r, close);
}

export async function getClientBySlug(prisma: PrismaClient, slug: string) {
  const client = await prisma.client.findUnique({ where: { slug } });
  if (client) return client;
  const found = await slugOf((t, p) => prisma.$queryRawUnsafe(t, ...p), slug);
  return prisma.client.findUniqueOrThrow({ where: { slug: found } });
}

// The read-only commands below go through plain SQL: a command that only lists
// starts without the ORM (src/cli/context.ts, `light`).
const CLIENT_COLUMNS = `c.id::text AS id, c.slug, c.name, c.timezone, c.currency, c.report_hour AS "reportHour", c.recipients,
  c.monthly_budget_cents::float8 AS "monthlyBudgetCents", c.objective::text AS objective, c.target_cpa_cents::float8 AS "targetCpaCents",
  c.value_per_conversion_cents::float8 AS "valuePerConversionCents", c.campaign_objectives AS "campaignObjectives", a.slug AS "agencySlug"`;
export interface ClientRow {
  id: string; slug: string; name: string; timezone: string; currency: string; reportHour: number; recipients: string[];
  monthlyBudgetCents: number | null; objective: string; targetCpaCents: number | null; valuePerConversionCents: number | null; campaignObjectives: unknown; agencySlug: string;
}

export async function listClients(prisma: PrismaClient, opts: { agency?: string } = {}) {
  return prisma.client.findMany({
    where: opts.agency ? { agency: { slug: opts.agency } } : undefined,
    include: { agency: { select: { slug: true } } },
    orderBy: [{ agency: { slug: 'asc' } }, { slug: 'asc' }],
  });
}

/** listClients for the read-only `clients list`: plain SQL. */
export async function listClientRows(sql: Sql, opts: { agency?: string } = {}): Promise<ClientRow[]> {
  return sql.query<ClientRow>(
    `SELECT ${CLIENT_COLUMNS} FROM client c JOIN agency a ON a.id = c.agency_id WHERE $1::text IS NULL OR a.slug = $1 ORDER BY a.slug, c.slug`,
    [opts.agency ?? null],
  );
}

/** getClientBySlug over plain SQL (the same answer when there is none). */
export async function clientRowBySlug(sql: Sql, slug: string): Promise<ClientRow> {
  const [c] = await sql.query<ClientRow>(`SELECT ${CLIENT_COLUMNS} FROM client c JOIN agency a ON a.id = c.agency_id WHERE c.slug = $1`, [slug]);
  if (c) return c;
  const found = await slugOf((t, p) => sql.query(t, p), slug);
  const [named] = await sql.query<ClientRow>(`SELECT ${CLIENT_COLUMNS} FROM client c JOIN agency a ON a.id = c.agency_id WHERE c.slug = $1`, [found]);
  return named!;
}

import { checkObjective, objectiveSettings } from './objectives.ts';

const big = (v: number | null | undefined) => (v === undefined ? undefined : v === null ? null : BigInt(v));

/** Changes a client's settings; unknown fields and bad values are refused with their paths. */
export async function updateClient(prisma: PrismaClient, clientId: string, input: unknown) {
  const parsed = clientUpdateSchema.safeParse(input);
  if (!parsed.success) throw invalid('invalid client settings', issuesOf(parsed.error));
  const u = parsed.data;
  if (u.objective !== undefined || u.targetCpaCents !== undefined || u.valuePerConversionCents !== undefined) {
    // The objective must stay complete: a leads client needs its target CPA.
    const cur = await prisma.client.findUniqueOrThrow({ where: { id: clientId }, select: { objective: true, targetCpaCents: true, valuePerConversionCents: true } });
    const merged = objectiveSettings({
      objective: u.objective ?? cur.objective,
      targetCpaCents: u.targetCpaCents !== undefined ? u.targetCpaCents : cur.targetCpaCents,
      valuePerConversionCents: u.valuePerConversionCents !== undefined ? u.valuePerConversionCents : cur.valuePerConversionCents,
    }).objective;
    checkObjective(merged, 'client objective');
  }
  return prisma.client.update({
    where: { id: clientId },
    data: {
      ...u,
      targetCpaCents: big(u.targetCpaCents),
      valuePerConversionCents: big(u.valuePerConversionCents),
      monthlyBudgetCents: big(u.monthlyBudgetCents),
      burnMinSpendCents: big(u.burnMinSpendCents) ?? undefined,
      winMinRevenueCents: big(u.winMinRevenueCents) ?? undefined,
      dailySpendAlertCents: big(u.dailySpendAlertCents),
    },
  });
}
