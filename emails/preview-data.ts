// Preview props: a realistic report built through the real model and view code.
import { deterministicSummary } from '../src/llm/deterministic.ts';
import { summaryFacts } from '../src/llm/facts.ts';
import { buildDailySummary, type DailySummary } from '../src/reports/daily-summary.ts';
import type { DailyRow, EntityRow } from '../src/db/metrics-read.ts';
import { buildReportView, type ReportView } from '../src/reports/view.ts';
import { addDays } from '../src/time.ts';

const ent = (id: string, kind: string, parentId: string | null, name: string, attributes: Record<string, string> = {}): EntityRow => ({
  id, kind, parentId, platform: 'tiktok', name, externalId: id, status: 'active', attributes,
});

export function previewModel(date = '2026-11-21'): DailySummary {
  const entities = [
    ent('acct', 'account', null, 'TikTok 1639'),
    ent('c1', 'campaign', 'acct', 'ApplePay-1639-SC5-tiktok', { offer: 'ApplePay', offerKey: 'applepay', sparkCode: 'SC5', accountNumber: '1639' }),
    ent('c2', 'campaign', 'acct', 'CashApp-1639-SC12-tiktok', { offer: 'CashApp', offerKey: 'cashapp', sparkCode: 'SC12', accountNumber: '1639' }),
    ent('a1', 'ad', 'c1', 'Café hook — Zoë v2'),
    ent('a2', 'ad', 'c2', 'Unboxing 15s'),
  ];
  const daily: DailyRow[] = [];
  for (let i = 0; i < 60; i++) {
    const d = addDays(date, -i);
    const wave = 1 + 0.15 * Math.sin(i / 3);
    daily.push(
      { entityId: 'a1', date: d, spendCents: Math.round(42_000 * wave), revenueCents: Math.round(97_000 * wave), conversions: 31, impressions: 90_000, clicks: 1_400, reach: null, frequency: null },
      { entityId: 'a2', date: d, spendCents: Math.round(18_000 * wave), revenueCents: i < 8 ? 4_000 : 21_000, conversions: i < 8 ? 1 : 7, impressions: 40_000, clicks: 500, reach: null, frequency: null },
    );
  }
  return buildDailySummary({
    client: { slug: 'preview', name: 'Northwind Affiliates', currency: 'USD', timezone: 'America/Los_Angeles' },
    date,
    entities,
    daily,
    latestByPlatform: [{ platform: 'tiktok', latest: date }],
    actions: [
      { rank: 1, what: 'Pause Unboxing 15s', kind: 'pause', urgency: 'high', impactCents: 98_000, confidence: 0.86, entity: { id: 'a2', kind: 'ad', name: 'Unboxing 15s', platform: 'tiktok' }, basis: 'burning', since: addDays(date, -7), inputs: { windowDays: 7, spendCents: 126_000, revenueCents: 28_000, profitCents: -98_000, roi: -0.7778 } },
      { rank: 2, what: 'Raise the budget of Café hook — Zoë v2 by 20%', kind: 'scale', urgency: 'medium', impactCents: 64_400, confidence: 0.71, entity: { id: 'a1', kind: 'ad', name: 'Café hook — Zoë v2', platform: 'tiktok' }, basis: 'winner', since: addDays(date, -30), inputs: { windowDays: 7, spendCents: 294_000, revenueCents: 679_000, profitCents: 385_000, roi: 1.3095 } },
    ],
    brain: {
      burning: [{ entityId: 'a2', name: 'Unboxing 15s', kind: 'ad', platform: 'tiktok', windowDays: 7, spendCents: 126_000, revenueCents: 28_000, profitCents: -98_000, roi: -0.7778, since: addDays(date, -7) }],
      forecast: {
        from: addDays(date, 1), to: addDays(date, 7),
        spendCents: { point: 420_000, lower: 360_000, upper: 480_000 },
        revenueCents: { point: 700_000, lower: 560_000, upper: 850_000 },
        profitCents: 280_000,
        days: Array.from({ length: 7 }, (_, i) => ({ date: addDays(date, i + 1), spendCents: 60_000, revenueCents: 100_000 + i * 1_000 })),
      },
      trackRecord: { predictions: 412, mase: 0.87, coverage: 0.81 },
    },
  });
}

export function previewReportView(): ReportView {
  const m = previewModel();
  return buildReportView(m, deterministicSummary(summaryFacts(m)));
}
