// The attribution rules on their own: touches, the rolling 30-day window at its
// edges, activity extending it, A → B → A, events stored out of order, the models.
import { describe, expect, it } from 'vitest';
import { attribute, type SessionEvent } from '../src/tracking/attribution.ts';

const t = (day: number, hour = 12) => new Date(Date.UTC(2026, 0, 1 + day, hour));
const click = (day: number, campaignId: string, id?: number, hour = 12): SessionEvent => ({ at: t(day, hour), campaignId, id });
const view = (day: number, hour = 12): SessionEvent => ({ at: t(day, hour), campaignId: null });
const winner = (events: SessionEvent[], at: Date, model: 'last_touch' | 'first_touch' | 'linear' = 'last_touch', windowDays = 30) =>
  attribute(events, at, windowDays, model).map((c) => (model === 'linear' ? `${c.campaignId}:${c.share.toFixed(3)}` : c.campaignId));

describe('last-touch attribution in a rolling window', () => {
  it('the most recent touch wins; a repeated click is a new touch (A, B, A → A)', () => {
    expect(winner([click(0, 'A'), click(1, 'B')], t(2))).toEqual(['B']);
    expect(winner([click(0, 'A'), click(1, 'B'), click(2, 'A')], t(3))).toEqual(['A']);
  });
  it('no touch, or only touches after the order: unattributed', () => {
    expect(winner([view(0), view(1)], t(2))).toEqual([]);
    expect(winner([click(5, 'A')], t(2))).toEqual([]);
  });
  it('window edges: exactly 30 days after the last activity still counts; a millisecond more does not', () => {
    const at = new Date(t(0).getTime() + 30 * 86_400_000);
    expect(winner([click(0, 'A')], at)).toEqual(['A']);
    expect(winner([click(0, 'A')], new Date(at.getTime() + 1))).toEqual([]);
    expect(winner([click(0, 'A')], at, 'last_touch', 7)).toEqual([]);
  });
  it('activity extends the window (rolling): page views every 20 days keep a 50-day-old touch alive', () => {
    expect(winner([click(0, 'A'), view(20), view(40)], t(55))).toEqual(['A']);
    // A gap of 31 days between the touch and the next activity breaks the chain.
    expect(winner([click(0, 'A'), view(31), view(40)], t(45))).toEqual([]);
    // After a break, a new touch starts afresh.
    expect(winner([click(0, 'A'), view(40), click(41, 'B')], t(45))).toEqual(['B']);
  });
  it('the order events were stored in does not matter', () => {
    const evs = [click(0, 'A'), click(1, 'B'), view(3), click(2, 'A')];
    expect(winner([...evs].reverse(), t(4))).toEqual(['A']);
    expect(winner([evs[2]!, evs[0]!, evs[3]!, evs[1]!], t(4))).toEqual(['A']);
  });
  it('two clicks at the same instant: the later recorded wins', () => {
    expect(winner([click(0, 'A', 2), click(0, 'B', 1)], t(1))).toEqual(['A']);
    expect(winner([click(0, 'A', 1), click(0, 'B', 2)], t(1))).toEqual(['B']);
  });
  it('first touch and linear over the same live touches', () => {
    const evs = [click(0, 'A'), click(1, 'B'), click(2, 'A'), click(3, 'C')];
    expect(winner(evs, t(4), 'first_touch')).toEqual(['A']);
    expect(winner(evs, t(4), 'linear').sort()).toEqual(['A:0.500', 'B:0.250', 'C:0.250']);
    // An expired touch gets no share.
    expect(winner([click(0, 'X'), click(40, 'A')], t(41), 'linear')).toEqual(['A:1.000']);
  });
});
