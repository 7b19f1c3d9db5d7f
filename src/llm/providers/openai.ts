// OpenAI Chat Completions with a strict JSON-schema response format.
import OpenAI from 'openai';
import type { ChatMessage, ChatRequest, ChatTurn, CompletionRequest, CompletionResult, LlmProvider, ProviderOptions } from './types.ts';

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
    async chat(req: ChatRequest): Promise<ChatTurn> {
      const res = await client.chat.completions.create({
        model: o.model,
        max_completion_tokens: req.maxOutputTokens,
        messages: [{ role: 'system', content: req.system }, ...req.messages.flatMap(openaiMessages)],
        ...(req.tools.length ? { tools: req.tools.map((t) => ({ type: 'function' as const, function: { name: t.name, description: t.description, parameters: t.parameters } })) } : {}),
      });
      const msg = res.choices[0]?.message;
      if (!msg) throw new Error('openai: empty answer');
      if (msg.refusal) throw new Error(`openai: refused (${msg.refusal.slice(0, 200)})`);
      const toolCalls = (msg.tool_calls ?? []).flatMap((c) => {
        if (c.type !== 'function') return [];
        let args: unknown;
        try {
          args = JSON.parse(c.function.arguments || '{}');
        } catch {
          // Handed on as is: the tool refuses it, naming the problem, and the model may try again.
          args = c.function.arguments;
        }
        return [{ id: c.id, name: c.function.name, args }];
      });
      return { text: msg.content?.trim() || null, toolCalls, inputTokens: res.usage?.prompt_tokens ?? 0, outputTokens: res.usage?.completion_tokens ?? 0, model: res.model };
    },
  };
}

// Chat Completions: tool calls ride on the assistant message; each result is a
// message of role "tool" naming the call it answers.
function openaiMessages(m: ChatMessage): OpenAI.ChatCompletionMessageParam[] {
  if (m.role === 'user') return [{ role: 'user', content: m.text }];
  if (m.role === 'assistant') {
    return [{
      role: 'assistant',
      content: m.text,
      ...(m.toolCalls.length ? { tool_calls: m.toolCalls.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: typeof c.args === 'string' ? c.args : JSON.stringify(c.args ?? {}) } })) } : {}),
    }];
  }
  return m.results.map((r) => ({ role: 'tool' as const, tool_call_id: r.id, content: r.content }));
}
