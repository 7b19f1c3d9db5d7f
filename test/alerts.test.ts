import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAlerts } from '../src/alerts/check.ts';
import { decide, evaluate, type AlertEntity, type AlertStateRow, type Thresholds, type Verdict } from '../src/alerts/rules.ts';
import type { Evidence } from '../src/brain/oracle/evidence.ts';
import { addClient } from '../src/domain/clients.ts';
import { importCsv } from '../src/import/import-csv.ts';
import { outboxSender, resendSender } from '../src/reports/senders.ts';
import { dbKinds, freshDb, type TestDb } from './helpers/db.ts';
import { startFakeResend, type FakeResend } from './fakes/resend-server.ts';

const th: Thresholds = { burnRoiBelow: -0.5, burnMinSpendCents: 5_000, winRoiAbove: 2, winMinRevenueCents: 10_000, dailySpendAlertCents: 100_000 };
const ent = (id: string, kind = 'link', killed = false): AlertEntity => ({ id, name: id, kind, platform: 'tiktok', killed });
/** The brain's verdict on a link with these totals since its change. */
const verdict = (e: AlertEntity, v: Evidence['verdict'], spend: number, revenue: number): Verdict => ({
  entity: e,
  since: '2026-11-20',
  evidence: {
    verdict: v, pBurn: v === 'burning' ? 0.97 : 0, pWin: v === 'winner' ? 0.95 : 0, since: 0, sinceProbability: 1, changed: true,
    totals: { spend, revenue, revenueSpend: spend, conversions: 1, conversionSpend: spend },
    roi: (revenue - spend) / spend, cpaCents: spend, valueCents: revenue, basisSpend: spend, roasNow: revenue / spend, roasBefore: 1.5,
    lines: { burnRoi: -0.5, winRoi: 2 },
  },
});

describe('alert rules', () => {
  it.each([
    ['burning, level 1', 'burning', 6_000, 2_000, 1],
    ['burning, level 2 by ROI below −80 %', 'burning', 6_000, 1_000, 2],
    ['burning, level 2 by spend over 4× the minimum', 'burning', 25_000, 10_000, 2],
    ['burning, level 3', 'burning', 60_000, 1_000, 3],
    ['winner', 'winner', 4_000, 15_000, 1],
    ['winner, level 2', 'winner', 10_000, 60_000, 2],
    ['no verdict, no alert', null, 60_000, 0, 0],
  ] as const)('%s', (_what, v, spend, revenue, level) => {
    const c = evaluate([verdict(ent('x'), v, spend, revenue)], 0, th);
    expect(c.map((x) => [x.rule, x.level, x.since, x.probability])).toEqual(v ? [[v, level, '2026-11-20', v === 'burning' ? 0.97 : 0.95]] : []);
  });

  it('never alerts on killed links, watches only links and ads, and flags daily spend over the line', () => {
    const vs = [verdict(ent('k', 'link', true), 'burning', 60_000, 0), verdict(ent('c', 'campaign'), 'burning', 60_000, 0), verdict(ent('a', 'ad'), 'burning', 60_000, 0)];
    const c = evaluate(vs, 130_000, th);
    expect(c.map((x) => [x.rule, x.subject, x.level])).toEqual([['burning', 'a', 3], ['budget', 'client', 2]]);
    expect(evaluate([], 100_000, th)).toEqual([]);
    expect(evaluate([], 999_999, { ...th, dailySpendAlertCents: null })).toEqual([]);
  });
});

describe('cooldown, escalation and the two-checks guard', () => {
  const now = new Date('2026-11-22T15:00:00Z');
  const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000);
  const st = (sentHoursAgo: number | null, lastLevel: number, streak = 1): AlertStateRow => ({ streak, lastSeenAt: hoursAgo(1), lastSentAt: sentHoursAgo === null ? null : hoursAgo(sentHoursAgo), lastLevel });
  const policy = { cooldownHours: 24, consecutive: false };
  it.each([
    ['first time', 1, null, false, policy, true, 'new'],
    ['same level within the cooldown', 1, st(2, 1), true, policy, false, 'in cooldown'],
    ['lower level within the cooldown', 1, st(2, 2), true, policy, false, 'in cooldown'],
    ['escalated within the cooldown', 2, st(2, 1), true, policy, true, 'escalated'],
    ['same level once the cooldown is over', 1, st(24, 1), true, policy, true, 'cooldown over'],
    ['just inside the cooldown', 1, st(23.99, 1), true, policy, false, 'in cooldown'],
    ['guard: first sighting waits', 1, null, false, { ...policy, consecutive: true }, false, 'waiting for a second check'],
    ['guard: seen at the previous check too', 1, st(null, 0, 1), true, { ...policy, consecutive: true }, true, 'new'],
    ['guard: seen before, but not at the previous check', 1, st(null, 0, 3), false, { ...policy, consecutive: true }, false, 'waiting for a second check'],
  ] as const)('%s', (_what, level, state, seenLast, p, send, why) => {
    expect(decide(level, state, seenLast, now, p)).toMatchObject({ send, why });
  });
});

describe.each(dbKinds)('alert checks on %s', (kind) => {
  let db: TestDb;
  let fake: FakeResend;
  beforeAll(async () => {
    db = await freshDb(kind);
    fake = await startFakeResend();
    await addClient(db.prisma, { slug: 'aff', name: 'Affiliate', timezone: 'Asia/Kolkata', currency: 'USD', recipients: ['ops@aff.test'] });
    // Two links burning, one winning, over the three days up to local "today".
    const rows = ['date,platform,account,campaign,adset,ad,link,spend,impressions,clicks,conversions,revenue'];
    for (const d of ['2026-11-21', '2026-11-22', '2026-11-23']) {
      rows.push(`${d},tiktok,Acc,Camp,,Ad A,lnk-burn,40.00,1000,10,0,5.00`);
      rows.push(`${d},tiktok,Acc,Camp,,Ad B,lnk-dead,30.00,1000,10,0,0`);
      rows.push(`${d},tiktok,Acc,Camp,,Ad C,lnk-win,20.00,1000,10,8,144.00`);
    }
    await importCsv(db, Buffer.from(rows.join('\n')), 'alerts.csv', { clientSlug: 'aff', now: new Date('2026-11-23T12:00:00Z') });
  });
  afterAll(async () => {
    await fake?.close();
    await db?.destroy();
  });

  const client = () => db.prisma.client.findUniqueOrThrow({ where: { slug: 'aff' } });
  const run = async (now: string) =>
    checkAlerts(db, await client(), { now: new Date(now), sender: resendSender({ apiKey: 're_test', baseURL: fake.url, retries: 2, minTimeoutMs: 5 }), from: 'a@x.test' });

  it('sends each alert once, names the entity, numbers and action; cooldown holds; escalation re-alerts; killed links stop', async () => {
    // 2026-11-23 17:30 in Kolkata (UTC+5:30): the window is 21–23 November.
    const first = await run('2026-11-23T12:00:00Z');
    // The verdicts read the brain's 90-day look-back, from the first day it holds data.
    expect(first.window).toEqual({ from: '2026-11-21', to: '2026-11-23', todaySoFar: true });
    expect(first.sent.map((s) => [s.rule, s.entity, s.level]).sort()).toEqual([['burning', 'lnk-burn', 2], ['burning', 'lnk-dead', 2], ['winner', 'lnk-win', 1]]);
    const burn = [...fake.sent.values()].find((m) => m.body.subject.includes('lnk-burn'))!.body;
    expect(burn.subject).toBe('[Burning money] lnk-burn is burning money since 2026-11-21: ROI -88% on $120.00 of spend (92% sure)');
    expect(burn.html).toContain('Pause lnk-burn now');
    expect(burn.text).toContain('Profit             -$105.00');
    expect(burn.to).toEqual(['ops@aff.test']);
    expect(await db.prisma.alert.count()).toBe(3);

    // An hour later nothing changed: nothing is sent.
    const sentBefore = fake.requests.length;
    const again = await run('2026-11-23T13:00:00Z');
    expect(again.sent).toEqual([]);
    expect(again.suppressed.map((s) => s.why)).toEqual(['in cooldown', 'in cooldown', 'in cooldown']);
    expect(fake.requests.length).toBe(sentBefore);

    // One link gets much worse (level 3): it alone is alerted again, inside the cooldown.
    const c = await client();
    await importCsv(db, Buffer.from('date,platform,account,campaign,adset,ad,link,spend,impressions,clicks,conversions,revenue\n2026-11-23,tiktok,Acc,Camp,,Ad B,lnk-dead,600.00,1000,10,0,0\n'), 'more.csv', { clientSlug: 'aff', now: new Date('2026-11-23T14:00:00Z') });
    const worse = await run('2026-11-23T14:00:00Z');
    expect(worse.sent.map((s) => [s.entity, s.level, s.why])).toEqual([['lnk-dead', 3, 'escalated']]);

    // Killed: no alert, even after the cooldown.
    const dead = await db.prisma.entity.findFirstOrThrow({ where: { clientId: c.id, kind: 'link', externalId: { contains: 'lnk-burn' } } });
    await db.prisma.entity.update({ where: { id: dead.id }, data: { status: 'killed', killedAt: new Date() } });
    const nextDay = await run('2026-11-24T13:00:00Z');
    expect(nextDay.sent.map((s) => s.entity)).not.toContain('lnk-burn');
    expect(nextDay.suppressed.map((s) => s.entity)).not.toContain('lnk-burn');
  });

  it('a retried check after Resend accepted but the row was not marked sends no second email', async () => {
    const c = await client();
    await db.prisma.alert.updateMany({ where: { clientId: c.id }, data: { sentAt: null } });
    await db.prisma.alertState.deleteMany({ where: { clientId: c.id } });
    const distinct = fake.sent.size;
    const r = await run('2026-11-23T12:30:00Z');
    expect(r.sent.length).toBeGreaterThan(0);
    expect(fake.sent.size).toBe(distinct);
  });
});

describe('the alert check and the daily insights never disagree', () => {
  it('every burning / winner verdict is the same in both, with the same day it began', async () => {
    const db = await freshDb('pglite');
    try {
      await addClient(db.prisma, { slug: 'same', name: 'Same', timezone: 'UTC', currency: 'USD' });
      const rows = ['date,platform,account,campaign,adset,ad,link,spend,impressions,clicks,conversions,revenue'];
      const days = Array.from({ length: 30 }, (_, i) => `2026-11-${String(i + 1).padStart(2, '0')}`);
      days.forEach((d, i) => {
        const wobble = [1, 0, 2, 1, 1, 0, 1][i % 7]!;
        rows.push(`${d},tiktok,Acc,Camp,S,Ad A,lnk-broke,100.00,5000,200,${i >= 26 ? 0 : 4 + wobble},${i >= 26 ? 0 : (4 + wobble) * 40}.00`); // stops converting on the 27th
        rows.push(`${d},tiktok,Acc,Camp,S,Ad B,lnk-took-off,50.00,5000,200,${i >= 24 ? 7 + wobble : 2},${i >= 24 ? (7 + wobble) * 40 : 80}.00`); // takes off on the 25th
        rows.push(`${d},tiktok,Acc,Camp,S,Ad C,lnk-fine,80.00,5000,200,${3 + wobble},${(3 + wobble) * 40}.00`);
        rows.push(`${d},tiktok,Acc,Camp,S,Ad D,lnk-weak,80.00,5000,200,${1 + (i % 3 === 0 ? 1 : 0)},${(1 + (i % 3 === 0 ? 1 : 0)) * 40}.00`); // ROI about −33 %: losing, not burning
      });
      await importCsv(db, Buffer.from(rows.join('\n')), 'same.csv', { clientSlug: 'same', now: new Date('2026-11-30T12:00:00Z') });
      const client = await db.prisma.client.findUniqueOrThrow({ where: { slug: 'same' } });
      const { runBrain } = await import('../src/run/brain-run.ts');
      const run = await runBrain(db, client, '2026-11-30', { now: new Date('2026-11-30T12:00:00Z') });
      const fromBrain = run.output.oracle.findings
        .filter((f) => (f.type === 'burning' || f.type === 'winner') && (f.entity!.kind === 'link' || f.entity!.kind === 'ad'))
        .map((f) => `${f.type} ${f.entity!.name} ${f.since}`)
        .sort();
      const outbox = await mkdtemp(path.join(tmpdir(), 'adbrain-same-'));
      const a = await checkAlerts(db, client, { now: new Date('2026-11-30T12:00:00Z'), sender: outboxSender(outbox), from: 'a@x.test' });
      const alerts = await db.prisma.alert.findMany({ where: { clientId: client.id } });
      const fromAlerts = a.sent.map((x) => {
        const row = alerts.find((r) => r.providerId === x.providerId)!;
        return `${x.rule} ${x.entity} ${(row.payload as { window: { from: string } }).window.from}`;
      }).sort();
      expect(fromBrain.map((x) => x.split(' ').slice(0, 2).join(' '))).toEqual(['burning lnk-broke', 'winner lnk-took-off']);
      expect(fromAlerts).toEqual(fromBrain);
      expect(fromBrain).toEqual(['burning lnk-broke 2026-11-27', 'winner lnk-took-off 2026-11-25']);
    } finally {
      await db.destroy();
    }
  });
});

describe('the daily-spend line', () => {
  it('reads the latest day with spend: before today\'s first sync, yesterday', async () => {
    const db = await freshDb('pglite');
    try {
      await addClient(db.prisma, { slug: 'spendy', name: 'Spendy', timezone: 'UTC', currency: 'USD' });
      await db.prisma.client.update({ where: { slug: 'spendy' }, data: { dailySpendAlertCents: 10_000n } });
      const rows = ['date,platform,account,campaign,adset,ad,link,spend,impressions,clicks,conversions,revenue', '2026-11-22,tiktok,Acc,Camp,S,Ad 1,,150.00,1000,10,9,450.00'];
      await importCsv(db, Buffer.from(rows.join('\n')), 'spend.csv', { clientSlug: 'spendy', now: new Date('2026-11-22T23:00:00Z') });
      const client = await db.prisma.client.findUniqueOrThrow({ where: { slug: 'spendy' } });
      const outbox = await mkdtemp(path.join(tmpdir(), 'adbrain-spendy-'));
      const r = await checkAlerts(db, client, { now: new Date('2026-11-23T00:30:00Z'), sender: outboxSender(outbox), from: 'a@x.test' });
      expect(r.sent.map((x) => [x.rule, x.level])).toEqual([['budget', 2]]); // $150 against a $100 line
    } finally {
      await db.destroy();
    }
  });
});

describe('alerts in the outbox', () => {
  it('two burning ads with the same name are two files, and a retried check rewrites the same ones', async () => {
    const db = await freshDb('pglite');
    try {
      await addClient(db.prisma, { slug: 'twins', name: 'Twins', timezone: 'UTC', currency: 'USD' });
      const rows = ['date,platform,account,campaign,adset,ad,link,spend,impressions,clicks,conversions,revenue'];
      // Two days without a conversion: a burning ad, as the brain judges it (one day is an anomaly).
      for (const set of ['Set A', 'Set B']) for (const d of ['2026-11-22', '2026-11-23']) rows.push(`${d},tiktok,Acc,Camp,${set},Ad 1,,90.00,1000,10,0,0`);
      await importCsv(db, Buffer.from(rows.join('\n')), 'twins.csv', { clientSlug: 'twins', now: new Date('2026-11-23T12:00:00Z') });
      const outbox = await mkdtemp(path.join(tmpdir(), 'adbrain-alert-outbox-'));
      const client = await db.prisma.client.findUniqueOrThrow({ where: { slug: 'twins' } });
      const r = await checkAlerts(db, client, { now: new Date('2026-11-23T12:00:00Z'), sender: outboxSender(outbox), from: 'a@x.test' });
      // Named with their ad set, so the two emails can be told apart.
      expect(r.sent.map((s) => s.entity).sort()).toEqual(['Set A › Ad 1', 'Set B › Ad 1']);
      const files = async () => (await readdir(path.join(outbox, 'twins', '2026-11-23'))).filter((f) => f.endsWith('.eml')).sort();
      const first = await files();
      expect(first).toHaveLength(2);
      expect(first.every((f) => /^alert-burning-set-[ab]-ad-1-L/.test(f))).toBe(true);
      await db.prisma.alert.updateMany({ data: { sentAt: null } });
      await db.prisma.alertState.deleteMany({});
      await checkAlerts(db, client, { now: new Date('2026-11-23T12:30:00Z'), sender: outboxSender(outbox), from: 'a@x.test' });
      expect(await files()).toEqual(first);
    } finally {
      await db.destroy();
    }
  });
});
