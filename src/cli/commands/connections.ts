// CLI: connect ad accounts, RedTrack and Shopify, and sync them.
import { remoteRun, setExitCode } from '../remote-context.ts';
import { readFileSync } from 'node:fs';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { resolveEncryptionKey } from '../../crypto/secrets.ts';
import { rememberSecret } from '../../crypto/redact.ts';
import { getClientBySlug } from '../../domain/clients.ts';
import { connectAccount, connectionOut, findConnection, testConnection } from '../../domain/connections.ts';
import { AppError } from '../../errors.ts';
import { syncConnection, type SyncResult } from '../../sources/sync.ts';
import { withContext, type Ctx } from '../context.ts';
import { day, int, json } from '../options.ts';
import { printJson, table } from '../output.ts';
import { summaryOf, type Group } from './index.ts';

const PLATFORMS = ['meta', 'google', 'tiktok', 'redtrack', 'shopify'];

async function readStdin(): Promise<string> {
  // Run by the server for a CLI beside it: the CLI read its own stdin and sent it.
  const remote = remoteRun.getStore();
  if (remote) return (remote.stdin ?? '').trim();
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').trim();
}

/** The token from stdin, a file or the platform's env variable — never from a flag, so it stays out of shell history. */
async function tokenFrom(o: { tokenStdin?: boolean; tokenFile?: string; platform: string; appClientId?: string }, ctx: Ctx): Promise<string> {
  let token: string | null = null;
  if (o.tokenStdin) token = await readStdin();
  else if (o.tokenFile) {
    try {
      token = readFileSync(o.tokenFile, 'utf8').trim();
    } catch (err) {
      throw new AppError('invalid_input', `--token-file: cannot read ${o.tokenFile} (${(err as NodeJS.ErrnoException).code})`);
    }
  } else if (o.platform === 'meta') token = ctx.config.sources.meta.accessToken;
  const what = o.platform === 'google' ? 'refresh token' : o.platform === 'redtrack' ? 'API key' : o.appClientId ? "app's client secret" : 'access token';
  if (!token) throw new AppError('invalid_input', `no ${what}: pipe it with --token-stdin or name a file with --token-file${o.platform === 'meta' ? ', or set META_ACCESS_TOKEN' : ''}`);
  rememberSecret(token);
  return token;
}

function printSync(r: SyncResult) {
  const range = r.range ? `${r.range.from} → ${r.range.to}` : '';
  if (r.status === 'succeeded') console.log(`synced ${r.platform} ${r.account ?? ''} ${range}: ${r.rowsFetched} rows, ${r.inserted} new, ${r.updated} updated, ${r.unchanged} unchanged${r.warning ? `\n  but: ${r.warning}` : ''}`);
  else console.log(`${r.platform} ${r.account ?? ''} ${range}: ${r.status === 'needs_reauth' ? 'needs reconnecting' : 'failed'} — ${r.error}`);
}

export function register(program: Command, group: Group) {
  const connections = group('connections');
  connections
    .command('add')
    .description('connect an ad account, a RedTrack account or a Shopify shop (the secret — Meta/TikTok: access token, Google: OAuth refresh token, RedTrack: API key, Shopify: Admin API token or, with --app-client-id, the app\'s client secret — is read from stdin or a file, stored encrypted, never printed)')
    .requiredOption('--client <slug>')
    .addOption(new Option('--platform <platform>').choices(PLATFORMS).makeOptionMandatory())
    .option('--account <id>', 'the account (Meta: ad account id, with or without act_; Google: 10-digit customer id; TikTok: advertiser id; Shopify: the-shop or the-shop.myshopify.com; RedTrack: not needed)')
    .option('--app-client-id <id>', 'Shopify: a custom app\'s client id; the secret read is then its client secret (client-credentials grant)')
    .option('--login-customer <id>', 'Google: the manager account the access goes through')
    .option('--token-stdin', 'read the access token from stdin')
    .option('--token-file <file>', 'read the access token from a file')
    .option('--action-type <type>', 'the one Meta action type counted as conversions (default: pixel purchase, then omni_purchase, then purchase)')
    .option('--settle-days <n>', 'days every daily sync re-reads (Meta default 28)', int)
    .addOption(json())
    .action(async (o) => {
      await withContext(async (ctx) => {
        const client = await getClientBySlug(ctx.db.prisma, o.client);
        const { key } = resolveEncryptionKey(ctx.config);
        const token = await tokenFrom(o, ctx);
        const c = await connectAccount(ctx.db, key, ctx.config.sources, {
          clientId: client.id, platform: o.platform, accountId: o.account, actionType: o.actionType, settleDays: o.settleDays, loginCustomerId: o.loginCustomer,
          ...(o.platform === 'google' ? { refreshToken: token } : o.platform === 'redtrack' ? { apiKey: token } : o.appClientId ? { appClientId: o.appClientId, appClientSecret: token } : { accessToken: token }),
        });
        const out = connectionOut(c);
        await ctx.audit({ action: 'connection.create', entityType: 'connection', entityId: out.id, clientId: client.id, after: out });
        if (o.json) return printJson(out);
        console.log(`connected ${out.platform} ${out.accountId} (${out.accountName}, ${out.currency}, ${out.timezone}) to ${client.slug}; connection ${out.id}`);
      });
    });
  connections
    .command('list')
    .requiredOption('--client <slug>')
    .addOption(json())
    .action(async (o) => {
      await withContext(async ({ db }) => {
        const client = await getClientBySlug(db.prisma, o.client);
        const rows = (await db.prisma.connection.findMany({ where: { clientId: client.id }, orderBy: { createdAt: 'asc' } })).map(connectionOut);
        if (o.json) return printJson(rows);
        if (rows.length === 0) return console.log(`no connections: adbrain connections add --client ${client.slug} --platform meta --account <id> --token-stdin`);
        console.log(table([['ID', 'PLATFORM', 'ACCOUNT', 'NAME', 'STATUS', 'LAST SYNC', 'LAST ERROR'], ...rows.map((c) => [c.id.slice(0, 8), c.platform, c.accountId ?? '', c.accountName ?? '', c.status, c.lastSyncAt ?? 'never', (c.lastError ?? '').slice(0, 60)])]));
      });
    });
  connections
    .command('test <connection>')
    .description('call the platform with the stored token and refresh the account\'s name, currency and time zone')
    .requiredOption('--client <slug>')
    .addOption(json())
    .action(async (ref, o) => {
      await withContext(async (ctx) => {
        const client = await getClientBySlug(ctx.db.prisma, o.client);
        const conn = await findConnection(ctx.db.prisma, client.id, ref);
        await ctx.audit({ action: 'connection.test', entityType: 'connection', entityId: conn.id, clientId: client.id });
        const r = await testConnection(ctx.db, resolveEncryptionKey(ctx.config).key, ctx.config.sources, conn.id, { now: ctx.config.now() });
        if (o.json) printJson({ ok: r.ok, problem: r.problem, connection: connectionOut(r.connection) });
        else console.log(r.ok ? `ok: ${r.account!.name} (${r.account!.currency}, ${r.account!.timezone})` : `not ok: ${r.problem}`);
        if (!r.ok) setExitCode(1);
      });
    });
  connections
    .command('remove <connection>')
    .description('forget a connection and its token (synced numbers stay)')
    .requiredOption('--client <slug>')
    .action(async (ref, o) => {
      await withContext(async ({ db, audit }) => {
        const client = await getClientBySlug(db.prisma, o.client);
        const conn = await findConnection(db.prisma, client.id, ref);
        await db.prisma.connection.delete({ where: { id: conn.id } });
        await audit({ action: 'connection.delete', entityType: 'connection', entityId: conn.id, clientId: client.id, before: connectionOut(conn) });
        console.log(`removed ${conn.platform} connection ${conn.id}`);
      });
    });

  program
    .command('sync')
    .description(summaryOf('sync'))
    .requiredOption('--client <slug>')
    .option('--platform <platform>', 'only this platform\'s connections', (v: string) => {
      if (!PLATFORMS.includes(v)) throw new InvalidArgumentError(`one of: ${PLATFORMS.join(', ')}`);
      return v;
    })
    .option('--from <date>', 'first day to (re)load', day)
    .option('--to <date>', 'last day (default: the account\'s today)', day)
    .addOption(json())
    .action(async (o) => {
      await withContext(async (ctx) => {
        const client = await getClientBySlug(ctx.db.prisma, o.client);
        const conns = await ctx.db.prisma.connection.findMany({ where: { clientId: client.id, ...(o.platform ? { platform: o.platform } : {}) }, orderBy: { createdAt: 'asc' } });
        if (conns.length === 0) throw new AppError('invalid_input', `${client.slug} has no connections${o.platform ? ` for ${o.platform}` : ''} (adbrain connections add …)`);
        if (o.to && !o.from) throw new AppError('invalid_input', '--to needs --from');
        const { key } = resolveEncryptionKey(ctx.config);
        const tty = process.stderr.isTTY && !o.json;
        const started = Date.now();
        const results: SyncResult[] = [];
        for (const c of conns) {
          await ctx.audit({ action: 'connection.sync', entityType: 'connection', entityId: c.id, clientId: client.id, after: { from: o.from ?? null, to: o.to ?? null } });
          const r = await syncConnection(ctx.db, c.id, {
            key, sources: ctx.config.sources, now: ctx.config.now(), log: ctx.log,
            range: o.from ? { from: o.from, to: o.to ?? '9999-12-31' } : undefined,
            onProgress: (p) => {
              if (!tty) return;
              const eta = p.daysDone > 0 ? Math.round(((Date.now() - started) / p.daysDone) * (p.daysTotal - p.daysDone) / 1000) : 0;
              process.stderr.write(`\r${c.platform}: ${p.daysDone}/${p.daysTotal} days, ${p.rows} rows, ETA ${eta}s   `);
            },
          });
          if (tty) process.stderr.write('\n');
          results.push(r);
          if (!o.json) printSync(r);
        }
        if (o.json) printJson(results);
        if (results.some((r) => r.status !== 'succeeded')) setExitCode(1);
      });
    });
}
