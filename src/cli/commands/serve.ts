// CLI: the server and API keys.
import type { Command } from 'commander';
import { isLoopbackHost } from '../../api/client-address.ts';
import { inngestMode } from '../../api/inngest-guard.ts';
// The HTTP server (Hono, Inngest, every route) loads only for `serve` (start-up).
import { agencyIdBySlug, getAgencyBySlug } from '../../domain/agencies.ts';
import { createApiKey, listApiKeys, revokeApiKey } from '../../domain/api-keys.ts';
import { withContext } from '../context.ts';
import { int, json } from '../options.ts';
import { printJson, table } from '../output.ts';
import { summaryOf, type Group } from './index.ts';

export function register(program: Command, group: Group) {
  program
    .command('serve')
    .description(summaryOf('serve'))
    .option('--port <port>', 'port (default: PORT or 3000)', int)
    .option('--host <host>', 'interface to listen on (0.0.0.0 for every interface)', '127.0.0.1')
    .action(async (o) => {
      await withContext(async (ctx) => {
        const mode = inngestMode(ctx.config);
        const { startServer, usesInngest } = await import('../../api/server.ts');
        const s = await startServer(ctx.db, ctx.config, { port: o.port, hostname: o.host });
        const described = { signed: 'signed requests only', dev: 'dev mode, unsigned, loopback callers only', off: 'off: no INNGEST_SIGNING_KEY' }[mode];
        ctx.log(`adbrain serving on http://${o.host}:${s.port} — /v1 (API keys), /openapi.json, /api/inngest (${described}); jobs run ${usesInngest(ctx.config) ? 'on Inngest' : 'in this process'}`);
        if (usesInngest(ctx.config) && mode === 'off') {
          ctx.log('adbrain: warning: events go to Inngest but /api/inngest is off without INNGEST_SIGNING_KEY, so Inngest cannot run the functions here');
        }
        if (mode === 'dev' && !isLoopbackHost(o.host)) {
          ctx.log('adbrain: note: INNGEST_DEV=1 — /api/inngest answers loopback callers only; set INNGEST_SIGNING_KEY for a remote Inngest');
        }
        // The embedded database is this process's alone: CLI commands beside it run here.
        const cli = ctx.db.kind === 'pglite' && !ctx.config.dataDir.startsWith('memory://') ? await (await import('../socket-server.ts')).startCliSocket(ctx.db, ctx.config) : null;
        if (cli) ctx.log(`adbrain: CLI commands in this folder run through this server (${cli.path})`);
        // Without Inngest, this process delivers webhooks: what is due, every 10 seconds.
        const { credentialKey } = await import('../../sources/sync.ts');
        const key = credentialKey(ctx.config);
        let timer: NodeJS.Timeout | undefined;
        if (!usesInngest(ctx.config) && key) {
          const { runDueDeliveries, webhookOptions } = await import('../../webhooks/deliver.ts');
          const { senderFor } = await import('../../reports/senders.ts');
          const o2 = webhookOptions(ctx.config, key, { sender: senderFor(ctx.config.email, ctx.config.outboxDir), from: ctx.config.email.from });
          let busy = false;
          timer = setInterval(() => {
            if (busy) return;
            busy = true;
            runDueDeliveries(ctx.db, o2).catch((err) => ctx.log(`adbrain: webhook deliveries: ${(err as Error).message}`)).finally(() => (busy = false));
          }, 10_000);
        }
        await new Promise<void>((resolve) => {
          const stop = () => {
            if (timer) clearInterval(timer);
            void Promise.all([s.close(), cli?.close()]).then(() => resolve());
          };
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
      });
    });

  const keys = group('keys');
  keys
    .command('create')
    .description('create a key; the secret is printed once and stored only hashed')
    .requiredOption('--agency <slug>')
    .requiredOption('--role <role>', 'admin, member or viewer')
    .option('--name <name>', 'what the key is for', 'api key')
    .addOption(json())
    .action(async (o) => {
      await withContext(async ({ db, audit }) => {
        const agency = await getAgencyBySlug(db.prisma, o.agency);
        const { key, row } = await createApiKey(db.prisma, agency.id, { name: o.name, role: o.role });
        await audit({ action: 'api_key.create', entityType: 'api_key', entityId: row.id, agencyId: agency.id, after: row });
        if (o.json) printJson({ id: row.id, prefix: row.prefix, role: row.role, name: row.name, key });
        else console.log(`${key}\n(${row.role} key "${row.name}" for ${agency.slug}; store it now — it is not shown again)`);
      });
    });
  keys
    .command('list')
    .requiredOption('--agency <slug>')
    .addOption(json())
    .action(async (o) => {
      await withContext(async ({ db }) => {
        const rows = await listApiKeys(db.sql, await agencyIdBySlug(db.sql, o.agency));
        if (o.json) return printJson(rows);
        console.log(rows.length ? table([['PREFIX', 'ROLE', 'NAME', 'CREATED', 'LAST USED', 'REVOKED'], ...rows.map((k) => [k.prefix, k.role, k.name, k.createdAt.toISOString(), k.lastUsedAt?.toISOString() ?? '', k.revokedAt?.toISOString() ?? ''])]) : 'no keys');
      }, { light: true });
    });
  keys
    .command('revoke <idOrPrefix>')
    .requiredOption('--agency <slug>')
    .addOption(json())
    .action(async (ref, o) => {
      await withContext(async ({ db, audit }) => {
        const agency = await getAgencyBySlug(db.prisma, o.agency);
        const k = await revokeApiKey(db.prisma, agency.id, ref);
        await audit({ action: 'api_key.revoke', entityType: 'api_key', entityId: k.id, agencyId: agency.id, after: k });
        if (o.json) printJson({ id: k.id, prefix: k.prefix, revokedAt: k.revokedAt });
        else console.log(`revoked ${k.prefix} (${k.role}, "${k.name}")`);
      });
    });
}
