// The alert email's content, formatted once (the template only displays it).
import { count, money, pct } from '../reports/format.ts';
import type { BrandLook } from '../branding/brand.ts';
import type { Condition } from './rules.ts';

export interface AlertView {
  /** Whose alert it is; absent: adbrain's own look. */
  brand?: BrandLook;
  subject: string;
  preview: string;
  client: string;
  rule: string;
  headline: string;
  entity: { name: string; kind: string; platform: string } | null;
  numbers: { label: string; value: string }[];
  suggestion: string;
  context: string;
  footer: string;
  /** Signed buttons (src/actions/): kill the link, mark the alert's insight applied or dismissed. */
  links?: { label: string; url: string; danger: boolean }[];
}

const LABEL = { burning: 'Burning money', winner: 'Winner', budget: 'Daily spend over the alert line' } as const;

export function buildAlertView(c: Condition, client: { name: string; currency: string; timezone: string }, window: { from: string; to: string }, why: string, provisionalFrom?: string, look?: BrandLook): AlertView {
  const $ = (x: number | null) => money(x, client.currency);
  const t = c.totals;
  const name = c.entity?.name ?? client.name;
  const profit = t.revenue - t.revenueSpend;
  let headline: string, suggestion: string;
  const numbers: AlertView['numbers'] = [];
  // How sure, and since when: the brain's words for the same verdict.
  const when = c.since ? ` since ${c.since}` : '';
  const sure = c.probability !== undefined ? ` (${Math.round(c.probability * 100)}% sure)` : '';
  if (c.rule === 'budget' && c.entity) {
    headline = `${c.entity.name} spent ${$(c.value)} this month, over its ${$(c.threshold)} monthly budget`;
    suggestion = `Lower the daily budgets in ${c.entity.name} (or pause its weakest campaigns) for the rest of the month, or raise its budget if the spend pays back.`;
    numbers.push({ label: 'Spent this month', value: $(c.value) }, { label: 'Monthly budget', value: $(c.threshold) }, { label: 'Over by', value: $(c.value - c.threshold) });
  } else if (c.rule === 'budget') {
    headline = `${client.name} spent ${$(c.value)} so far on ${window.to}, above the ${$(c.threshold)} alert line`;
    suggestion = 'Check the daily budgets and any campaign that scaled up unexpectedly; lower them if the extra spend is not paying back.';
    numbers.push({ label: 'Spend on the day', value: $(c.value) }, { label: 'Alert line', value: $(c.threshold) }, { label: 'Over by', value: $(c.value - c.threshold) });
  } else if (c.entity?.objective?.kind === 'leads') {
    // Judged by leads: the numbers that matter are leads and CPA against the target.
    const target = c.entity.objective.targetCpaCents ?? 0;
    const cpa = c.cpaCents ?? null;
    numbers.push(
      { label: 'Spend', value: $(t.conversionSpend) },
      { label: 'Leads', value: count(t.conversions) },
      { label: 'CPA', value: $(cpa) },
      { label: 'Target CPA', value: $(target) },
    );
    const cpaText = cpa === null ? `no leads from ${$(t.conversionSpend)}` : `CPA ${$(cpa)} against a ${$(target)} target`;
    if (c.rule === 'burning') {
      headline = `${name} is burning money${when}: ${cpaText}${sure}`;
      suggestion = `Pause ${name} or cut its budget, then check the form, the audience and the lead tracking.`;
    } else {
      headline = `${name} is a winner${when}: ${cpaText}${sure}`;
      suggestion = `Raise the budget of ${name} by about 20% and watch its CPA over the next two days before scaling further.`;
    }
  } else {
    numbers.push(
      { label: 'Spend', value: $(t.spend) },
      { label: 'Revenue', value: $(t.revenue) },
      { label: 'Profit', value: $(profit) },
      { label: 'ROI', value: pct(c.value) },
      { label: 'Conversions', value: count(t.conversions) },
    );
    if (c.rule === 'burning') {
      headline = `${name} is burning money${when}: ROI ${pct(c.value)} on ${$(t.spend)} of spend${sure}`;
      suggestion = `Pause ${name} now (or cut its budget), then check the offer, the landing page and the tracking before turning it back on.`;
    } else {
      headline = `${name} is a winner${when}: ROI ${pct(c.value)} on ${$(t.revenue)} of revenue${sure}`;
      suggestion = `Raise the budget of ${name} by about 20% and watch its ROI over the next two days before scaling further.`;
    }
  }
  const label = c.rule === 'budget' && c.entity ? 'Over the monthly budget' : LABEL[c.rule];
  const level = c.level > 1 ? ` Level ${c.level} of 3${why === 'escalated' ? ' — it got worse since the last alert' : ''}.` : '';
  return {
    subject: `[${label}] ${headline}`.slice(0, 180),
    preview: suggestion,
    client: client.name,
    rule: label,
    headline,
    entity: c.entity && { name: c.entity.name, kind: c.entity.kind, platform: c.entity.platform },
    numbers,
    suggestion,
    context: `${window.from === window.to ? `On ${window.to}` : `Judged on ${window.from} to ${window.to}`} (${client.timezone}; ${window.to} is today, so far).${level}${provisionalFrom ? ` Conversions from ${provisionalFrom} on are provisional: ${c.entity?.platform ?? 'the platform'} may still restate them.` : ''}`,
    footer: look?.whiteLabel
      ? `${look.name} alert for ${client.name}.${look.footer ? ` ${look.footer}` : ''}`
      : `adbrain alert for ${client.name}. Mark a link as killed with \`adbrain links kill\` to stop its alerts.`,
    ...(look && { brand: look }),
  };
}

export function renderAlertText(v: AlertView): string {
  const lines = [`${v.rule} — ${v.client}`, '', v.headline, ''];
  if (v.entity) lines.push(`${v.entity.kind} on ${v.entity.platform}: ${v.entity.name}`, '');
  for (const n of v.numbers) lines.push(`  ${n.label.padEnd(18)} ${n.value}`);
  lines.push('', `What to do: ${v.suggestion}`);
  for (const l of v.links ?? []) lines.push(`${l.label}: ${l.url}`);
  lines.push('', v.context, '', v.footer);
  return lines.join('\n') + '\n';
}
