// The alert digest: many conditions from one check in one email, grouped by rule,
// the most money at stake first. Displays a DigestView.
import { Heading, Section, Text } from '@react-email/components';
import type { DigestView } from '../src/alerts/digest.ts';
import { AlertFrame, alertText as p } from './components/alert-frame.tsx';
import { theme } from './components/theme.ts';
import { ActionButtons } from './components/action-buttons.tsx';

export default function AlertDigestEmail({ view }: { view: DigestView }) {
  return (
    <AlertFrame brand={view.brand} preview={view.preview} context={view.context} footer={view.footer} width={600}>
      <Text style={{ margin: 0, fontSize: '12px', color: view.brand?.primary ?? theme.brand, fontWeight: 700, textTransform: 'uppercase', letterSpacing: '0.05em' }}>Alerts · {view.client}</Text>
      <Heading as="h1" style={{ fontSize: '20px', lineHeight: '26px', margin: '6px 0 14px', color: theme.ink }}>{view.headline}</Heading>
      {view.sections.map((s) => {
        const accent = s.tone === 'good' ? theme.good : theme.bad;
        return (
          <Section key={s.rule} style={{ margin: '0 0 16px' }}>
            <Section style={{ background: theme.panel, borderLeft: `4px solid ${accent}`, padding: '8px 12px', margin: '0 0 6px' }}>
              <Text style={{ ...p, margin: 0, fontSize: '12px', color: accent, fontWeight: 700, textTransform: 'uppercase' }}>{s.rule}</Text>
              <Text style={{ ...p, margin: 0, fontWeight: 700 }}>{s.summary}</Text>
            </Section>
            {s.items.map((i) => (
              <Section key={i.headline} style={{ borderBottom: `1px solid ${theme.line}`, padding: '6px 0' }}>
                <Text style={{ ...p, margin: 0, fontSize: '13px' }}>{i.headline}</Text>
                <Text style={{ ...p, margin: 0, fontSize: '12px', color: theme.muted }}>{i.entity ? `${i.entity} · ` : ''}{i.numbers}</Text>
                <ActionButtons links={i.links} margin="6px 0 0" color={view.brand?.primary} />
              </Section>
            ))}
            {s.more && <Text style={{ ...p, fontSize: '12px', color: theme.muted, margin: '6px 0 0' }}>{s.more}</Text>}
          </Section>
        );
      })}
    </AlertFrame>
  );
}

AlertDigestEmail.PreviewProps = {
  view: {
    subject: '[adbrain alerts] Northwind Affiliates: 17 burning ($3,420.00 spent), 2 winners',
    preview: '17 links and ads burning money: $3,420.00 spent since each began, profit -$2,980.00',
    client: 'Northwind Affiliates',
    headline: 'Northwind Affiliates: 17 burning ($3,420.00 spent), 2 winners',
    tally: '17 burning ($3,420.00 spent), 2 winners',
    sections: [
      {
        rule: 'Burning money', tone: 'bad', summary: '17 links and ads burning money: $3,420.00 spent since each began, profit -$2,980.00',
        items: [{ headline: 'Unboxing 15s is burning money since 2026-11-19: ROI -78% on $1,260.00 of spend (97% sure)', numbers: 'Spend $1,260.00 · Revenue $280.00 · Profit -$980.00 · ROI -78% · Conversions 7', entity: 'link on tiktok', links: [{ label: 'Kill this link', url: 'https://adbrain.example/a/preview', danger: true }] }],
        more: 'and 16 more, in the attached alerts.csv',
      },
      {
        rule: 'Winners', tone: 'good', summary: '2 winners to scale: $4,100.00 of revenue since each took off',
        items: [{ headline: 'Gift guide is a winner since 2026-11-18: ROI 310% on $3,200.00 of revenue (95% sure)', numbers: 'Spend $780.00 · Revenue $3,200.00 · Profit $2,420.00 · ROI 310% · Conversions 64', entity: 'link on meta', links: [] }],
        more: null,
      },
    ],
    context: 'Judged on 2026-09-01 to 2026-11-21 (America/Los_Angeles). 19 alerts in one email.',
    footer: 'adbrain alert digest for Northwind Affiliates.',
  } satisfies DigestView,
};
