// OpenAI Chat Completions with a strict JSON-schema response format.
import OpenAI from 'openai';
import type { CompletionRequest, CompletionResult, LlmProvider, ProviderOptions } from './types.ts';

// Strict mode rejects some JSON-schema keywords; zod still enforces them afterwards.
const UNSUPPORTED = new Set(['$schema', 'minLength', 'maxLength']);
export function strictSchema(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(strictSchema);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([k]) => !UNSUPPORTED.has(k)).map(([k, x]) => [k, strictSchema(x)]));
  return v;
}

export function openaiProvider(o: ProviderOptions): LlmProvider {
  const client = new OpenAI({ apiKey: o.apiKey, baseURL: o.baseURL, timeout: o.timeoutMs, maxRetries: o.maxRetries });
  return {
    name: 'openai',
    model: o.model,
    async complete(req: CompletionRequest): Promise<CompletionResult> {
      const res = await client.chat.completions.create({
        model: o.model,
        max_completion_tokens: req.maxOutputTokens,
        messages: [
          { role: 'system', content: req.system },
          { role: 'user', content: req.user },
        ],
        response_format: { type: 'json_schema', json_schema: { name: req.schemaName, strict: true, schema: strictSchema(req.schema) as Record<string, unknown> } },
      });
      const msg = res.choices[0]?.message;
      if (!msg) throw new Error('openai: empty answer');
      if (msg.refusal) throw new Error(`openai: refused (${msg.refusal.slice(0, 200)})`);
      let output: unknown;
      try {
        output = JSON.parse(msg.content ?? '');
      } catch {
        throw new Error('openai: answer is not JSON');
      }
      return { output, inputTokens: res.usage?.prompt_tokens ?? 0, outputTokens: res.usage?.completion_tokens ?? 0, model: res.model };
    },
  };
}
