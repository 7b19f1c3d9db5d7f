// Alert rules and the anti-spam policy, pure. Burning and winner conditions are
// the brain's own verdicts (brain/oracle/evidence.ts) — the same change point,
// probability and minimum spend as the daily insight, so the two never
// disagree; rules here add the escalation level and the client's daily-spend
// line. The policy decides, from what was seen and sent before, whether a
// condition earns an email now.

import { emptyTotals, type KnownTotals, type Objective } from '../brain/objective.ts';
import type { Evidence } from '../brain/oracle/evidence.ts';

export type AlertRule = 'burning' | 'winner' | 'budget';

export interface Thresholds {
  burnRoiBelow: number;
  burnMinSpendCents: number;
  winRoiAbove: number;
  winMinRevenueCents: number;
  dailySpendAlertCents: number | null;
}

/** Sums since the condition began (minor units); unreported results are left out with their spend. */
export type WindowTotals = KnownTotals;

export interface AlertEntity {
  id: string;
  name: string;
  kind: string;
  platform: string;
  killed: boolean;
  /** What it is judged by (default: revenue). */
  objective?: Objective;
}

export interface Condition {
  rule: AlertRule;
  /** Entity id, or "client" for client-level rules. */
  subject: string;
  entity: AlertEntity | null;
  /** 1 at the threshold; higher when the condition is markedly worse (or better, for winners). */
  level: number;
  /** ROI for burning / winner (leads: valued at the target CPA), spend in cents for budget. */
  value: number;
  /** Spend per conversion, for lead objectives. */
  cpaCents?: number | null;
  totals: WindowTotals;
  threshold: number;
  /** How sure the brain is (burning / winner), and the day the condition began. */
  probability?: number;
  since?: string;
}

/** Entities alerts watch: the leaves money is spent on. */
export const WATCHED_KINDS = new Set(['link', 'ad']);

/** One entity's verdict as the brain reached it, with the day its regime began. */
export interface Verdict {
  entity: AlertEntity;
  evidence: Evidence;
  since: string;
}

export function evaluate(verdicts: Verdict[], latestDaySpendCents: number, th: Thresholds): Condition[] {
  const out: Condition[] = [];
  for (const { entity: e, evidence: ev, since } of verdicts) {
    // Killed links never alert, whatever their numbers.
    if (e.killed || !WATCHED_KINDS.has(e.kind) || !ev.verdict) continue;
    const roi = ev.roi;
    const spend = ev.basisSpend;
    const base = { subject: e.id, entity: e, value: roi, cpaCents: ev.cpaCents, totals: ev.totals, since };
    if (ev.verdict === 'burning') {
      // Worse = more lost: level 2 at 4× the minimum spend or ROI below −80 %, 3 at 10× and −90 %.
      const level = spend > 10 * th.burnMinSpendCents && roi < -0.9 ? 3 : spend > 4 * th.burnMinSpendCents || roi < -0.8 ? 2 : 1;
      out.push({ rule: 'burning', level, threshold: ev.lines.burnRoi, probability: ev.pBurn, ...base });
    } else {
      const level = roi > 2 * th.winRoiAbove && ev.valueCents > 5 * th.winMinRevenueCents ? 2 : 1;
      out.push({ rule: 'winner', level, threshold: ev.lines.winRoi, probability: ev.pWin, ...base });
    }
  }
  if (th.dailySpendAlertCents !== null && th.dailySpendAlertCents > 0 && latestDaySpendCents > th.dailySpendAlertCents) {
    const ratio = latestDaySpendCents / th.dailySpendAlertCents;
    out.push({
      rule: 'budget',
      subject: 'client',
      entity: null,
      level: ratio > 1.5 ? 3 : ratio > 1.25 ? 2 : 1,
      value: latestDaySpendCents,
      totals: { ...emptyTotals(), spend: latestDaySpendCents },
      threshold: th.dailySpendAlertCents,
    });
  }
  return out;
}

/**
 * Ad accounts whose spend this month already passed their own monthly budget: one
 * condition each (subject = the account), worse at 110 % and 125 %.
 */
export function accountBudgetConditions(accounts: { entity: AlertEntity; spentCents: number; budgetCents: number; month: string }[]): Condition[] {
  return accounts
    .filter((a) => a.budgetCents > 0 && a.spentCents > a.budgetCents)
    .map((a) => {
      const ratio = a.spentCents / a.budgetCents;
      return { rule: 'budget' as const, subject: a.entity.id, entity: a.entity, level: ratio > 1.25 ? 3 : ratio > 1.1 ? 2 : 1, value: a.spentCents, totals: { ...emptyTotals(), spend: a.spentCents }, threshold: a.budgetCents, since: `${a.month}-01` };
    });
}

export interface AlertStateRow {
  streak: number;
  lastSeenAt: Date | null;
  lastSentAt: Date | null;
  lastLevel: number;
}

export interface Policy {
  cooldownHours: number;
  /** Only alert once two checks in a row saw the condition. */
  consecutive: boolean;
}

export type Decision =
  | { send: true; why: 'new' | 'escalated' | 'cooldown over'; streak: number }
  | { send: false; why: 'waiting for a second check' | 'in cooldown'; streak: number };

/**
 * `seenLastCheck`: the previous check saw this condition too (its state was
 * refreshed at that check); the streak counts consecutive checks.
 */
export function decide(level: number, state: AlertStateRow | null, seenLastCheck: boolean, now: Date, p: Policy): Decision {
  const streak = seenLastCheck && state ? state.streak + 1 : 1;
  if (p.consecutive && streak < 2) return { send: false, why: 'waiting for a second check', streak };
  if (!state?.lastSentAt) return { send: true, why: 'new', streak };
  const inCooldown = now.getTime() - state.lastSentAt.getTime() < p.cooldownHours * 3_600_000;
  if (!inCooldown) return { send: true, why: 'cooldown over', streak };
  if (level > state.lastLevel) return { send: true, why: 'escalated', streak };
  return { send: false, why: 'in cooldown', streak };
}
