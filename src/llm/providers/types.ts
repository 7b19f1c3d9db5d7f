// A model provider as the summarizer needs it: one structured completion.
export interface CompletionRequest {
  system: string;
  user: string;
  /** JSON schema the answer must follow. */
  schema: Record<string, unknown>;
  schemaName: string;
  maxOutputTokens: number;
}

export interface CompletionResult {
  /** The structured answer, not yet validated. */
  output: unknown;
  inputTokens: number;
  outputTokens: number;
  model: string;
}

export interface LlmProvider {
  name: 'anthropic' | 'openai';
  model: string;
  complete(req: CompletionRequest): Promise<CompletionResult>;
}

export interface ProviderOptions {
  apiKey: string;
  baseURL?: string;
  model: string;
  /** Per request; the SDK retries 429/5xx/timeouts up to maxRetries times, each with this timeout. */
  timeoutMs: number;
  maxRetries: number;
}
