// The demo agency's simulator: three clients with ~150 days of daily metrics
// shaped like real accounts (weekly seasonality, growth, noise, launches) and
// injected events — creative fatigue, spikes and drops, a burning link, a winner,
// a budget overrun — recorded as ground truth for the brain's detection tests.
// Seeded and deterministic: same seed and end date, same data.
import { addEntity, entityKey, newBatch, type EntitySpec, type WriteBatch } from '../ingest/batch.ts';
import type { Platform } from '../generated/prisma/enums.ts';
import { parseCampaignName } from '../import/campaign-name.ts';
import { addDays, weekday } from '../time.ts';
import { Rng } from './random.ts';

export type GroundTruthType =
  | 'launch'
  | 'creative_fatigue'
  | 'anomaly_spike'
  | 'anomaly_drop'
  | 'burning'
  | 'winner'
  | 'budget_overspend';

export interface GroundTruthEvent {
  client: string;
  type: GroundTruthType;
  entity?: { platform: Platform; kind: string; externalId: string; name: string };
  metric?: string;
  start: string;
  end?: string;
  factor?: number;
  note: string;
}

export interface SimClient {
  slug: string;
  name: string;
  timezone: string;
  currency: string;
  monthlyBudgetCents: number;
  recipients: string[];
  batch: WriteBatch;
  /** Its last simulated day. */
  endDate: string;
  /** What the client buys (default: revenue). */
  objective?: { kind: 'leads'; targetCpaCents: number };
}

export interface Simulation {
  seed: number;
  startDate: string;
  endDate: string;
  clients: SimClient[];
  groundTruth: GroundTruthEvent[];
}

interface Leaf {
  key: string;
  entity: EntitySpec;
  launch: number;
  baseSpendCents: number;
  growth: number;
  cpmCents: number;
  ctr: number;
  cvr: number;
  valueCents: number;
  valueSigma: number;
  audience: number;
  fatigueAt?: number;
  burningAt?: number;
  /** The conversion rate's share of normal once burning (default 0.12). */
  burnFactor?: number;
  winningAt?: { day: number; factor: number };
  shocks: { day: number; metric: 'spend' | 'conversions' | 'revenue'; factor: number }[];
}

const SPEND_WEEKLY = [1.0, 1.03, 1.04, 1.02, 0.97, 0.92, 0.95];
const CONV_WEEKLY = [1.02, 1.05, 1.04, 1.0, 0.96, 0.93, 0.99];

export interface SimOptions {
  seed?: number;
  /** The last simulated day of every client, or per client from its timezone (its last complete day). */
  endDate: string | ((timezone: string) => string);
  days?: number;
}

/** The demo clients' timezones: each client's data ends on its own last complete day. */
export const DEMO_TIMEZONES = { 'demo-affiliate': 'America/Los_Angeles', 'demo-shop': 'Europe/Berlin', 'demo-leads': 'America/Chicago' } as const;

export function simulateDemo(opts: SimOptions): Simulation {
  const seed = opts.seed ?? 42;
  const days = opts.days ?? 150;
  const rng = new Rng(seed);
  const groundTruth: GroundTruthEvent[] = [];
  const ctxFor = (slug: keyof typeof DEMO_TIMEZONES): Ctx => {
    const end = typeof opts.endDate === 'string' ? opts.endDate : opts.endDate(DEMO_TIMEZONES[slug]);
    return { rng, days, startDate: addDays(end, -(days - 1)), groundTruth };
  };
  const clients = [affiliate(ctxFor('demo-affiliate')), ecommerce(ctxFor('demo-shop')), leadgen(ctxFor('demo-leads'))];
  const ends = clients.map((c) => c.endDate).sort();
  return { seed, startDate: addDays(ends[0]!, -(days - 1)), endDate: ends.at(-1)!, clients, groundTruth };
}

interface Ctx {
  rng: Rng;
  days: number;
  startDate: string;
  groundTruth: GroundTruthEvent[];
}

/** Builds a leaf's economics from a target ROAS so the numbers stay coherent. */
function leaf(
  ctx: Ctx,
  batch: WriteBatch,
  key: string,
  o: { spend: number; roas: number; value: number; valueSigma?: number; launch?: number; cpm?: number; ctr?: number },
): Leaf {
  const { rng } = ctx;
  const cpmCents = Math.round((o.cpm ?? rng.uniform(6, 11)) * 100);
  const ctr = o.ctr ?? rng.uniform(0.009, 0.02);
  const valueCents = Math.round(o.value * 100);
  // revenue/spend = (1000/cpm) × ctr × cvr × value  →  solve for cvr.
  const cvr = o.roas / ((100_000 / cpmCents) * ctr * (valueCents / 100));
  return {
    key,
    entity: batch.entities.get(key)!,
    launch: o.launch ?? 0,
    baseSpendCents: Math.round(o.spend * 100),
    growth: rng.uniform(-0.001, 0.003),
    cpmCents,
    ctr,
    cvr,
    valueCents,
    valueSigma: o.valueSigma ?? 0,
    audience: rng.uniform(150_000, 600_000),
    shocks: [],
  };
}

function simulateLeaves(ctx: Ctx, batch: WriteBatch, leaves: Leaf[]) {
  const { rng, days, startDate } = ctx;
  for (const l of leaves) {
    const window: number[] = [];
    for (let t = l.launch; t < days; t++) {
      const date = addDays(startDate, t);
      const wd = weekday(date);
      const age = t - l.launch;
      const ramp = Math.min(1, (age + 1) / 4);
      let spend = l.baseSpendCents * ramp * Math.pow(1 + l.growth, age) * SPEND_WEEKLY[wd]! * rng.lognormal(0.12);
      let ctrMult = 1;
      let cpmMult = 1;
      if (l.fatigueAt !== undefined && t >= l.fatigueAt) {
        const d = t - l.fatigueAt;
        ctrMult = Math.max(0.6, Math.exp(-0.07 * d));
        cpmMult = 1 + Math.min(0.25, 0.02 * d);
      }
      const shock = l.shocks.find((s) => s.day === t);
      if (shock?.metric === 'spend') spend *= shock.factor;
      const cpm = l.cpmCents * cpmMult * rng.lognormal(0.07);
      const impressions = Math.max(0, Math.round((spend / cpm) * 1000));
      window.push(impressions);
      if (window.length > 7) window.shift();
      const recent = window.reduce((a, b) => a + b, 0);
      const frequency = 1 + (1.5 * recent) / l.audience + (l.fatigueAt !== undefined && t >= l.fatigueAt ? 0.05 * (t - l.fatigueAt) : 0);
      const clicks = rng.poisson(impressions * l.ctr * ctrMult * rng.lognormal(0.06));
      let cvr = l.cvr * CONV_WEEKLY[wd]!;
      if (l.burningAt !== undefined && t >= l.burningAt) cvr *= l.burnFactor ?? 0.12;
      if (l.winningAt !== undefined && t >= l.winningAt.day) cvr *= l.winningAt.factor;
      let conversions = rng.poisson(clicks * cvr);
      let revenue = 0;
      for (let i = 0; i < conversions; i++) revenue += l.valueCents * (l.valueSigma ? rng.lognormal(l.valueSigma) : 1);
      if (shock?.metric === 'conversions') {
        conversions = Math.round(conversions * shock.factor);
        revenue *= shock.factor;
      }
      if (shock?.metric === 'revenue') revenue *= shock.factor;
      batch.metrics.push({
        entityKey: l.key,
        date,
        spendCents: Math.round(spend),
        impressions,
        clicks,
        conversions,
        revenueCents: Math.round(revenue),
        reach: Math.round(impressions / frequency),
        frequency: Math.round(frequency * 100) / 100,
      });
    }
  }
}

const ref = (e: EntitySpec) => ({ platform: e.platform, kind: e.kind, externalId: e.externalId, name: e.name });

function note(ctx: Ctx, client: string, type: GroundTruthType, l: Leaf, day: number, extra: Partial<GroundTruthEvent>) {
  ctx.groundTruth.push({ client, type, entity: ref(l.entity), start: addDays(ctx.startDate, day), note: '', ...extra });
}

function path(batch: WriteBatch, platform: Platform, nodes: [EntitySpec['kind'], string, string][]): string {
  let parentKey: string | undefined;
  for (const [kind, externalId, name] of nodes) {
    const attributes = kind === 'campaign' ? campaignAttributes(name) : undefined;
    parentKey = addEntity(batch, { platform, kind, externalId, name, parentKey, attributes });
  }
  return parentKey!;
}

function campaignAttributes(name: string) {
  const parts = parseCampaignName(name);
  return Object.keys(parts).length ? { ...parts } : undefined;
}

// ---- client 1: affiliate on TikTok + Meta with links, offers and spark codes ----

function affiliate(ctx: Ctx): SimClient {
  const slug = 'demo-affiliate';
  const { rng, days } = ctx;
  const batch = newBatch();
  const offers = { ApplePay: 32, CashApp: 28, Venmo: 24, PayPal: 40 } as const;
  const tiktok: [keyof typeof offers, string, number][] = [
    ['ApplePay', '1639', 5], ['CashApp', '1639', 7], ['Venmo', '1639', 3], ['PayPal', '1639', 9],
    ['CashApp', '3175', 12], ['ApplePay', '3175', 14], ['PayPal', '3175', 2],
  ];
  const leaves: Leaf[] = [];
  for (const [offer, acct, sc] of tiktok) {
    const campaign = `${offer}-${acct}-SC${sc}-tiktok`;
    for (let k = 1; k <= 2; k++) {
      const link = `https://trk.lumen.example/${offer.toLowerCase()}/${acct}-sc${sc}-${k}`;
      const key = path(batch, 'tiktok', [
        ['account', acct, `TikTok ${acct}`],
        ['campaign', `tt-${acct}-${offer}-sc${sc}`, campaign],
        ['adset', `tt-${acct}-${offer}-sc${sc}-ag`, `${offer} broad 18-44`],
        ['ad', `tt-${acct}-${offer}-sc${sc}-ad${k}`, `${offer} spark hook ${k}`],
        ['link', link, link],
      ]);
      addEntity(batch, { platform: 'tiktok', kind: 'offer', externalId: offer.toLowerCase(), name: offer });
      addEntity(batch, { platform: 'tiktok', kind: 'spark_code', externalId: `${acct}-SC${sc}`, name: `${acct}-SC${sc}` });
      leaves.push(leaf(ctx, batch, key, { spend: rng.uniform(45, 140), roas: rng.uniform(1.3, 1.7), value: offers[offer], launch: rng.int(0, 20) }));
    }
  }
  for (const offer of ['ApplePay', 'CashApp'] as const) {
    const campaign = `${offer}-5521-facebook`;
    const link = `https://trk.lumen.example/${offer.toLowerCase()}/meta-5521`;
    const key = path(batch, 'meta', [
      ['account', 'act_5521', 'Lumen Meta'],
      ['campaign', `fb-5521-${offer}`, campaign],
      ['adset', `fb-5521-${offer}-as`, `${offer} US 25-54`],
      ['ad', `fb-5521-${offer}-ad`, `${offer} testimonial`],
      ['link', link, link],
    ]);
    addEntity(batch, { platform: 'meta', kind: 'offer', externalId: offer.toLowerCase(), name: offer });
    leaves.push(leaf(ctx, batch, key, { spend: rng.uniform(60, 120), roas: rng.uniform(1.3, 1.6), value: offers[offer] }));
  }
  // A burning link: the offer stops converting (a stray postback now and then)
  // while spend keeps flowing. At 12 % of normal its last day swung the verdict
  // on 2 weekdays in 7; the demo shows the case plainly on every calendar day.
  const burning = leaves[2]!;
  burning.baseSpendCents = 9_500;
  burning.burningAt = days - 9;
  burning.burnFactor = 0.05;
  note(ctx, slug, 'burning', burning, burning.burningAt, { note: 'conversion rate collapses to 5 % of normal; ROI ≈ −90 %' });
  // A winner: a link whose offer pays far above its cost.
  const winner = leaves[9]!;
  Object.assign(winner, { cvr: winner.cvr * 2.7, baseSpendCents: 11_000 });
  note(ctx, slug, 'winner', winner, winner.launch, { note: 'ROAS ≈ 3.6 for its whole life' });
  addFatigue(ctx, slug, leaves[4]!, days - 30);
  addFatigue(ctx, slug, leaves[11]!, days - 45);
  addShock(ctx, slug, leaves[6]!, days - 20, 'spend', 3.2);
  addShock(ctx, slug, leaves[13]!, days - 12, 'conversions', 0.1);
  simulateLeaves(ctx, batch, leaves);
  return finish(ctx, slug, 'Lumen Affiliates', 'America/Los_Angeles', 'USD', batch, 1.05, ['media@lumen.example']);
}

// ---- client 2: e-commerce on Meta + Google with Shopify revenue -----------------

function ecommerce(ctx: Ctx): SimClient {
  const slug = 'demo-shop';
  const { rng, days } = ctx;
  const batch = newBatch();
  const leaves: Leaf[] = [];
  const meta: [string, string, string[]][] = [
    ['Prospecting - Broad', 'Broad 25-54', ['UGC Jacket v1', 'UGC Jacket v2', 'Static Sale 20%']],
    ['Prospecting - Lookalike 2%', 'LAL purchasers 2%', ['Carousel Bestsellers', 'Founder story']],
    ['Retargeting - 7d', 'Viewed product 7d', ['DPA catalog', 'Reviews 4.8★']],
  ];
  meta.forEach(([campaign, adset, ads], ci) => {
    ads.forEach((ad, ai) => {
      const key = path(batch, 'meta', [
        ['account', 'act_8841', 'Northwind Meta'],
        ['campaign', `fb-8841-c${ci}`, campaign],
        ['adset', `fb-8841-c${ci}-as`, adset],
        ['ad', `fb-8841-c${ci}-ad${ai}`, ad],
      ]);
      const roas = ci === 2 ? rng.uniform(1.8, 2.0) : rng.uniform(1.5, 1.9);
      leaves.push(leaf(ctx, batch, key, { spend: rng.uniform(60, 220), roas, value: 85, valueSigma: 0.3, launch: rng.int(0, 30) }));
    });
  });
  const google: [string, number][] = [['Search - Brand', 2.0], ['Search - Generic', 1.6], ['PMax - All products', 1.8]];
  google.forEach(([campaign, roas], i) => {
    const key = path(batch, 'google', [
      ['account', '123-456-7890', 'Northwind Google Ads'],
      ['campaign', `g-${i}`, campaign],
    ]);
    leaves.push(leaf(ctx, batch, key, { spend: rng.uniform(80, 260), roas, value: 85, valueSigma: 0.3, cpm: rng.uniform(15, 30), ctr: rng.uniform(0.03, 0.06) }));
  });
  addFatigue(ctx, slug, leaves[0]!, days - 35);
  addShock(ctx, slug, leaves[3]!, days - 15, 'revenue', 0.15);
  addShock(ctx, slug, leaves[8]!, days - 25, 'spend', 2.8);
  simulateLeaves(ctx, batch, leaves);

  // Shopify: the store's own orders — most come from ads, some are organic.
  const storeKey = path(batch, 'shopify', [['account', 'northwind.myshopify.com', 'Northwind store']]);
  const adByDay = new Map<string, { conv: number; rev: number }>();
  for (const m of batch.metrics) {
    const d = adByDay.get(m.date) ?? { conv: 0, rev: 0 };
    d.conv += m.conversions ?? 0;
    d.rev += m.revenueCents ?? 0;
    adByDay.set(m.date, d);
  }
  for (let t = 0; t < days; t++) {
    const date = addDays(ctx.startDate, t);
    const ads = adByDay.get(date) ?? { conv: 0, rev: 0 };
    const organic = rng.poisson(6 * CONV_WEEKLY[weekday(date)]!);
    let rev = ads.rev * 0.82;
    for (let i = 0; i < organic; i++) rev += 8500 * rng.lognormal(0.3);
    batch.metrics.push({
      entityKey: storeKey, date, spendCents: 0, impressions: 0, clicks: 0,
      conversions: Math.round(ads.conv * 0.82) + organic, revenueCents: Math.round(rev), reach: null, frequency: null,
    });
  }
  // Spend runs ahead of a budget set below the month's pace: an overrun.
  return finish(ctx, slug, 'Northwind Outfitters', 'Europe/Berlin', 'EUR', batch, 0.8, ['growth@northwind.example'], true);
}

// ---- client 3: lead generation on Google + Meta ---------------------------------

function leadgen(ctx: Ctx): SimClient {
  const slug = 'demo-leads';
  const { rng, days } = ctx;
  const batch = newBatch();
  const leaves: Leaf[] = [];
  ['Search - Roof repair', 'Search - Gutter cleaning', 'Search - Storm damage'].forEach((campaign, i) => {
    const key = path(batch, 'google', [
      ['account', '987-654-3210', 'Brightpath Google Ads'],
      ['campaign', `g-bp-${i}`, campaign],
    ]);
    const launch = i === 2 ? days - 50 : 0;
    leaves.push(leaf(ctx, batch, key, { spend: rng.uniform(90, 200), roas: rng.uniform(1.4, 2.2), value: 60, cpm: rng.uniform(20, 40), ctr: rng.uniform(0.04, 0.07), launch }));
  });
  [['Homeowners 35-65', ['Before/after video', 'Free inspection form']], ['Recent movers', ['Checklist carousel']]].forEach(
    ([adset, ads], si) => {
      (ads as string[]).forEach((ad, ai) => {
        const key = path(batch, 'meta', [
          ['account', 'act_3302', 'Brightpath Meta'],
          ['campaign', 'fb-bp-leads', 'Lead form - Homeowners'],
          ['adset', `fb-bp-as${si}`, adset as string],
          ['ad', `fb-bp-as${si}-ad${ai}`, ad],
        ]);
        leaves.push(leaf(ctx, batch, key, { spend: rng.uniform(40, 110), roas: rng.uniform(1.4, 1.9), value: 60 }));
      });
    },
  );
  const launched = leaves[2]!;
  note(ctx, slug, 'launch', launched, launched.launch, { note: 'new campaign goes live' });
  addShock(ctx, slug, leaves[0]!, days - 8, 'spend', 3.5);
  addShock(ctx, slug, leaves[4]!, days - 18, 'conversions', 0.05);
  addFatigue(ctx, slug, leaves[3]!, days - 28);
  simulateLeaves(ctx, batch, leaves);
  // Lead forms report leads, not revenue: unknown, and the client is judged by
  // CPA against its target ($40; the simulated leads cost about $27–43).
  for (const m of batch.metrics) m.revenueCents = null;
  return { ...finish(ctx, slug, 'Brightpath Leads', 'America/Chicago', 'USD', batch, 1.05, ['ops@brightpath.example']), objective: { kind: 'leads', targetCpaCents: 4_000 } };
}

function addFatigue(ctx: Ctx, client: string, l: Leaf, day: number) {
  l.fatigueAt = day;
  // Fatigue is staged on a healthy, well-funded creative (ROAS 1.8, ≈ 150 clicks a
  // day), so its decline reads as fatigue and its ROI stays clear of "burning".
  l.cvr *= 1.8 / ((100_000 / l.cpmCents) * l.ctr * l.cvr * (l.valueCents / 100));
  l.baseSpendCents = Math.max(l.baseSpendCents, Math.round((150 * l.cpmCents) / (1000 * l.ctr)));
  note(ctx, client, 'creative_fatigue', l, day, { metric: 'ctr', note: 'CTR decays ~7 %/day from here (floor 60 %), CPM and frequency rise' });
}

/**
 * A lasting change of an ad's economics from `day` on: the offer stops converting
 * (burning: conversion rate to 12 %, ROI ≈ −80 %) or starts paying far above its
 * cost (winner: ROAS 4.5–5.5). Staged on an ordinary ad (ROAS 1.3–1.8).
 */
function addChange(ctx: Ctx, client: string, l: Leaf, day: number, type: 'burning' | 'winner') {
  const roas = (100_000 / l.cpmCents) * l.ctr * l.cvr * (l.valueCents / 100);
  const before = ctx.rng.uniform(1.3, 1.8);
  l.cvr *= before / roas;
  // Staged where money is at stake: 6–14 conversions a day before the change
  // ($150–400 a day). Smaller links take longer to call — a day's evidence grows
  // with its conversions (bench:detection prints the lag by volume).
  l.baseSpendCents = Math.max(l.baseSpendCents, Math.round((ctx.rng.uniform(6, 14) * l.valueCents) / before));
  if (type === 'burning') l.burningAt = day;
  else l.winningAt = { day, factor: ctx.rng.uniform(4.5, 5.5) / before };
  const what = type === 'burning' ? 'conversion rate collapses to 12 % of normal' : 'conversion rate rises: ROAS 4.5–5.5';
  note(ctx, client, type, l, day, { metric: 'conversions', note: `${what} from this day on` });
}

function addShock(ctx: Ctx, client: string, l: Leaf, day: number, metric: 'spend' | 'conversions' | 'revenue', factor: number) {
  l.shocks.push({ day, metric, factor });
  // A one-day drop in a handful of conversions is indistinguishable from chance;
  // outages worth catching hit entities with volume (≈ 25 conversions a day).
  if (metric !== 'spend') {
    const roas = (100_000 / l.cpmCents) * l.ctr * l.cvr * (l.valueCents / 100);
    l.baseSpendCents = Math.max(l.baseSpendCents, Math.round((25 * l.valueCents) / roas));
  }
  const type = factor > 1 ? 'anomaly_spike' : 'anomaly_drop';
  note(ctx, client, type, l, day, { metric, factor, end: addDays(ctx.startDate, day), note: `${metric} × ${factor} for one day` });
}

/** Sets the monthly budget to `budgetFactor` × the pace of the last 28 days. */
function finish(
  ctx: Ctx,
  slug: string,
  name: string,
  timezone: string,
  currency: string,
  batch: WriteBatch,
  budgetFactor: number,
  recipients: string[],
  overspend = false,
): SimClient {
  const last = addDays(ctx.startDate, ctx.days - 1);
  const from = addDays(last, -27);
  let spend28 = 0;
  for (const m of batch.metrics) if (m.date >= from) spend28 += m.spendCents;
  const monthlyBudgetCents = Math.round(((spend28 / 28) * 30.4 * budgetFactor) / 10_000) * 10_000;
  if (overspend) {
    ctx.groundTruth.push({
      client: slug,
      type: 'budget_overspend',
      start: `${last.slice(0, 7)}-01`,
      note: `monthly budget ${monthlyBudgetCents / 100} is ${Math.round(budgetFactor * 100)} % of the spend pace`,
    });
  }
  return { slug, name, timezone, currency, monthlyBudgetCents, recipients, batch, endDate: last };
}

export { entityKey };

// ---- detection scenarios -----------------------------------------------------------

export interface ScenarioOptions {
  seed: number;
  endDate: string;
  days?: number;
  ads?: number;
  /** false = clean series: no injected events at all. */
  events?: boolean;
  /** Ads per campaign (default: 5 campaigns' worth of ads each get their own; see below). */
  adsPerCampaign?: number;
}

/**
 * One client with many Meta ads of ordinary volume (100–300 clicks a day) for
 * scoring detectors: when `events` is on, about a third of the ads fatigue and a
 * fifth get a one-day spike or drop, all inside the last 60 days and recorded
 * as ground truth. The same seed without events gives the clean control.
 */
export function simulateScenario(opts: ScenarioOptions): Simulation {
  const days = opts.days ?? 150;
  const startDate = addDays(opts.endDate, -(days - 1));
  const rng = new Rng(opts.seed);
  const groundTruth: GroundTruthEvent[] = [];
  const ctx: Ctx = { rng, days, startDate, groundTruth };
  const slug = 'scenario';
  const batch = newBatch();
  const leaves: Leaf[] = [];
  const n = opts.ads ?? 40;
  const perCampaign = opts.adsPerCampaign ?? 5;
  for (let k = 0; k < n; k++) {
    const c = Math.floor(k / perCampaign);
    const acct = c % 20;
    const key = path(batch, 'meta', [
      ['account', `act_${acct}`, `Scenario Meta ${acct}`],
      ['campaign', `c${c}`, `Campaign ${c}`],
      ['adset', `c${c}-as`, `Ad set ${c}`],
      ['ad', `ad${k}`, `Ad ${k}`],
    ]);
    const cpm = rng.uniform(6, 11);
    const ctr = rng.uniform(0.009, 0.02);
    const clicks = rng.uniform(100, 300);
    // Most ads earn ROAS 1.3–1.8; some sit just above the burn line (ROAS 0.65–0.85:
    // losing, but not at −50 %) or just below the win line (2.4–2.7): fine links a
    // noisy rule calls burning or winning on a lucky or unlucky week.
    const band = rng.next();
    const roas = band < 0.15 ? rng.uniform(0.65, 0.85) : band < 0.3 ? rng.uniform(2.4, 2.7) : rng.uniform(1.3, 1.8);
    const l = leaf(ctx, batch, key, { spend: (clicks * cpm) / (1000 * ctr), roas, value: 40, cpm, ctr, launch: rng.int(0, 30) });
    leaves.push(l);
  }
  if (opts.events !== false) {
    let rest = 0;
    leaves.forEach((l, k) => {
      if (k % 3 === 0) addFatigue(ctx, slug, l, days - rng.int(8, 60));
      else if (k % 5 === 1) addShock(ctx, slug, l, days - rng.int(3, 60), 'spend', rng.uniform(2.5, 4));
      else if (k % 5 === 2) addShock(ctx, slug, l, days - rng.int(3, 60), 'conversions', rng.uniform(0.05, 0.15));
      else if (rest++ % 3 === 0) addChange(ctx, slug, l, days - rng.int(3, 55), 'burning');
      else if (rest % 3 === 2) addChange(ctx, slug, l, days - rng.int(3, 55), 'winner');
    });
  }
  simulateLeaves(ctx, batch, leaves);
  const client: SimClient = { slug, name: 'Scenario', timezone: 'UTC', currency: 'USD', monthlyBudgetCents: 0, recipients: [], batch, endDate: opts.endDate };
  return { seed: opts.seed, startDate, endDate: opts.endDate, clients: [client], groundTruth };
}
