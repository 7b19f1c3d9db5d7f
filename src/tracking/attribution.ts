// Which campaign gets a conversion. A session's events (tracking-link clicks and
// page views) keep its touches alive: a touch expires when the session has been
// inactive for the window (30 days by default, per client) — every later event
// extends it (rolling). Among the live touches at the conversion's time:
//   last_touch (the model of record): the most recent — a repeated click on a
//     campaign is a new touch of it, so A, B, A gives A;
//   first_touch: the earliest live one;
//   linear: every live touch an equal share (one share per touch).
// Pure: the same stored events give the same answer, whatever order they arrived in.

export type Model = 'last_touch' | 'first_touch' | 'linear';

export interface SessionEvent {
  at: Date;
  /** The campaign of a tracking-link click (a touch); null for a page view. */
  campaignId: string | null;
  /** The event's id (a visit), to mark the one that converted. */
  id?: string | number | bigint;
}

export interface Credit {
  campaignId: string;
  share: number;
  eventId?: string | number | bigint;
}

const DAY = 86_400_000;

/** The touches alive at `at`: walking back from the conversion, the chain breaks at the first gap longer than the window. */
export function liveTouches(events: SessionEvent[], at: Date, windowDays: number): SessionEvent[] {
  const window = windowDays * DAY;
  const before = events.filter((e) => e.at.getTime() <= at.getTime()).sort((a, b) => b.at.getTime() - a.at.getTime() || compareIds(b.id, a.id));
  const live: SessionEvent[] = [];
  let last = at.getTime();
  for (const e of before) {
    if (last - e.at.getTime() > window) break;
    last = e.at.getTime();
    if (e.campaignId) live.push(e);
  }
  return live; // newest first
}

export function attribute(events: SessionEvent[], at: Date, windowDays: number, model: Model = 'last_touch'): Credit[] {
  const live = liveTouches(events, at, windowDays);
  if (live.length === 0) return [];
  if (model === 'last_touch') return [{ campaignId: live[0]!.campaignId!, share: 1, eventId: live[0]!.id }];
  if (model === 'first_touch') return [{ campaignId: live.at(-1)!.campaignId!, share: 1, eventId: live.at(-1)!.id }];
  const shares = new Map<string, number>();
  for (const e of live) shares.set(e.campaignId!, (shares.get(e.campaignId!) ?? 0) + 1 / live.length);
  return [...shares].map(([campaignId, share]) => ({ campaignId, share }));
}

// Two events at the same instant: the later-recorded one (higher id) is the newer.
function compareIds(a: SessionEvent['id'], b: SessionEvent['id']): number {
  if (a === undefined || b === undefined) return 0;
  const x = BigInt(a as bigint | number | string);
  const y = BigInt(b as bigint | number | string);
  return x < y ? -1 : x > y ? 1 : 0;
}
