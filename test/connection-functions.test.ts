// Connections under Inngest: a connection-sync run per connection (retried on
// failure, not on a broken token), the intraday fan-out, and the day's sync as
// one durable step per connection — against the loopback Meta fake.
import { randomBytes } from 'node:crypto';
import { InngestTestEngine } from '@inngest/test';
import { Inngest } from 'inngest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events } from '../inngest.config.ts';
import { loadConfig } from '../src/config.ts';
import { addClient } from '../src/domain/clients.ts';
import { connectAccount } from '../src/domain/connections.ts';
import { createClientDayFunction } from '../src/functions/client-day.ts';
import { createConnectionSyncFunction, createIntradaySyncFunction } from '../src/functions/orchestration.ts';
import type { Runtime } from '../src/functions/runtime.ts';
import { syncStep } from '../src/run/day.ts';
import { addDays } from '../src/time.ts';
import { startFakeMeta, type FakeMeta } from './fakes/meta-server.ts';
import { freshDb, type TestDb } from './helpers/db.ts';
import { testSources } from './helpers/sources.ts';

const LAST = '2026-11-20';
const NOW = new Date('2026-11-20T20:00:00Z');

describe('connection syncs under Inngest', () => {
  let db: TestDb;
  let meta: FakeMeta;
  let runtime: Runtime;
  let clientId: string;
  let connectionId: string;
  const inngest = new Inngest({ id: 'adbrain-test', isDev: true });
  const key = randomBytes(32);

  beforeAll(async () => {
    db = await freshDb('pglite');
    meta = await startFakeMeta({ ads: [{ id: '1', name: 'Ad', adset: { id: '2', name: 'Set' }, campaign: { id: '3', name: 'Camp' } }], days: Array.from({ length: 40 }, (_, i) => addDays(LAST, i - 39)) });
    clientId = (await addClient(db.prisma, { slug: 'shop', timezone: 'America/New_York', currency: 'USD' })).id;
    const sources = testSources({ meta: meta.url });
    connectionId = (await connectAccount(db, key, sources, { clientId, platform: 'meta', accountId: meta.account, accessToken: meta.token }, { now: NOW })).id;
    runtime = { db, config: { ...loadConfig({}), encryptionKey: key.toString('hex'), sources }, now: () => NOW };
  });
  afterAll(async () => {
    await meta?.close();
    await db?.destroy();
  });
  const syncRun = (data: Record<string, unknown>) =>
    new InngestTestEngine({
      function: createConnectionSyncFunction(inngest, async () => runtime),
      events: [{ name: events.connectionSyncRequested.name, data }],
      // No Inngest server here: the event the run sends is mocked (and asserted on).
      steps: [{ id: 'sync-completed', handler: () => ({ ids: ['e1'] }) }],
    });

  it('a connection-sync run syncs its window in a step named for connection and range, then says sync.completed', async () => {
    const { result, ctx } = await syncRun({ connectionId, clientId, platform: 'meta' }).execute();
    expect(result).toMatchObject({ status: 'succeeded', range: { from: addDays(LAST, -28), to: LAST } });
    expect(ctx.step.run).toHaveBeenCalledWith(`sync-${connectionId}-window-today`, expect.any(Function));
    expect(ctx.step.sendEvent).toHaveBeenCalledWith('sync-completed', { name: events.syncCompleted.name, data: { clientId, source: 'meta-api', from: addDays(LAST, -28), to: LAST } });
  });

  it('an intraday connection-sync re-reads only today and yesterday (the account\'s days), then says sync.completed for them', async () => {
    const { result, ctx } = await syncRun({ connectionId, clientId, platform: 'meta', intraday: true }).execute();
    expect(result).toMatchObject({ status: 'succeeded', range: { from: addDays(LAST, -1), to: LAST } });
    expect(ctx.step.run).toHaveBeenCalledWith(`sync-${connectionId}-intraday-today`, expect.any(Function));
    expect(ctx.step.sendEvent).toHaveBeenCalledWith('sync-completed', { name: events.syncCompleted.name, data: { clientId, source: 'meta-api', from: addDays(LAST, -1), to: LAST } });
  });

  it('a failing platform makes the run fail (Inngest retries it); a broken token does not', async () => {
    meta.failNext('/insights', [{ status: 400, code: 100, message: 'Invalid parameter' }]);
    const failed = await syncRun({ connectionId, clientId, platform: 'meta' }).execute();
    expect(String((failed.error as Error)?.message ?? failed.error)).toMatch(/Invalid parameter \(code 100\)/);
    meta.failNext('/insights', [{ status: 400, code: 190, subcode: 460 }]);
    const auth = await syncRun({ connectionId, clientId, platform: 'meta' }).execute();
    expect(auth.error).toBeUndefined();
    expect(auth.result).toMatchObject({ status: 'needs_reauth', error: expect.stringMatching(/the password was changed/) });
    await db.prisma.connection.update({ where: { id: connectionId }, data: { status: 'active' } });
  });

  it('intraday-sync fans out one intraday connection-sync event (today and yesterday) per active connection', async () => {
    const { result, ctx } = await new InngestTestEngine({
      function: createIntradaySyncFunction(inngest, async () => runtime), events: [{ name: 'inngest/scheduled.timer', data: {} }],
      steps: [{ id: 'sync-connections', handler: () => ({ ids: ['e1'] }) }],
    }).execute();
    expect(result).toEqual({ connections: 1 });
    expect(ctx.step.sendEvent).toHaveBeenCalledWith('sync-connections', [{ name: events.connectionSyncRequested.name, data: { connectionId, clientId, platform: 'meta', intraday: true } }]);
  });

  it('the intraday cadence follows ADBRAIN_INTRADAY_MINUTES (15, 30 or 60), and refuses anything else', () => {
    const cronOf = (m?: 15 | 30 | 60) => (createIntradaySyncFunction(inngest, async () => runtime, m) as unknown as { opts: { triggers: { cron: string }[] } }).opts.triggers[0]!.cron;
    expect([cronOf(), cronOf(15), cronOf(60)]).toEqual(['TZ=UTC */30 * * * *', 'TZ=UTC */15 * * * *', 'TZ=UTC 0 * * * *']);
    expect(loadConfig({ ADBRAIN_INTRADAY_MINUTES: '15' }).intradayMinutes).toBe(15);
    expect(() => loadConfig({ ADBRAIN_INTRADAY_MINUTES: '20' })).toThrow(/ADBRAIN_INTRADAY_MINUTES.*15, 30 or 60/);
  });

  it('the day runs one sync step per connection before the brain; a failing connection is recorded, the day goes on', async () => {
    meta.failNext('/insights', [{ status: 400, code: 100, message: 'Invalid parameter' }]);
    const t = new InngestTestEngine({ function: createClientDayFunction(inngest, async () => runtime, [syncStep]), events: [{ name: events.clientDayRequested.name, data: { clientId, date: addDays(LAST, -1) } }] });
    const { result, ctx } = await t.execute();
    expect(ctx.step.run).toHaveBeenCalledWith(`sync-${connectionId}-${addDays(LAST, -1)}`, expect.any(Function));
    expect(result).toMatchObject({ steps: { sync: { status: 'failed', data: { results: [{ connectionId, status: 'failed', error: expect.stringMatching(/Invalid parameter/) }] } } } });
    const ok = await new InngestTestEngine({ function: createClientDayFunction(inngest, async () => runtime, [syncStep]), events: [{ name: events.clientDayRequested.name, data: { clientId, date: LAST } }] }).execute();
    expect(ok.result).toMatchObject({ steps: { sync: { status: 'ok', data: { results: [{ status: 'succeeded', rows: 29 }] } } } });
  });
});
