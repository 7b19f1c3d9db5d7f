// The chart of the days an insight was judged on: daily spend as bars, the value
// the client is judged by (revenue or conversions) as a line, and a dashed line
// at the day the brain says the change began. Plain SVG in the page (no script,
// no external asset); the numbers come from the brain's own series.
import { html } from 'hono/html';
import type { Html } from './layout.ts';

export interface ChartDay {
  day: string;
  spendCents: number;
  /** Revenue in cents or conversions; null: not reported that day. */
  value: number | null;
}

export function dayChart(days: ChartDay[], o: { since: string | null; valueLabel: string; spendLabel: string; /** The value is money too: one scale, so the line above the bars means it earned more than it cost. */ sameScale: boolean }): Html {
  if (days.length === 0) return html`<p class="muted">No daily numbers for these days.</p>`;
  const W = 640, H = 220, L = 8, R = 8, T = 18, B = 28;
  const w = (W - L - R) / days.length;
  let maxSpend = Math.max(1, ...days.map((d) => d.spendCents));
  let maxValue = Math.max(1, ...days.map((d) => d.value ?? 0));
  if (o.sameScale) maxSpend = maxValue = Math.max(maxSpend, maxValue);
  const y = (v: number, max: number) => T + (H - T - B) * (1 - v / max);
  const bars = days.map((d, i) => html`<rect class="spend" x="${(L + i * w + 1).toFixed(1)}" y="${y(d.spendCents, maxSpend).toFixed(1)}" width="${Math.max(1, w - 2).toFixed(1)}" height="${(H - B - y(d.spendCents, maxSpend)).toFixed(1)}"><title>${d.day}: ${o.spendLabel} ${(d.spendCents / 100).toFixed(2)}</title></rect>`);
  // The line breaks where a day reported no value (unknown is not zero).
  const segments: string[] = [];
  let cur: string[] = [];
  days.forEach((d, i) => {
    if (d.value === null) {
      if (cur.length) segments.push(cur.join(' '));
      cur = [];
      return;
    }
    cur.push(`${(L + i * w + w / 2).toFixed(1)},${y(d.value, maxValue).toFixed(1)}`);
  });
  if (cur.length) segments.push(cur.join(' '));
  const cut = o.since ? days.findIndex((d) => d.day === o.since) : -1;
  return html`<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="${o.spendLabel} bars and ${o.valueLabel} line, ${days[0]!.day} to ${days.at(-1)!.day}">
${bars}${segments.map((p) => html`<polyline class="value" points="${p}"></polyline>`)}
${cut >= 0 ? html`<line class="cut" x1="${(L + cut * w).toFixed(1)}" x2="${(L + cut * w).toFixed(1)}" y1="${T - 6}" y2="${H - B}"></line><text x="${(L + cut * w + 4).toFixed(1)}" y="${T - 6}">change ${o.since}</text>` : ''}
<text x="${L}" y="${H - 8}">${days[0]!.day}</text><text x="${W - R}" y="${H - 8}" text-anchor="end">${days.at(-1)!.day}</text></svg>
<p class="muted">Bars: ${o.spendLabel} per day. Line: ${o.valueLabel} per day${o.sameScale ? ' (same scale: above the bars is profit)' : ' (its own scale)'}${cut >= 0 ? '; dashed: the day the change began' : ''}.</p>`;
}
