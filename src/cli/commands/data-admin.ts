// `adbrain audit`, `db prune`, `agencies retention`, `clients export`, `clients delete`:
// who changed what, how long data is kept, and a client's data handed over or erased.
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { InvalidArgumentError, type Command } from 'commander';
import { AppError, invalid } from '../../errors.ts';
import { issuesOf } from '../../domain/schemas.ts';
import { withClient, withContext, cliActor } from '../context.ts';
import { int, json } from '../options.ts';
import { printJson, table } from '../output.ts';
import { summaryOf, type Group } from './index.ts';

const positive = (v: string) => {
  const n = int(v);
  if (n < 1) throw new InvalidArgumentError('a positive whole number');
  return n;
};

export function register(program: Command, group: Group) {
  const parts = { db: group('db'), agencies: group('agencies'), clients: group('clients') };
  program
    .command('audit')
    .description(summaryOf('audit'))
    .option('--agency <slug>')
    .option('--client <slug>')
    .option('--action <action>', 'client.update, or a prefix ending in a dot: webhook.')
    .option('--actor <who>', 'an API key id or part of a name (cli:ana)')
    .option('--since <iso>', 'from this time (2026-11-01 or an ISO timestamp)')
    .option('--limit <n>', 'at most this many', positive, 50)
    .option('--before <id>', 'older than this row (the next page)')
    .addOption(json())
    .action(async (o) => {
      await withContext(async ({ db }) => {
        const { listAudit } = await import('../../audit/list.ts');
        const agency = o.agency ? await db.prisma.agency.findUnique({ where: { slug: o.agency } }) : null;
        if (o.agency && !agency) throw new AppError('not_found', `agency '${o.agency}' not found`);
        const client = o.client ? await db.prisma.client.findUnique({ where: { slug: o.client } }) : null;
        if (o.client && !client) throw new AppError('not_found', `client '${o.client}' not found`);
        const since = o.since ? new Date(o.since) : undefined;
        if (since && Number.isNaN(since.getTime())) throw new AppError('invalid_input', `--since: "${o.since}" is not a date or time`);
        if (o.before !== undefined && !/^\d{1,19}$/.test(o.before)) throw new AppError('invalid_input', '--before: an audit row id (a number)');
        const r = await listAudit(db.prisma, { agencyId: agency?.id, clientId: client?.id, action: o.action, actor: o.actor, since, limit: o.limit, before: o.before ? BigInt(o.before) : undefined });
        if (o.json) return printJson({ data: r.rows, next: r.next });
        if (!r.rows.length) return console.log('nothing recorded yet');
        console.log(table([['ID', 'AT', 'ACTOR', 'ACTION', 'ENTITY', 'CHANGE'], ...r.rows.map((x) => [x.id, x.at.slice(0, 19).replace('T', ' '), x.actor.name, x.action, `${x.entity.type} ${x.entity.id?.slice(0, 8) ?? ''}`.trim(), change(x.before, x.after)])]));
        if (r.next) process.stderr.write(`older rows: adbrain audit --before ${r.next}${o.agency ? ` --agency ${o.agency}` : ''}${o.client ? ` --client ${o.client}` : ''}\n`);
      });
    });

  parts.db
    .command('prune')
    .description('apply each agency\'s retention now: old daily metrics rolled up by month, old LLM records deleted, old report bodies emptied (the daily job does this too)')
    .option('--dry-run', 'count what would go, change nothing')
    .option('--agency <slug>', 'only this agency')
    .option('--batch <rows>', 'rows per batch (each batch is one short statement)', positive, 5_000)
    .addOption(json())
    .action(async (o) => {
      await withContext(async ({ db, config }) => {
        const { prune, recordPrune } = await import('../../retention/prune.ts');
        if (o.agency && !(await db.prisma.agency.findUnique({ where: { slug: o.agency } }))) throw new AppError('not_found', `agency '${o.agency}' not found`);
        const r = await prune(db, { now: config.now(), dryRun: o.dryRun, agency: o.agency, batchSize: o.batch });
        await recordPrune(db, cliActor(), r);
        if (o.json) return printJson(r);
        const rows = r.agencies.flatMap((a) => a.targets.map((t) => [a.slug, t.target, `before ${t.cutoff.slice(0, 10)}`, String(t.rows), o.dryRun ? '' : `${t.batches} batch(es), longest ${t.longestBatchMs} ms`]));
        console.log(table([['AGENCY', 'DATA', 'OLDER THAN', o.dryRun ? 'WOULD GO' : 'ROWS', o.dryRun ? '' : 'BATCHES'], ...rows]));
      });
    });

  parts.agencies
    .command('retention <slug>')
    .description('how long the agency\'s data is kept (shows it without options)')
    .option('--metrics-months <n>', 'raw daily metrics (default 37; at least 14, the brain reads 400 days)', positive)
    .option('--visits-months <n>', 'first-party visits (default 13)', positive)
    .option('--llm-days <n>', 'LLM call records (default 90)', positive)
    .option('--report-months <n>', 'delivered report bodies (default 24)', positive)
    .addOption(json())
    .action(async (slug: string, o) => {
      await withContext(async ({ db, audit }) => {
        const { retentionColumns, retentionOf, retentionSchema } = await import('../../retention/settings.ts');
        const a = await db.prisma.agency.findUnique({ where: { slug } });
        if (!a) throw new AppError('not_found', `agency '${slug}' not found`);
        const change = { metricsMonths: o.metricsMonths, visitsMonths: o.visitsMonths, llmDays: o.llmDays, reportMonths: o.reportMonths };
        let now = retentionOf(a);
        if (Object.values(change).some((v) => v !== undefined)) {
          const parsed = retentionSchema.safeParse({ ...now, ...Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined)) });
          if (!parsed.success) throw invalid('invalid retention', issuesOf(parsed.error).map((i) => ({ ...i, path: `--${String(i.path).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}` })));
          const u = await db.prisma.agency.update({ where: { id: a.id }, data: retentionColumns(parsed.data) });
          await audit({ action: 'agency.retention', entityType: 'agency', entityId: a.id, agencyId: a.id, before: now, after: retentionOf(u) });
          now = retentionOf(u);
        }
        if (o.json) return printJson({ agency: slug, ...now });
        console.log(`${slug} keeps daily metrics ${now.metricsMonths} months (then monthly totals), visits ${now.visitsMonths} months, LLM records ${now.llmDays} days, report bodies ${now.reportMonths} months`);
      });
    });

  parts.clients
    .command('export <slug>')
    .description('everything the client owns as one zip: a CSV or JSON file per table, the report bodies and manifest.json')
    .requiredOption('--out <file.zip>', 'where to write it')
    .addOption(json())
    .action(async (slug: string, o: { out: string; json?: boolean }) => {
      await withClient(slug, async ({ db, audit }, client) => {
        const { writeClientArchive } = await import('../../client-data/archive.ts');
        // Written next to the target and renamed at the end: a failed export leaves no half a zip.
        const tmp = `${o.out}.partial`;
        try {
          const manifest = await writeClientArchive(db, client, createWriteStream(tmp));
          await rename(tmp, o.out);
          await audit({ action: 'client.export', entityType: 'client', entityId: client.id, clientId: client.id, after: { file: o.out, files: manifest.files.length } });
          if (o.json) return printJson({ out: o.out, ...manifest });
          const rows = manifest.files.reduce((n, f) => n + (f.rows ?? 0), 0);
          console.log(`wrote ${o.out}: ${manifest.files.length} files, ${rows} rows (manifest.json lists each with its SHA-256)`);
        } catch (err) {
          await rm(tmp, { force: true });
          throw err;
        }
      });
    });

  parts.clients
    .command('delete <slug>')
    .description('erase the client and everything it owns (metrics, entities, insights, reports, connections, its audit history) in one transaction; one audit row records it')
    .option('--purge', 'yes, erase it all (required: there is no undo)')
    .addOption(json())
    .action(async (slug: string, o: { purge?: boolean; json?: boolean }) => {
      if (!o.purge) throw new AppError('invalid_input', `--purge: deleting ${slug} erases all its data with no undo; run \`adbrain clients export ${slug} --out ${slug}.zip\` first, then add --purge`);
      await withClient(slug, async ({ db }, client) => {
        const { purgeClient } = await import('../../client-data/erase.ts');
        const rows = await purgeClient(db.prisma, client, cliActor(), process.env.ADBRAIN_REQUEST_ID ?? null);
        if (o.json) return printJson({ erased: slug, rows });
        console.log(`erased ${slug}: ${Object.entries(rows).map(([t, n]) => `${n} ${t}`).join(', ') || 'no rows'}`);
      });
    });
}

function change(before: unknown, after: unknown): string {
  const b = (before ?? {}) as Record<string, unknown>;
  const a = (after ?? {}) as Record<string, unknown>;
  if (typeof b !== 'object' || typeof a !== 'object') return '';
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].filter((k) => JSON.stringify(b[k]) !== JSON.stringify(a[k]));
  const s = keys.map((k) => (before && after ? `${k}: ${JSON.stringify(b[k])} → ${JSON.stringify(a[k])}` : `${k}=${JSON.stringify(after ? a[k] : b[k])}`)).join(', ');
  return s.length > 90 ? `${s.slice(0, 89)}…` : s;
}
