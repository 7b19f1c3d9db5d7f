// The frame both alert emails share: preview line, page, the judged window and the footer.
import { Body, Container, Head, Hr, Html, Img, Preview, Text } from '@react-email/components';
import type { BrandLook } from '../../src/branding/brand.ts';
import type { ReactNode } from 'react';
import { theme } from './theme.ts';

export const alertText = { margin: '0 0 10px', fontSize: '14px', lineHeight: '21px', color: theme.ink };

export function AlertFrame({ preview, context, footer, width, brand, children }: { preview: string; context: string; footer: string; width: number; brand?: BrandLook; children: ReactNode }) {
  return (
    <Html lang="en">
      <Head />
      <Preview>{preview}</Preview>
      <Body style={{ background: '#ffffff', fontFamily: theme.font, margin: 0 }}>
        <Container style={{ maxWidth: `${width}px`, margin: '0 auto', padding: '20px 16px' }}>
          {brand?.logo && <Img src={brand.logo.src} width={brand.logo.width} height={brand.logo.height} alt={brand.name} style={{ display: 'block', margin: '0 0 12px', border: 0 }} />}
          {children}
          <Text style={{ ...alertText, fontSize: '12px', color: theme.muted }}>{context}</Text>
          <Hr style={{ borderColor: theme.line }} />
          <Text style={{ ...alertText, fontSize: '11px', color: theme.muted }}>{footer}</Text>
        </Container>
      </Body>
    </Html>
  );
}
