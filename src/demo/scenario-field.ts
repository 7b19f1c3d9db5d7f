// The second detection generator, written apart from simulate.ts so the
// detectors are judged on noise they were not tuned on: over-dispersed
// (negative binomial) clicks and conversions, budgets that drift and get edited,
// a weekday shape in spend, CTR and conversion rate, CTR that falls when a budget
// is scaled up (broader audiences), auction CPM that wanders, daily frequency
// from a saturating reach curve (impressions / reach of that day, as Meta's
// daily rows report it), TikTok ads with no reach or frequency column at all,
// low-traffic ads, and launches inside the judged window. Fatigue here is a
// straight slide of CTR to 50–70 % of its level over 10–25 days with little or
// no CPM rise — not simulate.ts's 7 %-a-day decay with CPM up 25 %.
//
// Events are staged where the detectors claim to work (fatigue on ads with
// 100+ clicks a day, conversion drops on 20+ conversions a day); low-traffic ads
// are clean, so a call on them is a false alarm.
import { addEntity, newBatch, type WriteBatch } from '../ingest/batch.ts';
import { addDays, weekday } from '../time.ts';
import { Rng } from './random.ts';
import type { GroundTruthEvent, ScenarioOptions, Simulation } from './simulate.ts';

/** lognormal(σ) has mean e^(σ²/2): divided out, an ad's value is its mean order. */
const ORDER_MEAN_FIX = Math.exp(-0.08);

// Monday … Sunday.
const SPEND_WEEK = [1.06, 1.08, 1.05, 1.02, 0.96, 0.9, 0.93];
const CTR_WEEK = [0.97, 0.98, 0.99, 1.0, 1.01, 1.04, 1.03];
const CVR_WEEK = [1.04, 1.03, 1.02, 1.0, 0.97, 0.95, 0.99];

interface FieldAd {
  key: string;
  externalId: string;
  name: string;
  hasFrequency: boolean;
  launch: number;
  spendCents: number;
  cpmCents: number;
  ctr: number;
  cvr: number;
  valueCents: number;
  /** Negative-binomial size of clicks and conversions (smaller = noisier). */
  rClicks: number;
  rConv: number;
  /** Audience for the day's reach curve, as a multiple of the ad's usual daily impressions. */
  audience: number;
  fatigue?: { day: number; depth: number; days: number; cpmRise: number };
  shock?: { day: number; metric: 'spend' | 'conversions'; factor: number };
  /** From this day on the conversion rate is multiplied by `factor` (a link that breaks, or takes off). */
  change?: { day: number; factor: number };
}

/** The scenario generator's options (its ads per campaign aside). */
export function simulateField(opts: Omit<ScenarioOptions, 'adsPerCampaign'>): Simulation {
  const days = opts.days ?? 150;
  const startDate = addDays(opts.endDate, -(days - 1));
  const rng = new Rng(opts.seed * 7919 + 17);
  const truth: GroundTruthEvent[] = [];
  const batch = newBatch();
  const ads: FieldAd[] = [];
  const n = opts.ads ?? 48;
  for (let k = 0; k < n; k++) {
    const hasFrequency = rng.next() < 0.7;
    const platform = hasFrequency ? 'meta' : 'tiktok';
    const low = rng.next() < 0.25;
    const clicks = low ? rng.uniform(8, 60) : rng.uniform(100, 450);
    const cpm = rng.uniform(5, 18) * 100;
    const ctr = rng.uniform(0.006, 0.025);
    const valueCents = Math.round(rng.uniform(30, 90) * 100);
    const roas = rng.uniform(1.2, 2.0);
    const c = Math.floor(k / 4);
    const key = chain(batch, platform, c, k);
    ads.push({
      key,
      externalId: `f${k}`,
      name: `Field ad ${k}`,
      hasFrequency,
      // A third launch inside the judged window (the last 60 days).
      launch: rng.next() < 0.33 ? rng.int(days - 75, days - 40) : rng.int(0, 40),
      spendCents: (clicks * cpm) / (1000 * ctr),
      cpmCents: cpm,
      ctr,
      cvr: roas / ((100_000 / cpm) * ctr * (valueCents / 100)),
      valueCents,
      rClicks: rng.uniform(25, 100),
      rConv: rng.uniform(15, 60),
      audience: rng.uniform(2, 8),
    });
  }
  if (opts.events !== false) stage(rng, ads, days, startDate, truth);
  for (const ad of ads) simulateAd(rng, batch, ad, days, startDate);
  // The links, on a stream of their own (the ads above stay as they were).
  const linkRng = new Rng(opts.seed * 104_729 + 3);
  const links = hardLinks(linkRng, batch, days, opts.events !== false, startDate, truth);
  for (const link of links) simulateAd(linkRng, batch, link, days, startDate);
  return {
    seed: opts.seed,
    startDate,
    endDate: opts.endDate,
    clients: [{ slug: 'field', name: 'Field', timezone: 'UTC', currency: 'USD', monthlyBudgetCents: 0, recipients: [], batch, endDate: opts.endDate }],
    groundTruth: truth,
  };
}

function chain(batch: WriteBatch, platform: 'meta' | 'tiktok', c: number, k: number): string {
  let parentKey: string | undefined;
  const nodes: [string, string, string][] = [
    ['account', `${platform}-acct`, `Field ${platform}`],
    ['campaign', `fc${c}`, `Field campaign ${c}`],
    ['adset', `fc${c}-as`, `Field ad set ${c}`],
    ['ad', `f${k}`, `Field ad ${k}`],
  ];
  for (const [kind, externalId, name] of nodes) parentKey = addEntity(batch, { platform, kind: kind as 'ad', externalId, name, parentKey });
  return parentKey!;
}

/** Fatigue on every third busy ad, a spend spike or a conversion drop on others: all inside the last 60 days. */
function stage(rng: Rng, ads: FieldAd[], days: number, startDate: string, truth: GroundTruthEvent[]) {
  const busy = ads.filter((a) => a.spendCents * a.ctr * 1000 / a.cpmCents >= 100);
  busy.forEach((ad, i) => {
    const ref = { platform: (ad.hasFrequency ? 'meta' : 'tiktok') as 'meta', kind: 'ad', externalId: ad.externalId, name: ad.name };
    const note = (type: GroundTruthEvent['type'], day: number, extra: Partial<GroundTruthEvent> = {}) =>
      truth.push({ client: 'field', type, entity: ref, start: addDays(startDate, day), note: '', ...extra });
    if (i % 3 === 0) {
      // Fatigue needs its reference weeks behind it: onset 3 weeks after launch at the earliest.
      // …and three weeks after it to show: a 30 % slide over 25 days is 17 % down after two.
      const day = Math.max(ad.launch + 21, days - rng.int(21, 60));
      if (day > days - 21) return;
      ad.fatigue = { day, depth: rng.uniform(0.3, 0.5), days: rng.int(10, 25), cpmRise: rng.uniform(0, 0.1) };
      note('creative_fatigue', day, { metric: 'ctr' });
    } else if (i % 3 === 1) {
      const day = Math.max(ad.launch + 45, days - rng.int(3, 60));
      if (day >= days) return;
      if (rng.next() < 0.5) {
        const factor = rng.uniform(2.5, 4);
        ad.shock = { day, metric: 'spend', factor };
        note('anomaly_spike', day, { metric: 'spend', factor, end: addDays(startDate, day) });
      } else {
        // A tracking outage on an ad with the volume to see it: 40–80 conversions a day.
        // At 20 a day, with conversions varying by 30–40 % from day to day here, a day at
        // a tenth of normal is a one-in-a-few-thousand day of noise: the data's limit.
        const conv = rng.uniform(40, 80);
        ad.spendCents = Math.max(ad.spendCents, (conv * ad.valueCents) / ((100_000 / ad.cpmCents) * ad.ctr * ad.cvr * (ad.valueCents / 100)));
        const factor = rng.uniform(0.05, 0.15);
        ad.shock = { day, metric: 'conversions', factor };
        note('anomaly_drop', day, { metric: 'conversions', factor, end: addDays(startDate, day) });
      }
    }
  });
}

/**
 * The links an independent benchmark found hard, each twice: one converting 2.4
 * times a day that stops entirely (certain on its first day without a sale), one
 * at 6 a day whose ROI falls just past the burn line (−55 %: never certain within
 * a week), one at 8–14 a day that collapses (ROAS 0.15), and a winner at 5 a day
 * going to ROAS 3.6 — plus as many clean links (ROAS 0.75–2.3) as controls.
 */
function hardLinks(rng: Rng, batch: WriteBatch, days: number, events: boolean, startDate: string, truth: GroundTruthEvent[]): FieldAd[] {
  const kinds: { conv: number; roas: number; after?: number; type?: 'burning' | 'winner' }[] = [
    { conv: 2.4, roas: 1.5, after: 0, type: 'burning' },
    { conv: 6, roas: 1.4, after: 0.45, type: 'burning' },
    { conv: 11, roas: 1.5, after: 0.15, type: 'burning' },
    { conv: 5, roas: 1.5, after: 3.6, type: 'winner' },
  ];
  const out: FieldAd[] = [];
  for (let k = 0; k < 16; k++) {
    const spec = kinds[k % 4]!;
    const staged = events && k < 8;
    // Clean links stay clear of the lines (ROAS 0.5 and 3) by more than the auction's
    // and the budget's own drift moves a link's true ROAS here (±20 %).
    const roas = staged ? spec.roas : rng.uniform(0.75, 2.3);
    const valueCents = Math.round(rng.uniform(30, 60) * 100);
    const cpm = rng.uniform(8, 16) * 100, ctr = rng.uniform(0.008, 0.02);
    const key = chain(batch, 'tiktok', 100 + k, 1000 + k);
    const spendCents = (spec.conv * valueCents) / roas;
    const ad: FieldAd = {
      key,
      externalId: `f${1000 + k}`,
      name: `Field ad ${1000 + k}`,
      hasFrequency: false,
      launch: rng.int(0, 30),
      spendCents,
      cpmCents: cpm,
      ctr,
      cvr: roas / ((100_000 / cpm) * ctr * (valueCents / 100)),
      valueCents,
      rClicks: rng.uniform(40, 100),
      rConv: rng.uniform(20, 60),
      audience: 4,
    };
    if (staged) {
      const day = days - rng.int(10, 45);
      ad.change = { day, factor: spec.after! / roas };
      truth.push({ client: 'field', type: spec.type!, entity: { platform: 'tiktok', kind: 'ad', externalId: ad.externalId, name: ad.name }, start: addDays(startDate, day), metric: 'conversions', note: `${spec.conv} a day at ROAS ${spec.roas} → ${spec.after}` });
    }
    out.push(ad);
  }
  return out;
}

function simulateAd(rng: Rng, batch: WriteBatch, ad: FieldAd, days: number, startDate: string) {
  let budget = 1; // drifts, and gets edited now and then, around the ad's usual level
  let cpmWalk = 0; // the auction's price level (AR(1) on the log)
  for (let t = ad.launch; t < days; t++) {
    const date = addDays(startDate, t);
    const wd = weekday(date);
    // A managed budget: it wanders (log AR(1), half-life about 3 weeks) and is edited
    // by a quarter or a third now and then, but comes back toward the plan.
    budget = Math.exp(0.97 * Math.log(budget) + rng.normal(0, 0.03));
    if (rng.next() < 0.05) budget *= rng.uniform(0.75, 1.35);
    budget = Math.min(2.5, Math.max(0.4, budget));
    cpmWalk = 0.85 * cpmWalk + rng.normal(0, 0.04);
    const ramp = Math.min(1, (t - ad.launch + 1) / 5);
    let spend = ad.spendCents * budget * ramp * SPEND_WEEK[wd]! * Math.exp(rng.normal(0, 0.08));
    if (ad.shock?.day === t && ad.shock.metric === 'spend') spend *= ad.shock.factor;
    let progress = 0;
    if (ad.fatigue && t >= ad.fatigue.day) progress = Math.min(1, (t - ad.fatigue.day + 1) / ad.fatigue.days);
    const cpm = ad.cpmCents * Math.exp(cpmWalk) * (1 + (ad.fatigue?.cpmRise ?? 0) * progress);
    const impressions = Math.max(0, Math.round((spend / cpm) * 1000));
    // Scaling a budget up buys less interested people: CTR elasticity −0.1.
    const ctr = ad.ctr * CTR_WEEK[wd]! * Math.pow(budget, -0.1) * (1 - (ad.fatigue?.depth ?? 0) * progress);
    const clicks = rng.negBinomial(impressions * ctr, ad.rClicks);
    const cvr = ad.cvr * CVR_WEEK[wd]! * (ad.change && t >= ad.change.day ? ad.change.factor : 1);
    let conversions = rng.negBinomial(clicks * cvr, ad.rConv);
    if (ad.shock?.day === t && ad.shock.metric === 'conversions') conversions = Math.round(conversions * ad.shock.factor);
    let revenue = 0;
    // Order values vary (σ 0.4 on the log) around the ad's value as their mean.
    for (let i = 0; i < conversions; i++) revenue += ad.valueCents * rng.lognormal(0.4) * ORDER_MEAN_FIX;
    // Reach of the day on a saturating curve; a fatiguing ad's fresh audience shrinks.
    const audience = ((ad.spendCents / ad.cpmCents) * 1000) * ad.audience * Math.exp(rng.normal(0, 0.05)) * (1 - 0.6 * progress);
    const reach = impressions > 0 ? Math.max(1, Math.round(audience * (1 - Math.exp(-impressions / audience)))) : 0;
    batch.metrics.push({
      entityKey: ad.key,
      date,
      spendCents: Math.round(spend),
      impressions,
      clicks,
      conversions,
      revenueCents: Math.round(revenue),
      reach: ad.hasFrequency ? reach : null,
      frequency: ad.hasFrequency && reach > 0 ? Math.round((impressions / reach) * 100) / 100 : null,
    });
  }
}
