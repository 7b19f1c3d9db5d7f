// Every Inngest function adbrain serves.
import type { Inngest } from 'inngest';
import { inngest as defaultClient } from '../../inngest.config.ts';
import { createClientDayFunction } from './client-day.ts';
import { createAlertCheckFunction, createAnalysisFunction, createDailySweepFunction, createIntradaySyncFunction, createConnectionSyncFunction, createScoringFunction, createWebhookDeliveryFunction, createRetentionFunction, createRollupSweepFunction, createRulesAfterSyncFunction } from './orchestration.ts';
import { processRuntime, type Runtime } from './runtime.ts';

export function createFunctions(inngest: Inngest = defaultClient, runtime: () => Promise<Runtime> = processRuntime, opts: { intradayMinutes?: 15 | 30 | 60 } = {}) {
  return [
    createDailySweepFunction(inngest, runtime),
    createClientDayFunction(inngest, runtime),
    createAnalysisFunction(inngest, runtime),
    createIntradaySyncFunction(inngest, runtime, opts.intradayMinutes),
    createWebhookDeliveryFunction(inngest, runtime),
    createConnectionSyncFunction(inngest, runtime),
    createAlertCheckFunction(inngest, runtime),
    createRulesAfterSyncFunction(inngest, runtime),
    createScoringFunction(inngest, runtime),
    createRetentionFunction(inngest, runtime),
    createRollupSweepFunction(inngest, runtime),
  ];
}
