// Which platform object a change goes to, and through which connection: an ad is
// itself; a link is the ad it hangs under (pausing a link pauses that ad); an ad
// set or campaign is itself. A budget sits on the ad set when it has one of its
// own (Meta ad sets, TikTok ad groups), else on the campaign (Google always).
import type { PrismaClient } from '../generated/prisma/client.ts';
import { AppError } from '../errors.ts';
import { bareCustomerId } from '../sources/google-ads.ts';
import { stripAct } from '../sources/meta.ts';
import { settingsOf } from '../sources/sync.ts';
import type { Level, Target } from '../sources/write-types.ts';

export interface EntityNode {
  id: string;
  clientId: string;
  kind: string;
  platform: string;
  externalId: string;
  name: string;
  parentId: string | null;
}

export interface Resolved {
  asked: EntityNode;
  /** Nearest first: the asked entity, its parent, … up to the account. */
  chain: EntityNode[];
  connection: { id: string; clientId: string; platform: string; label: string; credentials: string; settings: unknown };
}

const WRITABLE = new Set(['meta', 'tiktok', 'google']);
const accountKey = (platform: string, id: string) => (platform === 'meta' ? stripAct(id) : platform === 'google' ? bareCustomerId(id) : id.trim());

export async function resolveEntity(prisma: PrismaClient, entityId: string): Promise<Resolved> {
  const chain: EntityNode[] = [];
  for (let id: string | null = entityId; id && chain.length < 8;) {
    const e: EntityNode | null = await prisma.entity.findUnique({ where: { id }, select: { id: true, clientId: true, kind: true, platform: true, externalId: true, name: true, parentId: true } });
    if (!e) break;
    chain.push(e);
    id = e.parentId;
  }
  const asked = chain[0];
  if (!asked) throw new AppError('not_found', `entity ${entityId} not found`);
  if (!WRITABLE.has(asked.platform)) throw new AppError('invalid_input', `${asked.name} is on ${asked.platform}: adbrain changes objects on Meta, TikTok and Google Ads only`, [{ path: 'entity', message: asked.platform }]);
  const account = chain.find((e) => e.kind === 'account');
  if (!account) throw new AppError('invalid_input', `${asked.name} has no ad account above it (imported from a file?): connect the account to act on it`);
  const connections = await prisma.connection.findMany({ where: { clientId: asked.clientId, platform: asked.platform as never } });
  const connection = connections.find((c) => accountKey(c.platform, settingsOf(c).accountId ?? '') === accountKey(account.platform, account.externalId));
  if (!connection) throw new AppError('invalid_input', `no ${asked.platform} connection for account ${account.externalId}: connect it (adbrain connections add) to act on ${asked.name}`);
  return { asked, chain, connection };
}

const levelOf = (kind: string): Level | null => (kind === 'ad' ? 'ad' : kind === 'adset' ? 'adset' : kind === 'campaign' ? 'campaign' : null);

/** The object a status change goes to. */
export function statusTarget(r: Resolved): { node: EntityNode; target: Target } {
  const node = r.asked.kind === 'link' ? r.chain.find((e) => e.kind === 'ad') : r.asked;
  const level = node ? levelOf(node.kind) : null;
  if (!node || !level) throw new AppError('invalid_input', `${r.asked.name} is a ${r.asked.kind}: pause or resume an ad, ad set, campaign, or a link under an ad`, [{ path: 'entity', message: r.asked.kind }]);
  return { node, target: targetOf(r, node, level) };
}

/** The objects a budget change may go to, nearest first (the ad set, then its campaign). */
export function budgetTargets(r: Resolved): { node: EntityNode; target: Target }[] {
  const out: { node: EntityNode; target: Target }[] = [];
  for (const e of r.chain) {
    const level = levelOf(e.kind);
    if (level === 'adset' && r.asked.platform !== 'google') out.push({ node: e, target: targetOf(r, e, level) });
    if (level === 'campaign') out.push({ node: e, target: targetOf(r, e, level) });
  }
  if (out.length === 0) throw new AppError('invalid_input', `${r.asked.name} has no ad set or campaign above it to budget`);
  return out;
}

function targetOf(r: Resolved, node: EntityNode, level: Level): Target {
  const parent = node.parentId ? r.chain.find((e) => e.id === node.parentId) : undefined;
  return { level, id: node.externalId, ...(level === 'ad' && parent?.kind === 'adset' ? { parentId: parent.externalId } : {}) };
}
