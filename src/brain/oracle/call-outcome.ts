// Was a burning / winner call right? Over the 7 days after the call (or until the
// entity was killed, when that came first), its ROI by its objective must stay on
// the called side of the line: below it for burning, above it for a winner. A
// window with no result reported, or no day at all (killed at once), is unjudged:
// it counts neither way. Pure: the series and the call in, the outcome out.
import { addDays, daysBetween } from '../../time.ts';
import { judge, type Objective } from '../objective.ts';
import type { EntitySeries, SeriesSet } from '../series.ts';
import type { BrainSettings } from '../types.ts';
import { windowTotals } from './performance.ts';

export const CALL_FOLLOW_UP_DAYS = 7;

export interface Call {
  calledOn: string;
  verdict: 'burning' | 'winner';
  /** The ROI line the call was made against (the burn or win line then). */
  line: number;
  /** The local day the entity was killed, if it was. */
  killedOn: string | null;
}

export interface CallOutcome {
  outcome: 'right' | 'wrong' | 'unjudged';
  roi: number | null;
  days: number;
}

/** The outcome, or null while the window is still open (fewer than 7 days seen and not killed). */
export function judgeCall(e: EntitySeries | undefined, s: SeriesSet, o: Objective, settings: BrainSettings, call: Call): CallOutcome | null {
  const first = addDays(call.calledOn, 1);
  const full = addDays(call.calledOn, CALL_FOLLOW_UP_DAYS);
  // Killed: the days before the kill day are the window (the kill day itself is partly off).
  const last = call.killedOn && call.killedOn <= full ? addDays(call.killedOn, -1) : full;
  if (!call.killedOn || call.killedOn > full) {
    if (s.asOf < full) return null;
  }
  const days = Math.max(0, daysBetween(first, last) + 1);
  if (days === 0 || !e) return { outcome: 'unjudged', roi: null, days };
  const from = daysBetween(s.start, first), to = daysBetween(s.start, last);
  if (to < 0 || from >= s.length) return { outcome: 'unjudged', roi: null, days };
  const j = judge(windowTotals(e, from, to), o, settings);
  if (j.roi === null) return { outcome: 'unjudged', roi: null, days };
  const right = call.verdict === 'burning' ? j.roi < call.line : j.roi > call.line;
  return { outcome: right ? 'right' : 'wrong', roi: j.roi, days };
}
