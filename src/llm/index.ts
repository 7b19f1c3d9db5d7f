// The LLM capability as the rest of adbrain sees it: a provider chosen from the
// config (or none), and summarizeDay() which never throws.
import type { Config } from '../config.ts';
import { rememberSecret } from '../crypto/redact.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { startOfLocalDay, localDate } from '../time.ts';
import { anthropicProvider } from './providers/anthropic.ts';
import { openaiProvider } from './providers/openai.ts';
import type { LlmProvider } from './providers/types.ts';
import { prismaLlmStore } from './store.ts';
import { summarize, type SummaryOutcome } from './summarize.ts';
import type { SummaryFacts } from './facts.ts';

export type { LlmProvider } from './providers/types.ts';
export type { Summary } from './schema.ts';
export type { SummaryOutcome } from './summarize.ts';

export function createProvider(llm: Config['llm']): LlmProvider | null {
  const common = { timeoutMs: llm.timeoutMs, maxRetries: llm.maxRetries };
  rememberSecret(llm.anthropic?.apiKey, llm.openai?.apiKey);
  if (llm.provider === 'anthropic' && llm.anthropic) return anthropicProvider({ ...llm.anthropic, ...common });
  if (llm.provider === 'openai' && llm.openai) return openaiProvider({ ...llm.openai, ...common });
  return null;
}

export interface SummarizeDayOptions {
  prisma: PrismaClient;
  /** LLM settings; without them there is no provider and the summary is deterministic. */
  llm?: Config['llm'];
  agency: { id: string; timezone: string; llmDailyTokenBudget: number | null };
  now: Date;
  provider?: LlmProvider | null;
}

export async function summarizeDay(facts: SummaryFacts, o: SummarizeDayOptions): Promise<SummaryOutcome> {
  return summarize(facts, {
    provider: o.provider !== undefined ? o.provider : o.llm ? createProvider(o.llm) : null,
    store: prismaLlmStore(o.prisma),
    agencyId: o.agency.id,
    dailyTokenBudget: o.agency.llmDailyTokenBudget ?? o.llm?.dailyTokenBudget ?? 0,
    now: o.now,
    dayStart: startOfLocalDay(o.agency.timezone, localDate(o.agency.timezone, o.now)),
  });
}
