// Email-safe bar chart: nested tables with fixed heights, no SVG or images.
import { Heading, Section, Text } from '@react-email/components';
import type { ChartView } from '../../src/reports/view.ts';
import { theme } from './theme.ts';

const HEIGHT = 90;

function Column({ pct, color, title }: { pct: number; color: string; title: string }) {
  const h = Math.max(pct > 0 ? 1 : 0, Math.round((pct / 100) * HEIGHT));
  return (
    <td valign="bottom" style={{ padding: '0 1px', verticalAlign: 'bottom' }} title={title}>
      <div style={{ height: `${h}px`, lineHeight: `${h}px`, fontSize: '1px', background: color, width: '100%' }}>&nbsp;</div>
    </td>
  );
}

export function BarChart({ title, legend, bars, axis, accent = theme.revenue }: ChartView & { accent?: string }) {
  const label = { fontSize: '10px', color: theme.muted, whiteSpace: 'nowrap' as const, paddingRight: '4px', textAlign: 'right' as const };
  return (
    <Section style={{ margin: '8px 0 16px' }}>
      <Heading as="h3" style={{ fontSize: '15px', margin: '0 0 6px', color: theme.ink }}>{title}</Heading>
      <table width="100%" cellPadding={0} cellSpacing={0} role="presentation" style={{ borderCollapse: 'collapse', height: `${HEIGHT}px` }}>
        <tbody>
          <tr style={{ height: `${HEIGHT}px` }}>
            {/* The value axis: top of the scale, its middle, zero. */}
            <td width="56" valign="top" style={{ width: '56px', verticalAlign: 'top', borderRight: `1px solid ${theme.line}` }}>
              <table width="100%" cellPadding={0} cellSpacing={0} role="presentation" style={{ borderCollapse: 'collapse', height: `${HEIGHT}px` }}>
                <tbody>
                  <tr><td valign="top" style={{ ...label, height: `${HEIGHT / 2}px`, verticalAlign: 'top' }}>{axis.max}</td></tr>
                  <tr><td valign="top" style={{ ...label, verticalAlign: 'top' }}>{axis.mid}</td></tr>
                  <tr><td valign="bottom" style={{ ...label, verticalAlign: 'bottom' }}>{axis.zero}</td></tr>
                </tbody>
              </table>
            </td>
            {bars.map((b, i) => (
              <td key={i} valign="bottom" style={{ verticalAlign: 'bottom', padding: '0 1px', borderBottom: `1px solid ${theme.line}` }}>
                <table width="100%" cellPadding={0} cellSpacing={0} role="presentation" style={{ borderCollapse: 'collapse' }}>
                  <tbody>
                    <tr>
                      <Column pct={b.a} color={theme.spend} title={b.title} />
                      <Column pct={b.b} color={accent} title={b.title} />
                    </tr>
                  </tbody>
                </table>
              </td>
            ))}
          </tr>
        </tbody>
      </table>
      <Text style={{ margin: '4px 0 0', fontSize: '11px', color: theme.muted }}>
        {bars[0]?.label} – {bars.at(-1)?.label} · <span style={{ color: theme.spend }}>■</span> {legend[0]} · <span style={{ color: accent }}>■</span> {legend[1]}
      </Text>
    </Section>
  );
}
