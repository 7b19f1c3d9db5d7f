// CLI: an agency's webhook endpoints. The secret is printed once, when made or rotated.
import { setExitCode } from '../remote-context.ts';
import type { Command } from 'commander';
import { AppError } from '../../errors.ts';
import { withContext, type Ctx } from '../context.ts';
import { inFlags, json } from '../options.ts';
import { printJson, table } from '../output.ts';
import type { Group } from './index.ts';
import { shownUrl } from '../../webhooks/shown-url.ts';

async function withAgency<T>(slug: string, fn: (ctx: Ctx, agencyId: string, key: Buffer) => Promise<T>) {
  return withContext(async (ctx) => {
    const { getAgencyBySlug } = await import('../../domain/agencies.ts');
    const { credentialKey } = await import('../../sources/sync.ts');
    const agency = await getAgencyBySlug(ctx.db.prisma, slug);
    const key = credentialKey(ctx.config);
    if (!key) throw new AppError('config', 'set ADBRAIN_ENCRYPTION_KEY to keep webhook secrets');
    return fn(ctx, agency.id, key);
  });
}

export function register(program: Command, group: Group) {
  const w = group('webhooks');
  w.command('add <url>')
    .requiredOption('--agency <slug>')
    .option('--events <list>', 'comma-separated event types (default: all)')
    .option('--description <text>')
    .addOption(json())
    .action(async (url: string, o: { agency: string; events?: string; description?: string; json?: boolean }) => {
      await withAgency(o.agency, async ({ db, config, audit }, agencyId, key) => {
        const { addEndpoint } = await import('../../webhooks/endpoints.ts');
        const r = await inFlags({ url: '<url>', events: '--events', description: '--description' }, () => addEndpoint(db, key, agencyId, { url, description: o.description, events: o.events?.split(',').map((s) => s.trim()).filter(Boolean) }, config.webhooks.allowPrivate));
        await audit({ action: 'webhook.create', entityType: 'webhook_endpoint', entityId: r.endpoint.id, agencyId, after: r.endpoint });
        if (o.json) return printJson(r);
        console.log(`added ${shownUrl(r.endpoint.url)} (${r.endpoint.events.length ? r.endpoint.events.join(', ') : 'every event'}); id ${r.endpoint.id}`);
        console.log(`signing secret (shown once): ${r.secret}`);
      });
    });
  w.command('list')
    .requiredOption('--agency <slug>')
    .addOption(json())
    .action(async (o: { agency: string; json?: boolean }) => {
      await withAgency(o.agency, async ({ db }, agencyId) => {
        const { endpointOut } = await import('../../webhooks/endpoints.ts');
        const rows = (await db.prisma.webhookEndpoint.findMany({ where: { agencyId }, orderBy: { createdAt: 'asc' } })).map(endpointOut);
        if (o.json) return printJson(rows);
        if (!rows.length) return console.log(`no webhook endpoints: adbrain webhooks add https://… --agency ${o.agency}`);
        console.log(table([['ID', 'URL', 'EVENTS', 'ENABLED', 'FAILED IN A ROW'], ...rows.map((e) => [e.id.slice(0, 8), shownUrl(e.url), e.events.join(',') || 'all', e.enabled ? 'yes' : `no (${e.disabledReason ?? 'disabled'})`, String(e.failedInARow)])]));
      });
    });
  w.command('test <endpoint>')
    .description('send a webhook.test event now')
    .requiredOption('--agency <slug>')
    .addOption(json())
    .action(async (ref: string, o: { agency: string; json?: boolean }) => {
      await withAgency(o.agency, async ({ db, config, audit }, agencyId, key) => {
        const { sendTest, findEndpoint } = await import('../../webhooks/endpoints.ts');
        const { webhookOptions } = await import('../../webhooks/deliver.ts');
        const r = await sendTest(db, agencyId, ref, webhookOptions(config, key));
        await audit({ action: 'webhook.test', entityType: 'webhook_endpoint', entityId: (await findEndpoint(db, agencyId, ref)).id, agencyId, after: { messageId: r.messageId, delivered: r.delivered, status: r.status } });
        if (o.json) printJson(r);
        else console.log(r.delivered ? `delivered ${r.messageId}: HTTP ${r.status} in ${r.latencyMs} ms` : `not delivered (${r.error ?? `HTTP ${r.status}`}); retried on schedule`);
        if (!r.delivered) setExitCode(1);
      });
    });
  w.command('rotate-secret <endpoint>')
    .description('a new secret; the old one keeps signing too for 24 hours')
    .requiredOption('--agency <slug>')
    .action(async (ref: string, o: { agency: string }) => {
      await withAgency(o.agency, async ({ db, audit, config }, agencyId, key) => {
        const { rotateSecret } = await import('../../webhooks/endpoints.ts');
        const r = await rotateSecret(db, key, agencyId, ref, config.now());
        await audit({ action: 'webhook.rotate_secret', entityType: 'webhook_endpoint', entityId: r.endpoint.id, agencyId, after: { rotating: r.endpoint.rotating, previousSecretUntil: r.endpoint.previousSecretUntil } });
        console.log(`new signing secret (shown once): ${r.secret}\nthe previous one is also sent until ${r.endpoint.previousSecretUntil}`);
      });
    });
  for (const [name, enabled] of [['enable', true], ['disable', false]] as const) {
    w.command(`${name} <endpoint>`)
      .requiredOption('--agency <slug>')
      .action(async (ref: string, o: { agency: string }) => {
        await withAgency(o.agency, async ({ db, audit }, agencyId) => {
          const { updateEndpoint, findEndpoint, endpointOut } = await import('../../webhooks/endpoints.ts');
          const before = endpointOut(await findEndpoint(db, agencyId, ref));
          const e = await updateEndpoint(db, agencyId, before.id, { enabled });
          await audit({ action: 'webhook.update', entityType: 'webhook_endpoint', entityId: e.id, agencyId, before, after: e });
          console.log(`${shownUrl(e.url)} ${enabled ? 'enabled' : 'disabled'}`);
        });
      });
  }
  w.command('remove <endpoint>')
    .requiredOption('--agency <slug>')
    .action(async (ref: string, o: { agency: string }) => {
      await withAgency(o.agency, async ({ db, audit }, agencyId) => {
        const { removeEndpoint } = await import('../../webhooks/endpoints.ts');
        const before = await removeEndpoint(db, agencyId, ref);
        await audit({ action: 'webhook.delete', entityType: 'webhook_endpoint', entityId: before.id, agencyId, before });
        console.log(`removed webhook endpoint ${ref}`);
      });
    });
  w.command('deliver')
    .description('send every delivery that is due now (first attempts and retries); `adbrain serve` does this every 10 seconds')
    .addOption(json())
    .action(async (o: { json?: boolean }) => {
      await withContext(async ({ db, config }) => {
        const { credentialKey } = await import('../../sources/sync.ts');
        const { runDueDeliveries, webhookOptions } = await import('../../webhooks/deliver.ts');
        const { senderFor } = await import('../../reports/senders.ts');
        const key = credentialKey(config);
        if (!key) throw new AppError('config', 'set ADBRAIN_ENCRYPTION_KEY to open webhook secrets');
        const r = await runDueDeliveries(db, webhookOptions(config, key, { sender: senderFor(config.email, config.outboxDir), from: config.email.from }));
        if (o.json) return printJson(r);
        console.log(`${r.attempted} attempted, ${r.succeeded} delivered, ${r.failed} given up`);
        // Why the others did not go through (retried on schedule unless given up).
        for (const p of r.problems) console.error(`  ${p.url}: ${p.error}${p.count > 1 ? ` (${p.count} deliveries)` : ''}`);
      });
    });
}
