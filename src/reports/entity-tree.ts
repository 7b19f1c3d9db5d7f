// Where an entity sits in the tree: the account, campaign and ad/creative above
// (or at) it. Memoised, so a walk per metric row costs a map lookup.
import type { EntityRow } from '../db/metrics-read.ts';

export interface Ancestry {
  account?: EntityRow;
  campaign?: EntityRow;
  creative?: EntityRow;
}

/** The account, campaign and ad/creative above (or at) each entity, memoised. */
export function ancestry(byId: Map<string, EntityRow>): (id: string) => Ancestry {
  const memo = new Map<string, Ancestry>();
  const of = (id: string): Ancestry => {
    const hit = memo.get(id);
    if (hit) return hit;
    const e = byId.get(id);
    if (!e) return {};
    const up = e.parentId ? of(e.parentId) : {};
    const a: Ancestry = { ...up };
    if (e.kind === 'account') a.account = e;
    if (e.kind === 'campaign') a.campaign = e;
    if ((e.kind === 'ad' || e.kind === 'creative') && !a.creative) a.creative = e;
    memo.set(id, a);
    return a;
  };
  return of;
}
