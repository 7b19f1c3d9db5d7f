// What an applied insight actually did. When the user applies an insight, the
// brain's 7-day profit forecast for its entity is stored as the "nothing
// changes" baseline; seven days later the realised impact is actual profit
// minus that baseline (positive = money made or saved), and the brain's
// curiosity learns from realised vs expected per action kind.
import type { Db } from '../db/client.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import type { SeriesSet } from '../brain/series.ts';
import { sumRange } from '../brain/series.ts';
import { addDays, daysBetween } from '../time.ts';

export const FOLLOW_UP_DAYS = 7;

export interface AppliedBasis {
  /** The brain run whose forecast is the baseline, or null when there was none. */
  madeOn: string | null;
  forecastProfitCents: number | null;
  /** Filled when realised. */
  baselineProfitCents?: number;
  actualProfitCents?: number;
  basis?: 'forecast' | 'trailing 7 days';
}

const day = (d: Date) => d.toISOString().slice(0, 10);

/** The entities whose totals stand for an insight: its own, or the client's accounts. */
async function subjects(prisma: PrismaClient, clientId: string, entityId: string | null): Promise<string[]> {
  if (entityId) return [entityId];
  const accounts = await prisma.entity.findMany({ where: { clientId, kind: 'account', platform: { not: 'shopify' } }, select: { id: true } });
  return accounts.map((a) => a.id);
}

/** The forecast profit for the 7 days after `appliedOn`, from the latest run made by then. */
export async function appliedBasis(prisma: PrismaClient, insight: { clientId: string; entityId: string | null }, appliedOn: string): Promise<AppliedBasis> {
  const ids = await subjects(prisma, insight.clientId, insight.entityId);
  const latest = await prisma.prediction.findFirst({
    where: { entityId: { in: ids }, madeOn: { lte: new Date(`${appliedOn}T00:00:00Z`) } },
    orderBy: { madeOn: 'desc' },
    select: { madeOn: true },
  });
  if (!latest) return { madeOn: null, forecastProfitCents: null };
  const from = addDays(appliedOn, 1), to = addDays(appliedOn, FOLLOW_UP_DAYS);
  const rows = await prisma.prediction.findMany({
    where: {
      entityId: { in: ids },
      madeOn: latest.madeOn,
      metric: { in: ['spendCents', 'revenueCents'] },
      targetDate: { gte: new Date(`${from}T00:00:00Z`), lte: new Date(`${to}T00:00:00Z`) },
    },
    select: { metric: true, point: true },
  });
  // Each subject needs both metrics on all 7 days, else the forecast does not cover the window.
  if (rows.length !== ids.length * 2 * FOLLOW_UP_DAYS) return { madeOn: day(latest.madeOn), forecastProfitCents: null };
  const profit = rows.reduce((s, r) => s + (r.metric === 'revenueCents' ? r.point : -r.point), 0);
  return { madeOn: day(latest.madeOn), forecastProfitCents: Math.round(profit) };
}

/** Realised impact of one applied insight from the series, or null while its window is still open. */
export function realise(s: SeriesSet, ids: string[], appliedOn: string, basis: AppliedBasis): (AppliedBasis & { realisedCents: number }) | null {
  const end = daysBetween(s.start, addDays(appliedOn, FOLLOW_UP_DAYS));
  if (end > s.length - 1) return null;
  const start = end - FOLLOW_UP_DAYS + 1;
  let actual = 0, trailing = 0, found = false;
  for (const id of ids) {
    const e = s.byId.get(id);
    if (!e) continue;
    found = true;
    actual += sumRange(e.revenueCents, start, end) - sumRange(e.spendCents, start, end);
    trailing += sumRange(e.revenueCents, start - FOLLOW_UP_DAYS, start - 1) - sumRange(e.spendCents, start - FOLLOW_UP_DAYS, start - 1);
  }
  // Results not reported in the window (a lead-gen client without revenue): nothing to measure.
  if (!found || !Number.isFinite(actual)) return null;
  if (basis.forecastProfitCents === null && !Number.isFinite(trailing)) return null;
  const baseline = basis.forecastProfitCents ?? Math.round(trailing);
  return {
    ...basis,
    basis: basis.forecastProfitCents === null ? 'trailing 7 days' : 'forecast',
    baselineProfitCents: baseline,
    actualProfitCents: Math.round(actual),
    realisedCents: Math.round(actual) - baseline,
  };
}

/** Records the realised impact of every applied insight whose follow-up window ended by `asOf`. */
export async function realiseApplied(db: Db, clientId: string, s: SeriesSet, now: Date): Promise<Map<string, number>> {
  const due = await db.prisma.insight.findMany({
    where: { clientId, status: 'APPLIED', realisedCents: null, appliedOn: { lte: new Date(`${addDays(s.asOf, -FOLLOW_UP_DAYS)}T00:00:00Z`) } },
    select: { id: true, entityId: true, appliedOn: true, appliedBasis: true },
  });
  const done = new Map<string, number>();
  // Client-level insights all stand for the same accounts: look them up once.
  let accounts: string[] | undefined;
  for (const i of due) {
    const ids = i.entityId ? [i.entityId] : (accounts ??= await subjects(db.prisma, clientId, null));
    const r = realise(s, ids, day(i.appliedOn!), (i.appliedBasis ?? { madeOn: null, forecastProfitCents: null }) as unknown as AppliedBasis);
    if (!r) continue;
    const { realisedCents, ...basis } = r;
    await db.prisma.insight.update({
      where: { id: i.id },
      data: { realisedCents: BigInt(realisedCents), realisedAt: now, appliedBasis: JSON.parse(JSON.stringify(basis)) },
    });
    done.set(i.id, realisedCents);
  }
  return done;
}
