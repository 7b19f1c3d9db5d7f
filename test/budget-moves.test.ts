// A budget move is advice a marketer acts on unchecked: it must never come from
// unknown revenue, from two spellings of one campaign, or from campaigns bought for
// different things. (An independent test got "Move a fifth of the budget from
// 'Data analytics' to 'DataAnalytics' — ROAS of the weaker campaign 0.00×" on a
// Google Ads export whose revenue was "NA" on 97 rows; the export showed 6.45×.)
import { describe, expect, it } from 'vitest';
import { rankActions } from '../src/brain/curiosity/actions.ts';
import { runCycle } from '../src/brain/cycle.ts';
import { buildSeries } from '../src/brain/series.ts';
import type { BrainInput } from '../src/brain/types.ts';
import { formatInput } from '../src/llm/facts.ts';
import { makeInput, type SeriesSpec } from './helpers/brain.ts';

const AS_OF = '2026-06-20';
const moves = (input: BrainInput) => rankActions([], buildSeries(input.entities, input.days, input.asOf), [], input.settings).filter((a) => a.kind === 'move_budget');
const campaign = (id: string, spend: number, revenue: (t: number) => number | null, o: Partial<SeriesSpec> = {}): SeriesSpec => ({ id, kind: 'campaign', spend: () => spend, revenue, conversions: () => 10, ...o });

describe('budget moves', () => {
  it('a campaign whose revenue is unknown is never "ROAS 0.00×": no move from it', () => {
    const input = makeInput({ asOf: AS_OF, days: 30, series: [
      campaign('na', 20_000, () => null, { name: 'Data analytics' }),
      campaign('strong', 20_000, () => 90_000, { name: 'Shopping' }),
    ] });
    expect(moves(input)).toEqual([]);
    // Known on 5 of 7 days (71 % of the spend) is not enough either; the known days alone would look weak.
    const partly = makeInput({ asOf: AS_OF, days: 30, series: [
      campaign('partly', 20_000, (t) => (t >= 23 && t % 3 === 0 ? null : 6_000), { name: 'Partly' }),
      campaign('strong', 20_000, () => 90_000, { name: 'Shopping' }),
    ] });
    expect(moves(partly)).toEqual([]);
    // Known on every day, the same weak campaign is moved from — on its known ROAS.
    const known = makeInput({ asOf: AS_OF, days: 30, series: [
      campaign('weak', 20_000, () => 6_000, { name: 'Weak' }),
      campaign('strong', 20_000, () => 90_000, { name: 'Shopping' }),
    ] });
    const [m] = moves(known);
    expect(m!.inputs).toMatchObject({ fromCampaign: 'Weak', toCampaign: 'Shopping', fromRoas: 0.3, toRoas: 4.5, windowDays: 7 });
  });

  it('two spellings of one campaign are never weighed against each other', () => {
    const input = makeInput({ asOf: AS_OF, days: 30, series: [
      campaign('a', 20_000, () => 8_000, { name: 'Data analytics' }),
      campaign('b', 20_000, () => 90_000, { name: 'DataAnalytics' }),
    ] });
    expect(moves(input)).toEqual([]);
    // With a third campaign, the move goes there, not to the twin.
    const three = makeInput({ asOf: AS_OF, days: 30, series: [
      campaign('a', 20_000, () => 8_000, { name: 'Data analytics' }),
      campaign('b', 20_000, () => 90_000, { name: 'Data-Analytics ' }),
      campaign('c', 20_000, () => 70_000, { name: 'Display' }),
    ] });
    expect(moves(three).map((m) => [m.inputs.fromCampaign, m.inputs.toCampaign])).toEqual([['Data analytics', 'Display']]);
  });

  it('only between campaigns bought for the same objective; leads are compared on cost per lead', () => {
    const base = makeInput({ asOf: AS_OF, days: 30, series: [
      campaign('leadgen', 20_000, () => 0, { name: 'Lead form', conversions: () => 2 }),
      campaign('shop', 20_000, () => 90_000, { name: 'Shopping' }),
    ] });
    // The lead campaign is judged on leads at a $50 target: it is not "ROAS 0" against the shop.
    const input: BrainInput = { ...base, settings: { ...base.settings, campaignObjectives: { leadgen: { kind: 'leads', targetCpaCents: 5_000, valuePerConversionCents: null } } } };
    expect(moves(input)).toEqual([]);
    // Two lead campaigns: the expensive one gives to the cheap one, in cost per lead.
    const leads = makeInput({ asOf: AS_OF, days: 30, series: [
      campaign('dear', 20_000, () => 0, { name: 'Dear leads', conversions: () => 1 }),
      campaign('cheap', 20_000, () => 0, { name: 'Cheap leads', conversions: () => 10 }),
    ] });
    const both: BrainInput = { ...leads, settings: { ...leads.settings, objective: { kind: 'leads', targetCpaCents: 5_000, valuePerConversionCents: null } } };
    const [m] = moves(both);
    expect(m!.inputs).toMatchObject({ fromCampaign: 'Dear leads', toCampaign: 'Cheap leads', fromCpaCents: 20_000, toCpaCents: 2_000 });
    expect(m!.inputs.fromRoas).toBeUndefined();
    expect(formatInput('fromCpaCents', 20_000, 'USD')).toBe('cost per lead of the weaker campaign $200.00');
    // Through the whole cycle too.
    expect(runCycle(both).curiosity.actions.filter((a) => a.kind === 'move_budget')).toHaveLength(1);
    expect(runCycle(input).curiosity.actions.filter((a) => a.kind === 'move_budget')).toHaveLength(0);
  });
});
