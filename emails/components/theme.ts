// Colours and type shared by the email and the PDF.
export const theme = {
  ink: '#1f2933',
  muted: '#616e7c',
  line: '#e4e7eb',
  panel: '#f5f7fa',
  brand: '#2c3e91',
  good: '#1b7f3b',
  bad: '#b42318',
  flat: '#616e7c',
  spend: '#9aa5b1',
  revenue: '#2f9e62',
  font: "-apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif",
} as const;

export const toneColor = (t: 'good' | 'bad' | 'flat' | undefined) => (t === 'good' ? theme.good : t === 'bad' ? theme.bad : theme.ink);
