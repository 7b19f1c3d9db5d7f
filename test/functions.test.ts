import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { InngestTestEngine } from '@inngest/test';
import { Inngest } from 'inngest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events } from '../inngest.config.ts';
import { loadConfig } from '../src/config.ts';
import { runDemo } from '../src/demo/demo.ts';
import { createClientDayFunction } from '../src/functions/client-day.ts';
import { createAlertCheckFunction, createAnalysisFunction, createRulesAfterSyncFunction, createScoringFunction } from '../src/functions/orchestration.ts';
import { dueClients, localHour } from '../src/functions/schedule.ts';
import { createAnalysisRun } from '../src/analysis/runs.ts';
import type { Runtime } from '../src/functions/runtime.ts';
import { freshDb, type TestDb } from './helpers/db.ts';

const END = '2026-11-21';

describe('client-day Inngest function', () => {
  let db: TestDb;
  let runtime: Runtime;
  let clientId: string;
  const inngest = new Inngest({ id: 'adbrain-test', isDev: true });

  beforeAll(async () => {
    db = await freshDb('pglite');
    const dataDir = await mkdtemp(path.join(tmpdir(), 'adbrain-fn-'));
    await runDemo(db, { endDate: END, dataDir });
    clientId = (await db.prisma.client.findUniqueOrThrow({ where: { slug: 'demo-affiliate' } })).id;
    const config = { ...loadConfig({}), outboxDir: path.join(dataDir, 'outbox') };
    runtime = { db, config, now: () => new Date('2026-11-22T17:00:00Z') };
  });
  afterAll(async () => db?.destroy());

  const engine = (data: Record<string, unknown>) =>
    new InngestTestEngine({
      function: createClientDayFunction(inngest, async () => runtime),
      events: [{ name: events.clientDayRequested.name, data }],
    });

  it('runs every day step for the client and date in the event', async () => {
    const { result } = await engine({ clientId, date: END }).execute();
    expect(result).toMatchObject({ client: 'demo-affiliate', date: END, steps: { sync: { status: 'skipped' }, report: { status: 'ok' } } });
    expect(await readdir(path.join(runtime.config.outboxDir, 'demo-affiliate', END))).toContain('report.txt');
  });

  it('ends quietly for a client that no longer exists', async () => {
    const { result } = await engine({ clientId: '00000000-0000-4000-8000-000000000000', date: END }).execute();
    expect(result).toEqual({ clientId: '00000000-0000-4000-8000-000000000000', date: END, skipped: 'client no longer exists' });
  });

  it('refuses an event whose data does not match the catalogue', async () => {
    const { error } = await engine({ clientId, date: '21/11/2026' }).execute();
    expect(String((error as Error)?.message ?? error)).toMatch(/YYYY-MM-DD/);
  });

  it('analysis-requested settles the queued run with the brain\'s result', async () => {
    const run = await createAnalysisRun(db, clientId, { asOf: END, requestedBy: 'test' });
    const t = new InngestTestEngine({ function: createAnalysisFunction(inngest, async () => runtime), events: [{ name: events.analysisRequested.name, data: { clientId, asOf: END, requestedBy: 'test', runId: run.id } }] });
    const { result } = await t.execute();
    expect(result).toMatchObject({ status: 'succeeded', asOf: END });
    expect(await db.prisma.analysisRun.findUniqueOrThrow({ where: { id: run.id } })).toMatchObject({ status: 'succeeded', result: expect.objectContaining({ asOf: END }) });
  });

  it('analysis-requested with email: true also delivers that day\'s report; without it, no email', async () => {
    const day = '2026-11-18';
    const quiet = new InngestTestEngine({ function: createAnalysisFunction(inngest, async () => runtime), events: [{ name: events.analysisRequested.name, data: { clientId, asOf: '2026-11-17', requestedBy: 'test' } }] });
    await quiet.execute();
    expect(await db.prisma.report.count({ where: { clientId, periodStart: new Date('2026-11-17T00:00:00Z') } })).toBe(0);
    const t = new InngestTestEngine({ function: createAnalysisFunction(inngest, async () => runtime), events: [{ name: events.analysisRequested.name, data: { clientId, asOf: day, requestedBy: 'test', email: true } }] });
    await t.execute();
    expect(await readdir(path.join(runtime.config.outboxDir, 'demo-affiliate', day))).toContain('report.pdf');
    expect(await db.prisma.report.findFirstOrThrow({ where: { clientId, periodStart: new Date(`${day}T00:00:00Z`) } })).toMatchObject({ status: 'written', provider: 'outbox' });
  });

  it('after a sync: the alert check runs and old predictions are scored', async () => {
    const data = { clientId, source: 'csv', from: END, to: END };
    const alerts = await new InngestTestEngine({ function: createAlertCheckFunction(inngest, async () => runtime), events: [{ name: events.syncCompleted.name, data }] }).execute();
    expect(alerts.result).toMatchObject({ sent: expect.any(Number), suppressed: expect.any(Number) });
    const scoring = await new InngestTestEngine({ function: createScoringFunction(inngest, async () => runtime), events: [{ name: events.syncCompleted.name, data }] }).execute();
    expect(scoring.result).toMatchObject({ scored: expect.any(Number) });
  });

  it('after a sync: the client\'s rules run on today\'s verdicts (none: skipped; held back without a connection to act through)', async () => {
    const data = { clientId, source: 'csv', from: END, to: END };
    const run = () => new InngestTestEngine({ function: createRulesAfterSyncFunction(inngest, async () => ({ ...runtime, config: { ...runtime.config, encryptionKey: 'ab'.repeat(32) } })), events: [{ name: events.syncCompleted.name, data }] }).execute();
    expect((await run()).result).toEqual({ skipped: 'no rules' });
    await db.prisma.actionRule.create({ data: { clientId, name: 'burners', kind: 'pause_burning', minProbability: 0.9 } });
    const r = (await run()).result as { runs: { rule: string; proposed: number; heldBack: number }[] };
    expect(r, JSON.stringify(r)).toHaveProperty("runs");
    expect(r.runs).toEqual([expect.objectContaining({ rule: 'burners', proposed: 0 })]);
    expect(r.runs[0]!.heldBack).toBeGreaterThan(0);
    expect(await db.prisma.adAction.count()).toBe(0);
    await db.prisma.actionRule.deleteMany();
  });

  it('the sweep finds the clients whose local hour is their report hour', async () => {
    expect(localHour('America/Los_Angeles', new Date('2026-11-22T17:00:00Z'))).toBe(9);
    expect(localHour('Asia/Kolkata', new Date('2026-11-22T03:30:00Z'))).toBe(9);
    const due = await dueClients(db.prisma, new Date('2026-11-22T17:00:00Z'));
    const slugs = await db.prisma.client.findMany({ where: { id: { in: due.map((d) => d.clientId) } }, select: { slug: true, timezone: true } });
    expect(slugs.every((c) => localHour(c.timezone, new Date('2026-11-22T17:00:00Z')) === 9)).toBe(true);
    expect(due.find((d) => d.clientId === clientId)).toMatchObject({ date: END });
  });
});
