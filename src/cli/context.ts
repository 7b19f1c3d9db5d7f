// Opens what a CLI command needs (config, database) and closes it afterwards.
import { loadConfig, type Config } from '../config.ts';
import { resolveEncryptionKey } from '../crypto/secrets.ts';
import { openDb, type Db } from '../db/client.ts';
import { migrationStatus } from '../db/migrate.ts';
import { redact } from '../crypto/redact.ts';
import { isTransientDbError, userMessage } from '../db/retry.ts';
import { AppError } from '../errors.ts';
import { userInfo } from 'node:os';
import { recordAudit, type Actor, type AuditEntry } from '../audit/log.ts';
import { remoteRun, type RemoteRun } from './remote-context.ts';

export interface Ctx {
  config: Config;
  db: Db;
  log: (line: string) => void;
  /** Records this command's change in the audit log (the agency is found from the client when not given). */
  audit: (e: AuditEntry) => Promise<void>;
}

async function inServer<T>(remote: RemoteRun, fn: (ctx: Ctx) => Promise<T>): Promise<T> {
  const { db, config } = remote;
  const audit = async (e: AuditEntry) => {
    const agencyId = e.agencyId ?? (e.clientId ? (await db.prisma.client.findUnique({ where: { id: e.clientId }, select: { agencyId: true } }))?.agencyId : null);
    await recordAudit(db.prisma, { kind: 'cli', id: null, name: `${remote.actor} (through serve)` }, { ...e, agencyId }, null);
  };
  return fn({ config, db, log: stderrLog, audit });
}

/** Who a CLI command acts as: ADBRAIN_ACTOR, or the OS user. */
export function cliActor(): Actor {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (a bare container): the name stays unknown
  }
  return { kind: 'cli', id: null, name: process.env.ADBRAIN_ACTOR?.trim() || `cli:${user}` };
}

export const stderrLog = (line: string) => process.stderr.write(line + '\n');

/** Tracking links and snippets printed without ADBRAIN_PUBLIC_URL point at this machine: say so. */
export function warnLocalLinks(config: Config) {
  if (!config.sources.oauth.publicUrlSet) stderrLog(`adbrain: these links point at ${config.sources.oauth.publicUrl} — set ADBRAIN_PUBLIC_URL to the address visitors reach (e.g. https://track.example.com)`);
}

export async function withContext<T>(fn: (ctx: Ctx) => Promise<T>, opts: { migrate?: boolean; light?: boolean } = {}): Promise<T> {
  // Run by `adbrain serve` for a CLI next to it: the server's database, open already and kept open.
  const remote = remoteRun.getStore();
  if (remote) return inServer(remote, fn);
  const config = loadConfig();
  if (!config.databaseUrl) {
    const k = resolveEncryptionKey(config);
    if (k.createdFile) {
      stderrLog(`adbrain: created a local encryption key at ${k.createdFile} (mode 0600). Back it up, or set ADBRAIN_ENCRYPTION_KEY.`);
    }
  }
  const db = await openDb({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    migrate: opts.migrate,
    light: opts.light,
    onMigrated: (r) => {
      if (r.applied.length > 0 && !opts.migrate) stderrLog(`adbrain: prepared the embedded database (${r.applied.length} migration(s))`);
    },
  }).catch((err) => {
    if (err instanceof AppError) throw err;
    throw new AppError('database', `cannot connect to the database at ${config.databaseUrl ? redact(config.databaseUrl) : config.dataDir}: ${userMessage(err)}`, undefined, 1);
  });
  try {
    if (db.kind === 'postgres' && opts.migrate === undefined) {
      const st = await migrationStatus(db.sql);
      if (st.pending.length > 0) {
        throw new AppError('database', `the database needs ${st.pending.length} migration(s): run \`adbrain db migrate\` first`);
      }
    }
    const audit = async (e: AuditEntry) => {
      const agencyId = e.agencyId ?? (e.clientId ? (await db.prisma.client.findUnique({ where: { id: e.clientId }, select: { agencyId: true } }))?.agencyId : null);
      await recordAudit(db.prisma, cliActor(), { ...e, agencyId }, process.env.ADBRAIN_REQUEST_ID ?? null);
    };
    const result = await fn({ config, db, log: stderrLog, audit });
    await deliverEnqueued(db, config);
    return result;
  } catch (err) {
    // Say which database, in one line (db.location carries no password).
    if (isTransientDbError(err)) throw new AppError('database', `${userMessage(err)} — ${db.location}`, undefined, 1);
    throw err;
  } finally {
    await db.close();
  }
}

/** withContext for a command about one client (`--client <slug>`): the client is looked up first. */
export async function withClient<T>(slug: string, fn: (ctx: Ctx, client: Awaited<ReturnType<typeof import('../domain/clients.ts').getClientBySlug>>) => Promise<T>): Promise<T> {
  return withContext(async (ctx) => {
    const { getClientBySlug } = await import('../domain/clients.ts');
    return fn(ctx, await getClientBySlug(ctx.db.prisma, slug));
  });
}

/** Webhook events this command recorded go out before it exits (the first attempt; retries are the server's). */
async function deliverEnqueued(db: Ctx['db'], config: Ctx['config']) {
  const { takeEnqueued } = await import('../webhooks/events.ts');
  if (takeEnqueued() === 0) return;
  const { credentialKey } = await import('../sources/sync.ts');
  const key = credentialKey(config);
  if (!key) return;
  const { runDueDeliveries, webhookOptions } = await import('../webhooks/deliver.ts');
  const { senderFor } = await import('../reports/senders.ts');
  const r = await runDueDeliveries(db, webhookOptions(config, key, { sender: senderFor(config.email, config.outboxDir), from: config.email.from }));
  if (r.attempted > r.succeeded) stderrLog(`adbrain: ${r.attempted - r.succeeded} webhook deliveries did not go through yet; they are retried on schedule (adbrain webhooks deliver)`);
}
