import { Column, Row, Section, Text } from '@react-email/components';
import type { Tile } from '../../src/reports/view.ts';
import { theme, toneColor } from './theme.ts';

const small = { margin: 0, fontSize: '11px', lineHeight: '15px', color: theme.muted };

export function Tiles({ tiles, compare = ['vs prev. day', 'vs 7-day avg'] }: { tiles: Tile[]; compare?: [string, string] }) {
  const rows = [tiles.slice(0, 4), tiles.slice(4)];
  return (
    <Section style={{ margin: '8px 0 16px' }}>
      {rows.map((row, i) => (
        <Row key={i}>
          {row.map((t) => (
            <Column key={t.label} style={{ width: '25%', padding: '6px', verticalAlign: 'top' }}>
              <div style={{ background: theme.panel, borderRadius: '6px', padding: '10px 12px' }}>
                <Text style={small}>{t.label}</Text>
                <Text style={{ margin: '2px 0 4px', fontSize: '18px', lineHeight: '24px', fontWeight: 700, color: theme.ink }}>{t.value}</Text>
                <Text style={small}>
                  <span style={{ color: toneColor(t.vsPreviousDay.tone) }}>{t.vsPreviousDay.text}</span> {compare[0]}
                </Text>
                <Text style={small}>
                  <span style={{ color: toneColor(t.vs7DayAverage.tone) }}>{t.vs7DayAverage.text}</span> {compare[1]}
                </Text>
              </div>
            </Column>
          ))}
        </Row>
      ))}
    </Section>
  );
}
