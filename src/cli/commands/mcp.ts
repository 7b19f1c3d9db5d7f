// CLI: `adbrain mcp` — the MCP server over stdio, for Claude Desktop, Claude Code
// or any MCP client that starts a command. The API key in ADBRAIN_API_KEY decides
// the agency and role, as on /mcp over HTTP. stdout carries only the protocol;
// everything else goes to stderr.
import type { Command } from 'commander';
import { AppError } from '../../errors.ts';
import { withContext } from '../context.ts';
import { summaryOf } from './index.ts';

export function register(program: Command) {
  program
    .command('mcp')
    .description(summaryOf('mcp'))
    .action(async () => {
      const presented = process.env.ADBRAIN_API_KEY?.trim();
      if (!presented) throw new AppError('config', 'set ADBRAIN_API_KEY to an API key of the agency (adbrain keys create --agency <slug> --role viewer|member); its role decides what the agent may change');
      const { serverBeside } = await import('../remote.ts');
      if (serverBeside()) throw new AppError('config', '`adbrain serve` holds this data folder: point your MCP client at its /mcp endpoint (Streamable HTTP, "Authorization: Bearer <key>") instead of starting `adbrain mcp`');
      await withContext(async (ctx) => {
        const { verifyApiKey } = await import('../../domain/api-keys.ts');
        const key = await verifyApiKey(ctx.db.prisma, presented, ctx.config.now());
        if (!key) throw new AppError('config', 'ADBRAIN_API_KEY is not a key of this database (unknown, malformed or revoked)');
        const [{ StdioServerTransport }, { createMcpServer }, { adbrainVersion }] = await Promise.all([
          import('@modelcontextprotocol/sdk/server/stdio.js'),
          import('../../mcp/server.ts'),
          import('../../mcp/http.ts'),
        ]);
        const server = createMcpServer({ deps: { db: ctx.db, config: ctx.config, now: () => ctx.config.now() }, key, transport: 'stdio', requestId: null }, adbrainVersion());
        const closed = new Promise<void>((resolve) => {
          server.server.onclose = () => resolve();
          process.stdin.once('end', () => resolve());
          process.once('SIGINT', () => resolve());
          process.once('SIGTERM', () => resolve());
        });
        await server.connect(new StdioServerTransport());
        ctx.log(`adbrain: MCP server on stdio for agency key ${key.keyName} (${key.prefix}, ${key.role})`);
        await closed;
        await server.close();
      });
    });
}
