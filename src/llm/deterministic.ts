// The summary without a model: what offline users read every day, and the
// fallback whenever a model is unavailable, over budget or ungrounded. It uses
// the facts' own strings, so it passes the grounding guard by construction
// (test/llm-grounding.test.ts checks that on simulated days).
import type { ActionFact, CampaignFact, KpiFact, SummaryFacts } from './facts.ts';
import type { Summary } from './schema.ts';

const q = (name: string | null) => (name ? `“${name}”` : 'the account');

function change(k: KpiFact): string {
  const parts: string[] = [];
  if (k.vsPreviousDay !== 'n/a') parts.push(`${k.vsPreviousDay} vs the previous day`);
  if (k.vs7DayAverage !== 'n/a') parts.push(`${k.vs7DayAverage} vs the 7-day average`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

export function actionWording(a: ActionFact): string {
  const subject: Record<string, string> = {
    pause: `Pause ${q(a.name)}`,
    scale: `Raise the budget of ${q(a.name)} by 20%`,
    refresh_creative: `Refresh the creative ${q(a.name)}`,
    move_budget: `Move a fifth of the budget from ${q(a.from ?? null)} to ${q(a.to ?? null)}`,
    investigate: `Check what happened to ${q(a.name)}`,
    test: `Give ${q(a.name)} a real test budget`,
    cut_budget: 'Cut daily budgets to land on the monthly budget',
    raise_budget: 'Raise daily budgets on the profitable campaigns to use the monthly budget',
    move_traffic: `Send all of the split test's traffic to ${q(a.name)}, the winner`,
  };
  const head = subject[a.kind] ?? `${a.action[0]!.toUpperCase()}${a.action.slice(1)} (${q(a.name)})`;
  const window = a.why.find((w) => w.startsWith('window '));
  const rest = a.why.filter((w) => w !== window).slice(0, 4).join(', ');
  const why = rest ? (window ? `${window.replace('window ', 'over the last ')}, ${rest}` : rest) : '';
  return `${head}${why ? ` — ${why}` : ''}. About ${a.impact7d} is at stake over the next 7 days (confidence ${a.confidence}).`;
}

function campaignLine(c: CampaignFact, verb: string): string {
  const amount = c.profit.startsWith('-') ? c.profit.slice(1) : c.profit;
  return `${q(c.name)} ${verb} ${amount} on ${c.spend} of spend (ROAS ${c.roas})`;
}

export function deterministicSummary(f: SummaryFacts): Summary {
  const actions = f.actions.map((a) => ({ ref: a.ref, rank: a.rank, wording: actionWording(a) }));
  if (!f.hasData) {
    const stale = f.freshness.filter((x) => x.daysBehind > 0).map((x) => `${x.platform} data runs through ${x.through}`);
    return {
      headline: `No spend or revenue recorded for ${f.date}`,
      paragraphs: [
        stale.length
          ? `Nothing was recorded for the day: ${stale.join('; ')}. Check the imports or connections before reading the numbers.`
          : 'Nothing was recorded for the day. If campaigns were live, check the imports or connections.',
      ],
      actions,
    };
  }
  const k = new Map(f.kpis.map((x) => [x.metric, x]));
  const spend = k.get('spend')!, revenue = k.get('revenue')!, profit = k.get('profit')!;
  const roi = k.get('ROI')!, roas = k.get('ROAS')!, conv = k.get('conversions')!, cpa = k.get('CPA')!;
  const losing = profit.value.startsWith('-');
  const leads = f.objective.kind === 'leads';
  // A ratio that could not be computed is left out, never printed as a dash.
  const roiNote = roi.value === '—' ? '' : ` (ROI ${roi.value})`;
  const target = f.objective.targetCpa ? ` against a target of ${f.objective.targetCpa}` : '';
  // A lead-gen client is told in leads and what a lead cost, not in a profit its revenue never shows.
  const headline = leads
    ? `${f.client} got ${conv.value} lead${conv.value === '1' ? '' : 's'} on ${spend.value} of spend on ${f.date}${cpa.value === '—' ? '' : ` (${cpa.value} a lead${target})`}`
    : losing
      ? `${f.client} lost ${profit.value.slice(1)} on ${spend.value} of spend on ${f.date}${roiNote}`
      : `${f.client} made ${profit.value} profit on ${spend.value} of spend on ${f.date}${roiNote}`;
  const p1 = leads
    ? `Spend was ${spend.value}${change(spend)}; ${conv.value} leads${change(conv)}${cpa.value === '—' ? '' : ` at ${cpa.value} a lead${target}`}.`
    : `Spend was ${spend.value}${change(spend)} and revenue ${revenue.value}${change(revenue)}, from ${f.revenueSource}. ` +
      `Profit came to ${profit.value}${change(profit)}${roas.value === '—' ? '' : `, a ROAS of ${roas.value}`}; ${conv.value} conversions${cpa.value === '—' ? '' : ` at a CPA of ${cpa.value}`}.`;
  const p2parts: string[] = [];
  if (f.topCampaigns[0]) p2parts.push(`${campaignLine(f.topCampaigns[0], 'made the most,')}.`);
  if (f.losingCampaigns[0]) p2parts.push(`${campaignLine(f.losingCampaigns[0], 'lost the most,')}.`);
  for (const x of f.freshness.filter((x) => x.daysBehind > 0)) {
    p2parts.push(`${x.platform} data only runs through ${x.through}, so its numbers for the day are incomplete.`);
  }
  const week = f.periods[0];
  if (week && week.profitVsPrevious !== 'n/a') {
    p2parts.push(`Over the last ${week.days}, profit was ${week.profit} (${week.profitVsPrevious} vs the ${week.days} before) on ${week.spend} of spend.`);
  }
  if (f.burningLinks.length) {
    const b = f.burningLinks[0]!;
    p2parts.push(`${q(b.name)} is burning money: ${b.profit.replace(/^-/, '')} lost on ${b.spend} over ${b.window} (ROI ${b.roi}).`);
  }
  if (f.forecastNext7Days) {
    p2parts.push(f.forecastNext7Days.revenue === 'not reported'
      ? `The next 7 days are forecast at ${f.forecastNext7Days.spend} of spend.`
      : `The next 7 days are forecast at ${f.forecastNext7Days.spend} of spend and ${f.forecastNext7Days.revenue} of revenue.`);
  }
  p2parts.push(...f.notes);
  const paragraphs = [p1];
  if (p2parts.length) paragraphs.push(p2parts.join(' '));
  const first = f.actions[0];
  paragraphs.push(first ? `Do this first: ${actionWording(first)}` : 'Nothing needs action today: no campaign is burning money and no trend is off.');
  return { headline, paragraphs, actions };
}
