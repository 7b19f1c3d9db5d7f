// Every finding and action kind, for a revenue, a leads and a value-per-conversion
// client, rendered as the marketer reads them — insight titles, action lines, the
// summary, the email's subject and text part: no internal identifier, field name,
// NaN, undefined, or "—" where a number belongs. (An independent test read "Do this
// first: move_traffic (…)", "spend last7 $0.00", "ROAS 0.67 after NaN" and a lead-gen
// subject "… (ROI —)".)
import { describe, expect, it } from 'vitest';
import { describeAction, rankActions } from '../src/brain/curiosity/actions.ts';
import { runCycle } from '../src/brain/cycle.ts';
import type { Objective } from '../src/brain/objective.ts';
import { detectForecastRisk } from '../src/brain/oracle/forecast-risk.ts';
import { buildSeries } from '../src/brain/series.ts';
import type { Finding } from '../src/brain/types.ts';
import { actionWording, deterministicSummary } from '../src/llm/deterministic.ts';
import { actionFact, summaryFacts } from '../src/llm/facts.ts';
import { buildDailySummary } from '../src/reports/daily-summary.ts';
import { actionLineOf, burningLineOf } from '../src/reports/load-model.ts';
import { renderReportText } from '../src/reports/render-text.ts';
import { buildReportView } from '../src/reports/view.ts';
import { makeInput } from './helpers/brain.ts';

const AS_OF = '2026-06-20';
const LONG_LINK = 'https://track.example.com/offers/summer-sale-2026/landing?sub9=bf-tail-7781';

const OBJECTIVES: Record<string, Objective> = {
  revenue: { kind: 'revenue', targetCpaCents: null, valuePerConversionCents: null },
  leads: { kind: 'leads', targetCpaCents: 2_500, valuePerConversionCents: null },
  value: { kind: 'value', targetCpaCents: null, valuePerConversionCents: 4_000 },
};

/** Things a person must never read. */
const BAD: [string, RegExp][] = [
  ['NaN / undefined / null / Infinity', /\b(NaN|undefined|null|Infinity)\b/],
  ['an identifier in snake_case', /\b[a-z]+_[a-z]+(_[a-z]+)*\b/],
  ['an identifier in camelCase', /\b[a-z]+[A-Z][a-zA-Z]*\b/],
  ['a field name with a number glued on', /\b(last|next|spend|revenue)\d+\b/],
  ['a dash where a number belongs', /\b(ROI|ROAS|CPA|profit|revenue|spend)\s+—/],
];

function scenario(objective: Objective) {
  const input = makeInput({
    asOf: AS_OF, days: 45, budgetCents: 400_000, series: [
      { id: 'acct', kind: 'account', spend: () => 0 },
      { id: 'weak', name: 'Weak campaign', kind: 'campaign', parentId: 'acct', spend: () => 20_000, revenue: () => 6_000, conversions: () => 1 },
      { id: 'strong', name: 'Strong campaign', kind: 'campaign', parentId: 'acct', spend: () => 20_000, revenue: () => 90_000, conversions: () => 20 },
      { id: 'burner', name: LONG_LINK, kind: 'link', parentId: 'weak', spend: () => 12_000, revenue: () => 600, conversions: (t) => (t % 9 === 0 ? 1 : 0) },
      { id: 'star', name: 'Star ad', kind: 'ad', parentId: 'strong', spend: () => 6_000, revenue: () => 40_000, conversions: () => 12 },
      { id: 'young', name: 'Young ad', kind: 'ad', parentId: 'strong', spend: (t) => (t >= 38 ? 800 : 0), revenue: (t) => (t >= 38 ? 2_500 : 0), conversions: (t) => (t >= 38 ? 1 : 0) },
      { id: 'resting', name: 'Resting campaign', kind: 'campaign', parentId: 'acct', spend: (t) => (t < 30 ? 15_000 : 0), revenue: (t) => (t < 30 ? 30_000 : 0), conversions: (t) => (t < 30 ? 5 : 0) },
      { id: 'spiky', name: 'Spiky ad', kind: 'ad', parentId: 'strong', spend: (t) => (t === 44 ? 90_000 : 9_000 + (t % 5) * 300), revenue: () => 12_000, conversions: () => 3 },
    ],
  });
  const settings = { ...input.settings, objective };
  const out = runCycle({ ...input, settings });
  const s = buildSeries(input.entities, input.days, input.asOf);
  const e = (id: string) => ({ id, kind: 'ad', externalId: id, name: `${id} ad`, platform: 'meta' });
  // Kinds the synthetic days do not reach, with the facts their detectors write.
  const more: Finding[] = [
    { type: 'creative_fatigue', entity: e('tired'), severity: 'medium', impactCents: 12_000, confidence: 0.6, since: AS_OF, title: 'tired ad is wearing out', facts: { referenceCtr: 0.021, recentCtr: 0.011, drop: -0.48, cpcChange: 0.3, cpmChange: 0.05, frequencyChange: 0.6 } },
    // A campaign forecast to lose money, and one that spent nothing last week (no ROAS "after" it).
    ...detectForecastRisk(s, ['strong', 'resting'].flatMap((id) => (['spendCents', 'revenueCents'] as const).map((metric) => ({
      entityId: id, metric, model: 'ets', scale: 1,
      days: Array.from({ length: 7 }, (_, i) => ({ date: `2026-06-${21 + i}`, point: metric === 'spendCents' ? 20_000 : 9_000, lower: 0, upper: metric === 'spendCents' ? 22_000 : 12_000 })),
    })))),
  ];
  const actions = [...out.curiosity.actions, ...rankActions(more, s, [], settings)];
  actions.push({ rank: 0, kind: 'move_traffic', entity: { id: 'star', kind: 'ad', externalId: 'star', name: 'Star ad', platform: 'meta' }, basedOn: null, impactCents: 30_000, confidence: 0.8, urgency: 'medium', score: 1, inputs: { test: 'Hooks test', testId: '00000000-0000-4000-8000-000000000001' } });
  return { input, out, actions, findings: [...out.oracle.findings, ...more] };
}

describe.each(Object.entries(OBJECTIVES))('plain words for a %s client', (_name, objective) => {
  const { input, actions, findings } = scenario(objective);
  const summary = buildDailySummary({
    client: { slug: 'shop', name: 'Shop', currency: 'USD', timezone: 'UTC' }, objective, date: AS_OF,
    entities: input.entities, daily: input.days.map((d) => ({ ...d, reach: null, frequency: null })), latestByPlatform: [{ platform: 'meta', latest: AS_OF }],
    actions: actions.map(actionLineOf),
    brain: { burning: findings.filter((f) => f.type === 'burning').map(burningLineOf), forecast: null, trackRecord: null },
  });
  // Every action as its line would read (the report shows the first five).
  const everyWording = actions.map(actionLineOf).map((a) => actionWording(actionFact(a, 'USD')));
  const words = deterministicSummary(summaryFacts(summary));
  const view = buildReportView(summary, words);
  const text = renderReportText(view);

  it('covers the action kinds', () => {
    const kinds = new Set(actions.map((a) => a.kind));
    for (const k of ['pause', 'investigate', 'refresh_creative', 'move_traffic']) expect(kinds, k).toContain(k);
    expect(findings.filter((f) => f.type === 'forecast_risk')).toHaveLength(2);
  });

  const readable: [string, () => string[]][] = [
    ['insight titles', () => findings.map((f) => f.title)],
    ['action lines', () => summary.actions.map((a) => a.what)],
    ['action wording', () => [...words.actions.map((a) => a.wording), ...everyWording]],
    ['headline and paragraphs', () => [words.headline, ...words.paragraphs]],
    ['email subject', () => [view.subject]],
  ];
  for (const [what, get] of readable) {
    it(`${what}: nothing internal`, () => {
      for (const line of get()) for (const [why, re] of BAD) expect(line.replace(LONG_LINK, 'the link'), `${why}: ${line}`).not.toMatch(re);
    });
  }

  it('the text part: nothing internal, and a long link keeps its identifying tail', () => {
    for (const [why, re] of BAD) expect(text.replace(/https?:\/\/\S+/g, 'the link'), why).not.toMatch(re);
    expect(summary.burning.length).toBeGreaterThan(0);
    expect(text).toMatch(/bf-tail-7781/);
  });

  if (objective.kind === 'leads') {
    it('a lead-gen headline speaks leads and cost per lead, not ROI', () => {
      expect(words.headline).toMatch(/lead/i);
      expect(words.headline).not.toMatch(/ROI/);
      expect(view.subject).not.toMatch(/ROI/);
    });
  }
});

describe('entities that share a name', () => {
  it('are named with their parent in findings and actions, so the two can be told apart', () => {
    const input = makeInput({ asOf: AS_OF, days: 45, series: [
      { id: 'spring', name: 'Spring', kind: 'campaign', spend: () => 0 },
      { id: 'autumn', name: 'Autumn', kind: 'campaign', spend: () => 0 },
      { id: 'a1', name: 'Adset-1 Retarget', kind: 'adset', parentId: 'spring', spend: () => 12_000, revenue: () => 600, conversions: () => 0 },
      { id: 'a2', name: 'Adset-1 Retarget', kind: 'adset', parentId: 'autumn', spend: () => 12_000, revenue: () => 500, conversions: () => 0 },
      { id: 'solo', name: 'Solo', kind: 'adset', parentId: 'autumn', spend: () => 12_000, revenue: () => 400, conversions: () => 0 },
    ] });
    const out = runCycle(input);
    const burning = out.oracle.findings.filter((f) => f.type === 'burning' && f.entity!.kind === 'adset').map((f) => f.entity!.name).sort();
    expect(burning).toEqual(['Autumn › Adset-1 Retarget', 'Solo', 'Spring › Adset-1 Retarget']);
    const titles = out.curiosity.actions.filter((a) => a.kind === 'pause' && a.entity!.kind === 'adset').map((a) => describeAction(a)).sort();
    expect(titles).toEqual(['Pause Autumn › Adset-1 Retarget', 'Pause Solo', 'Pause Spring › Adset-1 Retarget']);
  });
});
