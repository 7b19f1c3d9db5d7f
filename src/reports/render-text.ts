// The plain-text part (and report.txt): the same view as the HTML and PDF,
// laid out for a monospaced reader.
import type { ReportView, Table } from './view.ts';

/** Word-wraps a paragraph at 78 columns. */
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

function table(t: Table): string[] {
  const widths = t.columns.map((c, i) => Math.max(c.length, ...t.rows.map((r) => (i === 0 ? Math.min(r.name.length, 34) : r.cells[i - 1]!.length))));
  // A link is told apart by its end (…?sub9=bf-tail-7781): shorten the middle, keep the tail.
  const clip = (s: string, w: number) => (s.length > w ? `${s.slice(0, Math.ceil((w - 1) / 2))}…${s.slice(s.length - Math.floor((w - 1) / 2))}` : s);
  const line = (cells: string[]) => '  ' + cells.map((c, i) => (i === 0 ? clip(c, widths[0]!).padEnd(widths[0]!) : c.padStart(widths[i]!))).join('  ');
  return [t.title, line(t.columns), ...t.rows.map((r) => line([r.name, ...r.cells])), ...(t.more ? [`  ${t.more}`] : []), ''];
}

export function renderReportText(v: ReportView): string {
  const out: string[] = [];
  out.push(`adbrain daily report — ${v.client}`, `${v.dateLabel} (${v.timezone})`, '');
  out.push(...wrap(v.headline), '');
  for (const p of v.paragraphs) out.push(...wrap(p), '');
  for (const t of v.tiles) {
    out.push(`  ${t.label.padEnd(12)} ${t.value.padStart(14)}   ${t.vsPreviousDay.text.padStart(6)} vs prev. day   ${t.vs7DayAverage.text.padStart(6)} vs 7-day avg`);
  }
  out.push(`  (${v.objective}.${v.revenueNote ? ` ${v.revenueNote}` : ''})`);
  out.push('');
  if (v.actions.length) {
    out.push('Act now');
    for (const a of v.actions) {
      out.push(...wrap(`${a.rank}. ${a.title} [${a.urgency}]`, '  ', '     '));
      out.push(...wrap(a.wording, '     '));
      out.push(`     ${a.impact} at stake over 7 days · confidence ${a.confidence}`);
      // Whole URLs, never wrapped: a cut link is a dead button.
      for (const l of a.links) out.push(`     ${l.label}: ${l.url}`);
      out.push('');
    }
  }
  if (v.burning) out.push(...table(v.burning));
  out.push(...table({ ...v.periods, title: 'Trend: last 7 and 30 days' }));
  if (v.top) out.push(...table(v.top));
  if (v.bottom) out.push(...table(v.bottom));
  for (const t of v.rollups) out.push(...table(t));
  if (v.platformChanges) {
    out.push(...wrap(`${v.platformChanges.headline}.`));
    for (const line of v.platformChanges.lines) out.push(...wrap(line, '  ', '    '));
    out.push('');
  }
  if (v.firstParty) {
    out.push('First-party campaigns (7 days)');
    for (const line of v.firstParty) out.push(...wrap(line, '  ', '    '));
    out.push('');
  }
  if (v.splitTests) {
    out.push('Split tests');
    for (const line of v.splitTests) out.push(...wrap(line, '  ', '    '));
    out.push('');
  }
  if (v.forecast) {
    out.push('Next 7 days', `  Spend ${v.forecast.spend}`, `  Revenue ${v.forecast.revenue}`, `  Profit ${v.forecast.profit}`, ...wrap(v.forecast.note, '  '), '');
  }
  if (v.trackRecord) out.push(...wrap(v.trackRecord.text), '');
  out.push('Data freshness');
  for (const f of v.freshness) out.push(`  ${f.platform.padEnd(9)} through ${f.through} (${f.behind})`);
  if (v.freshness.length === 0) out.push('  no data yet');
  out.push('', v.footer);
  return out.join('\n') + '\n';
}
