// Anthropic Messages API: the schema is a tool the model is forced to call,
// so the answer arrives as the tool's JSON input.
import Anthropic from '@anthropic-ai/sdk';
import type { ChatMessage, ChatRequest, ChatTurn, CompletionRequest, CompletionResult, LlmProvider, ProviderOptions } from './types.ts';

export function anthropicProvider(o: ProviderOptions): LlmProvider {
  const client = new Anthropic({ apiKey: o.apiKey, baseURL: o.baseURL, timeout: o.timeoutMs, maxRetries: o.maxRetries });
  return {
    name: 'anthropic',
    model: o.model,
    async complete(req: CompletionRequest): Promise<CompletionResult> {
      const res = await client.messages.create({
        model: o.model,
        max_tokens: req.maxOutputTokens,
        system: req.system,
        messages: [{ role: 'user', content: req.user }],
        tools: [{ name: req.schemaName, description: 'Return the summary.', input_schema: req.schema as Anthropic.Tool.InputSchema }],
        tool_choice: { type: 'tool', name: req.schemaName },
      });
      const block = res.content.find((b) => b.type === 'tool_use');
      if (!block || block.type !== 'tool_use') throw new Error(`anthropic: no ${req.schemaName} tool call in the answer (stop: ${res.stop_reason})`);
      return { output: block.input, inputTokens: res.usage.input_tokens, outputTokens: res.usage.output_tokens, model: res.model };
    },
    async chat(req: ChatRequest): Promise<ChatTurn> {
      const res = await client.messages.create({
        model: o.model,
        max_tokens: req.maxOutputTokens,
        system: req.system,
        messages: req.messages.map(anthropicMessage),
        ...(req.tools.length ? { tools: req.tools.map((t) => ({ name: t.name, description: t.description, input_schema: t.parameters as Anthropic.Tool.InputSchema })) } : {}),
      });
      const text = res.content.filter((b) => b.type === 'text').map((b) => (b as Anthropic.TextBlock).text).join('\n').trim();
      const toolCalls = res.content.flatMap((b) => (b.type === 'tool_use' ? [{ id: b.id, name: b.name, args: b.input }] : []));
      return { text: text || null, toolCalls, inputTokens: res.usage.input_tokens, outputTokens: res.usage.output_tokens, model: res.model };
    },
  };
}

// Messages API: tool calls are tool_use blocks of the assistant; their results go
// back as tool_result blocks of the next user message.
function anthropicMessage(m: ChatMessage): Anthropic.MessageParam {
  if (m.role === 'user') return { role: 'user', content: m.text };
  if (m.role === 'assistant') {
    return {
      role: 'assistant',
      content: [
        ...(m.text ? [{ type: 'text' as const, text: m.text }] : []),
        ...m.toolCalls.map((c) => ({ type: 'tool_use' as const, id: c.id, name: c.name, input: c.args as Record<string, unknown> })),
      ],
    };
  }
  return { role: 'user', content: m.results.map((r) => ({ type: 'tool_result' as const, tool_use_id: r.id, content: r.content, is_error: r.isError })) };
}
