// `adbrain serve`: the API and the Inngest endpoint on one Hono server.
import { actionLinkKeyOf } from '../actions/key.ts';
import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import type { Inngest } from 'inngest';
import { createInngest, events } from '../../inngest.config.ts';
import { executeAnalysis } from '../analysis/runs.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import { createFunctions } from '../functions/index.ts';
import { reportAfterAnalysis } from '../run/day.ts';
import { createApp } from './app.ts';
import { processVisitWriter } from '../tracking/visits.ts';
import type { ApiDeps } from './env.ts';

/** Inngest runs the jobs when it can be reached (an event key or a self-hosted URL); otherwise they run in this process. */
export function usesInngest(config: Config): boolean {
  return Boolean(config.inngest.eventKey || config.inngest.baseUrl);
}

export function apiDeps(db: Db, config: Config, now: () => Date = config.now, client?: Inngest): ApiDeps {
  const inngest = usesInngest(config) ? client ?? createInngest(config) : undefined;
  return {
    db,
    config,
    now,
    inngest,
    actionLinkKey: actionLinkKeyOf(config),
    async dispatchAnalysis(run) {
      if (inngest) {
        await inngest.send({ name: events.analysisRequested.name, data: { clientId: run.clientId, asOf: run.asOf, requestedBy: run.requestedBy, email: run.email, runId: run.runId } });
        return;
      }
      // In-process: answer 202 now, run right after; the run row records the outcome.
      setImmediate(() => {
        executeAnalysis(db, run.clientId, { asOf: run.asOf, runId: run.runId, now: now() })
          .then((r) => (run.email && r.status === 'succeeded' ? reportAfterAnalysis({ db, config, now }, run.clientId, r.asOf) : null))
          .catch((err) => console.error('adbrain: analysis failed', err));
      });
    },
    notifySync: inngest
      ? async (e) => {
          await inngest.send({ name: events.syncCompleted.name, data: e });
        }
      : undefined,
  };
}

export async function startServer(db: Db, config: Config, opts: { port?: number; hostname?: string } = {}) {
  const inngest = createInngest(config);
  const runtime = async () => ({ db, config, now: config.now });
  // The server owns the visit writer so that closing it writes what is still queued.
  const visits = processVisitWriter(db);
  const app = createApp(apiDeps(db, config, undefined, inngest), { inngest: { client: inngest, functions: createFunctions(inngest, runtime, { intradayMinutes: config.intradayMinutes }) }, visits });
  return new Promise<{ port: number; address: string; close: () => Promise<void> }>((resolve) => {
    // Loopback unless told otherwise: exposing the API is a decision (`--host 0.0.0.0`).
    const server = serve({ fetch: app.fetch, port: opts.port ?? config.port, hostname: opts.hostname ?? '127.0.0.1' }, (info: AddressInfo) => {
      // Closing (SIGTERM): no new connections; what was answered is written at once,
      // requests still running finish (at most 10 s), then what they queued is written too.
      const close = () =>
        new Promise<void>((r) => {
          void visits.flush();
          const force = setTimeout(() => (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.(), 10_000).unref();
          server.close(() => {
            clearTimeout(force);
            void visits.flush().then(() => {
              visits.close();
              r();
            });
          });
          (server as unknown as { closeIdleConnections?: () => void }).closeIdleConnections?.();
        });
      resolve({ port: info.port, address: info.address, close });
    });
  });
}
