// Every link and ad of a client with its last 7 days (or `days`, up to 90, up to
// `asOf`): spend, clicks, conversions, CVR, revenue, profit and ROI by the client's objective (unreported revenue left out
// with its spend), and the brain's verdict — the one the alerts and insights give,
// with how sure and since when. What `adbrain links list` shows so a user can see
// before they kill.
import type { Db } from '../db/client.ts';
import { emptyTotals, judge, objectiveOf, REVENUE } from '../brain/objective.ts';
import { windowTotals } from '../brain/oracle/performance.ts';
import { loadVerdicts, type VerdictClient } from '../run/verdicts.ts';

export interface LinkLine {
  id: string;
  kind: string;
  platform: string;
  name: string;
  /** Its parents' names, nearest last ("Account › Campaign › Ad set"). */
  path: string;
  killed: boolean;
  killedAt: string | null;
  killedReason: string | null;
  spendCents: number;
  /** null: the platform reported no clicks over the window. */
  clicks: number | null;
  /** Conversions on days that reported them; null when none did. */
  conversions: number | null;
  /** Conversions per click (null without both). */
  cvr: number | null;
  /** null: no revenue reported over the days it spent. */
  revenueCents: number | null;
  profitCents: number | null;
  roi: number | null;
  verdict: 'burning' | 'winner' | null;
  /** For a verdict: how sure the brain is, and the day the condition began. */
  probability: number | null;
  since: string | null;
}

export const LINK_SORTS = ['spend', 'revenue', 'profit', 'roi', 'clicks', 'cvr', 'name'] as const;
/** The longest window the table reads (the brain's evidence window). */
export const LINK_TABLE_MAX_DAYS = 90;

export type LinkTableClient = VerdictClient;

export async function linkTable(db: Pick<Db, 'sql'>, client: LinkTableClient, asOf: string, o: { sort?: (typeof LINK_SORTS)[number]; killed?: boolean; days?: number } = {}): Promise<LinkLine[]> {
  const [{ entities, series, settings, byId: verdicts }, killedRows] = await Promise.all([
    loadVerdicts(db.sql, client, asOf),
    db.sql.query<{ id: string; at: Date | null; reason: string | null }>("SELECT id::text, killed_at AS at, killed_reason AS reason FROM entity WHERE client_id = $1::uuid AND status = 'killed'", [client.id]),
  ]);
  const kills = new Map(killedRows.map((k) => [k.id, { at: k.at ? new Date(k.at).toISOString() : null, reason: k.reason }]));
  const byId = new Map(entities.map((e) => [e.id, e]));
  const end = series.length - 1;
  const first = end - Math.min(Math.max(1, Math.floor(o.days ?? 7)), LINK_TABLE_MAX_DAYS) + 1;
  const lines: LinkLine[] = [];
  for (const e of entities) {
    if (e.kind !== 'link' && e.kind !== 'ad') continue;
    const killed = e.status === 'killed';
    if (o.killed !== undefined && killed !== o.killed) continue;
    const s = series.byId.get(e.id);
    const t = s && s.leaf ? windowTotals(s, first, end) : emptyTotals();
    let clicks: number | null = null;
    let convDays = 0;
    if (s && s.leaf) {
      for (let i = Math.max(0, first); i <= end; i++) {
        const k = s.clicks[i]!;
        if (!Number.isNaN(k)) clicks = (clicks ?? 0) + k;
        if (!Number.isNaN(s.conversions[i]!)) convDays++;
      }
    }
    const conversions = convDays > 0 ? t.conversions : null;
    const j = judge(t, objectiveOf(e.id, (id) => byId.get(id)?.parentId, settings.objective ?? REVENUE, settings.campaignObjectives ?? {}), settings);
    const v = killed ? undefined : verdicts.get(e.id)?.ev;
    const verdict = v?.verdict ?? null;
    const names: string[] = [];
    for (let p = e.parentId ? byId.get(e.parentId) : undefined; p; p = p.parentId ? byId.get(p.parentId) : undefined) names.unshift(p.name);
    lines.push({
      id: e.id, kind: e.kind, platform: e.platform, name: e.name, path: names.join(' › '), killed,
      killedAt: kills.get(e.id)?.at ?? null, killedReason: kills.get(e.id)?.reason ?? null,
      spendCents: Math.round(t.spend), clicks, conversions, cvr: clicks && conversions !== null ? conversions / clicks : null,
      revenueCents: t.revenueSpend > 0 || t.revenue > 0 ? Math.round(t.revenue) : null,
      profitCents: j.basisSpend > 0 ? Math.round(j.valueCents - j.basisSpend) : null, roi: j.roi, verdict,
      probability: verdict ? Math.round(1000 * (verdict === 'burning' ? v!.pBurn : v!.pWin)) / 1000 : null,
      since: verdict ? series.dayOf(v!.since) : null,
    });
  }
  const key: Record<(typeof LINK_SORTS)[number], (l: LinkLine) => number | string> = {
    spend: (l) => -l.spendCents, revenue: (l) => -(l.revenueCents ?? -Infinity), profit: (l) => l.profitCents ?? Infinity, roi: (l) => l.roi ?? Infinity,
    clicks: (l) => -(l.clicks ?? -Infinity), cvr: (l) => -(l.cvr ?? -Infinity), name: (l) => l.name.toLowerCase(),
  };
  // Worst first for profit and ROI (what to kill), most first for spend and revenue.
  const k = key[o.sort ?? 'spend'];
  return lines.sort((a, b) => (k(a) < k(b) ? -1 : k(a) > k(b) ? 1 : b.spendCents - a.spendCents || (a.name < b.name ? -1 : 1)));
}
