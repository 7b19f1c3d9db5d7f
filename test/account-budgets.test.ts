// Budgets per ad account: each account with a monthly budget of its own is paced by
// the brain (spent, an even pace, the projected month end with its range), drawn as
// a bar in the report, alerted when its month passes the budget, and listed in the
// agency roll-up — beside the client's own budget.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAlerts } from '../src/alerts/check.ts';
import { createApp } from '../src/api/app.ts';
import { apiDeps } from '../src/api/server.ts';
import { loadConfig } from '../src/config.ts';
import { createApiKey } from '../src/domain/api-keys.ts';
import { addClient } from '../src/domain/clients.ts';
import { storeRates } from '../src/fx/rates.ts';
import { importCsv } from '../src/import/import-csv.ts';
import { buildAgencyRollup } from '../src/reports/agency-rollup.ts';
import { rollupPeriod } from '../src/reports/agency-report.ts';
import { renderDailyReport } from '../src/reports/daily-report.ts';
import { loadReportModel } from '../src/reports/load-model.ts';
import { resendSender } from '../src/reports/senders.ts';
import { runBrain } from '../src/run/brain-run.ts';
import { addDays } from '../src/time.ts';
import { freshDb, type TestDb } from './helpers/db.ts';
import { requester } from './helpers/request.ts';
import { startFakeResend, type FakeResend } from './fakes/resend-server.ts';

const HEADER = 'date,platform,account,campaign,ad,spend,impressions,clicks,conversions,revenue';
const AS_OF = '2026-11-20';
const NOW = new Date('2026-11-21T09:00:00Z');

/** Two accounts: "Steady" spends about €100 a day, "Hot" about €60 a day. */
function rows(): { date: string; account: string; spend: number }[] {
  const out = [];
  let s = 17;
  const rnd = () => ((s = (s * 48271) % 2147483647) / 2147483647);
  for (let d = '2026-09-01'; d <= AS_OF; d = addDays(d, 1)) {
    out.push({ date: d, account: 'Steady', spend: Math.round(9000 + rnd() * 2000) });
    out.push({ date: d, account: 'Hot', spend: Math.round(5500 + rnd() * 1000) });
  }
  return out;
}

describe('budgets per ad account', () => {
  let db: TestDb;
  let fake: FakeResend;
  let clientId: string;
  let admin: string;
  const data = rows();
  const monthSpend = (account: string) => data.filter((r) => r.account === account && r.date >= '2026-11-01').reduce((a, r) => a + r.spend, 0);

  beforeAll(async () => {
    db = await freshDb('pglite');
    fake = await startFakeResend();
    const c = await addClient(db.prisma, { slug: 'shop', name: 'Shop', timezone: 'UTC', currency: 'EUR', recipients: ['owner@shop.example'] });
    clientId = c.id;
    const csv = [HEADER, ...data.map((r) => `${r.date},meta,${r.account},${r.account} camp,${r.account} ad,${(r.spend / 100).toFixed(2)},10000,100,3,${((r.spend * 1.4) / 100).toFixed(2)}`)].join('\n');
    await importCsv(db, Buffer.from(csv), 'ads.csv', { clientSlug: 'shop', now: NOW });
    admin = (await createApiKey(db.prisma, c.agencyId, { role: 'admin' })).key;
  }, 120_000);
  afterAll(async () => {
    await fake?.close();
    await db?.destroy();
  });

  const call = () => requester(() => createApp(apiDeps(db, loadConfig({}), () => NOW)), { key: () => admin });
  const account = (name: string) => db.prisma.entity.findFirstOrThrow({ where: { clientId, kind: 'account', name } });

  it('is set on ad accounts only, in the client\'s minor unit (admin, audited)', async () => {
    const steady = await account('Steady'), hot = await account('Hot');
    const campaign = await db.prisma.entity.findFirstOrThrow({ where: { clientId, kind: 'campaign' } });
    expect((await call()('PUT', `/v1/entities/${campaign.id}/budget`, { body: { monthlyBudgetCents: 100_000 } })).status).toBe(422);
    expect((await call()('PUT', `/v1/entities/${steady.id}/budget`, { body: { monthlyBudgetCents: 400_000 } })).json).toMatchObject({ monthlyBudgetCents: 400_000 });
    expect((await call()('PUT', `/v1/entities/${hot.id}/budget`, { body: { monthlyBudgetCents: 100_000 } })).json).toMatchObject({ monthlyBudgetCents: 100_000 });
    expect(await db.prisma.auditLog.count({ where: { action: 'entity.budget' } })).toBe(2);
  });

  it('the brain paces each account on its own: spent is the month\'s own sum; the overspending one is an insight', async () => {
    const client = await db.prisma.client.findUniqueOrThrow({ where: { id: clientId } });
    await runBrain(db, client, AS_OF, { now: NOW });
    const run = await db.prisma.brainRun.findUniqueOrThrow({ where: { clientId_asOf: { clientId, asOf: new Date(`${AS_OF}T00:00:00Z`) } } });
    const paced = (run.oracle as { accountPacing: { account: { name: string }; spentCents: number; budgetCents: number; projectedCents: number; projectedLowCents: number | null; projectedHighCents: number | null; ratio: number; daysLeft: number }[] }).accountPacing;
    const byName = Object.fromEntries(paced.map((p) => [p.account.name, p]));
    expect(byName.Steady).toMatchObject({ spentCents: monthSpend('Steady'), budgetCents: 400_000, daysLeft: 10 });
    expect(byName.Hot).toMatchObject({ spentCents: monthSpend('Hot'), budgetCents: 100_000 });
    // Hot spent ~€1,200 in 20 days of a €1,000 budget: its month ends ~80 % over; Steady ~€3,000 of €4,000: under, not yet flagged (≥ 85 %? no: ~75 %).
    expect(byName.Hot!.projectedCents).toBeGreaterThan(byName.Hot!.spentCents);
    expect(byName.Hot!.ratio).toBeGreaterThan(1.5);
    expect(byName.Hot!.projectedLowCents).toBeGreaterThanOrEqual(byName.Hot!.spentCents);
    const insights = await db.prisma.insight.findMany({ where: { clientId, type: 'budget_overspend' } });
    expect(insights.map((i) => i.title)).toEqual([expect.stringMatching(/^Hot: on pace to spend \d+% over its monthly budget/)]);
    expect(insights[0]!.entityId).toBe((await account('Hot')).id);
  }, 120_000);

  it('the report draws a bar per account with spent, the even pace and the month end', async () => {
    const client = await db.prisma.client.findUniqueOrThrow({ where: { id: clientId } });
    const r = await renderDailyReport(await loadReportModel(db, client, AS_OF, NOW));
    const money = (c: number) => `€${(c / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
    const text = r.text.replace(/\s+/g, ' ');
    expect(text).toContain('Budgets this month');
    // An even pace by the 20th of a 30-day month: two thirds of the budget.
    expect(text).toContain(`Hot (Meta) [`);
    expect(text).toContain(`${money(monthSpend('Hot'))} of €1,000.00 spent (${Math.round(monthSpend('Hot') / 1000)}%) · an even pace would be at €666.67 (67%)`);
    expect(text).toContain(`${money(monthSpend('Steady'))} of €4,000.00 spent`);
    expect(r.html).toContain('Budgets this month');
    const bars = r.view.budgets!;
    expect(bars.find((b) => b.name === 'Hot (Meta)')).toMatchObject({ spentPct: 100, expectedPct: 67, tone: 'bad' });
  });

  it('an account whose month passed its budget is alerted once, by name; the other is not', async () => {
    const client = await db.prisma.client.findUniqueOrThrow({ where: { id: clientId } });
    const sender = resendSender({ apiKey: 're_test', baseURL: fake.url, retries: 1, minTimeoutMs: 5 });
    const at = new Date(`${AS_OF}T20:00:00Z`);
    const first = await checkAlerts(db, client, { now: at, sender, from: 'a@shop.example' });
    const budget = first.sent.filter((x) => x.rule === 'budget');
    expect(budget.map((x) => x.entity)).toEqual(['Hot']);
    const mail = [...fake.sent.values()].map((x) => x.body).find((m) => m.subject.startsWith('[Over the monthly budget]'))!;
    expect(mail.subject).toBe(`[Over the monthly budget] Hot spent €${(monthSpend('Hot') / 100).toLocaleString('en-US', { minimumFractionDigits: 2 })} this month, over its €1,000.00 monthly budget`);
    const again = await checkAlerts(db, client, { now: new Date(at.getTime() + 3_600_000), sender, from: 'a@shop.example' });
    expect(again.sent.filter((x) => x.rule === 'budget')).toEqual([]);
  });

  it('the agency roll-up lists the accounts\' budgets side by side, in the agency currency', async () => {
    await storeRates(db, ['2026-11-19', '2026-11-20'].map((day) => ({ day, currency: 'USD', perEur: '1.0500' })), 'test');
    const r = await buildAgencyRollup(db, (await db.prisma.client.findUniqueOrThrow({ where: { id: clientId } })).agencyId, rollupPeriod('daily', AS_OF));
    const accounts = r.clients[0]!.accounts;
    expect(accounts.map((a) => a.name).sort()).toEqual(['Hot', 'Steady']);
    expect(accounts.find((a) => a.name === 'Hot')).toMatchObject({ budgetCents: 105_000, spentCents: Math.round(monthSpend('Hot') * 1.05) });
  });
});
