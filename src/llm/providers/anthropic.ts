// Anthropic Messages API: the schema is a tool the model is forced to call,
// so the answer arrives as the tool's JSON input.
import Anthropic from '@anthropic-ai/sdk';
import type { CompletionRequest, CompletionResult, LlmProvider, ProviderOptions } from './types.ts';

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
  };
}
