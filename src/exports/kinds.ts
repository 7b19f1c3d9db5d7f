// The CSV exports: metrics (one row per entity and day), spend (per day, platform
// and account), links and campaigns (totals over the range), insights. The numbers
// are the ones reports use (src/db/metrics-read.ts: source priority, revenue
// sources joined to their links), read a week at a time so memory stays flat
// however long the range; money in the client's currency (a currency column),
// days as the client's local days, times in its time zone.
import { addReported, emptyTotals, type KnownTotals } from '../brain/objective.ts';
import { kpisOfSums } from '../reports/kpis.ts';
import type { Db } from '../db/client.ts';
import { loadDaily, loadEntities, type EntityRow } from '../db/metrics-read.ts';
import { countsInTotals } from '../domain/entities.ts';
import { currencyExponent } from '../domain/currency.ts';
import { addDays } from '../time.ts';
import { csvLine, csvRow, money } from './csv.ts';

export const EXPORT_KINDS = ['metrics', 'spend', 'links', 'campaigns', 'insights'] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];

export interface ExportClient {
  id: string;
  slug: string;
  currency: string;
  timezone: string;
}

/** Days read per query: a week of every entity at a time. */
const WINDOW_DAYS = 7;
/** Lines per chunk handed to the writer (a stream's write, an HTTP chunk). */
const LINES_PER_CHUNK = 2000;

interface Path { platform: string; account?: string; campaign?: string; adset?: string; ad?: string; link?: string }

function paths(entities: EntityRow[]) {
  const byId = new Map(entities.map((e) => [e.id, e]));
  const memo = new Map<string, Path>();
  const of = (id: string): Path => {
    const hit = memo.get(id);
    if (hit) return hit;
    const e = byId.get(id);
    if (!e) return { platform: '' };
    const p: Path = { ...(e.parentId && e.parentId !== id ? of(e.parentId) : {}), platform: e.platform };
    if (e.kind === 'account') p.account = e.name;
    else if (e.kind === 'campaign') p.campaign = e.name;
    else if (e.kind === 'adset') p.adset = e.name;
    else if (e.kind === 'ad' || e.kind === 'creative') p.ad = e.name;
    else if (e.kind === 'link') p.link = e.externalId;
    memo.set(id, p);
    return p;
  };
  return { byId, of };
}

/** The client's local date and time of an instant: "2026-11-20 14:05". */
function localTime(tz: string): (d: Date | null) => string | null {
  const f = new Intl.DateTimeFormat('sv-SE', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false });
  return (d) => (d ? f.format(d) : null);
}

/** The export as CSV text in chunks: a header row, then the rows. */
export async function* exportCsv(db: Db, client: ExportClient, kind: ExportKind, range: { from: string; to: string }): AsyncGenerator<string> {
  const exp = currencyExponent(client.currency);
  const m = (cents: number | null) => (cents === null || Number.isNaN(cents) ? null : money(cents, exp));
  let buf: string[] = [];
  const flush = () => {
    const s = buf.join('');
    buf = [];
    return s;
  };
  if (kind === 'insights') {
    yield* insightsCsv(db, client, range, exp);
    return;
  }
  const entities = await loadEntities(db.sql, client.id);
  const { byId, of } = paths(entities);
  const weeks = function* () {
    for (let from = range.from; from <= range.to; from = addDays(from, WINDOW_DAYS)) {
      const to = addDays(from, WINDOW_DAYS - 1);
      yield { from, to: to < range.to ? to : range.to };
    }
  };
  if (kind === 'metrics') {
    yield csvLine(['date', 'platform', 'account', 'campaign', 'adset', 'ad', 'link', 'currency', 'spend', 'impressions', 'clicks', 'conversions', 'revenue']);
    for (const w of weeks()) {
      const rows = await loadDaily(db.sql, client.id, w.from, w.to);
      // Day by day, then by where the row sits: the order a spreadsheet reads.
      rows.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.entityId < b.entityId ? -1 : 1));
      for (const r of rows) {
        const p = of(r.entityId);
        buf.push(csvRow([r.date, p.platform, p.account, p.campaign, p.adset, p.ad, p.link, client.currency, m(r.spendCents), r.impressions, r.clicks, r.conversions, m(r.revenueCents)]));
        if (buf.length >= LINES_PER_CHUNK) yield flush();
      }
      if (buf.length) yield flush();
    }
    return;
  }
  if (kind === 'spend') {
    yield csvLine(['date', 'platform', 'account', 'currency', 'spend']);
    for (const w of weeks()) {
      const sums = new Map<string, { date: string; platform: string; account: string; spend: number }>();
      for (const r of await loadDaily(db.sql, client.id, w.from, w.to)) {
        // A mirrored first-party campaign repeats an ad's spend (reports/totals.ts).
        if (!countsInTotals(byId.get(r.entityId))) continue;
        const p = of(r.entityId);
        const k = `${r.date}\u0000${p.platform}\u0000${p.account ?? ''}`;
        const t = sums.get(k) ?? sums.set(k, { date: r.date, platform: p.platform, account: p.account ?? '', spend: 0 }).get(k)!;
        t.spend += r.spendCents;
      }
      for (const t of [...sums.values()].sort((a, b) => (a.date + a.platform + a.account < b.date + b.platform + b.account ? -1 : 1))) {
        if (t.spend !== 0 || !['shopify', 'redtrack'].includes(t.platform)) buf.push(csvRow([t.date, t.platform, t.account, client.currency, m(t.spend)]));
      }
      if (buf.length) yield flush();
    }
    return;
  }
  // links / campaigns: totals over the range, one line per entity.
  const wanted = kind === 'links' ? 'link' : 'campaign';
  const totals = new Map<string, KnownTotals & { clicks: number | null }>();
  const targetOf = new Map<string, string | null>();
  const target = (id: string): string | null => {
    if (targetOf.has(id)) return targetOf.get(id)!;
    let t: string | null = null;
    const seen = new Set<string>();
    for (let e = byId.get(id); e && !seen.has(e.id); e = e.parentId ? byId.get(e.parentId) : undefined) {
      seen.add(e.id);
      if (e.kind === wanted) {
        t = e.id;
        break;
      }
    }
    targetOf.set(id, t);
    return t;
  };
  for (const w of weeks()) {
    for (const r of await loadDaily(db.sql, client.id, w.from, w.to)) {
      const id = target(r.entityId);
      if (!id) continue;
      const t = totals.get(id) ?? totals.set(id, { ...emptyTotals(), clicks: null }).get(id)!;
      addReported(t, r.spendCents, r.revenueCents, r.conversions);
      if (r.clicks !== null) t.clicks = (t.clicks ?? 0) + r.clicks;
    }
  }
  const head = kind === 'links'
    ? ['platform', 'link', 'slug', 'campaign', 'ad', 'status', 'killed_at']
    : ['platform', 'account', 'campaign', 'status'];
  yield csvLine([...head, 'currency', 'spend', 'revenue', 'profit', 'roi', 'conversions', 'clicks', 'from', 'to']);
  const at = localTime(client.timezone);
  const killedAt = new Map(
    kind === 'links'
      ? (await db.sql.query<{ id: string; at: Date }>(`SELECT id::text, killed_at AS at FROM entity WHERE client_id = $1::uuid AND kind = 'link' AND killed_at IS NOT NULL`, [client.id])).map((r) => [r.id, new Date(r.at)])
      : [],
  );
  const list = entities.filter((e) => e.kind === wanted).sort((a, b) => (totals.get(b.id)?.spend ?? 0) - (totals.get(a.id)?.spend ?? 0) || (a.name < b.name ? -1 : 1));
  for (const e of list) {
    const t = totals.get(e.id) ?? { ...emptyTotals(), clicks: null };
    const p = of(e.id);
    // The reports' own KPIs: revenue, profit and ROI over the spend whose revenue was reported.
    const k = kpisOfSums(t);
    const cells = kind === 'links'
      ? [p.platform, e.externalId, (e.attributes as { slug?: string } | null)?.slug ?? null, p.campaign, p.ad, e.status, at(killedAt.get(e.id) ?? null)]
      : [p.platform, p.account, e.name, e.status];
    buf.push(csvRow([...cells, client.currency, m(k.spendCents), m(k.revenueCents), m(k.profitCents), k.roi === null ? null : Math.round(k.roi * 10_000) / 10_000, k.conversions, t.clicks, range.from, range.to]));
    if (buf.length >= LINES_PER_CHUNK) yield flush();
  }
  if (buf.length) yield flush();
}

async function* insightsCsv(db: Db, client: ExportClient, range: { from: string; to: string }, exp: number): AsyncGenerator<string> {
  yield csvLine(['first_seen', 'last_seen', 'type', 'severity', 'status', 'title', 'entity', 'currency', 'impact', 'confidence', 'since', 'resolved_at']);
  const at = localTime(client.timezone);
  let after: { t: Date; id: string } | null = null;
  for (;;) {
    const rows: { id: string; first_seen: Date; last_seen: Date; type: string; severity: string; status: string; title: string; entity: string | null; impact: string; confidence: number; since: string | null; resolved_at: Date | null }[] = await db.sql.query(
      `SELECT i.id::text, i.first_seen, i.last_seen, i.type, i.severity::text, i.status::text, i.title, e.name AS entity, i.impact_cents::text AS impact,
              i.confidence, i.since::text, i.resolved_at
         FROM insight i LEFT JOIN entity e ON e.id = i.entity_id
        WHERE i.client_id = $1::uuid AND i.last_seen >= $2::timestamptz AND i.first_seen < $3::timestamptz
          AND ($4::timestamptz IS NULL OR (i.first_seen, i.id) > ($4::timestamptz, $5::uuid))
        ORDER BY i.first_seen, i.id LIMIT 5000`,
      [client.id, `${range.from}T00:00:00Z`, `${addDays(range.to, 1)}T23:59:59Z`, after?.t ?? null, after?.id ?? null],
    );
    if (!rows.length) return;
    yield rows.map((r) => csvRow([at(new Date(r.first_seen)), at(new Date(r.last_seen)), r.type, r.severity, r.status, r.title, r.entity, client.currency, money(r.impact, exp), Math.round(r.confidence * 1000) / 1000, r.since, at(r.resolved_at ? new Date(r.resolved_at) : null)])).join('');
    const last = rows.at(-1)!;
    after = { t: new Date(last.first_seen), id: last.id };
    if (rows.length < 5000) return;
  }
}
