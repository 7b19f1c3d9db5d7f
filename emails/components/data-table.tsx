import { Heading, Section, Text } from '@react-email/components';
import type { Table } from '../../src/reports/view.ts';
import { theme, toneColor } from './theme.ts';

const cell = { padding: '6px 8px', borderBottom: `1px solid ${theme.line}`, fontSize: '13px', lineHeight: '18px', color: theme.ink };

export function DataTable({ table }: { table: Table }) {
  return (
    <Section style={{ margin: '8px 0 16px' }}>
      <Heading as="h3" style={{ fontSize: '15px', margin: '0 0 6px', color: theme.ink }}>{table.title}</Heading>
      <table width="100%" cellPadding={0} cellSpacing={0} role="presentation" style={{ borderCollapse: 'collapse' }}>
        <thead>
          <tr>
            {table.columns.map((c, i) => (
              <th key={c} align={i === 0 ? 'left' : 'right'} style={{ ...cell, color: theme.muted, fontWeight: 600, fontSize: '12px' }}>{c}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {table.rows.map((r, i) => (
            <tr key={i}>
              <td align="left" style={{ ...cell, wordBreak: 'break-word' }}>{r.name}</td>
              {r.cells.map((c, j) => (
                <td key={j} align="right" style={{ ...cell, whiteSpace: 'nowrap', color: j === 0 && table.columns[1] === 'Platform' ? theme.muted : r.tone && table.columns[j + 1] === 'Profit' ? toneColor(r.tone) : theme.ink }}>{c}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {table.more && <Text style={{ fontSize: '12px', color: theme.muted, margin: '6px 0 0' }}>{table.more}</Text>}
    </Section>
  );
}
