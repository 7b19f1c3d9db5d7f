// Every Inngest function adbrain serves.
import { inngest } from '../../inngest.config.ts';
import { createClientDayFunction } from './client-day.ts';
import { processRuntime } from './runtime.ts';

export const functions = [createClientDayFunction(inngest, processRuntime)];
