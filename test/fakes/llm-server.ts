// A loopback fake of the Anthropic Messages and OpenAI Chat Completions APIs,
// driven by the real SDKs through their base-URL options. Each request takes
// the next scripted reply (the last one repeats).
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Reply =
  | { answer: unknown; inputTokens?: number; outputTokens?: number }
  /** A turn of a tool-using conversation: tool calls (and / or text), in each API's own format. */
  | { toolCalls?: { name: string; args: unknown }[]; text?: string; inputTokens?: number; outputTokens?: number }
  | { status: number; headers?: Record<string, string>; message?: string }
  | { delayMs: number; answer: unknown };

export interface SeenRequest {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: any;
}

export interface FakeLlm {
  url: string;
  /** Base URL for each SDK. */
  anthropicBaseURL: string;
  openaiBaseURL: string;
  requests: SeenRequest[];
  script(replies: Reply[] | ((req: SeenRequest, n: number) => Reply)): void;
  close(): Promise<void>;
}

export async function startFakeLlm(): Promise<FakeLlm> {
  let next: (req: SeenRequest, n: number) => Reply = () => ({ status: 500, message: 'no script' });
  const requests: SeenRequest[] = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', async () => {
      const seen: SeenRequest = { path: req.url ?? '', headers: req.headers, body: raw ? JSON.parse(raw) : null };
      requests.push(seen);
      const reply = next(seen, requests.length - 1);
      const anthropic = seen.path.startsWith('/v1/messages');
      if ('status' in reply) {
        res.writeHead(reply.status, { 'content-type': 'application/json', ...(reply.headers ?? {}) });
        const message = reply.message ?? `status ${reply.status}`;
        res.end(JSON.stringify(anthropic ? { type: 'error', error: { type: 'api_error', message } } : { error: { message, type: 'server_error' } }));
        return;
      }
      if ('delayMs' in reply) await new Promise((r) => setTimeout(r, reply.delayMs));
      if (res.destroyed) return;
      const inputTokens = ('inputTokens' in reply && reply.inputTokens) || 1200;
      const outputTokens = ('outputTokens' in reply && reply.outputTokens) || 300;
      const model = seen.body?.model ?? 'fake';
      res.writeHead(200, { 'content-type': 'application/json' });
      if (!('answer' in reply)) {
        const calls = reply.toolCalls ?? [];
        const n = requests.length;
        if (anthropic) {
          res.end(JSON.stringify({
            id: `msg_${n}`, type: 'message', role: 'assistant', model,
            content: [...(reply.text ? [{ type: 'text', text: reply.text }] : []), ...calls.map((c, i) => ({ type: 'tool_use', id: `toolu_${n}_${i}`, name: c.name, input: c.args }))],
            stop_reason: calls.length ? 'tool_use' : 'end_turn', stop_sequence: null, usage: { input_tokens: inputTokens, output_tokens: outputTokens },
          }));
        } else {
          res.end(JSON.stringify({
            id: `chatcmpl-${n}`, object: 'chat.completion', created: 0, model,
            choices: [{
              index: 0, logprobs: null, finish_reason: calls.length ? 'tool_calls' : 'stop',
              message: { role: 'assistant', content: reply.text ?? null, refusal: null, ...(calls.length ? { tool_calls: calls.map((c, i) => ({ id: `call_${n}_${i}`, type: 'function', function: { name: c.name, arguments: JSON.stringify(c.args) } })) } : {}) },
            }],
            usage: { prompt_tokens: inputTokens, completion_tokens: outputTokens, total_tokens: inputTokens + outputTokens },
          }));
        }
        return;
      }
      if (anthropic) {
        res.end(JSON.stringify({
          id: `msg_${requests.length}`, type: 'message', role: 'assistant', model,
          content: [{ type: 'tool_use', id: `toolu_${requests.length}`, name: seen.body?.tool_choice?.name ?? 'daily_summary', input: reply.answer }],
          stop_reason: 'tool_use', stop_sequence: null, usage: { input_tokens: inputTokens, output_tokens: outputTokens },
        }));
      } else {
        res.end(JSON.stringify({
          id: `chatcmpl-${requests.length}`, object: 'chat.completion', created: 0, model,
          choices: [{ index: 0, message: { role: 'assistant', content: JSON.stringify(reply.answer), refusal: null }, finish_reason: 'stop', logprobs: null }],
          usage: { prompt_tokens: inputTokens, completion_tokens: outputTokens, total_tokens: inputTokens + outputTokens },
        }));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    anthropicBaseURL: url,
    openaiBaseURL: `${url}/v1`,
    requests,
    script(replies) {
      const offset = requests.length;
      if (typeof replies === 'function') next = (r, n) => replies(r, n - offset);
      else next = (_r, n) => replies[Math.min(n - offset, replies.length - 1)]!;
    },
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
