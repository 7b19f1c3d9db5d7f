// Actions on the ad platforms: a proposal with its preview (read from the
// platform: object, field, from → to, money per day affected), approval by a
// person, execution, undo. Each write is preceded by a read: the object must
// still be what the preview showed ("changed since preview" otherwise); if it
// already is what the action sets, the action is done without writing — so a
// retry after a crash between the platform's answer and our record never
// changes a budget twice. Writes set absolute values (PAUSED, 6000), never
// increments.
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import { AppError } from '../errors.ts';
import { formatMoney } from '../domain/currency.ts';
import type { AdAction } from '../generated/prisma/client.ts';
import { WriteError, type Target, type Writer } from '../sources/write-types.ts';
import { addDays } from '../time.ts';
import { budgetTargets, resolveEntity, statusTarget, type EntityNode } from './targets.ts';
import { writerFor } from './writers.ts';

export const ACTION_KINDS = ['pause', 'resume', 'budget'] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];

type Mode = 'off' | 'propose' | 'auto';
const RANK: Record<Mode, number> = { off: 0, propose: 1, auto: 2 };
/** The stricter of the deployment's ADBRAIN_ACTIONS and the client's own setting (null: the deployment's). */
export const effectiveMode = (global: Mode, client: string | null | undefined): Mode =>
  client && client in RANK && RANK[client as Mode] < RANK[global] ? (client as Mode) : global;

async function modeOf(d: ActionDeps, clientId: string): Promise<Mode> {
  const c = await d.db.prisma.client.findUnique({ where: { id: clientId }, select: { actionsMode: true } });
  return effectiveMode(d.config.actions, c?.actionsMode);
}

export interface ActionDeps {
  db: Db;
  config: Pick<Config, 'sources' | 'actions'>;
  /** Opens stored credentials. */
  key: Buffer;
  now: Date;
  /** For tests: a writer instead of the connection's. */
  writer?: Writer;
  /** For tests: a crash right after the platform answered, before adbrain records it. */
  afterWrite?: () => void;
}

export interface ProposeInput {
  entityId: string;
  kind: ActionKind;
  /** Budget: change by this percentage (−90 … +100), or set to this amount (minor units). */
  percent?: number;
  toMinor?: number;
  insightId?: string;
  by: string;
  idempotencyKey?: string;
}

const failMessage = (err: unknown) => (err instanceof WriteError || err instanceof AppError ? err.message : `unexpected: ${(err as Error).message}`);

async function writerOf(d: ActionDeps, connection: Parameters<typeof writerFor>[0], clientId: string): Promise<Writer> {
  if (d.writer) return d.writer;
  const client = await d.db.prisma.client.findUniqueOrThrow({ where: { id: clientId }, select: { currency: true } });
  return writerFor(connection, d.config, d.key, client.currency);
}

/** Average daily spend of the last 7 days under an entity (itself and what lies below it). */
async function dailySpend(d: ActionDeps, node: EntityNode): Promise<number> {
  const to = d.now.toISOString().slice(0, 10);
  const [row] = await d.db.sql.query<{ s: string | null }>(
    `WITH RECURSIVE under AS (SELECT id FROM entity WHERE id = $1::uuid UNION ALL SELECT e.id FROM entity e JOIN under u ON e.parent_id = u.id)
     SELECT sum(spend_cents)::text AS s FROM daily_metric WHERE entity_id IN (SELECT id FROM under) AND date > $2::date AND date <= $3::date`,
    [node.id, addDays(to, -8), addDays(to, -1)],
  );
  return Math.round(Number(row?.s ?? 0) / 7);
}

/** What a proposal would be, read from the platform now; nothing is stored (the email's confirmation page shows it). */
export async function planAction(d: ActionDeps, input: ProposeInput) {
  if (d.config.actions === 'off') throw new AppError('config', 'ADBRAIN_ACTIONS=off: adbrain does not change anything on the ad platforms (set it to propose)');
  const r = await resolveEntity(d.db.prisma, input.entityId);
  if ((await modeOf(d, r.asked.clientId)) === 'off') throw new AppError('conflict', 'changes on the ad platforms are off for this client (clients update --actions)');
  const writer = await writerOf(d, r.connection, r.asked.clientId);
  let node: EntityNode, target: Target, field: string, from: string, to: string, money: number;
  if (input.kind === 'budget') {
    if ((input.percent === undefined) === (input.toMinor === undefined)) throw new AppError('invalid_input', 'a budget change needs either a percentage (+20, −30) or an amount', [{ path: 'change', message: 'percent or amount' }]);
    if (input.percent !== undefined && (!Number.isFinite(input.percent) || input.percent < -90 || input.percent > 100 || input.percent === 0)) throw new AppError('invalid_input', `change: ${input.percent}% is outside −90 % … +100 % (or zero)`, [{ path: 'change', message: 'between −90 and +100, not 0' }]);
    let found: { node: EntityNode; target: Target; budget: number } | null = null;
    for (const c of budgetTargets(r)) {
      const st = await readOrFail(writer, c.target);
      if (st.dailyBudgetMinor !== null) {
        found = { ...c, budget: st.dailyBudgetMinor };
        break;
      }
    }
    if (!found) throw new AppError('invalid_input', `${r.asked.name}: neither its ad set nor its campaign has a daily budget adbrain can change (a lifetime or shared budget?)`);
    ({ node, target } = found);
    const next = input.toMinor !== undefined ? Math.round(input.toMinor) : Math.round(found.budget * (1 + input.percent! / 100));
    if (next <= 0) throw new AppError('invalid_input', 'the new budget must be more than zero', [{ path: 'change', message: 'must be > 0' }]);
    if (next === found.budget) throw new AppError('conflict', `the daily budget already is ${next}`);
    field = 'daily_budget';
    from = String(found.budget);
    to = String(next);
    money = next - found.budget;
  } else {
    ({ node, target } = statusTarget(r));
    const st = await readOrFail(writer, target);
    const want = input.kind === 'pause' ? 'PAUSED' : 'ACTIVE';
    if (st.status === want) throw new AppError('conflict', `${node.name} is already ${want.toLowerCase()} on ${r.asked.platform}`);
    if (st.status !== 'ACTIVE' && st.status !== 'PAUSED') throw new AppError('conflict', `${node.name} is ${st.rawStatus} on ${r.asked.platform}: adbrain only pauses active objects and resumes paused ones`);
    field = 'status';
    from = st.status;
    to = want;
    money = await dailySpend(d, node);
  }
  return {
    node, platform: r.asked.platform,
    data: {
      clientId: r.asked.clientId, connectionId: r.connection.id, entityId: r.asked.id, targetEntityId: node.id, insightId: input.insightId ?? null,
      kind: input.kind, level: target.level, externalId: target.id, parentExternalId: target.parentId ?? null, field, fromValue: from, toValue: to,
      moneyPerDayCents: BigInt(money), proposedBy: input.by, idempotencyKey: input.idempotencyKey ?? null,
    },
  };
}

export async function proposeAction(d: ActionDeps, input: ProposeInput): Promise<{ action: AdAction; created: boolean }> {
  if (input.idempotencyKey) {
    const same = await d.db.prisma.adAction.findUnique({ where: { idempotencyKey: input.idempotencyKey } });
    if (same) return { action: same, created: false };
  }
  const { data } = await planAction(d, input);
  // Without a named insight, the open one the brain raised about this entity (burning for a
  // pause, winner for a raise): acting on it applies it, so what it delivered is followed up.
  if (!data.insightId && (input.kind === 'pause' || (input.kind === 'budget' && Number(data.toValue) > Number(data.fromValue)))) {
    const i = await d.db.prisma.insight.findFirst({ where: { clientId: data.clientId, entityId: { in: [data.entityId, data.targetEntityId] }, type: input.kind === 'pause' ? 'burning' : 'winner', status: { in: ['PENDING', 'IN_PROGRESS'] } }, orderBy: { lastSeen: 'desc' }, select: { id: true } });
    if (i) data.insightId = i.id;
  }
  // The same change already open is the same action (a retried request, a second click,
  // the day run and an intraday check at once): the unique open key settles a race.
  const openKey = `${data.targetEntityId}|${data.field}|${data.toValue}`;
  const open = await d.db.prisma.adAction.findUnique({ where: { openKey } });
  if (open) return { action: open, created: false };
  try {
    return { action: await d.db.prisma.adAction.create({ data: { ...data, openKey } }), created: true };
  } catch (err) {
    const raced = (err as { code?: string }).code === 'P2002' ? await d.db.prisma.adAction.findUnique({ where: { openKey } }) : null;
    if (raced) return { action: raced, created: false };
    throw err;
  }
}

async function readOrFail(w: Writer, t: Target) {
  try {
    return await w.read(t);
  } catch (err) {
    if (err instanceof WriteError) throw new AppError(err.kind === 'not_found' ? 'not_found' : err.kind === 'permission' || err.kind === 'auth' ? 'forbidden' : err.kind === 'rate_limit' ? 'rate_limited' : 'provider_error', err.message);
    throw err;
  }
}

/** Moves an action from one state to another only if it is still in `from` (two approvers cannot both win). */
async function move(d: ActionDeps, id: string, from: string[], data: Parameters<Db['prisma']['adAction']['update']>[0]['data']) {
  const r = await d.db.prisma.adAction.updateMany({ where: { id, state: { in: from } }, data });
  return r.count === 1;
}

export async function approveAction(d: ActionDeps, id: string, by: string): Promise<AdAction> {
  if (d.config.actions === 'off') throw new AppError('config', 'ADBRAIN_ACTIONS=off: adbrain does not change anything on the ad platforms');
  const a = await d.db.prisma.adAction.findUniqueOrThrow({ where: { id } });
  if ((await modeOf(d, a.clientId)) === 'off') throw new AppError('conflict', 'changes on the ad platforms are off for this client (clients update --actions)');
  if (a.state === 'proposed') {
    if (!(await move(d, id, ['proposed'], { state: 'approved', approvedBy: by, approvedAt: d.now }))) return approveAction(d, id, by);
  } else if (a.state !== 'approved' && a.state !== 'executing') {
    if (a.state === 'done') return a;
    throw new AppError('conflict', `action ${id.slice(0, 8)} is ${a.state}: only a proposed action can be approved`);
  }
  return executeAction(d, id);
}

/** Runs an approved action (or finishes one a crash left executing): read, compare, write, record. */
export async function executeAction(d: ActionDeps, id: string): Promise<AdAction> {
  await move(d, id, ['approved'], { state: 'executing' });
  const a = await d.db.prisma.adAction.findUniqueOrThrow({ where: { id }, include: { connection: true } });
  if (a.state !== 'executing') return a;
  const target: Target = { level: a.level as Target['level'], id: a.externalId, ...(a.parentExternalId ? { parentId: a.parentExternalId } : {}) };
  // executedAt is when it was tried: done or failed.
  const fail = async (error: string) => d.db.prisma.adAction.update({ where: { id }, data: { state: 'failed', openKey: null, error, executedAt: d.now } });
  let answer: unknown;
  try {
    const writer = await writerOf(d, a.connection, a.clientId);
    const now = valueOf(await writer.read(target), a.field);
    if (now === a.toValue) {
      return d.db.prisma.adAction.update({ where: { id }, data: { state: 'done', openKey: null, executedAt: d.now, answer: { alreadyApplied: true, read: now } } });
    }
    if (now !== a.fromValue) return fail(`changed since preview: ${describe(a.field, now)} now, not ${describe(a.field, a.fromValue)}; nothing was written`);
    answer = a.field === 'status' ? await writer.setStatus(target, a.toValue as 'ACTIVE' | 'PAUSED') : await writer.setDailyBudget(target, Number(a.toValue));
  } catch (err) {
    return fail(failMessage(err));
  }
  // A crash here leaves the action executing; running it again reads the platform first.
  d.afterWrite?.();
  return d.db.prisma.adAction.update({ where: { id }, data: { state: 'done', openKey: null, executedAt: d.now, answer: (answer ?? {}) as object } });
}

export async function undoAction(d: ActionDeps, id: string, by: string): Promise<AdAction> {
  const a = await d.db.prisma.adAction.findUniqueOrThrow({ where: { id }, include: { connection: true } });
  if (a.state === 'undone') return a;
  if (a.state !== 'done') throw new AppError('conflict', `action ${id.slice(0, 8)} is ${a.state}: only a done action can be undone`);
  const target: Target = { level: a.level as Target['level'], id: a.externalId, ...(a.parentExternalId ? { parentId: a.parentExternalId } : {}) };
  const writer = await writerOf(d, a.connection, a.clientId);
  let now: string;
  try {
    now = valueOf(await writer.read(target), a.field);
  } catch (err) {
    throw new AppError('provider_error', failMessage(err));
  }
  if (now !== a.toValue && now !== a.fromValue) throw new AppError('conflict', `changed since adbrain's change: ${now} now, not ${a.toValue}; undo it on the platform`);
  try {
    const answer = now === a.fromValue ? { alreadyRestored: true } : a.field === 'status' ? await writer.setStatus(target, a.fromValue as 'ACTIVE' | 'PAUSED') : await writer.setDailyBudget(target, Number(a.fromValue));
    return await d.db.prisma.adAction.update({ where: { id }, data: { state: 'undone', undoneBy: by, undoneAt: d.now, answer: { ...(typeof a.answer === 'object' && a.answer ? a.answer : {}), undo: (answer ?? {}) as object } } });
  } catch (err) {
    throw new AppError('provider_error', `undo failed: ${failMessage(err)}`);
  }
}

export async function cancelAction(d: ActionDeps, id: string): Promise<AdAction> {
  if (!(await move(d, id, ['proposed', 'approved'], { state: 'cancelled', openKey: null }))) {
    const a = await d.db.prisma.adAction.findUniqueOrThrow({ where: { id } });
    if (a.state !== 'cancelled') throw new AppError('conflict', `action ${id.slice(0, 8)} is ${a.state}: only a proposed or approved action can be cancelled`);
  }
  return d.db.prisma.adAction.findUniqueOrThrow({ where: { id } });
}

const valueOf = (st: { status: string; dailyBudgetMinor: number | null }, field: string) => (field === 'status' ? st.status : String(st.dailyBudgetMinor ?? 'none'));
const describe = (field: string, v: string) => (field === 'status' ? v.toLowerCase() : `a daily budget of ${v} (minor units)`);

/** An action as the API, CLI and MCP show it (money formatted in the client's currency). */
export function actionOut(a: AdAction, currency: string, names: { entity?: string; target?: string } = {}) {
  const money = (v: string) => (/^\d+$/.test(v) ? formatMoney(Number(v), currency) : v);
  return {
    id: a.id, clientId: a.clientId, state: a.state, kind: a.kind,
    entity: { id: a.entityId, name: names.entity ?? null },
    object: { level: a.level, id: a.externalId, entityId: a.targetEntityId, name: names.target ?? null },
    field: a.field,
    from: a.field === 'daily_budget' ? money(a.fromValue) : a.fromValue,
    to: a.field === 'daily_budget' ? money(a.toValue) : a.toValue,
    moneyPerDay: a.moneyPerDayCents === null ? null : formatMoney(Number(a.moneyPerDayCents), currency),
    insightId: a.insightId, proposedBy: a.proposedBy, approvedBy: a.approvedBy, approvedAt: a.approvedAt?.toISOString() ?? null,
    executedAt: a.executedAt?.toISOString() ?? null, undoneAt: a.undoneAt?.toISOString() ?? null, undoneBy: a.undoneBy,
    error: a.error, answer: a.answer, createdAt: a.createdAt.toISOString(),
  };
}
