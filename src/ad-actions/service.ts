// The one path every surface takes (REST, CLI, MCP, later email links and rules):
// propose, approve / undo / cancel, list — each change audited, each answer the
// same shape (actionOut) with the entities' names.
import type { AuditEntry } from '../audit/log.ts';
import type { Db } from '../db/client.ts';
import type { AdAction } from '../generated/prisma/client.ts';
import { emitEvent } from '../webhooks/events.ts';
import { actionOut, approveAction, cancelAction, proposeAction, undoAction, type ActionDeps, type ProposeInput } from './actions.ts';

export interface Caller {
  /** Who, as the action records it ("api-key:…", "cli:ann", "mcp:…"). */
  by: string;
  audit: (e: AuditEntry) => Promise<void>;
}

export type ActionView = ReturnType<typeof actionOut>;

async function view(db: Db, a: AdAction): Promise<ActionView> {
  const [client, entities] = await Promise.all([
    db.prisma.client.findUniqueOrThrow({ where: { id: a.clientId }, select: { currency: true } }),
    db.prisma.entity.findMany({ where: { id: { in: [a.entityId, a.targetEntityId] } }, select: { id: true, name: true } }),
  ]);
  const name = (id: string) => entities.find((e) => e.id === id)?.name;
  return actionOut(a, client.currency, { entity: name(a.entityId), target: name(a.targetEntityId) });
}

const auditOf = (a: AdAction) => ({ state: a.state, field: a.field, from: a.fromValue, to: a.toValue, object: `${a.level} ${a.externalId}`, error: a.error });

export async function proposeFor(d: ActionDeps, input: Omit<ProposeInput, 'by'>, caller: Caller): Promise<{ action: ActionView; created: boolean }> {
  const r = await proposeAction(d, { ...input, by: caller.by });
  if (r.created) await caller.audit({ action: 'ad_action.propose', entityType: 'ad_action', entityId: r.action.id, clientId: r.action.clientId, after: auditOf(r.action) });
  return { action: await view(d.db, r.action), created: r.created };
}

export async function decideFor(d: ActionDeps, id: string, what: 'approve' | 'undo' | 'cancel', caller: Caller): Promise<ActionView> {
  const before = await d.db.prisma.adAction.findUniqueOrThrow({ where: { id } });
  const after = what === 'approve' ? await approveAction(d, id, caller.by) : what === 'undo' ? await undoAction(d, id, caller.by) : await cancelAction(d, id);
  if (after.state !== before.state) await caller.audit({ action: `ad_action.${what}`, entityType: 'ad_action', entityId: id, clientId: after.clientId, before: auditOf(before), after: auditOf(after) });
  const v = await view(d.db, after);
  // Done on the platform is the insight's suggestion applied: the realised-impact follow-up
  // (actual against the forecast stored now) then ranks the action by what it delivered.
  if (what === 'approve' && after.state === 'done' && before.state !== 'done' && after.insightId) {
    const { transition } = await import('../insights/inbox.ts');
    const i = await d.db.prisma.insight.findUnique({ where: { id: after.insightId }, select: { status: true } });
    if (i && (i.status === 'PENDING' || i.status === 'IN_PROGRESS')) {
      await transition(d.db.prisma, after.insightId, 'apply', { actor: caller.by, note: sentenceOf(v), now: d.now });
      await caller.audit({ action: 'insight.status_changed', entityType: 'insight', entityId: after.insightId, clientId: after.clientId, before: { status: i.status }, after: { status: 'APPLIED', note: `through action ${id.slice(0, 8)}` } });
    }
  }
  // Every change made on a platform (or failed there) is announced to the agency's webhooks.
  if (after.state !== before.state && (after.state === 'done' || after.state === 'failed' || after.state === 'undone')) {
    await emitEvent(d.db, { clientId: after.clientId, type: after.state === 'undone' ? 'action.undone' : 'action.executed', now: d.now, data: { actionId: id, state: after.state, kind: v.kind, object: v.object, field: v.field, from: v.from, to: v.to, moneyPerDay: v.moneyPerDay, by: after.state === 'undone' ? after.undoneBy : after.approvedBy, error: after.error, sentence: sentenceOf(v) } });
  }
  return v;
}

export async function listFor(db: Db, clientId: string, o: { state?: string; limit?: number } = {}): Promise<ActionView[]> {
  const rows = await db.prisma.adAction.findMany({ where: { clientId, ...(o.state ? { state: o.state } : {}) }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: o.limit ?? 100 });
  return Promise.all(rows.map((a) => view(db, a)));
}

export const viewAction = view;

/** One line a person reads (Slack, the report): what was done to what, and how to take it back. */
export function sentenceOf(a: ActionView): string {
  const what = `${a.object.level} ${a.object.name ?? a.object.id}`;
  if (a.state === 'failed') return `could not ${a.kind === 'budget' ? 'change the budget of' : a.kind} ${what}: ${a.error}`;
  const did = a.state === 'undone' ? `undid: ${a.field} of ${what} is ${a.from} again` : a.kind === 'budget' ? `daily budget of ${what}: ${a.from} → ${a.to}` : `${a.kind === 'pause' ? 'paused' : 'resumed'} ${what}${a.moneyPerDay ? ` (about ${a.moneyPerDay}/day)` : ''}`;
  return a.state === 'undone' ? did : `${did}; undo: adbrain actions undo ${a.id.slice(0, 8)}`;
}
