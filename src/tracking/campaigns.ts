// First-party campaigns: posts, reels, stories, influencer and bio links, each with
// a tracking code unique per client. A child has at most one parent and the tree
// has no cycles; a parent's numbers are its own plus its children's.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { AppError, invalid } from '../errors.ts';
import type { PrismaClient, TrackingCampaign } from '../generated/prisma/client.ts';
import { issuesOf } from '../domain/schemas.ts';

export const CAMPAIGN_PLATFORMS = ['instagram', 'facebook', 'tiktok', 'youtube', 'twitter', 'other', 'multi'] as const;
export const CAMPAIGN_TYPES = ['post', 'reel', 'story', 'video', 'ad', 'campaign'] as const;
const CODE_RE = /^[A-Za-z0-9_-]{2,64}$/;
const PREFIX: Record<string, string> = { instagram: 'INSTA', facebook: 'FB', tiktok: 'TT', youtube: 'YT', twitter: 'X', other: 'LINK', multi: 'MULTI' };

const httpUrl = z.url({ protocol: /^https?$/, error: 'an http(s) URL' }).max(2000);
const fields = {
  name: z.string().trim().min(1).max(200),
  platform: z.enum(CAMPAIGN_PLATFORMS),
  type: z.enum(CAMPAIGN_TYPES),
  postUrl: httpUrl.nullable(),
  code: z.string().regex(CODE_RE, 'letters, digits, _ and -, 2 to 64 characters'),
  destinationUrl: httpUrl,
  costCents: z.number().int().min(0),
  budgetCents: z.number().int().min(0).nullable(),
  startsAt: z.iso.datetime({ offset: true }).nullable(),
  endsAt: z.iso.datetime({ offset: true }).nullable(),
  active: z.boolean(),
  parentId: z.uuid().nullable(),
  adEntityId: z.uuid().nullable(),
  metadata: z.record(z.string(), z.unknown()),
};
export const newCampaignSchema = z.object({
  ...fields,
  platform: fields.platform.default('other'),
  type: fields.type.default('post'),
  postUrl: fields.postUrl.optional(),
  code: fields.code.optional(),
  costCents: fields.costCents.default(0),
  budgetCents: fields.budgetCents.optional(),
  startsAt: fields.startsAt.optional(),
  endsAt: fields.endsAt.optional(),
  active: fields.active.default(true),
  parentId: fields.parentId.optional(),
  adEntityId: fields.adEntityId.optional(),
  metadata: fields.metadata.default({}),
}).strict();
export const campaignPatchSchema = z.object(fields).partial().strict();

/** INSTA_SUMMER_DRESS_01: the platform, the name's words, a number that makes it unique for the client. */
export function codeFor(name: string, platform: string, taken: Set<string>): string {
  const words = name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toUpperCase().replace(/[^A-Z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 40) || randomBytes(3).toString('hex').toUpperCase();
  const base = `${PREFIX[platform] ?? 'LINK'}_${words}`;
  for (let i = 1; i < 1000; i++) {
    const code = `${base}_${String(i).padStart(2, '0')}`;
    if (!taken.has(code.toLowerCase())) return code;
  }
  return `${base}_${randomBytes(3).toString('hex').toUpperCase()}`;
}

export async function createCampaign(prisma: PrismaClient, clientId: string, input: unknown): Promise<TrackingCampaign> {
  const parsed = newCampaignSchema.safeParse(input);
  if (!parsed.success) throw invalid('invalid campaign', issuesOf(parsed.error));
  const c = parsed.data;
  checkDates(c.startsAt ?? null, c.endsAt ?? null);
  if (c.parentId) await parentOf(prisma, clientId, c.parentId, null);
  if (c.adEntityId) await adEntityOf(prisma, clientId, c.adEntityId);
  const taken = new Set((await prisma.trackingCampaign.findMany({ where: { clientId }, select: { code: true } })).map((x) => x.code.toLowerCase()));
  if (c.code && taken.has(c.code.toLowerCase())) throw new AppError('conflict', `code: ${c.code} is taken by another campaign of this client`, [{ path: 'body.code', message: 'taken' }]);
  const code = c.code ?? codeFor(c.name, c.platform, taken);
  try {
    return await prisma.trackingCampaign.create({
      data: {
        clientId, name: c.name, platform: c.platform, type: c.type, postUrl: c.postUrl ?? null, code, destinationUrl: c.destinationUrl,
        costCents: BigInt(c.costCents), budgetCents: c.budgetCents == null ? null : BigInt(c.budgetCents),
        startsAt: c.startsAt ? new Date(c.startsAt) : null, endsAt: c.endsAt ? new Date(c.endsAt) : null,
        active: c.active, parentId: c.parentId ?? null, adEntityId: c.adEntityId ?? null, metadata: c.metadata as never,
      },
    });
  } catch (err) {
    // Two creations racing for one code: the unique constraint decides.
    if ((err as { code?: string }).code === 'P2002') throw new AppError('conflict', `code: ${code} is taken by another campaign of this client`);
    throw err;
  }
}

export async function updateCampaign(prisma: PrismaClient, campaign: TrackingCampaign, input: unknown): Promise<TrackingCampaign> {
  const parsed = campaignPatchSchema.safeParse(input);
  if (!parsed.success) throw invalid('invalid campaign', issuesOf(parsed.error));
  const p = parsed.data;
  if (Object.keys(p).length === 0) throw new AppError('invalid_input', 'nothing to change: send at least one field');
  checkDates(p.startsAt !== undefined ? p.startsAt : campaign.startsAt?.toISOString() ?? null, p.endsAt !== undefined ? p.endsAt : campaign.endsAt?.toISOString() ?? null);
  if (p.parentId) await parentOf(prisma, campaign.clientId, p.parentId, campaign.id);
  if (p.adEntityId) await adEntityOf(prisma, campaign.clientId, p.adEntityId);
  if (p.code && p.code.toLowerCase() !== campaign.code.toLowerCase()) {
    const clash = await prisma.trackingCampaign.findFirst({ where: { clientId: campaign.clientId, code: { equals: p.code, mode: 'insensitive' }, id: { not: campaign.id } } });
    if (clash) throw new AppError('conflict', `code: ${p.code} is taken by another campaign of this client`, [{ path: 'body.code', message: 'taken' }]);
  }
  return prisma.trackingCampaign.update({
    where: { id: campaign.id },
    data: {
      ...(p.name !== undefined && { name: p.name }), ...(p.platform !== undefined && { platform: p.platform }), ...(p.type !== undefined && { type: p.type }),
      ...(p.postUrl !== undefined && { postUrl: p.postUrl }), ...(p.code !== undefined && { code: p.code }), ...(p.destinationUrl !== undefined && { destinationUrl: p.destinationUrl }),
      ...(p.costCents !== undefined && { costCents: BigInt(p.costCents) }), ...(p.budgetCents !== undefined && { budgetCents: p.budgetCents === null ? null : BigInt(p.budgetCents) }),
      ...(p.startsAt !== undefined && { startsAt: p.startsAt ? new Date(p.startsAt) : null }), ...(p.endsAt !== undefined && { endsAt: p.endsAt ? new Date(p.endsAt) : null }),
      ...(p.active !== undefined && { active: p.active }), ...(p.parentId !== undefined && { parentId: p.parentId }),
      ...(p.adEntityId !== undefined && { adEntityId: p.adEntityId }), ...(p.metadata !== undefined && { metadata: p.metadata as never }),
    },
  });
}

/** The parent must be the client's, and not the campaign itself or one of its descendants (no cycles). */
async function parentOf(prisma: PrismaClient, clientId: string, parentId: string, self: string | null) {
  const all = await prisma.trackingCampaign.findMany({ where: { clientId }, select: { id: true, parentId: true } });
  const byId = new Map(all.map((x) => [x.id, x.parentId]));
  if (!byId.has(parentId)) throw new AppError('invalid_input', `parentId: no campaign ${parentId} for this client`, [{ path: 'body.parentId', message: 'not found' }]);
  for (let at: string | null | undefined = parentId, hops = 0; at; at = byId.get(at), hops++) {
    if (at === self || hops > all.length) throw new AppError('invalid_input', 'parentId: a campaign cannot sit under itself or one of its children', [{ path: 'body.parentId', message: 'would make a cycle' }]);
  }
}

/** Linked ad spend comes from an ad platform's campaign, ad set, ad or link of the same client. */
async function adEntityOf(prisma: PrismaClient, clientId: string, id: string) {
  const e = await prisma.entity.findFirst({ where: { id, clientId }, select: { platform: true, kind: true } });
  const problem = !e ? `no entity ${id} for this client` : !AD_PLATFORMS.has(e.platform) || e.kind === 'account' ? `${id} is a ${e.platform} ${e.kind}; link an ad platform's campaign, ad set, ad or link` : null;
  if (problem) throw new AppError('invalid_input', `adEntityId: ${problem}`, [{ path: 'body.adEntityId', message: problem }]);
}
const AD_PLATFORMS = new Set(['meta', 'google', 'tiktok']);

function checkDates(starts: string | null, ends: string | null) {
  if (starts && ends && new Date(ends) < new Date(starts)) throw new AppError('invalid_input', 'endsAt is before startsAt', [{ path: 'body.endsAt', message: 'before startsAt' }]);
}

export function trackingUrl(publicUrl: string, c: { code: string }, siteKey: string | null): string {
  return `${publicUrl}/t/${encodeURIComponent(c.code)}${siteKey ? `?s=${siteKey}` : ''}`;
}

export const campaignOut = (c: TrackingCampaign, url: string) => ({
  id: c.id, clientId: c.clientId, parentId: c.parentId, name: c.name, platform: c.platform, type: c.type, postUrl: c.postUrl, code: c.code,
  destinationUrl: c.destinationUrl, trackingUrl: url, costCents: Number(c.costCents), adEntityId: c.adEntityId, budgetCents: c.budgetCents === null ? null : Number(c.budgetCents),
  startsAt: c.startsAt?.toISOString() ?? null, endsAt: c.endsAt?.toISOString() ?? null, active: c.active, metadata: c.metadata as Record<string, unknown>,
  createdAt: c.createdAt.toISOString(), updatedAt: c.updatedAt.toISOString(),
});

/** The client's public site key (made on first use): it names the client in tracking links and the snippet, and is not a secret. */
export async function siteKeyOf(prisma: PrismaClient, clientId: string): Promise<string> {
  const c = await prisma.client.findUniqueOrThrow({ where: { id: clientId }, select: { siteKey: true } });
  if (c.siteKey) return c.siteKey;
  const key = `site_${randomBytes(9).toString('base64url')}`;
  const u = await prisma.client.updateMany({ where: { id: clientId, siteKey: null }, data: { siteKey: key } });
  if (u.count === 1) return key;
  return (await prisma.client.findUniqueOrThrow({ where: { id: clientId }, select: { siteKey: true } })).siteKey!;
}

/** Deletes a campaign: its children lose their parent, its visits and orders stay, unattributed; its snapshots go. */
export async function deleteCampaign(db: { sql: import('../db/sql.ts').Sql }, id: string): Promise<void> {
  await db.sql.tx(async (sql) => {
    await sql.query('UPDATE visit SET campaign_id = NULL WHERE campaign_id = $1::uuid', [id]);
    await sql.query('UPDATE conversion SET campaign_id = NULL, visit_id = NULL WHERE campaign_id = $1::uuid', [id]);
    await sql.query('UPDATE track_customer SET acquisition_campaign_id = NULL WHERE acquisition_campaign_id = $1::uuid', [id]);
    await sql.query('DELETE FROM tracking_campaign WHERE id = $1::uuid', [id]);
  });
}
