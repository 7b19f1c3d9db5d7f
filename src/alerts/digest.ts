// When one check finds many conditions at once (an affiliate account testing
// hundreds of links, a tracker outage that makes every link look dead), one
// email a condition buries the inbox: at DIGEST_FROM or more, the check sends
// one digest instead — the conditions grouped by rule, the ones with the most
// money at stake first, the full list attached as a CSV. Formatted once here;
// the template only displays it.
import type { BrandLook } from '../branding/brand.ts';
import { sheetAmount, sheetCsv, sheetText } from '../reports/sheet-csv.ts';
import { money } from '../reports/format.ts';
import type { Condition } from './rules.ts';
import type { AlertView } from './view.ts';

// This many conditions due in one check, or more: one digest email, not one each; the
// body shows DIGEST_SHOWN per rule and the CSV has them all (mail clients clip long
// emails). The same limits as a Slack digest's, so the two agree.
import { DIGEST_FROM, DIGEST_SHOWN } from '../webhooks/events.ts';
export { DIGEST_FROM, DIGEST_SHOWN };
export const DIGEST_CSV = 'alerts.csv';

export interface DigestItem {
  c: Condition;
  view: AlertView;
}

export interface DigestSection {
  rule: string;
  tone: 'good' | 'bad';
  summary: string;
  items: { headline: string; numbers: string; entity: string | null; links: { label: string; url: string; danger: boolean }[] }[];
  more: string | null;
}

export interface DigestView {
  /** Whose alerts they are; absent: adbrain's own look. */
  brand?: BrandLook;
  subject: string;
  preview: string;
  client: string;
  headline: string;
  /** The headline without the client's name (for receivers that name the client themselves). */
  tally: string;
  sections: DigestSection[];
  context: string;
  footer: string;
}

const ORDER = { budget: 0, burning: 1, winner: 2 } as const;
const LABEL = { budget: 'Daily spend over the alert line', burning: 'Burning money', winner: 'Winners' } as const;
/** Money at stake: what a burning link spent, what a winner brought in, the day's spend. */
const stake = (c: Condition) => (c.rule === 'winner' ? c.totals.revenue : c.rule === 'budget' ? c.value : c.totals.spend);
const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** The items in the digest's order: by rule, then most money at stake first (ties by name, so a retry lists them the same). */
export function digestOrder<T extends DigestItem>(items: T[]): T[] {
  return [...items].sort((a, b) => ORDER[a.c.rule] - ORDER[b.c.rule] || stake(b.c) - stake(a.c) || (a.c.entity?.name ?? '').localeCompare(b.c.entity?.name ?? '') || a.c.subject.localeCompare(b.c.subject));
}

export function buildDigestView(items: DigestItem[], client: { name: string; currency: string; timezone: string }, window: { from: string; to: string }, provisional: { platform: string; from: string }[], look?: BrandLook): DigestView {
  const $ = (x: number) => money(x, client.currency);
  const sorted = digestOrder(items);
  const sections: DigestSection[] = [];
  const parts: string[] = [];
  for (const rule of ['budget', 'burning', 'winner'] as const) {
    const of = sorted.filter((x) => x.c.rule === rule);
    if (!of.length) continue;
    let summary: string;
    if (rule === 'burning') {
      const spend = of.reduce((s, x) => s + x.c.totals.spend, 0);
      const profit = of.reduce((s, x) => s + x.c.totals.revenue - x.c.totals.revenueSpend, 0);
      summary = `${plural(of.length, 'link or ad', 'links and ads')} burning money: ${$(spend)} spent since each began, profit ${$(profit)}`;
      parts.push(`${of.length} burning (${$(spend)} spent)`);
    } else if (rule === 'winner') {
      const revenue = of.reduce((s, x) => s + x.c.totals.revenue, 0);
      summary = `${plural(of.length, 'winner', 'winners')} to scale: ${$(revenue)} of revenue since each took off`;
      parts.push(`${plural(of.length, 'winner', 'winners')}`);
    } else {
      summary = of[0]!.view.headline;
      parts.push('daily spend over the line');
    }
    const shown = of.slice(0, DIGEST_SHOWN);
    sections.push({
      rule: LABEL[rule],
      tone: rule === 'winner' ? 'good' : 'bad',
      summary,
      items: shown.map((x) => ({ headline: x.view.headline, numbers: x.view.numbers.map((n) => `${n.label} ${n.value}`).join(' · '), entity: x.view.entity && `${x.view.entity.kind} on ${x.view.entity.platform}`, links: x.view.links ?? [] })),
      more: of.length > shown.length ? `and ${of.length - shown.length} more, in the attached ${DIGEST_CSV}` : null,
    });
  }
  const tally = parts.join(', ');
  const headline = `${client.name}: ${tally}`;
  const when = window.from === window.to ? `On ${window.to}` : `Judged on ${window.from} to ${window.to}`;
  return {
    subject: `[${look?.whiteLabel ? `${look.name} alerts` : 'adbrain alerts'}] ${headline}`.slice(0, 180),
    preview: sections[0]!.summary,
    client: client.name,
    headline,
    tally,
    sections,
    context: `${when} (${client.timezone}; ${window.to} is today, so far — alerts are checked during the day). ${plural(items.length, 'alert', 'alerts')} in one email: each is ${look?.whiteLabel ? 'kept in your inbox' : 'also in \`adbrain links list\` and the API'}, and is not repeated until it gets worse or its cooldown ends.${provisional.map((p) => ` Conversions from ${p.from} on are provisional: ${p.platform} may still restate them.`).join('')}`,
    footer: look?.whiteLabel
      ? `${look.name} alert digest for ${client.name}.${look.footer ? ` ${look.footer}` : ''}`
      : `adbrain alert digest for ${client.name}. Mark a link as killed with \`adbrain links kill\` to stop its alerts.`,
    ...(look && { brand: look }),
  };
}

export function renderDigestText(v: DigestView): string {
  const lines = [`${v.headline}`, ''];
  for (const s of v.sections) {
    lines.push(`${s.rule.toUpperCase()} — ${s.summary}`, '');
    for (const i of s.items) {
      lines.push(`  • ${i.headline}`, `    ${i.numbers}`);
      for (const l of i.links) lines.push(`    ${l.label}: ${l.url}`);
    }
    if (s.more) lines.push(`  … ${s.more}`);
    lines.push('');
  }
  lines.push(v.context, '', v.footer);
  return lines.join('\n') + '\n';
}

/** Every condition of the digest, one row each, in the email's order; amounts in the client currency. */
export function digestCsv(items: DigestItem[], currency: string, provisionalFrom: (c: Condition) => string | undefined): string {
  const amount = sheetAmount(currency);
  return sheetCsv(
    ['rule', 'level', 'name', 'kind', 'platform', 'since', 'sure', `spend_${currency}`, `revenue_${currency}`, `profit_${currency}`, 'roi', 'conversions', `cpa_${currency}`, 'provisional_from'],
    digestOrder(items).map(({ c }) => {
      const t = c.totals;
      const budget = c.rule === 'budget';
      return [
        c.rule, c.level, sheetText(c.entity?.name ?? 'client'), c.entity?.kind ?? '', c.entity?.platform ?? '', c.since ?? '',
        c.probability === undefined ? '' : c.probability.toFixed(2),
        amount(budget ? c.value : t.spend), budget ? '' : amount(t.revenue), budget ? '' : amount(t.revenue - t.revenueSpend),
        budget ? '' : c.value.toFixed(4), budget ? '' : t.conversions, amount(c.cpaCents), provisionalFrom(c) ?? '',
      ];
    }),
  );
}
