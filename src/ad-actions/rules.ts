// Rules a client opts into: "pause a link when the brain is ≥ 95 % sure it burns and
// it spent ≥ $100 since the change", "raise a winner's budget 20 %, at most once
// every 3 days". Checked after each day's brain (the `rules` step), they propose —
// or, in auto mode and with ADBRAIN_ACTIONS=auto, make — the change, within
// guardrails: a cap of rule actions per connection and day, a budget step of at
// most ±30 %, never the last ad still spending in its campaign, never on
// provisional-only evidence unless the rule allows it. A rule is replayed over the
// client's settled history (each past day judged with nothing after it visible)
// before it may run on its own.
import { z } from 'zod';
import type { Db } from '../db/client.ts';
import { AppError } from '../errors.ts';
import type { ActionRule } from '../generated/prisma/client.ts';
import { loadVerdicts, type ClientVerdicts, type VerdictClient } from '../run/verdicts.ts';
import { addDays } from '../time.ts';
import { recordAudit } from '../audit/log.ts';
import { effectiveMode, type ActionDeps } from './actions.ts';
import { decideFor, proposeFor, type Caller } from './service.ts';

export const RULE_KINDS = ['pause_burning', 'scale_winner'] as const;
/** Rule actions per connection and day, at most. */
export const RULE_DAILY_CAP = 10;
/** A replay older than this no longer allows auto mode. */
export const REPLAY_VALID_DAYS = 30;
/** Budget added by rules to one connection in a day, at most this share of its daily spend. */
export const RULE_BUDGET_SHARE = 0.3;

export const ruleInputSchema = z.object({
  name: z.string().trim().min(1).max(100),
  kind: z.enum(RULE_KINDS),
  minProbability: z.number().min(0.5, 'at least 0.5').max(0.999, 'at most 0.999'),
  minSpendCents: z.number().int().min(0).default(0),
  percent: z.number().min(-30, 'a budget step is at most −30 %').max(30, 'a budget step is at most +30 %').optional(),
  cooldownDays: z.number().int().min(1).max(30).default(3),
  allowProvisional: z.boolean().default(false),
}).strict().refine((r) => r.kind !== 'scale_winner' || (r.percent !== undefined && r.percent !== 0), { message: 'a scale_winner rule needs a budget percentage (+1 … +30, or −30 … −1)', path: ['percent'] });

export interface Fire {
  entityId: string;
  name: string;
  kind: string;
  /** The day the verdict dates from (the change), and how sure the brain is. */
  since: string;
  probability: number;
  spendSinceCents: number;
}

type RuleLike = Pick<ActionRule, 'kind' | 'minProbability' | 'minSpendCents'>;

/** The links and ads a rule fires on, given the verdicts of one day (pure). */
export function firesOn(rule: RuleLike, v: ClientVerdicts): Fire[] {
  const out: Fire[] = [];
  const want = rule.kind === 'pause_burning' ? 'burning' : 'winner';
  for (const { e, ev } of v.byId.values()) {
    const kind = e.entity.kind;
    if ((kind !== 'link' && kind !== 'ad') || ev.verdict !== want) continue;
    if (e.entity.status === 'killed') continue;
    const p = want === 'burning' ? ev.pBurn : ev.pWin;
    if (p < rule.minProbability || ev.totals.spend < Number(rule.minSpendCents)) continue;
    out.push({ entityId: e.entity.id, name: e.entity.name, kind, since: v.series.dayOf(ev.since), probability: p, spendSinceCents: Math.round(ev.totals.spend) });
  }
  return out.sort((a, b) => b.spendSinceCents - a.spendSinceCents);
}

export interface RuleRun {
  rule: string;
  proposed: number;
  executed: number;
  skipped: { entity: string; why: string }[];
  /** For each action it created: from the arrival of the entity's newest row to the action. */
  arrivalToActionMs: number[];
}

/** After the brain: every enabled rule of the client, as of `asOf`. */
export async function checkRules(d: ActionDeps, client: VerdictClient & { id: string }, asOf: string, provisional: Record<string, string> = {}): Promise<RuleRun[]> {
  const rules = await d.db.prisma.actionRule.findMany({ where: { clientId: client.id, enabled: true }, orderBy: { createdAt: 'asc' } });
  const own = await d.db.prisma.client.findUnique({ where: { id: client.id }, select: { actionsMode: true } });
  const mode = effectiveMode(d.config.actions, own?.actionsMode);
  if (rules.length === 0 || mode === 'off') return [];
  const v = await loadVerdicts(d.db.sql, client, asOf);
  const { agencyId } = await d.db.prisma.client.findUniqueOrThrow({ where: { id: client.id }, select: { agencyId: true } });
  const today = d.now.toISOString().slice(0, 10);
  const runs: RuleRun[] = [];
  for (const rule of rules) {
    const run: RuleRun = { rule: rule.name, proposed: 0, executed: 0, skipped: [], arrivalToActionMs: [] };
    // A rule's changes are audited (and announced) like a person's, as the rule.
    const caller: Caller = { by: `rule:${rule.name}`, audit: (e) => recordAudit(d.db.prisma, { kind: 'system', id: rule.id, name: `rule:${rule.name}` }, { agencyId, ...e }) };
    for (const f of firesOn(rule, v)) {
      const entity = v.entities.find((e) => e.id === f.entityId)!;
      const settling = provisional[entity.platform];
      if (!rule.allowProvisional && settling && f.since >= settling) {
        run.skipped.push({ entity: f.name, why: `its evidence since ${f.since} is all provisional (the platform may restate days from ${settling})` });
        continue;
      }
      if (rule.kind === 'pause_burning' && (await lastSpendingInCampaign(d.db, v, f.entityId, asOf))) {
        run.skipped.push({ entity: f.name, why: 'it is the last ad still spending in its campaign' });
        continue;
      }
      const recent = await d.db.prisma.adAction.count({ where: { entityId: f.entityId, kind: rule.kind === 'pause_burning' ? 'pause' : 'budget', state: { in: ['proposed', 'approved', 'executing', 'done'] }, createdAt: { gte: new Date(`${addDays(today, -(rule.cooldownDays - 1))}T00:00:00Z`) } } });
      if (recent > 0) {
        run.skipped.push({ entity: f.name, why: `acted on within the last ${rule.cooldownDays} days` });
        continue;
      }
      try {
        // The open insight the verdict raised (burning / winner of this entity): acting on it applies it.
        const insight = await d.db.prisma.insight.findFirst({ where: { clientId: client.id, entityId: f.entityId, type: rule.kind === 'pause_burning' ? 'burning' : 'winner', status: { in: ['PENDING', 'IN_PROGRESS'] } }, orderBy: { lastSeen: 'desc' }, select: { id: true } });
        const plan = { entityId: f.entityId, kind: rule.kind === 'pause_burning' ? 'pause' as const : 'budget' as const, ...(rule.kind === 'scale_winner' ? { percent: rule.percent! } : {}), insightId: insight?.id };
        const { resolveEntity } = await import('./targets.ts');
        const conn = (await resolveEntity(d.db.prisma, f.entityId)).connection.id;
        const used = await d.db.prisma.adAction.count({ where: { connectionId: conn, ruleId: { not: null }, createdAt: { gte: new Date(`${today}T00:00:00Z`) } } });
        if (used >= RULE_DAILY_CAP) {
          run.skipped.push({ entity: f.name, why: `the connection's cap of ${RULE_DAILY_CAP} rule actions a day is reached` });
          continue;
        }
        if (rule.kind === 'scale_winner' && (await budgetShareUsed(d.db, conn, today, asOf)) >= RULE_BUDGET_SHARE) {
          run.skipped.push({ entity: f.name, why: `rules already moved ${Math.round(RULE_BUDGET_SHARE * 100)} % of the account's daily spend in budgets today` });
          continue;
        }
        const { action, created } = await proposeFor(d, plan, caller);
        if (created) {
          await d.db.prisma.adAction.update({ where: { id: action.id }, data: { ruleId: rule.id } });
          run.proposed++;
          const [arrived] = await d.db.sql.query<{ at: Date | null }>('SELECT max(updated_at) AS at FROM daily_metric WHERE entity_id = $1::uuid', [f.entityId]);
          if (arrived?.at) run.arrivalToActionMs.push(Math.max(0, Date.parse(action.createdAt) - new Date(arrived.at).getTime()));
        }
        if (rule.mode === 'auto' && mode === 'auto' && action.state === 'proposed') {
          const done = await decideFor(d, action.id, 'approve', { ...caller, by: `rule:${rule.name} (auto)` });
          if (done.state === 'done') run.executed++;
        }
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        run.skipped.push({ entity: f.name, why: err.message });
      }
    }
    runs.push(run);
  }
  return runs;
}

/** The budget rules changed on a connection today, as a share of the account's daily spend (its last 7 days). */
async function budgetShareUsed(db: Db, connectionId: string, today: string, asOf: string): Promise<number> {
  const [moved] = await db.sql.query<{ s: string | null }>(
    `SELECT sum(abs(to_value::bigint - from_value::bigint))::text AS s FROM ad_action
      WHERE connection_id = $1::uuid AND rule_id IS NOT NULL AND field = 'daily_budget' AND state IN ('proposed', 'approved', 'executing', 'done') AND created_at >= $2::date`,
    [connectionId, today],
  );
  const [spend] = await db.sql.query<{ s: string | null }>(
    `SELECT sum(m.spend_cents)::text AS s FROM daily_metric m JOIN entity e ON e.id = m.entity_id JOIN connection c ON c.id = $1::uuid
      WHERE e.client_id = c.client_id AND e.platform = c.platform AND m.date > $2::date AND m.date <= $3::date`,
    [connectionId, addDays(asOf, -7), asOf],
  );
  const perDay = Number(spend?.s ?? 0) / 7;
  return perDay > 0 ? Number(moved?.s ?? 0) / perDay : 1;
}

/** Whether no other ad or link of the entity's campaign spent in the last 3 days (pausing it would stop the campaign). */
async function lastSpendingInCampaign(db: Db, v: ClientVerdicts, entityId: string, asOf: string): Promise<boolean> {
  const byId = new Map(v.entities.map((e) => [e.id, e]));
  const campaignOf = (id: string) => {
    for (let e = byId.get(id); e; e = e.parentId ? byId.get(e.parentId) : undefined) if (e.kind === 'campaign') return e.id;
    return null;
  };
  const campaign = campaignOf(entityId);
  if (!campaign) return false;
  const siblings = v.entities.filter((e) => e.id !== entityId && (e.kind === 'ad' || e.kind === 'link') && e.status !== 'killed' && campaignOf(e.id) === campaign).map((e) => e.id);
  if (siblings.length === 0) return true;
  const [row] = await db.sql.query<{ n: number }>('SELECT count(DISTINCT entity_id)::int AS n FROM daily_metric WHERE entity_id = ANY($1::uuid[]) AND date > $2::date AND date <= $3::date AND spend_cents > 0', [siblings, addDays(asOf, -3), asOf]);
  return (row?.n ?? 0) === 0;
}

export interface ReplayLine extends Fire {
  day: string;
  /** What the entity did after the day the rule would have acted (through the end of the replay). */
  spendAfterCents: number;
  profitAfterCents: number | null;
  /** Pause: the loss avoided (the profit it would not have made, negated); scale: the extra profit at the same ROI. */
  outcomeCents: number | null;
}

export interface Replay {
  rule: string;
  from: string;
  to: string;
  fires: number;
  /** Net money the rule would have saved (+) or cost (−). */
  netCents: number;
  right: number;
  wrong: number;
  lines: ReplayLine[];
}

/** The rule run over each of the last `days` settled days, nothing after a day visible to its verdicts. */
export async function replayRule(db: Db, client: VerdictClient & { id: string }, rule: RuleLike & { name: string; percent: number | null }, end: string, days: number): Promise<Replay> {
  const from = addDays(end, -(days - 1));
  const first = new Map<string, ReplayLine>();
  for (let d = from; d <= end; d = addDays(d, 1)) {
    const v = await loadVerdicts(db.sql, client, d);
    for (const f of firesOn(rule, v)) if (!first.has(f.entityId)) first.set(f.entityId, { ...f, day: d, spendAfterCents: 0, profitAfterCents: null, outcomeCents: null });
  }
  const lines = [...first.values()];
  for (const l of lines) {
    const [row] = await db.sql.query<{ spend: string | null; revenue: string | null; known: string | null }>(
      `WITH RECURSIVE under AS (SELECT id FROM entity WHERE id = $1::uuid UNION ALL SELECT e.id FROM entity e JOIN under u ON e.parent_id = u.id)
       SELECT sum(spend_cents)::text AS spend, sum(revenue_cents)::text AS revenue, sum(CASE WHEN revenue_cents IS NOT NULL THEN spend_cents END)::text AS known
         FROM daily_metric WHERE entity_id IN (SELECT id FROM under) AND date > $2::date AND date <= $3::date`,
      [l.entityId, l.day, end],
    );
    l.spendAfterCents = Number(row?.spend ?? 0);
    l.profitAfterCents = row?.revenue == null ? null : Number(row.revenue) - Number(row.known ?? 0);
    l.outcomeCents = l.profitAfterCents === null ? null : rule.kind === 'pause_burning' ? -l.profitAfterCents : Math.round(l.profitAfterCents * (rule.percent ?? 0) / 100);
  }
  const judged = lines.filter((l) => l.outcomeCents !== null);
  return {
    rule: rule.name, from, to: end, fires: lines.length,
    netCents: judged.reduce((s, l) => s + l.outcomeCents!, 0),
    right: judged.filter((l) => l.outcomeCents! > 0).length,
    wrong: judged.filter((l) => l.outcomeCents! < 0).length,
    lines: lines.sort((a, b) => a.day.localeCompare(b.day)),
  };
}

/** auto mode only after a recent replay, and never with ADBRAIN_ACTIONS other than auto in effect at run time. */
export function checkAutoAllowed(rule: Pick<ActionRule, 'replayedAt' | 'name'>, now: Date) {
  if (!rule.replayedAt) throw new AppError('conflict', `replay rule "${rule.name}" first (adbrain rules replay "${rule.name}" --client …): see what it would have done before it acts on its own`);
  if (now.getTime() - rule.replayedAt.getTime() > REPLAY_VALID_DAYS * 86_400_000) throw new AppError('conflict', `rule "${rule.name}" was last replayed more than ${REPLAY_VALID_DAYS} days ago: replay it again first`);
}
