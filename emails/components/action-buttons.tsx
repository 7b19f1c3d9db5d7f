// The signed action buttons (kill / apply / dismiss) under an item: big enough to tap on a phone.
import { Button, Text } from '@react-email/components';
import { theme } from './theme.ts';

export function ActionButtons({ links, margin, color = theme.brand }: { links: { label: string; url: string; danger: boolean }[] | undefined; margin: string; color?: string }) {
  if (!links || links.length === 0) return null;
  return (
    <Text style={{ margin, fontSize: '14px', lineHeight: '21px' }}>
      {links.map((l) => (
        <Button key={l.label} href={l.url} style={{ display: 'inline-block', padding: '10px 16px', margin: '0 8px 6px 0', borderRadius: '6px', fontSize: '14px', fontWeight: 600, color: '#ffffff', background: l.danger ? theme.bad : color }}>
          {l.label}
        </Button>
      ))}
    </Text>
  );
}
