// Entities as users name them, and the kill list: a killed link or ad keeps its
// history but leaves alerts and the "act now" lists.
import { distance } from 'fastest-levenshtein';
import { AppError } from '../errors.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import type { Sql } from '../db/sql.ts';

/** Finds one entity of a client by id (or the 8+ character prefix the CLI prints), external id or exact name (links and ads first). */
export async function findEntity(prisma: PrismaClient, clientId: string, ref: string) {
  const r = ref.trim();
  if (!r) throw new AppError('invalid_input', 'give the entity: its id, external id or exact name');
  const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(r);
  // The 8-character id `links list` prints (or any longer prefix) names the entity too.
  const byPrefix = !isUuid && /^[0-9a-f]{8}[0-9a-f-]{0,28}$/i.test(r)
    ? (await prisma.$queryRawUnsafe<{ id: string }[]>('SELECT id::text AS id FROM entity WHERE client_id = $1::uuid AND id::text LIKE $2 LIMIT 20', clientId, `${r.toLowerCase()}%`)).map((x) => x.id)
    : [];
  const rows = await prisma.entity.findMany({
    where: { clientId, OR: [...(isUuid ? [{ id: r }] : []), ...(byPrefix.length ? [{ id: { in: byPrefix } }] : []), { externalId: r }, { name: r }] },
    take: 20,
  });
  if (rows.length === 0) {
    const close = await closeNames(prisma, clientId, r);
    throw new AppError('not_found', `no link, ad or other entity "${r}" in this client${close.length ? `; did you mean ${close.map((x) => `"${x}"`).join(' or ')}?` : ' (adbrain links list --client … shows them)'}`, close.length ? { suggestions: close } : undefined);
  }
  const preferred = rows.filter((e) => e.kind === 'link' || e.kind === 'ad');
  const pick = preferred.length ? preferred : rows;
  if (pick.length > 1) {
    throw new AppError('invalid_input', `"${r}" matches ${pick.length} entities; use the id`, pick.map((e) => ({ id: e.id, kind: e.kind, platform: e.platform, externalId: e.externalId })));
  }
  return pick[0]!;
}

/**
 * Up to three of the client's link / ad names (or platform ids) closest to what was
 * typed: by edit distance to the whole name, or to the part of it as long as what
 * was typed ("1639-sc9" is one letter from "Burner 1639-SC7"'s "1639-SC7").
 */
async function closeNames(prisma: PrismaClient, clientId: string, typed: string): Promise<string[]> {
  const rows = await prisma.entity.findMany({ where: { clientId, kind: { in: ['link', 'ad', 'campaign', 'adset'] } }, select: { name: true, externalId: true }, take: 50_000 });
  const t = typed.toLowerCase();
  const limit = Math.max(1, Math.floor(t.length / 4));
  const scored = new Map<string, number>();
  const score = (l: string) => {
    if (l.includes(t)) return 0;
    let best = distance(t, l);
    for (let i = 0; i + t.length <= l.length && best > 0; i++) best = Math.min(best, distance(t, l.slice(i, i + t.length)) + 0.25);
    return best;
  };
  for (const r of rows) {
    // A file's entities have path-like ids ("A/Spring/Ad 1"): their names say it better.
    for (const s of r.externalId.includes('/') || r.externalId === r.name ? [r.name] : [r.name, r.externalId]) {
      const d = score(s.toLowerCase());
      if (d <= limit && (scored.get(s) ?? Infinity) > d) scored.set(s, d);
    }
  }
  return [...scored].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 3).map(([s]) => s);
}

export async function killEntity(prisma: PrismaClient, entityId: string, opts: { reason?: string; now?: Date } = {}) {
  return prisma.entity.update({
    where: { id: entityId },
    data: { status: 'killed', killedAt: opts.now ?? new Date(), killedReason: opts.reason?.trim() || null },
  });
}

export async function restoreEntity(prisma: PrismaClient, entityId: string) {
  return prisma.entity.update({ where: { id: entityId }, data: { status: 'active', killedAt: null, killedReason: null } });
}

/**
 * Whether an entity's numbers add into the client's totals (report totals, budget
 * pacing, daily spend alerts, the account forecast). A first-party campaign linked
 * to ad spend — and its account — mirror numbers the ad platform already reports.
 */
export const countsInTotals = (e: { attributes?: unknown } | undefined): boolean => !(e?.attributes as { mirror?: boolean } | undefined)?.mirror;

/** Names that differ only in case, spaces or punctuation ("Data analytics", "DataAnalytics") share a key: probably one campaign. */
export const nameKey = (name: string) => name.normalize('NFKD').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');

/** A client's campaigns on one platform and account whose names differ only in spelling. */
export async function similarCampaignNames(sql: Pick<Sql, 'query'>, clientId: string): Promise<{ platform: string; names: string[] }[]> {
  const rows = await sql.query<{ platform: string; parent: string | null; name: string }>(
    "SELECT platform::text, parent_id::text AS parent, name FROM entity WHERE client_id = $1::uuid AND kind = 'campaign' ORDER BY name",
    [clientId],
  );
  const groups = new Map<string, { platform: string; names: string[] }>();
  for (const r of rows) {
    const k = `${r.platform}|${r.parent ?? ''}|${nameKey(r.name)}`;
    const g = groups.get(k) ?? { platform: r.platform, names: [] };
    if (!g.names.includes(r.name)) g.names.push(r.name);
    groups.set(k, g);
  }
  return [...groups.values()].filter((g) => g.names.length > 1);
}

/** Sets (or with null clears) an ad account's own monthly budget, in the client's minor unit. */
export async function setAccountBudget(prisma: PrismaClient, entity: { id: string; kind: string; platform: string; name: string }, cents: number | null) {
  if (entity.kind !== 'account' || entity.platform === 'shopify') throw new AppError('invalid_input', `${entity.name} is a ${entity.platform} ${entity.kind}: budgets are set on ad accounts`, [{ path: 'entity', message: 'not an ad account' }]);
  if (cents !== null && (!Number.isSafeInteger(cents) || cents <= 0)) throw new AppError('invalid_input', 'monthlyBudgetCents: a positive whole number of minor units, or null to clear it', [{ path: 'monthlyBudgetCents', message: 'positive integer or null' }]);
  return prisma.entity.update({ where: { id: entity.id }, data: { monthlyBudgetCents: cents === null ? null : BigInt(cents) } });
}
