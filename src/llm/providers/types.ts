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
  /** One turn of a conversation with tools (`ask`): the model answers in text or asks for tool calls. */
  chat(req: ChatRequest): Promise<ChatTurn>;
}

/** A tool offered to the model: its name, what it does, and its input as JSON schema. */
export interface ChatTool {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

export interface ToolCall {
  id: string;
  name: string;
  /** The arguments as the model sent them (not yet checked). */
  args: unknown;
}

/** A conversation in neutral form; each provider maps it to its own messages. */
export type ChatMessage =
  | { role: 'user'; text: string }
  | { role: 'assistant'; text: string | null; toolCalls: ToolCall[] }
  | { role: 'tool'; results: { id: string; name: string; content: string; isError: boolean }[] };

export interface ChatRequest {
  system: string;
  messages: ChatMessage[];
  /** Empty: the model must answer in text now. */
  tools: ChatTool[];
  maxOutputTokens: number;
}

export interface ChatTurn {
  text: string | null;
  toolCalls: ToolCall[];
  inputTokens: number;
  outputTokens: number;
  model: string;
}

export interface ProviderOptions {
  apiKey: string;
  baseURL?: string;
  model: string;
  /** Per request; the SDK retries 429/5xx/timeouts up to maxRetries times, each with this timeout. */
  timeoutMs: number;
  maxRetries: number;
}
