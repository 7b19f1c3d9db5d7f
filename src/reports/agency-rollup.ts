// The agency's roll-up: every client's spend, revenue, profit and ROAS for a day,
// week or month in the agency's currency — each client day converted at that day's
// reference rate (src/fx/), rounded once per day — beside its own currency; the
// clients most at risk (burning spend, month pacing) and their open critical
// insights. A missing rate refuses the whole roll-up: nothing is guessed.
import type { Db } from '../db/client.ts';
import { loadDaily, loadEntities } from '../db/metrics-read.ts';
import { converterFor, type Converter } from '../fx/rates.ts';
import { addRow, emptySums, kpisOfSums, relativeChange, type Kpis, type Sums } from './kpis.ts';
import type { Range } from './periods.ts';
import { contributionOf, storeTotals } from './totals.ts';

export type RollupKind = 'daily' | 'weekly' | 'monthly';

export interface RollupClient {
  slug: string;
  name: string;
  currency: string;
  /** In the client's own currency. */
  own: Kpis;
  /** In the agency's currency. */
  kpis: Kpis;
  previous: Kpis;
  /** null: no data a year earlier. */
  lastYear: Kpis | null;
  /** Spend of the links and ads burning money at the period's end (agency currency), and how many. */
  burning: { spendCents: number; links: number } | null;
  /** The month's pacing at the period's end (agency currency): projected spend against the budget. */
  pacing: { budgetCents: number; projectedCents: number; ratio: number } | null;
  critical: { title: string; since: string | null }[];
  openInsights: number;
  /** Its ad accounts with a budget of their own, paced at the period's end (agency currency). */
  accounts: { name: string; platform: string; spentCents: number; budgetCents: number; projectedCents: number; ratio: number }[];
}

export interface AgencyRollup {
  agency: { slug: string; name: string; currency: string };
  kind: RollupKind;
  from: string;
  to: string;
  total: Kpis;
  previousTotal: Kpis;
  lastYearTotal: Kpis | null;
  change: { vsPrevious: Partial<Record<keyof Kpis, number | null>>; vsLastYear: Partial<Record<keyof Kpis, number | null>> | null };
  clients: RollupClient[];
  /** Each client currency's rate into the agency's at the period's end, and the day it was published. */
  rates: { currency: string; rate: number; day: string }[];
}

const convertSums = (fx: Converter, s: Sums, from: string, to: string, day: string): Sums => ({
  spend: fx.convert(s.spend, from, to, day),
  revenue: fx.convert(s.revenue, from, to, day),
  revenueSpend: fx.convert(s.revenueSpend, from, to, day),
  conversions: s.conversions,
  conversionSpend: fx.convert(s.conversionSpend, from, to, day),
});

const addInto = (a: Sums, b: Sums) => {
  a.spend += b.spend; a.revenue += b.revenue; a.revenueSpend += b.revenueSpend; a.conversions += b.conversions; a.conversionSpend += b.conversionSpend;
};

/** A client's sums per local day over the ranges, by the totals rule. */
async function daySums(db: Db, clientId: string, ranges: Range[]): Promise<Map<string, Sums>> {
  const [entities, ...rowSets] = await Promise.all([loadEntities(db.sql, clientId), ...ranges.map((r) => loadDaily(db.sql, clientId, r.from, r.to))]);
  const byId = new Map(entities.map((e) => [e.id, e]));
  const usesStore = storeTotals(entities);
  const days = new Map<string, Sums>();
  for (const rows of rowSets) {
    for (const r of rows) {
      const t = contributionOf(byId.get(r.entityId), r, usesStore);
      if (!t) continue;
      addRow(days.get(r.date) ?? days.set(r.date, emptySums()).get(r.date)!, t.spendCents, t.revenueCents, t.conversions);
    }
  }
  return days;
}

export interface RollupPeriod extends Range {
  kind: RollupKind;
  previous: Range;
  lastYear: Range;
}

export async function buildAgencyRollup(db: Db, agencyId: string, period: RollupPeriod): Promise<AgencyRollup> {
  const { kind, previous, lastYear } = period;
  const range = { from: period.from, to: period.to };
  const agency = await db.prisma.agency.findUniqueOrThrow({ where: { id: agencyId }, select: { slug: true, name: true, currency: true } });
  const clients = await db.prisma.client.findMany({ where: { agencyId }, select: { id: true, slug: true, name: true, currency: true }, orderBy: { slug: 'asc' } });
  const fx = await converterFor(db, [agency.currency, ...clients.map((c) => c.currency)], { from: lastYear.from, to: range.to });
  const out: RollupClient[] = [];
  const total = emptySums(), previousTotal = emptySums(), lastYearTotal = emptySums();
  let lastYearDays = 0;
  for (const c of clients) {
    // The period with the one before it, and the year-ago period: not the year between them.
    const days = await daySums(db, c.id, [{ from: previous.from, to: range.to }, lastYear]);
    const own = emptySums(), conv = emptySums(), prev = emptySums(), ly = emptySums();
    let lyDays = 0;
    const inside = (d: string, r: Range) => d >= r.from && d <= r.to;
    for (const [day, s] of days) {
      if (inside(day, range)) {
        addInto(own, s);
        addInto(conv, convertSums(fx, s, c.currency, agency.currency, day));
      }
      if (inside(day, previous)) addInto(prev, convertSums(fx, s, c.currency, agency.currency, day));
      if (inside(day, lastYear)) {
        addInto(ly, convertSums(fx, s, c.currency, agency.currency, day));
        lyDays++;
      }
    }
    addInto(total, conv);
    addInto(previousTotal, prev);
    addInto(lastYearTotal, ly);
    lastYearDays += lyDays;
    const run = await db.prisma.brainRun.findUnique({ where: { clientId_asOf: { clientId: c.id, asOf: new Date(`${range.to}T00:00:00Z`) } }, select: { oracle: true } });
    type Paced = { budgetCents: number; spentCents: number; projectedCents: number; ratio: number };
    const oracle = run?.oracle as { findings?: { type: string; facts: Record<string, unknown> }[]; pacing?: Paced | null; accountPacing?: (Paced & { account: { name: string; platform: string } })[] } | null;
    const burningFindings = (oracle?.findings ?? []).filter((f) => f.type === 'burning');
    const at = (cents: number) => fx.convert(cents, c.currency, agency.currency, range.to);
    const [critical, openInsights] = await Promise.all([
      db.prisma.insight.findMany({ where: { clientId: c.id, severity: 'critical', status: { in: ['PENDING', 'IN_PROGRESS'] } }, orderBy: [{ impactCents: 'desc' }, { title: 'asc' }], take: 3, select: { title: true, since: true } }),
      db.prisma.insight.count({ where: { clientId: c.id, status: { in: ['PENDING', 'IN_PROGRESS'] } } }),
    ]);
    out.push({
      slug: c.slug, name: c.name, currency: c.currency,
      own: kpisOfSums(own), kpis: kpisOfSums(conv), previous: kpisOfSums(prev), lastYear: lyDays ? kpisOfSums(ly) : null,
      burning: oracle ? { spendCents: at(burningFindings.reduce((a, f) => a + Number(f.facts.spendCents ?? 0), 0)), links: burningFindings.length } : null,
      pacing: oracle?.pacing ? { budgetCents: at(oracle.pacing.budgetCents), projectedCents: at(oracle.pacing.projectedCents), ratio: oracle.pacing.ratio } : null,
      critical: critical.map((i) => ({ title: i.title, since: i.since?.toISOString().slice(0, 10) ?? null })),
      openInsights,
      accounts: (oracle?.accountPacing ?? []).map((a) => ({ name: a.account.name, platform: a.account.platform, spentCents: at(a.spentCents), budgetCents: at(a.budgetCents), projectedCents: at(a.projectedCents), ratio: a.ratio })),
    });
  }
  const t = kpisOfSums(total), p = kpisOfSums(previousTotal), ly = lastYearDays ? kpisOfSums(lastYearTotal) : null;
  const keys: (keyof Kpis)[] = ['spendCents', 'revenueCents', 'profitCents', 'roas', 'roi', 'conversions', 'cpaCents'];
  const vs = (b: Kpis) => Object.fromEntries(keys.map((k) => [k, relativeChange(t[k], b[k])]));
  return {
    agency, kind, from: range.from, to: range.to,
    total: t, previousTotal: p, lastYearTotal: ly,
    change: { vsPrevious: vs(p), vsLastYear: ly && vs(ly) },
    clients: out.sort((a, b) => b.kpis.spendCents - a.kpis.spendCents || a.slug.localeCompare(b.slug)),
    rates: [...new Set(clients.map((c) => c.currency))].filter((cur) => cur !== agency.currency).sort().map((cur) => ({ currency: cur, ...fx.rate(cur, agency.currency, range.to) })),
  };
}

/** The clients most at risk: burning spend first, then a month running over its budget. */
export function atRisk(r: AgencyRollup): RollupClient[] {
  const score = (c: RollupClient) => (c.burning?.spendCents ?? 0) + (c.pacing && c.pacing.ratio > 1.05 ? c.pacing.projectedCents - c.pacing.budgetCents : 0);
  return r.clients.filter((c) => score(c) > 0 || c.critical.length > 0).sort((a, b) => score(b) - score(a) || b.critical.length - a.critical.length).slice(0, 5);
}
