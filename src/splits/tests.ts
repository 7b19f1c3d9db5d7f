// Split tests: create / list / show / stop, and the daily evaluation. A test compares
// two or more variants (links, ads, creatives) of one client on one metric from its
// start day. Every variant is compared with the control; a winner is called only
// when every variant has its minimum sample (default ≥ 100 clicks and ≥ 10
// conversions) and the sequential test (mSPRT, Bonferroni over the comparisons)
// says so — it stays valid though the result is read every day. A decided test
// becomes a `test_winner` insight with the effect and its 95 % interval.
import type { EntitySeries, SeriesSet } from '../brain/series.ts';
import type { Db } from '../db/client.ts';
import { findEntity } from '../domain/entities.ts';
import { emitEvent } from '../webhooks/events.ts';
import { AppError } from '../errors.ts';
import { daysBetween } from '../time.ts';
import { chanceToBeat, clicksNeeded, msprtP, ratioDiff, twoProportion, type DiffResult } from './stats.ts';

export const METRICS = ['conversion_rate', 'revenue_per_click', 'roi'] as const;
export type SplitMetric = (typeof METRICS)[number];
export const ALPHA = 0.05;

export interface NewTest {
  name: string;
  metric: SplitMetric;
  /** Entity refs (id, external id or exact name); the first is the control unless `control` names another. */
  variants: { ref: string; weight?: number; label?: string }[];
  control?: string;
  startDate: string;
  minClicks?: number;
  minConversions?: number;
  /** A tracking code whose link splits traffic between the variants (first-party campaigns, named by their codes). */
  link?: string;
}

export async function createTest(db: Db, clientId: string, t: NewTest) {
  if (!t.name.trim()) throw new AppError('invalid_input', 'name: a test needs a name', [{ path: 'body.name', message: 'required' }]);
  if (!(METRICS as readonly string[]).includes(t.metric)) throw new AppError('invalid_input', `metric: "${t.metric}" — choose from ${METRICS.join(', ')}`, [{ path: 'body.metric', message: 'unknown metric' }]);
  if (t.variants.length < 2) throw new AppError('invalid_input', 'variants: a test needs two or more variants', [{ path: 'body.variants', message: 'at least 2' }]);
  const entities = [];
  if (t.link !== undefined) await checkLink(db, clientId, t.link);
  for (const [i, v] of t.variants.entries()) {
    if (v.weight !== undefined && !(v.weight > 0)) throw new AppError('invalid_input', `variants.${i}.weight: must be above 0`, [{ path: `body.variants.${i}.weight`, message: 'must be > 0' }]);
    const campaign = await db.prisma.trackingCampaign.findUnique({ where: { clientId_code: { clientId, code: v.ref } } });
    if (t.link !== undefined && !campaign) throw new AppError('invalid_input', `variants.${i}: a test with a link splits between first-party campaigns; "${v.ref}" is not a campaign code`, [{ path: `body.variants.${i}.entity`, message: 'not a campaign code' }]);
    entities.push(campaign ? await campaignEntity(db, clientId, campaign) : await findEntity(db.prisma, clientId, v.ref));
  }
  if (new Set(entities.map((e) => e.id)).size !== entities.length) throw new AppError('invalid_input', 'variants: the same entity is named twice');
  const controlIdx = t.control ? entities.findIndex((e, i) => e.id === t.control || t.variants[i]!.ref === t.control || e.name === t.control) : 0;
  if (controlIdx < 0) throw new AppError('invalid_input', `control: "${t.control}" is not one of the variants`, [{ path: 'body.control', message: 'not a variant' }]);
  const exists = await db.prisma.splitTest.findUnique({ where: { clientId_name: { clientId, name: t.name.trim() } } });
  if (exists) throw new AppError('conflict', `a test named "${t.name.trim()}" already exists for this client`);
  return db.prisma.splitTest.create({
    data: {
      clientId, name: t.name.trim(), metric: t.metric, startDate: new Date(`${t.startDate}T00:00:00Z`),
      minClicks: t.minClicks ?? 100, minConversions: t.minConversions ?? 10, linkCode: t.link ?? null,
      variants: { create: entities.map((e, i) => ({ entityId: e.id, label: t.variants[i]!.label ?? e.name, weight: t.variants[i]!.weight ?? 1, control: i === controlIdx })) },
    },
    include: { variants: true },
  });
}

/** A split link's code: the client's own namespace of codes, so not a campaign's nor another test's. */
async function checkLink(db: Db, clientId: string, code: string) {
  if (!/^[A-Za-z0-9_-]{2,64}$/.test(code)) throw new AppError('invalid_input', 'link: letters, digits, _ and -, 2 to 64 characters', [{ path: 'body.link', message: 'bad code' }]);
  const [campaign, test] = await Promise.all([
    db.prisma.trackingCampaign.findUnique({ where: { clientId_code: { clientId, code } } }),
    db.prisma.splitTest.findFirst({ where: { clientId, linkCode: code } }),
  ]);
  if (campaign || test) throw new AppError('conflict', `link: ${code} is already the code of ${campaign ? 'a campaign' : `the test "${test!.name}"`}`, [{ path: 'body.link', message: 'taken' }]);
}

/** The brain's entity of a first-party campaign (made now if the day's roll-up has not yet). */
async function campaignEntity(db: Db, clientId: string, c: { id: string; name: string }) {
  const externalId = `tc:${c.id}`;
  const found = await db.prisma.entity.findUnique({ where: { clientId_platform_kind_externalId: { clientId, platform: 'other', kind: 'campaign', externalId } } });
  if (found) return found;
  const { rollUpTracking } = await import('../tracking/metrics.ts');
  const client = await db.prisma.client.findUniqueOrThrow({ where: { id: clientId } });
  const { localDate } = await import('../time.ts');
  const today = localDate(client.timezone, new Date());
  await rollUpTracking(db, client, today, today);
  return db.prisma.entity.findUniqueOrThrow({ where: { clientId_platform_kind_externalId: { clientId, platform: 'other', kind: 'campaign', externalId } } });
}

export async function findTest(db: Db, clientId: string, ref: string) {
  const rows = await db.prisma.splitTest.findMany({ where: { clientId }, include: { variants: true }, orderBy: { createdAt: 'asc' } });
  const hit = rows.filter((t) => t.id === ref || t.name === ref || (ref.length >= 8 && t.id.startsWith(ref)));
  if (hit.length !== 1) throw new AppError('not_found', `no split test "${ref}" for this client (adbrain tests list --client …)`);
  return hit[0]!;
}

export async function stopTest(db: Db, clientId: string, ref: string) {
  const t = await findTest(db, clientId, ref);
  if (t.status !== 'running') throw new AppError('conflict', `test "${t.name}" is already ${t.status}`);
  return db.prisma.splitTest.update({ where: { id: t.id }, data: { status: 'stopped' }, include: { variants: true } });
}

export interface VariantStats {
  entityId: string;
  label: string;
  control: boolean;
  clicks: number;
  conversions: number;
  revenueCents: number;
  spendCents: number;
  /** The metric's value. */
  value: number | null;
}

export interface Comparison {
  entityId: string;
  label: string;
  diff: number;
  lift: number | null;
  ci95: [number, number];
  /** The fixed-horizon p (shown, not used to decide). */
  p: number;
  /** The sequential always-valid p (decides). */
  sequentialP: number;
  /** Rates only. */
  chanceToBeatControl: number | null;
}

export interface Evaluation {
  asOf: string;
  days: number;
  verdict: 'winner' | 'not_enough_data' | 'no_difference_yet';
  winner: string | null;
  variants: VariantStats[];
  comparisons: Comparison[];
  /** Until decided: what is still missing, and at the current daily rate how many days that is. */
  needed: { clicks: number; conversions: number; days: number | null } | null;
  sentence: string;
}

/** The metric's daily numerator / denominator. */
const parts = (m: SplitMetric, s: EntitySeries, i: number) =>
  m === 'roi' ? { num: (s.revenueCents[i] ?? 0) - (s.spendCents[i] ?? 0), den: s.spendCents[i] ?? 0 } : { num: m === 'revenue_per_click' ? (s.revenueCents[i] ?? 0) : (s.conversions[i] ?? 0), den: s.clicks[i] ?? 0 };

const finite = (x: number) => (Number.isFinite(x) ? x : 0);

/** Pure: the test's state on the series up to asOf. */
export function evaluate(test: { metric: string; startDate: Date; minClicks: number; minConversions: number; variants: { entityId: string; label: string; control: boolean; weight: number }[] }, series: SeriesSet): Evaluation {
  const metric = test.metric as SplitMetric;
  const start = test.startDate.toISOString().slice(0, 10);
  const from = Math.max(0, daysBetween(series.start, start));
  const to = series.length - 1;
  const days = Math.max(0, to - from + 1);
  const control = test.variants.find((v) => v.control) ?? test.variants[0]!;
  const arms = test.variants.map((v) => {
    const s = series.byId.get(v.entityId);
    const st: VariantStats = { entityId: v.entityId, label: v.label, control: v.entityId === control.entityId, clicks: 0, conversions: 0, revenueCents: 0, spendCents: 0, value: null };
    const num: number[] = [], den: number[] = [];
    // Cumulative per look (day) for the sequential test.
    const looks: { n: number; x: number; num: number[]; den: number[] }[] = [];
    if (s) {
      for (let i = from; i <= to; i++) {
        st.clicks += finite(s.clicks[i]!);
        st.conversions += finite(s.conversions[i]!);
        st.revenueCents += finite(s.revenueCents[i]!);
        st.spendCents += finite(s.spendCents[i]!);
        const p = parts(metric, s, i);
        num.push(finite(p.num));
        den.push(finite(p.den));
        looks.push({ n: st.clicks, x: st.conversions, num: [...num], den: [...den] });
      }
    }
    const D = den.reduce((a, b) => a + b, 0);
    st.value = D > 0 ? num.reduce((a, b) => a + b, 0) / D : null;
    return { v, st, looks };
  });
  const c = arms.find((a) => a.st.control)!;
  const others = arms.filter((a) => !a.st.control);
  const alpha = ALPHA / Math.max(1, others.length);
  // The mixing variance: effects of about a third of the control's value are what tests look for.
  const tau2 = (Math.max(Math.abs(c.st.value ?? 0), 1e-9) * 0.3) ** 2;
  const compare = (a: typeof c, b: typeof c, k: number): DiffResult =>
    metric === 'conversion_rate'
      ? twoProportion({ n: a.looks[k]?.n ?? 0, x: a.looks[k]?.x ?? 0 }, { n: b.looks[k]?.n ?? 0, x: b.looks[k]?.x ?? 0 })
      : ratioDiff({ num: a.looks[k]?.num ?? [], den: a.looks[k]?.den ?? [] }, { num: b.looks[k]?.num ?? [], den: b.looks[k]?.den ?? [] });
  const comparisons: Comparison[] = others.map((o) => {
    const last = compare(c, o, days - 1);
    let seq = 1;
    for (let k = 0; k < days; k++) {
      const r = compare(c, o, k);
      seq = Math.min(seq, msprtP(r.diff, r.variance, tau2));
    }
    return {
      entityId: o.st.entityId, label: o.st.label, diff: last.diff, lift: last.lift, ci95: last.ci95, p: last.p, sequentialP: seq,
      chanceToBeatControl: metric === 'conversion_rate' ? chanceToBeat({ n: c.st.clicks, x: c.st.conversions }, { n: o.st.clicks, x: o.st.conversions }) : null,
    };
  });
  const variants = arms.map((a) => a.st);
  const short = variants.map((v) => ({ clicks: Math.max(0, test.minClicks - v.clicks), conversions: Math.max(0, test.minConversions - v.conversions), v }));
  const missing = { clicks: Math.max(...short.map((s) => s.clicks)), conversions: Math.max(...short.map((s) => s.conversions)) };
  const perDay = (v: VariantStats, what: 'clicks' | 'conversions') => (days > 0 ? v[what] / days : 0);
  const daysFor = (need: number, what: 'clicks' | 'conversions') =>
    Math.max(0, ...short.map((s) => (s[what] > 0 ? (perDay(s.v, what) > 0 ? Math.ceil(s[what] / perDay(s.v, what)) : Number.POSITIVE_INFINITY) : 0))) || (need > 0 ? Number.POSITIVE_INFINITY : 0);
  const base = { asOf: series.asOf, days, variants, comparisons };
  if (missing.clicks > 0 || missing.conversions > 0) {
    const d = Math.max(daysFor(missing.clicks, 'clicks'), daysFor(missing.conversions, 'conversions'));
    return { ...base, verdict: 'not_enough_data', winner: null, needed: { ...missing, days: Number.isFinite(d) ? d : null }, sentence: `Not enough data yet: ${missing.clicks ? `${missing.clicks} more clicks` : ''}${missing.clicks && missing.conversions ? ' and ' : ''}${missing.conversions ? `${missing.conversions} more conversions` : ''} on the smallest variant${Number.isFinite(d) ? ` (about ${d} more days at the current rate)` : ' (at its current rate it never gets there: it has none yet)'}.` };
  }
  const significant = comparisons.filter((x) => x.sequentialP < alpha);
  if (!significant.length) {
    // Days to the 80 %-power sample for the observed effect (a guide: the sequential test may call it sooner or later).
    const best = comparisons.reduce((a, b) => (Math.abs(b.diff) > Math.abs(a.diff) ? b : a), comparisons[0]!);
    const p = c.st.clicks > 0 ? c.st.conversions / c.st.clicks : 0;
    const need = metric === 'conversion_rate' ? clicksNeeded(p, best.diff) : Number.POSITIVE_INFINITY;
    const moreClicks = Number.isFinite(need) ? Math.max(0, need - Math.min(...variants.map((v) => v.clicks))) : null;
    const rate = Math.min(...variants.map((v) => perDay(v, 'clicks')));
    const d = moreClicks !== null && rate > 0 ? Math.ceil(moreClicks / rate) : null;
    return { ...base, verdict: 'no_difference_yet', winner: null, needed: moreClicks !== null ? { clicks: moreClicks, conversions: 0, days: d } : null, sentence: `No winner yet: the difference is not beyond chance (sequential p ${best.sequentialP.toFixed(3)} ≥ ${alpha.toFixed(3)})${d !== null ? `; at this effect about ${d} more days` : ''}.` };
  }
  // A variant beat the control: the best such; the control beat every variant: the control.
  const better = significant.filter((x) => x.diff > 0).sort((a, b) => b.diff - a.diff);
  const controlWins = significant.length === comparisons.length && significant.every((x) => x.diff < 0);
  const winner = better[0] ? better[0] : null;
  if (!winner && !controlWins) return { ...base, verdict: 'no_difference_yet', winner: null, needed: null, sentence: 'No winner yet: the control beat some variants but not all.' };
  const pct = (x: number | null) => (x === null ? '' : ` (${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %`);
  if (winner) {
    return { ...base, verdict: 'winner', winner: winner.entityId, needed: null, sentence: `${winner.label} wins${pct(winner.lift)} vs ${c.st.label}, sequential p ${winner.sequentialP.toFixed(4)}).` };
  }
  const worst = significant.reduce((a, b) => (b.sequentialP > a.sequentialP ? b : a));
  return { ...base, verdict: 'winner', winner: c.st.entityId, needed: null, sentence: `${c.st.label} (the control) wins: every variant does worse (sequential p ≤ ${worst.sequentialP.toFixed(4)}).` };
}

/** A decided test's "move the traffic" action: its winner, the weekly $ the lift is worth, the sequential test's confidence. */
export interface TrafficAction { testId: string; test: string; winnerEntityId: string; impactCents: number; confidence: number }

/** Evaluates the client's running tests on the brain's series; decided ones become insights, and actions for the ranking. */
export async function evaluateClientTests(db: Db, clientId: string, series: SeriesSet, now: Date): Promise<{ evaluated: number; decided: number; actions: TrafficAction[] }> {
  const tests = await db.prisma.splitTest.findMany({ where: { clientId, status: 'running' }, include: { variants: true } });
  let decided = 0;
  const actions: TrafficAction[] = [];
  for (const t of tests) {
    if (t.startDate.toISOString().slice(0, 10) > series.asOf) continue;
    const e = evaluate(t, series);
    if (e.verdict !== 'winner') {
      await db.prisma.splitTest.update({ where: { id: t.id }, data: { result: e as object } });
      continue;
    }
    decided++;
    const cmp = e.comparisons.find((x) => x.entityId === e.winner) ?? e.comparisons[0]!;
    const controlStats = e.variants.find((v) => v.control)!;
    // $ at stake over 7 days: the winner's lift on the control's traffic, in revenue terms.
    const weekly = (controlStats.revenueCents / Math.max(1, e.days)) * 7;
    const impact = Math.round(Math.abs(cmp.lift ?? 0) * weekly);
    await db.prisma.$transaction([
      db.prisma.splitTest.update({ where: { id: t.id }, data: { status: 'decided', winnerEntityId: e.winner, decidedAt: now, result: e as object } }),
      db.prisma.insight.upsert({
        where: { clientId_fingerprint: { clientId, fingerprint: `test_winner:${t.id}` } },
        update: {},
        create: {
          clientId, entityId: e.winner, type: 'test_winner', severity: 'medium', title: `Split test "${t.name}": ${e.sentence}`,
          body: `Move the traffic to the winner. Effect ${cmp.diff.toFixed(4)} (95 % interval ${cmp.ci95[0].toFixed(4)} to ${cmp.ci95[1].toFixed(4)}) on ${t.metric.replace(/_/g, ' ')} after ${e.days} days.`,
          payload: { testId: t.id, metric: t.metric, effect: cmp.diff, lift: cmp.lift, ci95: cmp.ci95, sequentialP: cmp.sequentialP, chanceToBeatControl: cmp.chanceToBeatControl } as object,
          impactCents: BigInt(impact), confidence: 1 - cmp.sequentialP, fingerprint: `test_winner:${t.id}`,
          since: new Date(`${series.asOf}T00:00:00Z`), firstSeen: now, lastSeen: now,
        },
      }),
    ]);
    actions.push({ testId: t.id, test: t.name, winnerEntityId: e.winner!, impactCents: impact, confidence: 1 - cmp.sequentialP });
    await emitEvent(db, { clientId, type: 'test.decided', now, data: { testId: t.id, name: t.name, metric: t.metric, winnerEntityId: e.winner, sentence: e.sentence, effect: cmp.diff, lift: cmp.lift, ci95: cmp.ci95, sequentialP: cmp.sequentialP, days: e.days } });
  }
  // Tests decided on earlier days keep their action until the test is stopped (the traffic moved) or its insight handled.
  const earlier = await db.prisma.insight.findMany({ where: { clientId, type: 'test_winner', status: { in: ['PENDING', 'IN_PROGRESS'] } } });
  for (const i of earlier) {
    const p = i.payload as { testId?: string };
    if (!p.testId || actions.some((a) => a.testId === p.testId) || !i.entityId) continue;
    const t = await db.prisma.splitTest.findUnique({ where: { id: p.testId } });
    if (t?.status !== 'decided') continue;
    actions.push({ testId: t.id, test: t.name, winnerEntityId: i.entityId, impactCents: Number(i.impactCents), confidence: i.confidence });
  }
  return { evaluated: tests.length, decided, actions };
}
