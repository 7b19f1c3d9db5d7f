// LlmCall rows: the audit of every model call and the cache of final summaries.
import type { PrismaClient } from '../generated/prisma/client.ts';
import type { Summary } from './schema.ts';

export interface CallRecord {
  agencyId: string | null;
  provider: string;
  model: string;
  purpose: string;
  promptVersion: string;
  inputHash: string;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  cached: boolean;
  latencyMs: number;
  ok: boolean;
  error: string | null;
  /** The raw answer and what was found wrong with it, and — on the last call for
   * an input — `final`: the summary that was used (the cache entry). */
  output: Record<string, unknown> | null;
  createdAt: Date;
}

export interface FinalEntry {
  summary: Summary;
  source: 'llm' | 'deterministic';
  reason: string | null;
}

export interface LlmStore {
  findFinal(inputHash: string): Promise<FinalEntry | null>;
  tokensUsedSince(agencyId: string | null, since: Date): Promise<number>;
  record(call: CallRecord): Promise<void>;
}

export function prismaLlmStore(prisma: PrismaClient): LlmStore {
  return {
    async findFinal(inputHash) {
      const rows = await prisma.llmCall.findMany({
        where: { inputHash, cached: false },
        orderBy: { id: 'desc' },
        take: 5,
        select: { output: true },
      });
      for (const r of rows) {
        const final = (r.output as { final?: FinalEntry } | null)?.final;
        if (final) return final;
      }
      return null;
    },
    async tokensUsedSince(agencyId, since) {
      const agg = await prisma.llmCall.aggregate({
        where: { agencyId, createdAt: { gte: since } },
        _sum: { inputTokens: true, outputTokens: true },
      });
      return (agg._sum.inputTokens ?? 0) + (agg._sum.outputTokens ?? 0);
    },
    async record(c) {
      await prisma.llmCall.create({
        data: { ...c, output: c.output === null ? undefined : (JSON.parse(JSON.stringify(c.output)) as object) },
      });
    },
  };
}
