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
});
