// Split tests end to end: variants are links of an imported client; the brain run
// evaluates them on its series; a real difference is called once the sample is there
// (a test_winner insight with the effect and its interval), too little data says how
// much more is needed, equal variants stay undecided; REST and its errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import { apiDeps } from '../src/api/server.ts';
import { runBrain } from '../src/run/brain-run.ts';
import { describeAction } from '../src/brain/curiosity/actions.ts';
import { loadConfig } from '../src/config.ts';
import { addAgency } from '../src/domain/agencies.ts';
import { createApiKey } from '../src/domain/api-keys.ts';
import { addClient } from '../src/domain/clients.ts';
import { importCsv } from '../src/import/import-csv.ts';
import { renderDailyReport } from '../src/reports/daily-report.ts';
import { loadReportModel } from '../src/reports/load-model.ts';
import { createTest, type Evaluation } from '../src/splits/tests.ts';
import { addDays } from '../src/time.ts';
import { freshDb, type TestDb } from './helpers/db.ts';

const LAST = '2026-11-29';
const DAYS = Array.from({ length: 30 }, (_, i) => addDays(LAST, i - 29));
const NOW = new Date('2026-11-30T12:00:00Z');
// Clicks and conversions a day per link: A 5 %, B 8 %, C 5 % (like A), D tiny.
const PLAN: Record<string, [number, number]> = { a: [400, 20], b: [400, 32], c: [400, 20], d: [3, 0] };

describe('split tests', () => {
  let db: TestDb;
  let client: Awaited<ReturnType<typeof addClient>>;
  let app: ReturnType<typeof createApp>;
  let key: string, otherKey: string;

  beforeAll(async () => {
    db = await freshDb('pglite');
    const agency = await addAgency(db.prisma, { slug: 'split-agency', name: 'Split' });
    const other = await addAgency(db.prisma, { slug: 'split-other', name: 'Other' });
    client = await addClient(db.prisma, { slug: 'split', agency: 'split-agency', timezone: 'UTC', currency: 'USD' });
    const rows = ['date,platform,account,campaign,adset,ad,link,spend,impressions,clicks,conversions,revenue'];
    for (const d of DAYS) for (const [slug, [clicks, conv]] of Object.entries(PLAN)) rows.push(`${d},tiktok,TT,Offer,AG,Spark ${slug},https://go.example/l/${slug},40.00,9000,${clicks},${conv},${(conv * 3).toFixed(2)}`);
    await importCsv(db, Buffer.from(rows.join('\n')), 'split.csv', { clientSlug: 'split', now: NOW });
    key = (await createApiKey(db.prisma, agency.id, { role: 'member' })).key;
    otherKey = (await createApiKey(db.prisma, other.id, { role: 'admin' })).key;
    app = createApp(apiDeps(db, loadConfig({}), () => NOW), { rateLimit: 100_000, authFailureLimit: 100_000 });
  });
  afterAll(async () => db?.destroy());

  it('B converts 8 % against A\'s 5 %: after the brain run B is the winner, as a test_winner insight with the effect and its interval', async () => {
    const t = await createTest(db, client.id, { name: 'A vs B', metric: 'conversion_rate', variants: [{ ref: 'https://go.example/l/a' }, { ref: 'https://go.example/l/b' }], startDate: DAYS[0]! });
    const r = await runBrain(db, client, LAST, { now: NOW });
    expect(r.tests).toMatchObject({ decided: 1 });
    const after = await db.prisma.splitTest.findUniqueOrThrow({ where: { id: t.id } });
    const b = t.variants.find((v) => !v.control)!;
    expect(after).toMatchObject({ status: 'decided', winnerEntityId: b.entityId });
    const e = after.result as unknown as Evaluation;
    expect(e.variants.map((v) => [v.clicks, v.conversions])).toEqual([[12_000, 600], [12_000, 960]]);
    const cmp = e.comparisons[0]!;
    expect(cmp.diff).toBeCloseTo(0.03, 9);
    expect(cmp.lift).toBeCloseTo(0.6, 9);
    expect(cmp.ci95[0]).toBeGreaterThan(0.02);
    expect(cmp.ci95[1]).toBeLessThan(0.04);
    expect(cmp.sequentialP).toBeLessThan(0.05);
    expect(cmp.chanceToBeatControl).toBeGreaterThan(0.999);
    const insight = await db.prisma.insight.findFirstOrThrow({ where: { clientId: client.id, type: 'test_winner' } });
    expect(insight).toMatchObject({ entityId: b.entityId, status: 'PENDING', title: expect.stringMatching(/^Split test "A vs B": https:\/\/go\.example\/l\/b wins \(\+60\.0 % vs https:\/\/go\.example\/l\/a/) });
    expect(insight.payload).toMatchObject({ testId: t.id, metric: 'conversion_rate', ci95: cmp.ci95 });
    // The ranked actions suggest moving the traffic to the winner, worth the insight's weekly figure.
    const move = r.output.curiosity.actions.find((a) => a.kind === 'move_traffic')!;
    expect(move).toMatchObject({ entity: { id: b.entityId }, impactCents: Number(insight.impactCents), inputs: { test: 'A vs B' } });
    expect(move.impactCents).toBeGreaterThan(0);
    expect(r.output.curiosity.actions.map((a) => a.rank)).toEqual(r.output.curiosity.actions.map((_, i) => i + 1));
    expect(describeAction(move)).toBe('Send all of the split test "A vs B"\'s traffic to https://go.example/l/b, the winner');
    // Decided tests are not evaluated again; the insight stays one, and so does the action while it is pending.
    const again = await runBrain(db, client, LAST, { now: NOW });
    expect(await db.prisma.insight.count({ where: { clientId: client.id, type: 'test_winner' } })).toBe(1);
    expect(again.output.curiosity.actions.filter((a) => a.kind === 'move_traffic')).toHaveLength(1);
  });

  it('equal variants stay undecided; a variant without traffic says how much more is needed', async () => {
    const same = await createTest(db, client.id, { name: 'A vs C', metric: 'conversion_rate', variants: [{ ref: 'https://go.example/l/a' }, { ref: 'https://go.example/l/c' }], startDate: DAYS[0]! });
    const small = await createTest(db, client.id, { name: 'A vs D', metric: 'conversion_rate', variants: [{ ref: 'https://go.example/l/a' }, { ref: 'https://go.example/l/d' }], startDate: addDays(LAST, -9) });
    await runBrain(db, client, LAST, { now: NOW });
    const s = (await db.prisma.splitTest.findUniqueOrThrow({ where: { id: same.id } })).result as unknown as Evaluation;
    expect(s).toMatchObject({ verdict: 'no_difference_yet', winner: null });
    expect(s.comparisons[0]!.p).toBe(1);
    const d = (await db.prisma.splitTest.findUniqueOrThrow({ where: { id: small.id } })).result as unknown as Evaluation;
    // D: 30 clicks and no conversion in 10 days: 70 more clicks (about 24 days at 3 a day), 10 more conversions (it has none: no rate to go on).
    expect(d).toMatchObject({ verdict: 'not_enough_data', needed: { clicks: 70, conversions: 10, days: null } });
    expect(d.sentence).toBe('Not enough data yet: 70 more clicks and 10 more conversions on the smallest variant (at its current rate it never gets there: it has none yet).');
    expect((await db.prisma.splitTest.findUniqueOrThrow({ where: { id: small.id } })).status).toBe('running');
  });

  it('the daily report lists the tests: the winner with its lift, the undecided with what they still need — in the HTML, the text and the PDF', async () => {
    const model = await loadReportModel(db, client, LAST, NOW);
    expect(model.splitTests?.map((t) => [t.name, t.verdict])).toEqual([['A vs B', 'winner'], ['A vs C', 'no_difference_yet'], ['A vs D', 'not_enough_data']]);
    const r = await renderDailyReport(model);
    const lines = r.view.splitTests!;
    expect(lines[0]).toBe('A vs B (conversion rate): https://go.example/l/b wins (+60.0 % vs https://go.example/l/a)');
    expect(lines[2]).toBe('A vs D (conversion rate): not enough data yet: 70 more clicks and 10 more conversions');
    expect(r.text).toContain('Split tests');
    expect(r.text.replace(/\s+/g, ' ')).toContain('A vs D (conversion rate): not enough data yet: 70 more clicks and 10 more conversions');
    expect(r.html).toContain('https://go.example/l/b wins (+60.0 % vs https://go.example/l/a)');
    expect(r.pdf.subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('REST: create, list, show, stop; bad input is 422 naming the field, unknown entities 404, other agencies 404', async () => {
    const call = (method: string, p: string, body?: unknown, k = key) => app.request(p, { method, headers: { authorization: `Bearer ${k}`, 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
    const created = await call('POST', `/v1/clients/${client.id}/split-tests`, { name: 'RPC', metric: 'revenue_per_click', variants: [{ entity: 'https://go.example/l/a' }, { entity: 'https://go.example/l/b', weight: 2 }], startDate: DAYS[10] });
    expect(created.status).toBe(201);
    const t = await created.json() as { id: string; variants: { weight: number; control: boolean }[]; status: string };
    expect(t).toMatchObject({ status: 'running', variants: [{ control: true, weight: 1 }, { control: false, weight: 2 }] });
    expect((await (await call('GET', `/v1/clients/${client.id}/split-tests`)).json() as { data: unknown[] }).data.length).toBeGreaterThanOrEqual(4);
    expect((await call('GET', `/v1/split-tests/${t.id}`)).status).toBe(200);
    expect((await call('GET', `/v1/split-tests/${t.id}`, undefined, otherKey)).status).toBe(404);
    expect(await (await call('POST', `/v1/split-tests/${t.id}/stop`)).json()).toMatchObject({ status: 'stopped' });
    expect((await call('POST', `/v1/split-tests/${t.id}/stop`)).status).toBe(409);
    const one = await call('POST', `/v1/clients/${client.id}/split-tests`, { name: 'x', metric: 'roi', variants: [{ entity: 'https://go.example/l/a' }] });
    expect(one.status).toBe(422);
    expect(await one.text()).toMatch(/body\.variants/);
    const unknown = await call('POST', `/v1/clients/${client.id}/split-tests`, { name: 'y', metric: 'roi', variants: [{ entity: 'https://go.example/l/a' }, { entity: 'nope' }] });
    expect(unknown.status).toBe(404);
    const dup = await call('POST', `/v1/clients/${client.id}/split-tests`, { name: 'A vs B', metric: 'roi', variants: [{ entity: 'https://go.example/l/a' }, { entity: 'https://go.example/l/c' }] });
    expect(dup.status).toBe(409);
  });
});
