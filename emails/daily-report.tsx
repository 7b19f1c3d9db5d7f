// The daily report email. It only displays a ReportView (src/reports/view.ts).
import { Body, Container, Head, Heading, Hr, Html, Img, Preview, Section, Text } from '@react-email/components';
import { Fragment, type ReactNode } from 'react';
import type { ReportView } from '../src/reports/view.ts';
import { BarChart } from './components/bar-chart.tsx';
import { DataTable } from './components/data-table.tsx';
import { Tiles } from './components/tiles.tsx';
import { ActionButtons } from './components/action-buttons.tsx';
import { theme } from './components/theme.ts';
import { previewReportView } from './preview-data.ts';

const p = { margin: '0 0 10px', fontSize: '14px', lineHeight: '21px', color: theme.ink };
const h2Base = { fontSize: '17px', margin: '20px 0 8px', color: theme.ink };
const urgencyColor: Record<string, string> = { critical: theme.bad, high: theme.bad, medium: '#b54708', low: theme.muted };

/** The brand's logo (inline attachment), or nothing. */
export function Logo({ brand }: { brand: ReportView['brand'] }) {
  if (!brand.logo) return null;
  return <Img src={brand.logo.src} width={brand.logo.width} height={brand.logo.height} alt={brand.name} style={{ display: 'block', margin: '0 0 12px', border: 0 }} />;
}

type SectionId = ReportView['sections'][number];

function sections(view: ReportView): Record<SectionId, () => ReactNode> {
  const brand = view.brand;
  const h2 = { ...h2Base, color: brand.primary };
  return {
    summary: () => (
      <Section style={{ borderLeft: `4px solid ${brand.primary}`, padding: '4px 0 4px 12px', margin: '0 0 12px' }}>
        <Text style={{ ...p, fontSize: '16px', fontWeight: 700 }}>{view.headline}</Text>
        {view.paragraphs.map((t, i) => (
          <Text key={i} style={p}>{t}</Text>
        ))}
      </Section>
    ),
    kpis: () => (
      <>
        <Tiles tiles={view.tiles} compare={view.compare} />
        <Text style={{ ...p, fontSize: '12px', color: theme.muted }}>{view.objective}.{view.revenueNote ? ` ${view.revenueNote}` : ''}</Text>
      </>
    ),
    actions: () => view.actions.length > 0 && (
      <Section>
        <Heading as="h2" style={h2}>Act now</Heading>
        {view.actions.map((a) => (
          <Section key={a.rank} style={{ padding: '8px 12px', margin: '0 0 8px', background: theme.panel, borderRadius: '6px' }}>
            <Text style={{ ...p, margin: '0 0 4px', fontWeight: 700 }}>
              {a.rank}. {a.title}{' '}
              <span style={{ fontSize: '11px', fontWeight: 600, color: urgencyColor[a.urgency] ?? theme.muted, textTransform: 'uppercase' }}>{a.urgency}</span>
            </Text>
            <Text style={{ ...p, margin: '0 0 4px' }}>{a.wording}</Text>
            <Text style={{ ...p, margin: 0, fontSize: '12px', color: theme.muted }}>
              {a.impact} at stake over 7 days · confidence {a.confidence}
            </Text>
            <ActionButtons links={a.links} margin="8px 0 0" color={brand.primary} />
          </Section>
        ))}
      </Section>
    ),
    burning: () => view.burning && <DataTable table={view.burning} />,
    budgets: () => view.budgets && (
      <Section>
        <Heading as="h2" style={h2}>Budgets this month</Heading>
        {view.budgets.map((b) => (
          <Section key={b.name} style={{ margin: '0 0 10px' }}>
            <Text style={{ ...p, margin: '0 0 4px', fontWeight: 700 }}>{b.name}</Text>
            {/* Email-safe bar: a table of two cells (the even pace is in the line under it). */}
            <table width="100%" cellPadding={0} cellSpacing={0} role="presentation" style={{ borderCollapse: 'collapse', height: '10px' }}>
              <tbody>
                <tr>
                  {b.spentPct > 0 && <td width={`${b.spentPct}%`} style={{ background: b.tone === 'bad' ? theme.bad : brand.primary, height: '10px', fontSize: '1px', lineHeight: '10px' }}>&nbsp;</td>}
                  {b.spentPct < 100 && <td style={{ background: theme.line, height: '10px', fontSize: '1px', lineHeight: '10px' }}>&nbsp;</td>}
                </tr>
              </tbody>
            </table>
            <Text style={{ ...p, margin: '4px 0 0', fontSize: '12px', color: b.tone === 'bad' ? theme.bad : theme.muted }}>{b.line}</Text>
          </Section>
        ))}
      </Section>
    ),
    trend: () => (
      <>
        <Heading as="h2" style={h2}>Trend</Heading>
        <DataTable table={view.periods} />
        <BarChart {...view.chart} accent={brand.accent} />
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
        <Heading as="h2" style={h2}>Roll-ups</Heading>
        {view.rollups.map((t) => (
          <DataTable key={t.title} table={t} />
        ))}
      </>
    ),
    platformChanges: () => view.platformChanges && (
      <Section>
        <Heading as="h2" style={h2}>Changes on the ad platforms</Heading>
        <Text style={p}>{view.platformChanges.headline}.</Text>
        {view.platformChanges.lines.map((line) => (
          <Text key={line} style={p}>{line}</Text>
        ))}
      </Section>
    ),
    firstParty: () => view.firstParty && (
      <Section>
        <Heading as="h2" style={h2}>First-party campaigns (7 days)</Heading>
        {view.firstParty.map((line) => (
          <Text key={line} style={p}>{line}</Text>
        ))}
      </Section>
    ),
    splitTests: () => view.splitTests && (
      <Section>
        <Heading as="h2" style={h2}>Split tests</Heading>
        {view.splitTests.map((line) => (
          <Text key={line} style={p}>{line}</Text>
        ))}
      </Section>
    ),
    forecast: () => view.forecast && (
      <Section>
        <Heading as="h2" style={h2}>Next 7 days</Heading>
        <Text style={p}>
          Spend {view.forecast.spend} · Revenue {view.forecast.revenue} · Profit {view.forecast.profit}
        </Text>
        <Text style={{ ...p, fontSize: '12px', color: theme.muted }}>{view.forecast.note}</Text>
        <BarChart {...view.forecast.chart} accent={brand.accent} />
      </Section>
    ),
    trackRecord: () => view.trackRecord && <Text style={{ ...p, fontSize: '12px', color: theme.muted }}>{view.trackRecord.text}</Text>,
    freshness: () => (
      <Text style={{ ...p, fontSize: '12px', color: theme.muted }}>
        Data freshness: {view.freshness.map((f) => `${f.platform} through ${f.through} (${f.behind})`).join(' · ') || 'no data yet'}
      </Text>
    ),
  };
}

export default function DailyReport({ view }: { view: ReportView }) {
  const parts = sections(view);
  return (
    <Html lang="en">
      <Head />
      <Preview>{view.preview}</Preview>
      <Body style={{ background: '#ffffff', fontFamily: theme.font, margin: 0, padding: 0 }}>
        <Container style={{ maxWidth: '680px', margin: '0 auto', padding: '20px 16px' }}>
          <Logo brand={view.brand} />
          <Text style={{ margin: 0, fontSize: '12px', color: view.brand.kickerColor, textTransform: 'uppercase', letterSpacing: '0.05em' }}>
            {view.brand.kicker}
          </Text>
          <Heading as="h1" style={{ fontSize: '22px', lineHeight: '28px', margin: '4px 0 2px', color: theme.ink }}>{view.client}</Heading>
          <Text style={{ margin: '0 0 12px', fontSize: '13px', color: theme.muted }}>{view.dateLabel} ({view.timezone})</Text>
          {view.sections.map((id) => (
            <Fragment key={id}>{parts[id]()}</Fragment>
          ))}
          <Hr style={{ borderColor: theme.line, margin: '16px 0' }} />
          <Text style={{ ...p, fontSize: '11px', color: theme.muted }}>{view.footer}</Text>
          {view.brand.footer && <Text style={{ ...p, fontSize: '11px', color: theme.muted }}>{view.brand.footer}</Text>}
        </Container>
      </Body>
    </Html>
  );
}

DailyReport.PreviewProps = { view: previewReportView() };
