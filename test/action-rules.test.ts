// Rules over a simulated history whose answer is known: link A earns for 40 days,
// then burns (a broken offer: ROI −80 %); link B earns well throughout (a winner). The replay must
// fire once, on A, within a week of the break, and report as saved exactly the loss
// A made after that day (computed here from the rows, independently); checked daily,
// the rule proposes A's pause (never B), respects its cooldown and the last-ad
// guardrail, and acts on its own only after a replay, in auto mode, with
// ADBRAIN_ACTIONS=auto.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActionDeps } from '../src/ad-actions/actions.ts';
import { checkAutoAllowed, checkRules, replayRule } from '../src/ad-actions/rules.ts';
import { loadConfig } from '../src/config.ts';
import { addAgency } from '../src/domain/agencies.ts';
import { addClient } from '../src/domain/clients.ts';
import { saveConnection } from '../src/domain/connections.ts';
import { Rng } from '../src/demo/random.ts';
import { addDays } from '../src/time.ts';
import { loadReportModel } from '../src/reports/load-model.ts';
import { renderDailyReport } from '../src/reports/daily-report.ts';
import { startFakeMeta, type FakeMeta } from './fakes/meta-server.ts';
import { freshDb, type TestDb } from './helpers/db.ts';

const END = '2026-12-06';
const BREAK = addDays(END, -19);
const NOW = new Date('2026-12-07T10:00:00Z');
const key = randomBytes(32);

describe('rules and their replay', () => {
  let db: TestDb;
  let meta: FakeMeta;
  let deps: ActionDeps;
  let client: Awaited<ReturnType<typeof addClient>>;
  const ids: Record<string, string> = {};
  const daily = new Map<string, { date: string; spend: number; revenue: number }[]>();

  beforeAll(async () => {
    db = await freshDb('pglite');
    meta = await startFakeMeta({ ads: [{ id: '901', name: 'Ad A', adset: { id: '80', name: 'Set' }, campaign: { id: '70', name: 'Camp' } }, { id: '902', name: 'Ad B', adset: { id: '80', name: 'Set' }, campaign: { id: '70', name: 'Camp' } }, { id: '903', name: 'Ad C', adset: { id: '81', name: 'Solo set' }, campaign: { id: '71', name: 'Solo' } }], days: [END] });
    await addAgency(db.prisma, { slug: 'a', name: 'A' });
    client = await addClient(db.prisma, { slug: 'aff', agency: 'a', timezone: 'UTC' });
    const conn = await saveConnection(db.prisma, key, { clientId: client.id, platform: 'meta', credentials: { accessToken: meta.token } });
    await db.prisma.connection.update({ where: { id: conn.id }, data: { settings: { accountId: meta.account } } });
    const mk = (kind: 'account' | 'campaign' | 'adset' | 'ad' | 'link', externalId: string, name: string, parentId: string | null) => db.prisma.entity.create({ data: { clientId: client.id, platform: 'meta', kind, externalId, name, parentId } });
    const acct = await mk('account', meta.account, 'Acct', null);
    const camp = await mk('campaign', '70', 'Camp', acct.id);
    const set = await mk('adset', '80', 'Set', camp.id);
    const solo = await mk('adset', '81', 'Solo set', (await mk('campaign', '71', 'Solo', acct.id)).id);
    const rng = new Rng(11);
    const poisson = (l: number) => { let k = 0, p = Math.exp(-l), s = p; const u = rng.next(); while (u > s && k < 200) { k++; p *= l / k; s += p; } return k; };
    for (const [name, ext, parent, breaks] of [['A', '901', set.id, true], ['B', '902', set.id, false], ['C', '903', solo.id, true]] as const) {
      const ad = await mk('ad', ext, `Ad ${name}`, parent);
      const link = await mk('link', `https://trk.example/${name}`, `https://trk.example/${name}`, ad.id);
      ids[name] = link.id;
      const rows: { date: string; spend: number; revenue: number }[] = [];
      for (let d = 0; d < 90; d++) {
        const date = addDays(END, d - 89);
        const spend = 10_000 + Math.round(rng.next() * 2_000);
        // Orders of $50: 4 a day (ROI +100 %), after the break 0.4 a day (ROI −80 %); B 8 a day (ROI +260 %, a winner).
        const orders = poisson(breaks ? (date >= BREAK ? 0.4 : 4) : 8);
        rows.push({ date, spend, revenue: orders * 5_000 });
        await db.prisma.dailyMetric.create({ data: { entityId: link.id, date: new Date(`${date}T00:00:00Z`), source: 'meta-api', spendCents: BigInt(spend), conversions: orders, revenueCents: BigInt(orders * 5_000) } });
      }
      daily.set(link.id, rows);
    }
    deps = { db, config: { ...loadConfig({ META_GRAPH_URL: meta.url }), actions: 'propose' }, key, now: NOW };
    // An endpoint that takes only action events (the Slack-style sentence is checked in the envelope).
    const agency = await db.prisma.agency.findFirstOrThrow();
    await db.prisma.webhookEndpoint.create({ data: { agencyId: agency.id, url: 'https://hooks.example/actions', secret: 'x', events: ['action.executed', 'action.undone'] } });
  }, 120_000);
  afterAll(async () => {
    await meta?.close();
    await db?.destroy();
  });

  it('replays: fires once per broken link within a week of the break, never on the healthy one, and counts the loss it avoided', async () => {
    const rule = await db.prisma.actionRule.create({ data: { clientId: client.id, name: 'pause burners', kind: 'pause_burning', minProbability: 0.95, minSpendCents: 10_000n } });
    const r = await replayRule(db, client, rule, END, 45);
    const byEntity = new Map(r.lines.map((l) => [l.entityId, l]));
    expect(byEntity.has(ids.B!)).toBe(false);
    for (const name of ['A', 'C']) {
      const l = byEntity.get(ids[name]!)!;
      expect(l.day >= BREAK && l.day <= addDays(BREAK, 7), `${name} fired on ${l.day}`).toBe(true);
      const after = daily.get(ids[name]!)!.filter((x) => x.date > l.day);
      expect(l.spendAfterCents).toBe(after.reduce((s, x) => s + x.spend, 0));
      expect(l.outcomeCents).toBe(-after.reduce((s, x) => s + x.revenue - x.spend, 0));
      expect(l.outcomeCents!).toBeGreaterThan(0);
    }
    expect(r).toMatchObject({ fires: 2, right: 2, wrong: 0 });
    expect(r.netCents).toBe(r.lines.reduce((s, l) => s + l.outcomeCents!, 0));
  });

  it('checked after the day: proposes A\'s pause, holds back C (the last ad spending in its campaign), and never twice', async () => {
    const runs = await checkRules(deps, client, END);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ rule: 'pause burners', proposed: 1, executed: 0 });
    // How long after its newest row arrived the rule acted (measured, not assumed).
    expect(runs[0]!.arrivalToActionMs).toHaveLength(1);
    expect(runs[0]!.arrivalToActionMs[0]!).toBeGreaterThanOrEqual(0);
    expect(runs[0]!.skipped).toEqual([{ entity: 'https://trk.example/C', why: 'it is the last ad still spending in its campaign' }]);
    const a = await db.prisma.adAction.findFirstOrThrow({ where: { entityId: ids.A } });
    expect(a).toMatchObject({ state: 'proposed', kind: 'pause', externalId: '901', proposedBy: 'rule:pause burners', ruleId: expect.any(String) });
    expect(meta.nodes.get('901')!.status).toBe('ACTIVE');
    const again = await checkRules(deps, client, END);
    expect(again[0]!.proposed).toBe(0);
    expect(await db.prisma.adAction.count()).toBe(1);
  });

  it('acts on its own only after a replay, in auto mode, with ADBRAIN_ACTIONS=auto', async () => {
    await db.prisma.adAction.deleteMany();
    const rule = await db.prisma.actionRule.findFirstOrThrow();
    expect(() => checkAutoAllowed({ ...rule, replayedAt: null }, NOW)).toThrow(/replay rule "pause burners" first/);
    expect(() => checkAutoAllowed({ ...rule, replayedAt: new Date('2026-10-01T00:00:00Z') }, NOW)).toThrow(/more than 30 days ago/);
    await db.prisma.actionRule.update({ where: { id: rule.id }, data: { mode: 'auto', replayedAt: NOW } });
    // Auto mode under ADBRAIN_ACTIONS=propose still only proposes.
    expect((await checkRules(deps, client, END))[0]).toMatchObject({ proposed: 1, executed: 0 });
    await db.prisma.adAction.deleteMany();
    const runs = await checkRules({ ...deps, config: { ...deps.config, actions: 'auto' } }, client, END);
    expect(runs[0]).toMatchObject({ proposed: 1, executed: 1 });
    expect(meta.nodes.get('901')!.status).toBe('PAUSED');
    expect(await db.prisma.adAction.findFirstOrThrow()).toMatchObject({ state: 'done', approvedBy: 'rule:pause burners (auto)' });
    // Audited as the rule, and announced to the agency's webhooks with a sentence a person reads.
    const done = await db.prisma.adAction.findFirstOrThrow();
    const audits = await db.prisma.auditLog.findMany({ where: { entityId: done.id }, orderBy: { id: 'asc' } });
    expect(audits.map((x) => [x.action, x.actorKind, x.actorName])).toEqual([['ad_action.propose', 'system', 'rule:pause burners'], ['ad_action.approve', 'system', 'rule:pause burners']]);
    // The next report says what adbrain did, with the undo.
    const model = await loadReportModel(db, client, END, NOW);
    expect(model.platformChanges).toMatchObject({ paused: 1, budgets: 0, failed: 0 });
    const rendered = await renderDailyReport(model);
    expect(rendered.html).toContain('Changes on the ad platforms');
    expect(rendered.pdf.length).toBeGreaterThan(1000);
    const text = rendered.text.replace(/\s+/g, ' ');
    expect(text).toMatch(/adbrain paused 1 link or ad on the ad platforms \(what it paused spent about \$1\d\d\.\d\d a day\)\. Paused ad Ad A \(about \$1\d\d\.\d\d\/day\); undo: adbrain actions undo [0-9a-f]{8}/);
    const sent = await db.prisma.webhookDelivery.findMany({ where: { eventType: 'action.executed' } });
    expect(sent).toHaveLength(1);
    expect(JSON.parse(sent[0]!.body).data).toMatchObject({ state: 'done', kind: 'pause', from: 'ACTIVE', to: 'PAUSED', sentence: expect.stringMatching(/^paused ad Ad A \(about \$1\d\d\.\d\d\/day\); undo: adbrain actions undo [0-9a-f]{8}$/) });
  });

  it('never acts on provisional-only evidence unless the rule allows it', async () => {
    await db.prisma.adAction.deleteMany();
    const runs = await checkRules(deps, client, END, { meta: addDays(BREAK, -3) });
    expect(runs[0]!.proposed).toBe(0);
    expect(runs[0]!.skipped.find((s) => s.entity === 'https://trk.example/A')!.why).toMatch(/all provisional/);
  });

  it('scales a winner\'s ad set budget one step, and stops when rules moved 30 % of the account\'s daily spend today', async () => {
    await db.prisma.adAction.deleteMany();
    await db.prisma.actionRule.updateMany({ data: { enabled: false } });
    const rule = await db.prisma.actionRule.create({ data: { clientId: client.id, name: 'scale winners', kind: 'scale_winner', minProbability: 0.9, percent: 20, cooldownDays: 3 } });
    const runs = await checkRules(deps, client, END);
    expect(runs[0], JSON.stringify(runs[0])).toMatchObject({ rule: 'scale winners', proposed: 1 });
    const a = await db.prisma.adAction.findFirstOrThrow({ where: { ruleId: rule.id } });
    expect(a).toMatchObject({ entityId: ids.B, kind: 'budget', level: 'adset', externalId: '80', fromValue: '5000', toValue: '6000' });
    // Budget moved by rules today: far over 30 % of what the account spends a day.
    await db.prisma.adAction.update({ where: { id: a.id }, data: { toValue: '50000' } });
    await db.prisma.adAction.updateMany({ where: { id: a.id }, data: { state: 'cancelled' } });
    await db.prisma.adAction.create({ data: { ...a, id: undefined, openKey: null, state: 'done', toValue: '50000', entityId: ids.C!, targetEntityId: ids.C! } as never });
    const capped = await checkRules(deps, client, END);
    expect(capped[0]!.proposed).toBe(0);
    expect(capped[0]!.skipped[0]!.why).toMatch(/rules already moved 30 % of the account's daily spend in budgets today/);
  });
});
