// The PDF of the daily report: the same view as the email, laid out for A4.
// DejaVu Sans ships in an npm package (no download at run time) and has €, Δ, ≥,
// × and accented letters, which react-pdf's built-in Helvetica lacks.
import { Document, Font, Image, Page, StyleSheet, Text, View, renderToBuffer } from '@react-pdf/renderer';
import type { Style } from '@react-pdf/types';
import { Fragment, type ReactNode } from 'react';
import { fontsFor } from './pdf-fonts.ts';
import { theme } from '../../emails/components/theme.ts';
import type { ChartView, ReportView, Table, Tone } from './view.ts';

// Long names break anywhere rather than overflow a cell; no hyphen is invented.
Font.registerHyphenationCallback((word) => (word.length > 18 ? word.match(/.{1,12}/g) ?? [word] : [word]));

/** Points of content a heading keeps with it: never the last line of a page. */
const KEEP_WITH_NEXT = 80;

const s = StyleSheet.create({
  page: { fontSize: 9, color: theme.ink, padding: '28 32 36 32', lineHeight: 1.35 },
  kicker: { fontSize: 7.5, color: theme.muted, textTransform: 'uppercase', letterSpacing: 0.6 },
  h1: { fontSize: 16, fontWeight: 700, marginTop: 2, marginBottom: 3, lineHeight: 1.2 },
  date: { fontSize: 8.5, color: theme.muted, marginBottom: 8 },
  summary: { borderLeft: `3 solid ${theme.brand}`, paddingLeft: 8, marginBottom: 8 },
  headline: { fontSize: 11, fontWeight: 700, marginBottom: 4 },
  p: { marginBottom: 4 },
  h2: { fontSize: 11.5, fontWeight: 700, marginTop: 10, marginBottom: 4 },
  h3: { fontSize: 10, fontWeight: 700, marginTop: 6, marginBottom: 3 },
  tiles: { flexDirection: 'row', flexWrap: 'wrap', marginHorizontal: -3 },
  tile: { width: '25%', padding: 3 },
  tileInner: { backgroundColor: theme.panel, borderRadius: 4, padding: 6 },
  small: { fontSize: 7.5, color: theme.muted },
  value: { fontSize: 12, fontWeight: 700, marginVertical: 1 },
  action: { backgroundColor: theme.panel, borderRadius: 4, padding: 6, marginBottom: 4 },
  row: { flexDirection: 'row', borderBottom: `0.5 solid ${theme.line}`, paddingVertical: 2.5 },
  th: { color: theme.muted, fontWeight: 700, fontSize: 8 },
  cellName: { flex: 3, paddingRight: 4 },
  cell: { flex: 1.3, textAlign: 'right' },
  chart: { flexDirection: 'row', alignItems: 'flex-end', height: 70, borderBottom: `0.5 solid ${theme.line}` },
  // From the top of the A4 page (841.9 pt): react-pdf 4 drops fixed texts placed by `bottom` under a line height.
  footer: { position: 'absolute', top: 810, left: 32, right: 32, fontSize: 7, color: theme.muted },
});

const color = (t: Tone | undefined) => (t === 'good' ? theme.good : t === 'bad' ? theme.bad : theme.ink);

function DataTable({ table }: { table: Table }) {
  return (
    <View wrap={false} style={{ marginBottom: 4 }}>
      <Text style={s.h3}>{table.title}</Text>
      <View style={s.row}>
        {table.columns.map((c, i) => (
          <Text key={c} style={[i === 0 ? s.cellName : s.cell, s.th]}>{c}</Text>
        ))}
      </View>
      {table.rows.map((r, i) => (
        <View key={i} style={s.row}>
          <Text style={s.cellName}>{r.name}</Text>
          {r.cells.map((c, j) => (
            <Text key={j} style={[s.cell, { color: table.columns[j + 1] === 'Profit' ? color(r.tone) : theme.ink }]}>{c}</Text>
          ))}
        </View>
      ))}
      {table.more && <Text style={{ fontSize: 8, color: theme.muted, marginTop: 2 }}>{table.more}</Text>}
    </View>
  );
}

function Chart({ title, legend, bars, axis, accent = theme.revenue }: ChartView & { accent?: string }) {
  return (
    <View wrap={false} style={{ marginBottom: 6 }}>
      <Text style={s.h3}>{title}</Text>
      <View style={{ flexDirection: 'row' }}>
      {/* The value axis: top of the scale, its middle, zero. */}
      <View style={{ width: 44, height: 70, justifyContent: 'space-between', paddingRight: 3, borderRight: `0.5 solid ${theme.line}` }}>
        {/* Keyed by position: a small scale can print the same label twice. */}
        {[axis.max, axis.mid, axis.zero].map((t, i) => <Text key={i} style={{ fontSize: 6.5, color: theme.muted, textAlign: 'right' }}>{t}</Text>)}
      </View>
      <View style={[s.chart, { flex: 1 }]}>
        {bars.map((b, i) => (
          <View key={i} style={{ flex: 1, flexDirection: 'row', alignItems: 'flex-end', height: '100%', paddingHorizontal: 0.6 }}>
            <View style={{ flex: 1, height: `${b.a}%`, backgroundColor: theme.spend }} />
            <View style={{ flex: 1, height: `${b.b}%`, backgroundColor: accent }} />
          </View>
        ))}
      </View>
      </View>
      <Text style={[s.small, { marginTop: 2 }]}>
        {bars[0]?.label} – {bars.at(-1)?.label} · <Text style={{ color: theme.spend }}>■</Text> {legend[0]} · <Text style={{ color: accent }}>■</Text> {legend[1]}
      </Text>
    </View>
  );
}

type SectionId = ReportView['sections'][number];

function sections(view: ReportView): Record<SectionId, () => ReactNode> {
  const brand = view.brand;
  // The brand's colour on headings, not a rule under them: a bordered heading loses minPresenceAhead (react-pdf 4).
  const h2 = [s.h2, { color: brand.primary }];
  return {
    summary: () => (
      <View style={[s.summary, { borderLeft: `3 solid ${brand.primary}` }]}>
        <Text style={s.headline}>{view.headline}</Text>
        {view.paragraphs.map((t, i) => (
          <Text key={i} style={s.p}>{t}</Text>
        ))}
      </View>
    ),
    kpis: () => (
      <>
        <View style={s.tiles}>
          {view.tiles.map((t) => (
            <View key={t.label} style={s.tile}>
              <View style={s.tileInner}>
                <Text style={s.small}>{t.label}</Text>
                <Text style={s.value}>{t.value}</Text>
                <Text style={s.small}><Text style={{ color: color(t.vsPreviousDay.tone) }}>{t.vsPreviousDay.text}</Text> {view.compare[0]}</Text>
                <Text style={s.small}><Text style={{ color: color(t.vs7DayAverage.tone) }}>{t.vs7DayAverage.text}</Text> {view.compare[1]}</Text>
              </View>
            </View>
          ))}
        </View>
        <Text style={[s.small, { marginTop: 3 }]}>{view.objective}.{view.revenueNote ? ` ${view.revenueNote}` : ''}</Text>
      </>
    ),
    actions: () => view.actions.length > 0 && (
      <>
        <Text style={h2} minPresenceAhead={KEEP_WITH_NEXT}>Act now</Text>
        {view.actions.map((a) => (
          <View key={a.rank} style={s.action} wrap={false}>
            <Text style={{ fontWeight: 700 }}>{a.rank}. {a.title} <Text style={[s.small, { color: a.urgency === 'high' || a.urgency === 'critical' ? theme.bad : theme.muted }]}>{a.urgency.toUpperCase()}</Text></Text>
            <Text style={{ marginVertical: 2 }}>{a.wording}</Text>
            <Text style={s.small}>{a.impact} at stake over 7 days · confidence {a.confidence}</Text>
          </View>
        ))}
      </>
    ),
    burning: () => view.burning && <DataTable table={view.burning} />,
    budgets: () => view.budgets && (
      <View wrap={false}>
        <Text style={h2}>Budgets this month</Text>
        {view.budgets.map((b) => (
          <View key={b.name} style={{ marginBottom: 5 }}>
            <Text style={{ fontWeight: 700, marginBottom: 2 }}>{b.name}</Text>
            <View style={{ height: 6, backgroundColor: theme.line, flexDirection: 'row', position: 'relative' }}>
              <View style={{ width: `${b.spentPct}%`, backgroundColor: b.tone === 'bad' ? theme.bad : brand.primary }} />
              {/* The even pace by today: a tick across the bar. */}
              <View style={{ position: 'absolute', left: `${b.expectedPct}%`, top: -2, width: 1, height: 10, backgroundColor: theme.ink }} />
            </View>
            <Text style={[s.small, { marginTop: 2, color: b.tone === 'bad' ? theme.bad : theme.muted }]}>{b.line}</Text>
          </View>
        ))}
      </View>
    ),
    trend: () => (
      <>
        <Text style={h2} minPresenceAhead={KEEP_WITH_NEXT}>Trend</Text>
        <DataTable table={view.periods} />
        <Chart {...view.chart} accent={brand.accent} />
      </>
    ),
    campaigns: () => (
      <>
        {view.top && <DataTable table={view.top} />}
        {view.bottom && <DataTable table={view.bottom} />}
      </>
    ),
    rollups: () => view.rollups.length > 0 && (
      <>
        <Text style={h2} minPresenceAhead={KEEP_WITH_NEXT}>Roll-ups</Text>
        {view.rollups.map((t) => (
          <DataTable key={t.title} table={t} />
        ))}
      </>
    ),
    platformChanges: () => view.platformChanges && (
      <View wrap={false}>
        <Text style={h2}>Changes on the ad platforms</Text>
        <Text style={{ marginBottom: 3 }}>{view.platformChanges.headline}.</Text>
        {view.platformChanges.lines.map((line) => (
          <Text key={line} style={{ marginBottom: 3 }}>{line}</Text>
        ))}
      </View>
    ),
    firstParty: () => view.firstParty && <Lines title="First-party campaigns (7 days)" lines={view.firstParty} h2={h2} />,
    splitTests: () => view.splitTests && <Lines title="Split tests" lines={view.splitTests} h2={h2} />,
    forecast: () => view.forecast && (
      <View wrap={false}>
        <Text style={h2}>Next 7 days</Text>
        <Text>Spend {view.forecast.spend} · Revenue {view.forecast.revenue} · Profit {view.forecast.profit}</Text>
        <Text style={[s.small, { marginBottom: 2 }]}>{view.forecast.note}</Text>
        <Chart {...view.forecast.chart} accent={brand.accent} />
      </View>
    ),
    trackRecord: () => view.trackRecord && <Text style={s.small}>{view.trackRecord.text}</Text>,
    freshness: () => (
      <Text style={[s.small, { marginTop: 8 }]}>
        Data freshness: {view.freshness.map((f) => `${f.platform} through ${f.through} (${f.behind})`).join(' · ') || 'no data yet'}
      </Text>
    ),
  };
}

function Lines({ title, lines, h2 }: { title: string; lines: string[]; h2: Style[] }) {
  return (
    <View wrap={false}>
      <Text style={h2}>{title}</Text>
      {lines.map((line) => (
        <Text key={line} style={{ marginBottom: 3 }}>{line}</Text>
      ))}
    </View>
  );
}

export function ReportPdf({ view, fonts }: { view: ReportView; fonts: string[] }) {
  const parts = sections(view);
  const logo = view.brand.logo;
  return (
    <Document title={view.subject} author={view.brand.name} creator={view.brand.name} producer={view.brand.name} subject={view.brand.kicker}>
      <Page size="A4" style={[s.page, { fontFamily: fonts }]}>
        {/* Points, not pixels: the email's 56 px box is 42 pt here, the same share of the page. */}
        {logo && <Image src={{ data: logo.png, format: 'png' }} style={{ width: logo.width * 0.75, height: logo.height * 0.75, marginBottom: 6 }} />}
        <Text style={[s.kicker, { color: view.brand.kickerColor }]}>{view.brand.kicker}</Text>
        <Text style={s.h1}>{view.client}</Text>
        <Text style={s.date}>{view.dateLabel} ({view.timezone})</Text>
        {view.sections.map((id) => (
          <Fragment key={id}>{parts[id]()}</Fragment>
        ))}
        {view.brand.footer && <Text style={[s.small, { marginTop: 6 }]}>{view.brand.footer}</Text>}
        {/* One text, not a View: a fixed absolute View vanishes under the page's line height (react-pdf 4). */}
        <Text style={s.footer} fixed render={({ pageNumber, totalPages }) => `${view.footer} · ${pageNumber} / ${totalPages}`} />
      </Page>
    </Document>
  );
}

export async function renderReportPdf(view: ReportView): Promise<Buffer> {
  // The fallback faces this report's text needs (per-glyph: a Japanese campaign name
  // in an English report draws its kana from Noto Sans JP, the rest from DejaVu).
  const fonts = fontsFor(JSON.stringify(view, (k, v) => (k === 'png' ? undefined : v)));
  return renderToBuffer(<ReportPdf view={view} fonts={fonts} />);
}
