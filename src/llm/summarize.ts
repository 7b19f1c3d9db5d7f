// Facts → summary. The model gets the computed facts only; its answer must
// parse against the schema and every number in it must be one of the facts.
// One retry with the problems fed back, then the deterministic summary. The
// final result per input (facts + prompt version + model) is cached in LlmCall,
// so a re-run of a day makes no request. Nothing here throws: the day never
// fails because of a model.
import { redact } from '../crypto/redact.ts';
import { createHash } from 'node:crypto';
import { deterministicSummary } from './deterministic.ts';
import type { SummaryFacts } from './facts.ts';
import { checkGrounding, factNumbers, type Violation } from './grounding.ts';
import { costUsd } from './pricing.ts';
import { PROMPT_VERSION, SYSTEM_PROMPT, retryPrompt, userPrompt } from './prompt.ts';
import type { LlmProvider } from './providers/types.ts';
import { summaryJsonSchema, summaryOutputSchema, type Summary, type SummaryOutput } from './schema.ts';
import type { CallRecord, LlmStore } from './store.ts';

export const MAX_OUTPUT_TOKENS = 1500;

export interface SummarizeDeps {
  provider: LlmProvider | null;
  store: LlmStore;
  agencyId: string | null;
  /** Tokens (input + output) the agency may spend per day. */
  dailyTokenBudget: number;
  /** When the agency's current day began (budget window). */
  dayStart: Date;
  /** Recorded as each call's time (the budget window is read against it). */
  now: Date;
  clock?: () => number;
}

export interface SummaryOutcome {
  summary: Summary;
  source: 'llm' | 'cache' | 'deterministic';
  /** Why the deterministic summary was used, when it was. */
  reason: string | null;
  violations: Violation[];
  requests: number;
}

export function inputHash(provider: LlmProvider, facts: SummaryFacts): string {
  return createHash('sha256')
    .update(JSON.stringify({ provider: provider.name, model: provider.model, prompt: PROMPT_VERSION, facts }))
    .digest('hex');
}

type Usage = Pick<CallRecord, 'inputTokens' | 'outputTokens' | 'costUsd' | 'latencyMs'>;
type Attempt =
  | { ok: true; summary: Summary; raw: unknown; usage: Usage }
  | { ok: false; kind: 'rejected'; problems: Violation[]; raw: unknown; usage: Usage }
  | { ok: false; kind: 'failed'; error: string };

/** Validates a raw answer: schema, action refs, then grounding. */
export function judge(raw: unknown, facts: SummaryFacts): { summary: Summary } | { problems: Violation[] } {
  const parsed = summaryOutputSchema.safeParse(raw);
  if (!parsed.success) {
    return { problems: parsed.error.issues.map((i) => ({ text: i.path.join('.') || '(answer)', kind: 'plain' as const, reason: `schema: ${i.path.join('.')}: ${i.message}` })) };
  }
  const out: SummaryOutput = parsed.data;
  const refs = new Set(facts.actions.map((a) => a.ref));
  const problems: Violation[] = [];
  const seen = new Set<string>();
  for (const a of out.actions) {
    if (!refs.has(a.ref)) problems.push({ text: a.ref, kind: 'plain', reason: `schema: action ${a.ref} is not in the facts` });
    if (seen.has(a.ref)) problems.push({ text: a.ref, kind: 'plain', reason: `schema: action ${a.ref} appears twice` });
    seen.add(a.ref);
  }
  problems.push(...checkGrounding([out.headline, ...out.paragraphs, ...out.actions.map((a) => a.wording)], factNumbers(facts)));
  if (problems.length) return { problems };
  const fallback = deterministicSummary(facts).actions;
  const worded = new Map(out.actions.map((a) => [a.ref, a.wording]));
  return {
    summary: {
      headline: out.headline.trim(),
      paragraphs: out.paragraphs.map((p) => p.trim()).filter(Boolean),
      actions: fallback.map((a) => ({ ...a, wording: worded.get(a.ref)?.trim() || a.wording })),
    },
  };
}

function describeError(err: unknown): string {
  const e = err as { status?: number; name?: string; message?: string };
  const what = e.status ? `HTTP ${e.status}` : e.name ?? 'Error';
  // Providers echo what they were sent (a wrong key, a header): never store or print that.
  return `${what}: ${redact(e.message ?? String(err)).slice(0, 300)}`;
}

export async function summarize(facts: SummaryFacts, deps: SummarizeDeps): Promise<SummaryOutcome> {
  const fallback = deterministicSummary(facts);
  const det = (reason: string, violations: Violation[] = [], requests = 0): SummaryOutcome => ({ summary: fallback, source: 'deterministic', reason, violations, requests });
  const provider = deps.provider;
  if (!provider) return det('no LLM provider configured');
  if (!facts.hasData && facts.actions.length === 0) return det('nothing to summarise');
  const clock = deps.clock ?? (() => performance.now());
  const hash = inputHash(provider, facts);
  const base = { agencyId: deps.agencyId, provider: provider.name, model: provider.model, purpose: 'daily-summary', promptVersion: PROMPT_VERSION, inputHash: hash };
  const record = (c: Partial<CallRecord>) =>
    deps.store.record({ ...base, inputTokens: 0, outputTokens: 0, costUsd: 0, cached: false, latencyMs: 0, ok: false, error: null, output: null, createdAt: deps.now, ...c });

  try {
    const cached = await deps.store.findFinal(hash);
    if (cached) {
      await record({ cached: true, ok: true });
      return cached.source === 'llm'
        ? { summary: cached.summary, source: 'cache', reason: null, violations: [], requests: 0 }
        : { summary: cached.summary, source: 'deterministic', reason: `cached: ${cached.reason}`, violations: [], requests: 0 };
    }
  } catch (err) {
    return det(`LLM cache unavailable (${describeError(err)})`);
  }

  const violations: Violation[] = [];
  let requests = 0;
  const attempt = async (user: string): Promise<Attempt> => {
    const estimate = Math.ceil((SYSTEM_PROMPT.length + user.length) / 3) + MAX_OUTPUT_TOKENS;
    const used = await deps.store.tokensUsedSince(deps.agencyId, deps.dayStart);
    if (used + estimate > deps.dailyTokenBudget) {
      const error = `over the daily token budget (${used} used of ${deps.dailyTokenBudget}; this call needs about ${estimate})`;
      await record({ error });
      return { ok: false, kind: 'failed', error };
    }
    const t0 = clock();
    requests++;
    try {
      const res = await provider.complete({ system: SYSTEM_PROMPT, user, schema: summaryJsonSchema, schemaName: 'daily_summary', maxOutputTokens: MAX_OUTPUT_TOKENS });
      const usage = { inputTokens: res.inputTokens, outputTokens: res.outputTokens, costUsd: costUsd(provider.model, res.inputTokens, res.outputTokens) ?? 0, latencyMs: Math.round(clock() - t0) };
      const verdict = judge(res.output, facts);
      if ('summary' in verdict) return { ok: true, summary: verdict.summary, raw: res.output, usage };
      return { ok: false, kind: 'rejected', problems: verdict.problems, raw: res.output, usage };
    } catch (err) {
      const error = describeError(err);
      await record({ latencyMs: Math.round(clock() - t0), error });
      return { ok: false, kind: 'failed', error };
    }
  };

  for (const round of [1, 2] as const) {
    const user = round === 1 ? userPrompt(facts) : retryPrompt(facts, violations);
    const a = await attempt(user);
    if (a.ok) {
      await record({ ...a.usage, ok: true, output: { raw: a.raw, final: { summary: a.summary, source: 'llm', reason: null } } });
      return { summary: a.summary, source: 'llm', reason: null, violations, requests };
    }
    if (a.kind === 'failed') return det(`LLM unavailable: ${a.error}`, violations, requests);
    violations.push(...a.problems);
    const reason = `${round === 1 ? 'rejected' : 'rejected twice'}: ${a.problems.map((p) => p.reason).slice(0, 5).join('; ')}`;
    // The second rejection settles it for this input: cache the deterministic result.
    const final = round === 2 ? { final: { summary: fallback, source: 'deterministic', reason } } : {};
    await record({ ...a.usage, error: reason.slice(0, 1000), output: { raw: a.raw, violations: a.problems, ...final } });
  }
  return det(`the model's answers were rejected twice (${violations.length} problems)`, violations, requests);
}
