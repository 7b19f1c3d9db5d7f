// MCP over Streamable HTTP at /mcp on `adbrain serve`: stateless — every POST is
// answered by a server built for the request's API key (auth, rate limit and body
// limit are the REST API's, applied before this handler), with JSON responses.
import { readFileSync } from 'node:fs';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { Context } from 'hono';
import type { AppEnv } from '../api/env.ts';
import { projectFile } from '../paths.ts';
import { createMcpServer } from './server.ts';

let cachedVersion: string | undefined;
export const adbrainVersion = () => (cachedVersion ??= (JSON.parse(readFileSync(projectFile('package.json'), 'utf8')) as { version: string }).version);

export async function mcpHandler(c: Context<AppEnv>): Promise<Response> {
  const deps = c.get('deps');
  const server = createMcpServer({ deps: { db: deps.db, config: deps.config, now: deps.now, inngest: deps.inngest }, key: c.get('key'), transport: 'http', requestId: c.get('requestId') ?? null }, adbrainVersion());
  const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  await server.connect(transport);
  try {
    return await transport.handleRequest(c.req.raw);
  } finally {
    // JSON mode: the answer is complete once returned.
    void server.close();
  }
}
