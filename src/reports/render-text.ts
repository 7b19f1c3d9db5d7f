// Plain-text rendering of the daily summary (the outbox's report.txt and the
// email's text part later). Displays the model; computes nothing.
import type { DailySummary, Kpis } from './daily-summary.ts';
import type { Summary } from '../llm/schema.ts';
import { count, money, pct, ratio, signedPct } from './format.ts';

export function summaryHeadline(s: DailySummary): string {
  if (!s.hasData) return `${s.client.name} — no spend or revenue recorded for ${s.date}`;
  const cur = s.client.currency;
  return `${s.client.name} — ${s.date}: spent ${money(s.day.spendCents, cur)}, revenue ${money(s.day.revenueCents, cur)}, profit ${money(s.day.profitCents, cur)} (ROI ${pct(s.day.roi)})`;
}

export function renderSummaryText(s: DailySummary, words?: Summary): string {
  const cur = s.client.currency;
  const out: string[] = [];
  out.push(`adbrain daily report — ${s.client.name} (${s.client.slug})`);
  out.push(`Day: ${s.date} (${s.client.timezone})`);
  out.push('');
  out.push(words?.headline ?? summaryHeadline(s));
  out.push('');
  for (const p of words?.paragraphs ?? []) out.push(...wrap(p), '');
  const row = (label: string, get: (k: Kpis) => string, key: keyof Kpis) =>
    `  ${label.padEnd(12)} ${get(s.day).padStart(14)}   vs prev day ${signedPct(s.change.vsPreviousDay[key]).padStart(6)}   vs 7-day avg ${signedPct(s.change.vs7DayAverage[key]).padStart(6)}`;
  out.push(row('Spend', (k) => money(k.spendCents, cur), 'spendCents'));
  out.push(row('Revenue', (k) => money(k.revenueCents, cur), 'revenueCents'));
  out.push(row('Profit', (k) => money(k.profitCents, cur), 'profitCents'));
  out.push(row('ROAS', (k) => ratio(k.roas), 'roas'));
  out.push(row('ROI', (k) => pct(k.roi), 'roi'));
  out.push(row('Conversions', (k) => count(k.conversions), 'conversions'));
  out.push(row('CPA', (k) => money(k.cpaCents, cur), 'cpaCents'));
  if (s.revenueSource === 'shopify') out.push('  (revenue and conversions: Shopify orders)');
  if (s.actions.length) {
    out.push('');
    out.push('Act now');
    for (const a of s.actions) {
      const worded = words?.actions.find((w) => w.rank === a.rank)?.wording;
      out.push(...wrap(`${a.rank}. ${worded ?? `${a.what} — ${money(a.impactCents, cur)} at stake over 7 days (confidence ${pct(a.confidence)}, ${a.urgency})`}`, '  ', '     '));
    }
  }
  const list = (title: string, lines: DailySummary['topCampaigns']) => {
    if (lines.length === 0) return;
    out.push('');
    out.push(title);
    for (const l of lines) {
      out.push(`  ${l.name} [${l.platform}] — profit ${money(l.kpis.profitCents, cur)}, spend ${money(l.kpis.spendCents, cur)}, ROAS ${ratio(l.kpis.roas)}`);
    }
  };
  list('Most profitable campaigns', s.topCampaigns);
  list('Losing campaigns', s.bottomCampaigns);
  if (s.freshness.length) {
    out.push('');
    out.push('Data freshness');
    for (const f of s.freshness) {
      out.push(`  ${f.platform.padEnd(9)} through ${f.latest}${f.daysBehind > 0 ? ` (${f.daysBehind} day${f.daysBehind > 1 ? 's' : ''} behind)` : ''}`);
    }
  }
  return out.join('\n') + '\n';
}

/** Word-wraps a paragraph at 78 columns for the plain-text part. */
export function wrap(text: string, first = '', rest = first, width = 78): string[] {
  const lines: string[] = [];
  let line = first;
  for (const word of text.split(/\s+/)) {
    if (line.trim() && (line + word).length > width) {
      lines.push(line.trimEnd());
      line = rest;
    }
    line += word + ' ';
  }
  if (line.trim()) lines.push(line.trimEnd());
  return lines;
}
