// Budget pacing: month-to-date spend plus the forecast for the rest of the month
// against the client's monthly budget — and each ad account's own, where it has one.
import { round } from '../memory.ts';
import { sumRange, type SeriesSet } from '../series.ts';
import type { BrainSettings, EntityRef, Finding } from '../types.ts';
import { daysLeftInMonth, type EntityForecast } from './forecasts.ts';
import { windowTotals } from './performance.ts';
import { addTotals, emptyTotals, REVENUE, valueOf } from '../objective.ts';
import { countsInTotals } from '../../domain/entities.ts';

export interface Pacing {
  month: string;
  budgetCents: number;
  spentCents: number;
  projectedCents: number;
  /**
   * The 80 % range of the month's end: the forecast's range of the *sum* of the
   * days left (not the daily ranges added up), per account, added across accounts
   * (a wider range than the accounts' joint one). Null where an account has no
   * such range (a short history, or a pace without a forecast).
   */
  projectedLowCents: number | null;
  projectedHighCents: number | null;
  daysLeft: number;
  ratio: number;
  /** ROI of the last 7 days across the accounts, null without spend. */
  recentRoi: number | null;
}

const OVER = 1.05;
const UNDER = 0.85;

/** An ad account's pacing against its own budget. */
export interface AccountPacing extends Pacing {
  account: EntityRef;
}

export function pace(s: SeriesSet, settings: BrainSettings, forecasts: EntityForecast[]): Pacing | null {
  if (!settings.monthlyBudgetCents) return null;
  const accounts = new Set<string>();
  for (const e of s.byId.values()) if (e.entity.kind === 'account' && e.entity.platform !== 'shopify' && countsInTotals(e.entity)) accounts.add(e.entity.id);
  return paceOver(s, accounts, settings.monthlyBudgetCents, settings, forecasts);
}

/** Every ad account with a budget of its own, paced on its own. */
export function accountPacing(s: SeriesSet, settings: BrainSettings, forecasts: EntityForecast[]): AccountPacing[] {
  const out: AccountPacing[] = [];
  for (const e of s.byId.values()) {
    const budget = e.entity.budgetCents;
    if (e.entity.kind !== 'account' || e.entity.platform === 'shopify' || !budget || budget <= 0) continue;
    const { id, kind, externalId, name, platform } = e.entity;
    out.push({ ...paceOver(s, new Set([id]), budget, settings, forecasts), account: { id, kind, externalId, name, platform } });
  }
  return out.sort((a, b) => b.ratio - a.ratio || a.account.name.localeCompare(b.account.name));
}

function paceOver(s: SeriesSet, accountIds: Set<string>, budgetCents: number, settings: BrainSettings, forecasts: EntityForecast[]): Pacing {
  const asOf = s.asOf;
  const month = asOf.slice(0, 7);
  const day = Number(asOf.slice(8, 10));
  // The same count the spend forecasts ranged the month's rest over (forecasts.ts).
  const daysLeft = daysLeftInMonth(asOf);
  const end = s.length - 1;
  const from = end - (day - 1);
  let spent = 0;
  let dailyRate = 0;
  const recent = emptyTotals();
  for (const id of accountIds) {
    const e = s.byId.get(id)!;
    spent += sumRange(e.spendCents, from, end);
    dailyRate += sumRange(e.spendCents, end - 6, end) / 7;
    addTotals(recent, windowTotals(e, end - 6, end));
  }
  // Rest of the month: the accounts' spend forecasts where they exist, else the last week's pace.
  let rest = 0;
  let below = 0, above = 0, ranged = true;
  const covered = new Set<string>();
  for (const f of forecasts) {
    if (f.metric !== 'spendCents' || !accountIds.has(f.entityId)) continue;
    covered.add(f.entityId);
    if (f.rest && f.rest.days === daysLeft) {
      below += f.rest.below;
      above += f.rest.above;
    } else if (daysLeft > 0) ranged = false;
    let inMonth = 0;
    for (const d of f.days) {
      if (d.date.slice(0, 7) !== month) continue;
      rest += d.point;
      inMonth++;
    }
    // The forecasts reach 14 days; a month can have 30 left. The days beyond go at
    // the forecast's last week, weekday by weekday (the 15th day is like the 8th).
    for (let k = inMonth; k < daysLeft && f.days.length >= 7; k++) rest += f.days[f.days.length - 7 + ((k - f.days.length) % 7 + 7) % 7]!.point;
  }
  if (covered.size < accountIds.size) {
    let uncoveredRate = 0;
    for (const id of accountIds) if (!covered.has(id)) uncoveredRate += sumRange(s.byId.get(id)!.spendCents, end - 6, end) / 7;
    rest += uncoveredRate * daysLeft;
  }
  if (covered.size === 0) rest = dailyRate * daysLeft;
  const projected = spent + rest;
  // Past days are spent: the range is the days left's, and it never reaches below what is spent.
  const withRange = ranged && covered.size === accountIds.size && covered.size > 0;
  const low = withRange ? Math.round(Math.max(spent, projected - below)) : null;
  const high = withRange ? Math.round(projected + above) : null;
  // The recent ROI in the client's objective (leads valued at their target CPA); null when not reported.
  const v = valueOf(recent, settings.objective ?? REVENUE);
  const recentRoi = v.basisSpend > 0 ? round((v.valueCents - v.basisSpend) / v.basisSpend, 4) : null;
  return { month, budgetCents, spentCents: Math.round(spent), projectedCents: Math.round(projected), projectedLowCents: low, projectedHighCents: high, daysLeft, ratio: round(projected / budgetCents, 4), recentRoi };
}

/** The client's pacing findings, and each account's (titled with the account's name). */
export function pacingFindings(p: Pacing | null, s: SeriesSet, accounts: AccountPacing[] = []): Finding[] {
  return [...findingsOf(p, s, null), ...accounts.flatMap((a) => findingsOf(a, s, a.account))];
}

function findingsOf(p: Pacing | null, s: SeriesSet, account: EntityRef | null): Finding[] {
  if (!p) return [];
  const named = (t: string) => (account ? `${account.name}: ${t.charAt(0).toLowerCase()}${t.slice(1)}`.replace("this month's budget", "its monthly budget") : t);
  const day = Number(s.asOf.slice(8, 10));
  const facts = { month: p.month, budgetCents: p.budgetCents, spentCents: p.spentCents, projectedCents: p.projectedCents, projectedLowCents: p.projectedLowCents, projectedHighCents: p.projectedHighCents, daysLeft: p.daysLeft, ratio: p.ratio, recentRoi: p.recentRoi };
  // "18% over (80 % range: 9–27% over)": how sure the projection is, in the title's own terms.
  const share = (c: number) => Math.round((c / p.budgetCents - 1) * 100);
  const range = (word: 'over' | 'of') =>
    p.projectedLowCents === null || p.projectedHighCents === null || p.daysLeft === 0
      ? ''
      : word === 'over'
        ? ` (80 % range: ${share(p.projectedLowCents)}% to ${share(p.projectedHighCents)}% over)`
        : ` (80 % range: ${Math.round((p.projectedLowCents / p.budgetCents) * 100)}% to ${Math.round((p.projectedHighCents / p.budgetCents) * 100)}%)`;
  // What acting now can change lies in the days left, and "$ at stake" is a 7-day
  // figure: the part of the gap that falls in the next min(7, days left) days. On
  // the month's last day nothing is left to change: the finding is information.
  const over = p.daysLeft === 0;
  const weekShare = over ? 0 : Math.min(7, p.daysLeft) / p.daysLeft;
  if (p.ratio > OVER) {
    const gap = p.projectedCents - p.budgetCents;
    return [{
      type: 'budget_overspend',
      entity: account,
      severity: over ? 'low' : p.ratio > 1.25 ? 'critical' : p.ratio > 1.15 ? 'high' : 'medium',
      impactCents: Math.round(gap * weekShare),
      informational: over || undefined,
      confidence: round(Math.min(0.95, 0.4 + day / 40), 3),
      since: `${p.month}-01`,
      title: named(over
        ? `Spent ${Math.round((p.ratio - 1) * 100)}% over this month's budget`
        : `On pace to spend ${Math.round((p.ratio - 1) * 100)}% over this month's budget${range('over')}`),
      facts,
    }];
  }
  // Early in a month the projection is mostly forecast: only call underspend from the 8th.
  if (p.ratio < UNDER && day >= 8) {
    return [{
      type: 'budget_underspend',
      entity: account,
      severity: over ? 'low' : p.ratio < 0.6 ? 'high' : 'medium',
      // Budget left unspent earns nothing; spent at the recent ROI (halved for
      // diminishing returns) it would. No gain to claim when ROI is negative.
      impactCents: Math.round((p.budgetCents - p.projectedCents) * weekShare * Math.max(0, p.recentRoi ?? 0) * 0.5),
      informational: over || undefined,
      confidence: round(Math.min(0.9, 0.3 + day / 40), 3),
      since: `${p.month}-01`,
      title: named(over
        ? `Spent only ${Math.round(p.ratio * 100)}% of this month's budget`
        : `On pace to spend only ${Math.round(p.ratio * 100)}% of this month's budget${range('of')}`),
      facts,
    }];
  }
  return [];
}
