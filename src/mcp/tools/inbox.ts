// The insight inbox for agents: list and explain insights (read-only), and apply,
// dismiss or snooze one, or put a link on the kill list (destructive: a member
// key, audited with origin mcp, and safe to retry — asking for the state an
// insight is already in changes nothing and says so).
import { z } from 'zod';
import { events } from '../../../inngest.config.ts';
import { scopedEntity, scopedInsight } from '../../api/common.ts';
import { INSIGHT_TYPES } from '../../brain/types.ts';
import { killEntity } from '../../domain/entities.ts';
import { AppError } from '../../errors.ts';
import { entityPath, listInsights } from '../../insights/list.ts';
import { snoozeInsight, transition, type InboxAction } from '../../insights/inbox.ts';
import { formatInput } from '../../llm/facts.ts';
import { READS, defineTool } from '../registry.ts';
import { amount, cursorOf, offsetOf, percent } from '../present.ts';
import { inboxActor, lookupScope, mcpAudit, needRole, type McpScope } from '../scope.ts';
import { ClientRef, clientOf } from './data.ts';

const InsightRef = z.string().min(8).max(64).describe('the insight id or its first 8+ characters, as list_insights shows');
const OPEN = ['PENDING', 'IN_PROGRESS'] as const;

export const listInsightsTool = defineTool({
  name: 'list_insights',
  title: 'List insights',
  description: 'The insight inbox: what the brain found (burning links, winners, creative fatigue, anomalies, pacing, …), most money at stake over the next 7 days first. Default: the open ones (PENDING, IN_PROGRESS) of every client, or of one.',
  input: z.object({
    client: ClientRef.optional(),
    status: z.enum(['open', 'PENDING', 'IN_PROGRESS', 'APPLIED', 'DISMISSED', 'RESOLVED', 'all']).default('open'),
    type: z.enum(INSIGHT_TYPES as unknown as [string, ...string[]]).optional(),
    limit: z.number().int().min(1).max(100).default(20),
    cursor: z.string().max(200).optional(),
  }).strict(),
  ...READS,
  async run(s, q) {
    const client = q.client ? await clientOf(s, q.client) : null;
    const offset = offsetOf('list_insights', q.cursor);
    if (typeof offset === 'string') throw new AppError('invalid_input', offset, [{ path: 'cursor', message: offset }]);
    const status = q.status === 'open' ? [...OPEN] : q.status === 'all' ? undefined : q.status;
    const { rows, total } = await listInsights(s.deps.db.sql, { agencyId: s.key.agencyId, clientId: client?.id, status, type: q.type, limit: q.limit, offset });
    return {
      insights: rows.map((i) => ({
        id: i.id, client: i.client.slug, type: i.type, severity: i.severity, status: i.status, title: i.title,
        entity: i.entity ? { kind: i.entity.kind, platform: i.entity.platform, name: i.entity.name, path: entityPath(i.entity) } : null,
        atStake7Days: amount(i.impactCents, i.client.currency), confidence: percent(i.confidence, 0), since: i.since,
      })),
      total, nextCursor: offset + rows.length < total ? cursorOf('list_insights', offset + rows.length) : null,
    };
  },
});

export const explainInsight = defineTool({
  name: 'explain_insight',
  title: 'Explain an insight',
  description: 'One insight with its evidence: the numbers the brain computed (spend, revenue, ROI, the line, the days judged, the change point and how sure it is), the call it made and, a week later, whether it was right, and who did what with it.',
  input: z.object({ insight: InsightRef }).strict(),
  ...READS,
  async run(s, q) {
    const base = await scopedInsight(lookupScope(s), q.insight);
    const i = await s.deps.db.prisma.insight.findUniqueOrThrow({
      where: { id: base.id },
      include: { client: { select: { slug: true, currency: true } }, entity: { select: { kind: true, name: true, platform: true } }, events: { orderBy: { at: 'asc' } } },
    });
    const cur = i.client.currency;
    const payload = (i.payload ?? {}) as { facts?: Record<string, number | string | null>; action?: { kind?: string; rank?: number; impactCents?: number } };
    const evidence = Object.entries(payload.facts ?? {}).map(([k, v]) => formatInput(k, v, cur)).filter((x): x is string => x !== null);
    return {
      id: i.id, client: i.client.slug, currency: cur, type: i.type, severity: i.severity, status: i.status, title: i.title,
      entity: i.entity, since: i.since?.toISOString().slice(0, 10) ?? null, firstSeen: i.firstSeen.toISOString(), lastSeen: i.lastSeen.toISOString(),
      atStake7Days: amount(Number(i.impactCents), cur), confidence: percent(i.confidence, 0),
      evidence,
      suggestedAction: payload.action?.kind ? { kind: payload.action.kind, rank: payload.action.rank ?? null, expected7Days: amount(payload.action.impactCents ?? null, cur) } : null,
      call: i.calledOn ? { madeOn: i.calledOn.toISOString().slice(0, 10), probability: percent(i.callProbability, 0), outcome: i.callOutcome ?? 'unjudged', roiAfter: percent(i.callRoi) } : null,
      realisedAfterApplying: amount(i.realisedCents === null ? null : Number(i.realisedCents), cur),
      history: i.events.map((e) => ({ at: e.at.toISOString(), by: e.actor, from: e.fromStatus, to: e.toStatus, note: e.note })),
    };
  },
});

async function decide(s: McpScope, ref: string, action: InboxAction, note?: string) {
  needRole(s, 'member');
  const i = await scopedInsight(lookupScope(s), ref);
  const target = action === 'apply' ? 'APPLIED' : 'DISMISSED';
  if (i.status === target) return { id: i.id, status: i.status, unchanged: true, title: i.title };
  const u = await transition(s.deps.db.prisma, i.id, action, { actor: inboxActor(s), note, now: s.deps.now() });
  if (s.deps.inngest) {
    await s.deps.inngest.send({ name: events.insightStatusChanged.name, data: { insightId: i.id, clientId: i.clientId, from: i.status, to: u.status, actor: inboxActor(s) } }).catch(() => undefined);
  }
  await mcpAudit(s, { action: 'insight.status_changed', entityType: 'insight', entityId: i.id, clientId: i.clientId, before: { status: i.status }, after: { status: u.status, note: note ?? null } });
  return { id: i.id, status: u.status, unchanged: false, title: i.title };
}

const Note = z.string().max(2000).optional().describe('why (kept with the insight\'s history)');

const decision = (action: 'apply' | 'dismiss', title: string, description: string) =>
  defineTool({
    name: `${action}_insight`,
    title,
    description,
    input: z.object({ insight: InsightRef, note: Note }).strict(),
    destructive: true,
    idempotent: true,
    run: (s, q) => decide(s, q.insight, action, q.note),
  });

export const applyInsight = decision('apply', 'Mark an insight applied', 'Record that the suggestion was carried out (member key). Seven days later adbrain measures what it delivered. Already applied: nothing changes.');
export const dismissInsight = decision('dismiss', 'Dismiss an insight', 'Record that the suggestion will not be followed (member key); the brain learns from it. Already dismissed: nothing changes.');

export const snoozeInsightTool = defineTool({
  name: 'snooze_insight',
  title: 'Snooze an insight',
  description: 'Remind me later (member key): out of the report\'s "act now" list, its alerts held back for `days` (default 7); it stays open.',
  input: z.object({ insight: InsightRef, days: z.number().int().min(1).max(90).default(7), note: Note }).strict(),
  destructive: true,
  idempotent: true,
  async run(s, q) {
    needRole(s, 'member');
    const i = await scopedInsight(lookupScope(s), q.insight);
    const r = await snoozeInsight(s.deps.db.prisma, i.id, { actor: inboxActor(s), days: q.days, note: q.note, now: s.deps.now() });
    await mcpAudit(s, { action: 'insight.snoozed', entityType: 'insight', entityId: i.id, clientId: i.clientId, before: { snoozedUntil: i.snoozedUntil?.toISOString().slice(0, 10) ?? null }, after: { snoozedUntil: r.until, note: q.note ?? null } });
    return { id: i.id, status: r.insight.status, snoozedUntil: r.until };
  },
});

export const killLink = defineTool({
  name: 'kill_link',
  title: 'Put a link or ad on the kill list',
  description: 'Mark a link or ad as killed in adbrain (member key): no more alerts or "act now" items for it; its history stays. This does not pause it on the ad platform. Already killed: nothing changes.',
  input: z.object({ entity: z.string().min(8).max(64).describe('the link or ad id (or 8+ characters of it) from list_links'), reason: z.string().max(500).optional(), client: ClientRef.optional() }).strict(),
  destructive: true,
  idempotent: true,
  async run(s, q) {
    needRole(s, 'member');
    const e = await scopedEntity(lookupScope(s), q.entity);
    if (e.kind !== 'link' && e.kind !== 'ad') throw new AppError('invalid_input', `${e.name} is a ${e.kind}: only links and ads go on the kill list`, [{ path: 'entity', message: `a ${e.kind}` }]);
    if (e.status === 'killed') return { id: e.id, name: e.name, status: e.status, unchanged: true };
    const u = await killEntity(s.deps.db.prisma, e.id, { reason: q.reason, now: s.deps.now() });
    await mcpAudit(s, { action: 'entity.kill', entityType: e.kind, entityId: e.id, clientId: e.clientId, before: { status: e.status }, after: { status: u.status, killedReason: u.killedReason } });
    return { id: u.id, name: u.name, status: u.status, unchanged: false };
  },
});
