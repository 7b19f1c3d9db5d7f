// Which sections a client's reports show, in which order, and which KPI tiles:
// a layout stored per client (client.report_layout), validated here. The view
// keeps only the sections the layout lists; HTML, text and PDF render them in
// its order, so the three still show the same report.
import { z } from 'zod';
import { AppError } from '../errors.ts';
import { Prisma, type PrismaClient } from '../generated/prisma/client.ts';

export const SECTIONS = [
  'summary', 'kpis', 'actions', 'burning', 'budgets', 'trend', 'campaigns', 'rollups', 'platformChanges',
  'firstParty', 'splitTests', 'forecast', 'trackRecord', 'freshness',
] as const;
export type SectionId = (typeof SECTIONS)[number];

export const KPIS = ['spend', 'revenue', 'profit', 'roas', 'roi', 'conversions', 'cpa'] as const;
export type KpiId = (typeof KPIS)[number];

const unique = <T extends string>(what: string) => (xs: T[], ctx: z.RefinementCtx) => {
  const seen = new Set<string>();
  xs.forEach((x, i) => {
    if (seen.has(x)) ctx.addIssue({ code: 'custom', path: [i], message: `${x} is listed twice in ${what}` });
    seen.add(x);
  });
};

export const layoutSchema = z
  .object({
    sections: z.array(z.enum(SECTIONS)).min(1, 'a report needs at least one section').superRefine(unique('sections')),
    /** The KPI tiles, in order; absent: the objective's own choice (revenue first, or leads / CPA first). */
    kpis: z.array(z.enum(KPIS)).min(1).max(KPIS.length).superRefine(unique('kpis')).optional(),
  })
  .strict();

export type ReportLayout = z.infer<typeof layoutSchema>;

export const DEFAULT_LAYOUT: ReportLayout = { sections: [...SECTIONS] };

export function parseLayout(input: unknown, where = 'layout'): ReportLayout {
  const r = layoutSchema.safeParse(input);
  if (!r.success) {
    const issues = r.error.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message }));
    throw new AppError('invalid_input', `${where}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
  }
  return r.data;
}

/** A stored layout read back: one that no longer validates falls back to the default rather than hiding the report. */
export function storedLayout(json: unknown): ReportLayout {
  if (json === null || json === undefined) return DEFAULT_LAYOUT;
  const r = layoutSchema.safeParse(json);
  return r.success ? r.data : DEFAULT_LAYOUT;
}

/** Stores a client's layout; null: back to every section in the default order. */
export async function saveLayout(prisma: PrismaClient, clientId: string, layout: ReportLayout | null): Promise<void> {
  await prisma.client.update({ where: { id: clientId }, data: { reportLayout: layout ?? Prisma.DbNull } });
}
