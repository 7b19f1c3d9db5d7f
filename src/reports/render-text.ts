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

type SectionId = ReportView['sections'][number];

function sections(v: ReportView): Record<SectionId, () => string[]> {
  const lines = (title: string, xs: string[]) => [title, ...xs.flatMap((line) => wrap(line, '  ', '    ')), ''];
  return {
    summary: () => [...wrap(v.headline), '', ...v.paragraphs.flatMap((p) => [...wrap(p), ''])],
    kpis: () => [
      ...v.tiles.map((t) => `  ${t.label.padEnd(12)} ${t.value.padStart(14)}   ${t.vsPreviousDay.text.padStart(6)} ${v.compare[0]}   ${t.vs7DayAverage.text.padStart(6)} ${v.compare[1]}`),
      `  (${v.objective}.${v.revenueNote ? ` ${v.revenueNote}` : ''})`,
      '',
    ],
    actions: () => v.actions.length === 0 ? [] : ['Act now', ...v.actions.flatMap((a) => [
      ...wrap(`${a.rank}. ${a.title} [${a.urgency}]`, '  ', '     '),
      ...wrap(a.wording, '     '),
      `     ${a.impact} at stake over 7 days · confidence ${a.confidence}`,
      // Whole URLs, never wrapped: a cut link is a dead button.
      ...a.links.map((l) => `     ${l.label}: ${l.url}`),
      '',
    ])],
    burning: () => (v.burning ? table(v.burning) : []),
    budgets: () => (v.budgets ? ['Budgets this month', ...v.budgets.flatMap((b) => [`  ${b.name}`, `  [${'#'.repeat(Math.round(b.spentPct / 5)).padEnd(20, '.')}]`, ...wrap(b.line, '  ', '  ')]), ''] : []),
    trend: () => table({ ...v.periods, title: `Trend: ${v.periods.title.charAt(0).toLowerCase()}${v.periods.title.slice(1)}` }),
    campaigns: () => [...(v.top ? table(v.top) : []), ...(v.bottom ? table(v.bottom) : [])],
    rollups: () => v.rollups.flatMap(table),
    platformChanges: () => (v.platformChanges ? [...wrap(`${v.platformChanges.headline}.`), ...v.platformChanges.lines.flatMap((line) => wrap(line, '  ', '    ')), ''] : []),
    firstParty: () => (v.firstParty ? lines('First-party campaigns (7 days)', v.firstParty) : []),
    splitTests: () => (v.splitTests ? lines('Split tests', v.splitTests) : []),
    forecast: () => (v.forecast ? ['Next 7 days', `  Spend ${v.forecast.spend}`, `  Revenue ${v.forecast.revenue}`, `  Profit ${v.forecast.profit}`, ...wrap(v.forecast.note, '  '), ''] : []),
    trackRecord: () => (v.trackRecord ? [...wrap(v.trackRecord.text), ''] : []),
    freshness: () => ['Data freshness', ...(v.freshness.length ? v.freshness.map((f) => `  ${f.platform.padEnd(9)} through ${f.through} (${f.behind})`) : ['  no data yet']), ''],
  };
}

export function renderReportText(v: ReportView): string {
  const parts = sections(v);
  // "adbrain daily report" / "Acme Growth · Weekly report".
  const head = v.brand.whiteLabel ? v.brand.kicker : v.brand.kicker.replace(' · ', ' ');
  const out = [`${head} — ${v.client}`, `${v.dateLabel} (${v.timezone})`, ''];
  for (const id of v.sections) out.push(...parts[id]());
  out.push(v.footer);
  if (v.brand.footer) out.push(v.brand.footer);
  return out.join('\n') + '\n';
}
