// Reading and changing what a client (or one of its campaigns) is judged by.
// The rules themselves live in src/brain/objective.ts.
import { z } from 'zod';
import { OBJECTIVE_KINDS, parseCampaignObjectives, type CampaignObjectives, type Objective } from '../brain/objective.ts';
import { AppError } from '../errors.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';

export interface ObjectiveColumns {
  objective?: string;
  targetCpaCents?: bigint | number | null;
  valuePerConversionCents?: bigint | number | null;
  campaignObjectives?: unknown;
}

const n = (v: bigint | number | null | undefined) => (v === null || v === undefined ? null : Number(v));

/** The client's objective and its campaign overrides, from its row. */
export function objectiveSettings(c: ObjectiveColumns): { objective: Objective; campaignObjectives: CampaignObjectives } {
  const kind = OBJECTIVE_KINDS.includes(c.objective as Objective['kind']) ? (c.objective as Objective['kind']) : 'revenue';
  return {
    objective: { kind, targetCpaCents: n(c.targetCpaCents), valuePerConversionCents: n(c.valuePerConversionCents) },
    campaignObjectives: parseCampaignObjectives(c.campaignObjectives),
  };
}

export const objectiveInputSchema = z
  .object({
    objective: z.enum(OBJECTIVE_KINDS as [Objective['kind'], ...Objective['kind'][]]),
    targetCpaCents: z.number().int().positive().nullable().optional(),
    valuePerConversionCents: z.number().int().positive().nullable().optional(),
  })
  .strict();

/** A complete objective or a clear error naming the missing field. */
export function checkObjective(o: Objective, where = 'objective'): Objective {
  if (o.kind === 'leads' && !o.targetCpaCents) {
    throw new AppError('invalid_input', `${where}: a leads objective needs a target CPA (targetCpaCents, CLI --target-cpa)`, [{ path: 'targetCpaCents', message: 'required for objective "leads"' }]);
  }
  if (o.kind === 'value' && !o.valuePerConversionCents) {
    throw new AppError('invalid_input', `${where}: a value objective needs a value per conversion (valuePerConversionCents, CLI --value)`, [{ path: 'valuePerConversionCents', message: 'required for objective "value"' }]);
  }
  return {
    kind: o.kind,
    targetCpaCents: o.kind === 'leads' ? o.targetCpaCents : null,
    valuePerConversionCents: o.kind === 'value' ? o.valuePerConversionCents : null,
  };
}

/** Finds a campaign of the client by entity id, external id or (unique) name. */
export async function findCampaign(prisma: PrismaClient, clientId: string, ref: string) {
  const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(ref);
  const rows = await prisma.entity.findMany({
    where: { clientId, kind: 'campaign', OR: [...(isUuid ? [{ id: ref }] : []), { externalId: ref }, { name: ref }] },
    select: { id: true, name: true, platform: true, externalId: true },
    take: 10,
  });
  if (rows.length === 0) throw new AppError('not_found', `no campaign "${ref}" in this client (give its name, platform id or adbrain id)`);
  const exact = rows.filter((r) => r.id === ref || r.externalId === ref);
  if (exact.length === 1) return exact[0]!;
  if (rows.length > 1) {
    throw new AppError('invalid_input', `"${ref}" names ${rows.length} campaigns; give one of their ids: ${rows.map((r) => `${r.id} (${r.platform})`).join(', ')}`);
  }
  return rows[0]!;
}

/** Sets (or, with null, clears) one campaign's override. */
export async function setCampaignObjective(prisma: PrismaClient, clientId: string, campaignId: string, o: Objective | null) {
  return prisma.$transaction(async (tx) => {
    const c = await tx.client.findUniqueOrThrow({ where: { id: clientId }, select: { campaignObjectives: true } });
    const map = parseCampaignObjectives(c.campaignObjectives);
    if (o) map[campaignId] = checkObjective(o, 'campaign objective');
    else delete map[campaignId];
    return tx.client.update({ where: { id: clientId }, data: { campaignObjectives: map as object } });
  });
}

/** The objective as answered by the API and printed by the CLI, campaign names included. */
export async function describeObjectives(prisma: PrismaClient, c: ObjectiveColumns & { id: string }) {
  const { objective, campaignObjectives } = objectiveSettings(c);
  const ids = Object.keys(campaignObjectives);
  const names = ids.length ? await prisma.entity.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } }) : [];
  const nameOf = new Map(names.map((x) => [x.id, x.name]));
  return {
    ...objective,
    campaigns: ids.map((id) => ({ campaignId: id, campaign: nameOf.get(id) ?? null, ...campaignObjectives[id]! })),
  };
}
