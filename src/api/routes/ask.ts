// POST /v1/ask: a question answered by the configured LLM over adbrain's read-only
// tools, every number checked against the tools' results (src/ask/).
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { askAs } from '../../ask/run.ts';
import { askInputSchema } from '../../ask/ask.ts';
import { errors, json, security } from '../common.ts';
import type { AppEnv } from '../env.ts';

const AskBody = z.object({
  question: z.string().min(3).max(2000).openapi({ example: 'Which links should I pause today and why?' }),
  client: z.string().min(1).max(200).optional().openapi({ description: 'the client the question is about (slug or id)' }),
  maxToolCalls: z.number().int().min(1).max(20).optional().openapi({ description: 'at most this many tool calls (default 8)' }),
}).strict().openapi('AskRequest');

const AskAnswer = z.object({
  answer: z.string(),
  verified: z.boolean().openapi({ description: 'every number in the answer was found in this conversation\'s tool results; false: the unverified ones are marked "[unverified]" and listed' }),
  claims: z.array(z.object({ text: z.string(), kind: z.string(), supported: z.boolean(), fact: z.any().optional(), reason: z.string().optional() })),
  toolCalls: z.array(z.object({ name: z.string(), args: z.any(), ok: z.boolean() })),
  source: z.enum(['llm', 'cache']),
  requests: z.number().int(),
}).openapi('AskAnswer');

export function askRoutes(app: OpenAPIHono<AppEnv>) {
  app.openapi(
    createRoute({
      method: 'post', path: '/v1/ask', tags: ['ask'], security,
      summary: 'Ask a question about your clients (any role): the LLM answers using adbrain\'s read-only tools, and every number in the answer is checked against their results',
      request: { body: { content: { 'application/json': { schema: AskBody } }, required: true } },
      responses: { 200: json(AskAnswer, 'The answer'), 502: json(z.any(), 'The LLM failed'), 503: json(z.any(), 'No LLM configured'), ...errors },
    }),
    async (c) => {
      const input = askInputSchema.parse(c.req.valid('json'));
      const deps = c.get('deps');
      const r = await askAs({ db: deps.db, config: deps.config, now: deps.now, inngest: deps.inngest }, c.get('key'), input, { transport: 'http', requestId: c.get('requestId') });
      return c.json(r, 200);
    },
  );
}
