// The alert email: one condition, its numbers and what to do. Displays an AlertView.
import { Heading, Section, Text } from '@react-email/components';
import type { AlertView } from '../src/alerts/view.ts';
import { AlertFrame, alertText as p } from './components/alert-frame.tsx';
import { theme } from './components/theme.ts';
import { ActionButtons } from './components/action-buttons.tsx';

export default function AlertEmail({ view }: { view: AlertView }) {
  const accent = view.rule === 'Winner' ? theme.good : theme.bad;
  return (
    <AlertFrame brand={view.brand} preview={view.preview} context={view.context} footer={view.footer} width={560}>
      <Text style={{ margin: 0, fontSize: '12px', color: accent, fontWeight: 700, textTransform: 'uppercase', letterSpacing: '0.05em' }}>{view.rule} · {view.client}</Text>
      <Heading as="h1" style={{ fontSize: '20px', lineHeight: '26px', margin: '6px 0 12px', color: theme.ink }}>{view.headline}</Heading>
      {view.entity && (
        <Text style={{ ...p, color: theme.muted, fontSize: '13px' }}>
          {view.entity.kind} on {view.entity.platform}: <strong style={{ color: theme.ink }}>{view.entity.name}</strong>
        </Text>
      )}
      <table width="100%" cellPadding={0} cellSpacing={0} role="presentation" style={{ borderCollapse: 'collapse', margin: '0 0 14px' }}>
        <tbody>
          {view.numbers.map((n) => (
            <tr key={n.label}>
              <td style={{ padding: '6px 0', borderBottom: `1px solid ${theme.line}`, fontSize: '13px', color: theme.muted }}>{n.label}</td>
              <td align="right" style={{ padding: '6px 0', borderBottom: `1px solid ${theme.line}`, fontSize: '14px', fontWeight: 700, color: theme.ink }}>{n.value}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Section style={{ background: theme.panel, borderLeft: `4px solid ${accent}`, padding: '10px 12px', margin: '0 0 12px' }}>
        <Text style={{ ...p, margin: 0 }}><strong>What to do:</strong> {view.suggestion}</Text>
      </Section>
      <ActionButtons links={view.links} margin="0 0 12px" color={view.brand?.primary} />
    </AlertFrame>
  );
}

AlertEmail.PreviewProps = {
  view: {
    subject: '[Burning money] Unboxing 15s is burning money: ROI -78% on $1,260.00 of spend',
    preview: 'Pause Unboxing 15s now.',
    client: 'Northwind Affiliates',
    rule: 'Burning money',
    headline: 'Unboxing 15s is burning money: ROI -78% on $1,260.00 of spend',
    entity: { name: 'Unboxing 15s', kind: 'link', platform: 'tiktok' },
    numbers: [{ label: 'Spend', value: '$1,260.00' }, { label: 'Revenue', value: '$280.00' }, { label: 'Profit', value: '-$980.00' }, { label: 'ROI', value: '-78%' }],
    suggestion: 'Pause Unboxing 15s now (or cut its budget), then check the offer, the landing page and the tracking before turning it back on.',
    context: 'Check window 2026-11-19 to 2026-11-21 (America/Los_Angeles). Level 2 of 3.',
    footer: 'adbrain alert for Northwind Affiliates.',
  } satisfies AlertView,
};
