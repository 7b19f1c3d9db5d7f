// Alert rules and the anti-spam policy, pure. A rule turns the check window's
// totals into conditions with an escalation level; the policy decides, from what
// was seen and sent before, whether a condition earns an email now.

import { burnThreshold, emptyTotals, judge, REVENUE, type KnownTotals, type Objective } from '../brain/objective.ts';

export type AlertRule = 'burning' | 'winner' | 'budget';

export interface Thresholds {
  burnRoiBelow: number;
  burnMinSpendCents: number;
  winRoiAbove: number;
  winMinRevenueCents: number;
  dailySpendAlertCents: number | null;
}

/** The check window's sums per entity (minor units); unreported results are left out with their spend. */
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
}

/** Entities alerts watch: the leaves money is spent on. */
export const WATCHED_KINDS = new Set(['link', 'ad']);


export function evaluate(
  entities: AlertEntity[],
  totals: Map<string, WindowTotals>,
  latestDaySpendCents: number,
  th: Thresholds,
): Condition[] {
  const out: Condition[] = [];
  for (const e of entities) {
    // Killed links never alert, whatever their numbers.
    if (e.killed || !WATCHED_KINDS.has(e.kind)) continue;
    const t = totals.get(e.id);
    if (!t) continue;
    // The inbox's rules: the entity's objective, and unreported results never judged.
    const o = e.objective ?? REVENUE;
    const j = judge(t, o, th);
    if (j.roi === null) continue;
    const roi = j.roi;
    const spend = j.basisSpend;
    if (j.verdict === 'burning') {
      // Worse = more lost: level 2 at 4× the minimum spend or ROI below −80 %, 3 at 10× and −90 %.
      const level = spend > 10 * th.burnMinSpendCents && roi < -0.9 ? 3 : spend > 4 * th.burnMinSpendCents || roi < -0.8 ? 2 : 1;
      out.push({ rule: 'burning', subject: e.id, entity: e, level, value: roi, cpaCents: j.cpaCents, totals: t, threshold: burnThreshold(o, th) });
    } else if (j.verdict === 'winner') {
      const level = roi > 2 * th.winRoiAbove && j.valueCents > 5 * th.winMinRevenueCents ? 2 : 1;
      out.push({ rule: 'winner', subject: e.id, entity: e, level, value: roi, cpaCents: j.cpaCents, totals: t, threshold: th.winRoiAbove });
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
