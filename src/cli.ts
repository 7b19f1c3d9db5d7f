// `adbrain` — the command line. Each command parses its flags, calls domain
// functions and prints; errors become one clear line and a non-zero exit code.
import { Command, CommanderError, Option } from 'commander';
import { amountOrOff, day, int, json } from './cli/options.ts';
import { registerDeliveryCommands } from './cli/delivery.ts';
import { registerServeCommands } from './cli/serve.ts';
import { registerObjectiveCommand } from './cli/objective.ts';
import { registerConnectionCommands } from './cli/connections.ts';
import { registerExportCommands } from './cli/exports.ts';
import { registerSplitTestCommands } from './cli/split-tests.ts';
import { registerWebhookCommands } from './cli/webhooks.ts';
import { registerDataAdminCommands } from './cli/data-admin.ts';
import { registerCampaignCommands } from './cli/campaigns.ts';
import { credentialKey } from './sources/sync.ts';
import { toMinorUnits } from './domain/currency.ts';
import { objectiveSettings } from './domain/objectives.ts';
import { isEmail } from './domain/schemas.ts';
import { describeObjective } from './brain/objective.ts';
import { loadConfig } from './config.ts';
import { addAgency } from './domain/agencies.ts';
import { addClient, getClientBySlug, listClients, updateClient } from './domain/clients.ts';
import { migrate, migrationStatus } from './db/migrate.ts';
import { AppError } from './errors.ts';
import { columnMap, platformOption } from './cli/options.ts';
import { CONVERSION_KINDS } from './import/parse.ts';
import { money } from './reports/format.ts';
import { entityPath, findInsight, listInsights, transition } from './insights/inbox.ts';
import { formatErrorGroups, printJson, reportError, table } from './cli/output.ts';
import { cliActor, withContext, type Ctx } from './cli/context.ts';
import { importAuditOf } from './audit/of.ts';
// What a command runs is imported when it runs: `--help` or `clients list` never loads
// the brain, the report renderer or the connectors.
import type { DayResult } from './run/day.ts';
import { lastCompleteDay } from './time.ts';

const program = new Command('adbrain')
  .description('AI insight and reporting engine for performance marketers')
  .showHelpAfterError('(run with --help for usage)')
  .configureOutput({ writeErr: (s) => process.stderr.write(s) })
  // Usage errors are bad input (exit 2), like every other; commander prints them itself.
  .exitOverride();

let jsonMode = false;

// ---- db -------------------------------------------------------------------------
const db = program.command('db').description('database maintenance');
db.command('migrate')
  .description('apply pending migrations (embedded database or DATABASE_URL)')
  .addOption(json())
  .action(async (o) => {
    await withContext(async ({ db, log }) => {
      const r = await migrate(db.sql);
      if (o.json) printJson({ database: db.kind, ...r });
      else if (r.applied.length) log(`applied ${r.applied.length} migration(s) to ${db.location}: ${r.applied.join(', ')}`);
      else log(`${db.location} is up to date (${r.alreadyApplied} migration(s) applied)`);
    }, { migrate: false });
  });
db.command('status')
  .description('list applied and pending migrations')
  .addOption(json())
  .action(async (o) => {
    await withContext(async ({ db }) => {
      const st = await migrationStatus(db.sql);
      if (o.json) printJson({ database: db.kind, location: db.location, ...st });
      else {
        console.log(`${db.kind} at ${db.location}`);
        for (const m of st.applied) console.log(`  applied  ${m}`);
        for (const m of st.pending) console.log(`  pending  ${m}`);
      }
    }, { migrate: false });
  });

// ---- agencies & clients -------------------------------------------------------------
const agencies = program.command('agencies').description('agencies (tenants)');
agencies
  .command('add <slug>')
  .option('--name <name>')
  .option('--timezone <tz>', 'IANA timezone', 'UTC')
  .option('--currency <code>', 'ISO 4217 code', 'USD')
  .addOption(json())
  .action(async (slug, o) => {
    await withContext(async ({ db, audit }) => {
      const a = await addAgency(db.prisma, { slug, name: o.name, timezone: o.timezone, currency: o.currency });
      await audit({ action: 'agency.create', entityType: 'agency', entityId: a.id, agencyId: a.id, after: a });
      if (o.json) printJson(a);
      else console.log(`added agency ${a.slug} (${a.name}, ${a.timezone}, ${a.currency})`);
    });
  });
agencies
  .command('notify <slug> <emails>')
  .description('who is told when adbrain itself needs attention (a webhook endpoint it disabled); comma-separated, "off" for nobody')
  .action(async (slug: string, emails: string) => {
    await withContext(async ({ db, audit }) => {
      const list = emails === 'off' ? [] : emails.split(',').map((e) => e.trim()).filter(Boolean);
      const bad = list.filter((e) => !isEmail(e));
      if (bad.length) throw new AppError('invalid_input', `emails: ${bad.join(', ')} is not an email address`);
      const was = await db.prisma.agency.findUnique({ where: { slug } });
      if (!was) throw new AppError('not_found', `agency '${slug}' not found`);
      const a = await db.prisma.agency.update({ where: { id: was.id }, data: { notifyEmails: list } });
      await audit({ action: 'agency.update', entityType: 'agency', entityId: a.id, agencyId: a.id, before: { notifyEmails: was.notifyEmails }, after: { notifyEmails: a.notifyEmails } });
      console.log(list.length ? `${a.slug} notifications go to ${list.join(', ')}` : `${a.slug}: no notification emails`);
    });
  });
agencies
  .command('list')
  .addOption(json())
  .action(async (o) => {
    await withContext(async ({ db }) => {
      const rows = await db.prisma.agency.findMany({ orderBy: { slug: 'asc' }, include: { _count: { select: { clients: true } } } });
      if (o.json) printJson(rows.map((a) => ({ slug: a.slug, name: a.name, timezone: a.timezone, currency: a.currency, clients: a._count.clients })));
      else if (rows.length === 0) console.log('no agencies yet (one is created with the first client)');
      else console.log(table([['SLUG', 'NAME', 'TIMEZONE', 'CURRENCY', 'CLIENTS'], ...rows.map((a) => [a.slug, a.name, a.timezone, a.currency, String(a._count.clients)])]));
    });
  });

const clients = program.command('clients').description('clients of an agency');
clients
  .command('add <slug>')
  .description('add a client (to the default agency unless --agency is given)')
  .option('--name <name>')
  .option('--timezone <tz>', 'IANA timezone (default: the agency\'s)')
  .option('--currency <code>', 'ISO 4217 code (default: the agency\'s)')
  .option('--agency <slug>')
  .option('--budget <amount>', 'monthly budget in the client currency')
  .option('--recipients <emails>', 'comma-separated report recipients')
  .addOption(json())
  .action(async (slug, o) => {
    await withContext(async ({ db, audit }) => {
      const c = await addClient(db.prisma, {
        monthlyBudget: o.budget === undefined ? undefined : String(o.budget),
        slug,
        name: o.name,
        timezone: o.timezone,
        currency: o.currency,
        agency: o.agency,
        recipients: o.recipients ? String(o.recipients).split(',').map((s) => s.trim()).filter(Boolean) : undefined,
      });
      await audit({ action: 'client.create', entityType: 'client', entityId: c.id, clientId: c.id, after: c });
      if (o.json) printJson(c);
      else console.log(`added client ${c.slug} (${c.name}, ${c.timezone}, ${c.currency})`);
    });
  });
clients
  .command('list')
  .option('--agency <slug>')
  .addOption(json())
  .action(async (o) => {
    await withContext(async ({ db }) => {
      const rows = await listClients(db.prisma, { agency: o.agency });
      if (o.json) {
        printJson(rows.map((c) => ({
          slug: c.slug, name: c.name, agency: c.agency.slug, timezone: c.timezone, currency: c.currency,
          reportHour: c.reportHour, recipients: c.recipients,
          monthlyBudgetCents: c.monthlyBudgetCents === null ? null : Number(c.monthlyBudgetCents),
          objective: objectiveSettings(c).objective,
        })));
      } else if (rows.length === 0) console.log('no clients yet: add one with `adbrain clients add <slug>` or run `adbrain demo`');
      else {
        console.log(table([['SLUG', 'NAME', 'AGENCY', 'TIMEZONE', 'CURRENCY', 'JUDGED BY'], ...rows.map((c) => [
          c.slug, c.name, c.agency.slug, c.timezone, c.currency, describeObjective(objectiveSettings(c).objective, (x) => money(x, c.currency)),
        ])]));
      }
    });
  });

clients
  .command('update <slug>')
  .description('change a client\'s settings: recipients, budget, alert thresholds')
  .option('--name <name>')
  .option('--timezone <tz>')
  .option('--report-hour <hour>', 'local hour of the daily report (0–23)', int)
  .option('--recipients <emails>', 'comma-separated report and alert recipients (replaces the list)')
  .option('--budget <amount|off>', 'monthly budget in the client currency', amountOrOff)
  .option('--daily-spend-alert <amount|off>', 'alert when a day\'s spend goes above this', amountOrOff)
  .option('--burn-roi <roi>', 'burning below this ROI, e.g. -0.5', Number)
  .option('--burn-min-spend <amount>', 'burning only above this spend', amountOrOff)
  .option('--win-roi <roi>', 'winner above this ROI, e.g. 2', Number)
  .option('--win-min-revenue <amount>', 'winner only above this revenue', amountOrOff)
  .option('--cooldown-hours <hours>', 'hours before the same alert is repeated (escalations excepted)', int)
  .option('--consecutive-check <on|off>', 'alert only when two checks in a row agree')
  .addOption(json())
  .action(async (slug, o) => {
    await withContext(async ({ db, audit }) => {
      const c = await getClientBySlug(db.prisma, slug);
      // Amounts are typed in the currency and stored in its minor unit (cents; whole yen for JPY).
      const minor = (v: string | null | undefined, flag: string) => (v === undefined || v === null ? v : toMinorUnits(v, c.currency, flag));
      const onOff = o.consecutiveCheck === undefined ? undefined : o.consecutiveCheck === 'on' ? true : o.consecutiveCheck === 'off' ? false : NaN;
      const u = await updateClient(db.prisma, c.id, {
        name: o.name, timezone: o.timezone, reportHour: o.reportHour,
        recipients: o.recipients === undefined ? undefined : String(o.recipients).split(',').map((x: string) => x.trim()).filter(Boolean),
        monthlyBudgetCents: minor(o.budget, '--budget'), dailySpendAlertCents: minor(o.dailySpendAlert, '--daily-spend-alert'),
        burnRoiBelow: o.burnRoi, burnMinSpendCents: minor(o.burnMinSpend, '--burn-min-spend') ?? undefined, winRoiAbove: o.winRoi,
        winMinRevenueCents: minor(o.winMinRevenue, '--win-min-revenue') ?? undefined,
        alertCooldownHours: o.cooldownHours, alertConsecutiveCheck: onOff,
      });
      await audit({ action: 'client.update', entityType: 'client', entityId: c.id, clientId: c.id, before: c, after: u });
      if (o.json) printJson({ slug: u.slug, recipients: u.recipients, alertCooldownHours: u.alertCooldownHours, alertConsecutiveCheck: u.alertConsecutiveCheck });
      else console.log(`updated client ${u.slug}`);
    });
  });

// ---- import -------------------------------------------------------------------------
program
  .command('import <file>')
  .description('import a CSV (generic, TikTok or Meta Ads Manager export, Google Ads report) into a client')
  .requiredOption('--client <slug>')
  .addOption(new Option('--format <format>', 'file layout').choices(['auto', 'generic', 'tiktok', 'meta', 'google']).default('auto'))
  .option('--skip-invalid', 'import the valid rows and list the rejected ones')
  .option('--map <pairs>', 'your headers for our fields, e.g. campaign=Kampagne,spend=Kosten (saved for the client\'s next import)', columnMap)
  .option('--conversions <kind>', `the conversions column: ${Object.keys(CONVERSION_KINDS).join(', ')} or a header name (saved)`)
  .option('--platform <platform>', 'platform of a file without a platform column (saved)', platformOption)
  .addOption(new Option('--date-format <order>', 'a/b/yyyy dates: mdy (MM/DD/YYYY) or dmy (DD/MM/YYYY); auto refuses ambiguous or mixed files').choices(['auto', 'mdy', 'dmy']).default('auto'))
  .addOption(json())
  .action(async (file, o) => {
    await withContext(async ({ db, config, audit }) => {
      const { importCsvFile } = await import('./import/import-csv.ts');
      const s = await importCsvFile(db, file, { clientSlug: o.client, format: o.format, skipInvalid: Boolean(o.skipInvalid), dateFormat: o.dateFormat, dbRetry: config.dbRetry,
        choices: o.map || o.conversions || o.platform ? { map: o.map, conversions: o.conversions, platform: o.platform } : undefined,
      });
      if (s.imported > 0 || s.importRunId) {
        const client = await getClientBySlug(db.prisma, o.client);
        await audit({ action: 'import.create', entityType: 'import_run', entityId: s.importRunId, clientId: client.id, after: importAuditOf(s) });
      }
      if (o.json) return printJson(s);
      const range = s.dateFrom === s.dateTo ? s.dateFrom : `${s.dateFrom} → ${s.dateTo}`;
      console.log(
        `imported ${s.imported} of ${s.rows} rows from ${s.file} (${s.format}, dates ${s.dateFormat ?? 'none'}) into ${s.client}, ${range}: ` +
          `${s.inserted} new, ${s.updated} updated, ${s.unchanged} unchanged`,
      );
      const notReported = Object.entries(s.unknown).filter(([, n]) => n > 0);
      if (notReported.length > 0) {
        console.log(`not reported (kept as unknown, not 0): ${notReported.map(([f, n]) => `${f} on ${n === s.imported ? 'every row' : `${n} row(s)`}`).join(', ')}`);
      }
      if (s.skippedEmptyRows > 0) console.log(`skipped ${s.skippedEmptyRows} row(s) without a single number`);
      if (s.rejected > 0) {
        console.log(`rejected ${s.rejected} row(s), stored on import run ${s.importRunId}:`);
        console.log(formatErrorGroups(s.errorGroups, s.errorsTotal).join('\n'));
      }
    });
  });

// ---- analyze ----------------------------------------------------------------------------
program
  .command('analyze')
  .description('run the brain for a client as of a day and print insights, forecasts and the track record (sends nothing)')
  .requiredOption('--client <slug>')
  .option('--as-of <date>', 'last day the brain may see (default: yesterday in the client timezone)', day)
  .addOption(json())
  .action(async (o) => {
    await withContext(async ({ db }) => {
      const { checkAsOf } = await import('./analysis/as-of.ts');
      const { runBrain } = await import('./brain/run.ts');
      const { presentAnalysis } = await import('./brain/present.ts');
      const client = await getClientBySlug(db.prisma, o.client);
      if (o.asOf) await checkAsOf(db, client, o.asOf, new Date(), { field: '--as-of' });
      const asOf = o.asOf ?? lastCompleteDay(client.timezone, new Date());
      const r = await runBrain(db, client, asOf, { now: new Date(), clock: () => performance.now() });
      const entities = new Map((await db.prisma.entity.findMany({ where: { clientId: client.id } })).map((e) => [e.id, { id: e.id, kind: e.kind, externalId: e.externalId, name: e.name, platform: e.platform }]));
      const view = presentAnalysis(r.output, entities, client.currency);
      if (o.json) return printJson(view);
      console.log(`${client.name} as of ${asOf}: ${view.insights.length} insights, ${view.forecasts.length} entities forecast`);
      for (const i of view.insights.slice(0, 20)) {
        console.log(`  ${String(i.action?.rank ?? '-').padStart(3)}. [${i.severity}] ${i.type.padEnd(17)} ${i.title}  (impact ${money(i.impactCents, client.currency)}, confidence ${Math.round(i.confidence * 100)}%)`);
      }
      const tr = view.trackRecord;
      console.log(tr.predictions ? `track record: MASE ${tr.mase}, 80% coverage ${tr.coverage} over ${tr.predictions} scored predictions` : 'track record: no scored predictions yet');
    });
  });

// ---- insights inbox --------------------------------------------------------------------
const insightsCmd = program.command('insights').description('the insight inbox: list, and mark insights in progress, applied or dismissed');
insightsCmd
  .command('list')
  .option('--client <slug>')
  .addOption(new Option('--status <status>').choices(['PENDING', 'IN_PROGRESS', 'APPLIED', 'DISMISSED', 'RESOLVED']))
  .option('--limit <n>', 'at most this many', int, 200)
  .option('--offset <n>', 'skip this many (paging)', int, 0)
  .addOption(new Option('--sort <order>', 'impact: most money first; recent: last seen first').choices(['impact', 'recent']).default('impact'))
  .addOption(json())
  .action(async (o) => {
    await withContext(async ({ db }) => {
      const client = o.client ? await getClientBySlug(db.prisma, o.client) : null;
      const { rows, total } = await listInsights(db.prisma, { clientId: client?.id, status: o.status, limit: o.limit, offset: o.offset, sort: o.sort });
      // More than one page: say so, and how to get the next one (stderr: stdout stays the data).
      const shownTo = o.offset + rows.length;
      if (shownTo < total) {
        const args = process.argv.slice(2).filter((a, i, all) => a !== '--offset' && all[i - 1] !== '--offset');
        process.stderr.write(`showing ${o.offset + 1}–${shownTo} of ${total}; next page: adbrain ${args.join(' ')} --offset ${shownTo}\n`);
      }
      if (o.json) {
        return printJson(rows.map((i) => ({
          id: i.id, client: i.client.slug, type: i.type, status: i.status, severity: i.severity, title: i.title,
          entity: i.entity && { kind: i.entity.kind, externalId: i.entity.externalId, name: i.entity.name, platform: i.entity.platform, path: entityPath(i.entity) },
          impactCents: Number(i.impactCents), confidence: i.confidence,
          since: i.since?.toISOString().slice(0, 10) ?? null, firstSeen: i.firstSeen, lastSeen: i.lastSeen,
        })));
      }
      if (rows.length === 0) return console.log('no insights (run `adbrain run` or `adbrain analyze --client <slug>` first)');
      // Two entities of one name (an "Ad 1" in every ad set) are told apart by their parents.
      const names = new Map<string, number>();
      for (const i of rows) if (i.entity) names.set(i.entity.name, (names.get(i.entity.name) ?? 0) + 1);
      const who = (i: (typeof rows)[number]) => (!i.entity ? '' : (names.get(i.entity.name) ?? 0) > 1 ? entityPath(i.entity) : i.entity.name);
      console.log(table([['ID', 'CLIENT', 'STATUS', 'SEVERITY', 'TYPE', 'IMPACT', 'ENTITY', 'TITLE'], ...rows.map((i) => [
        i.id.slice(0, 8), i.client.slug, i.status, i.severity, i.type, money(Number(i.impactCents), i.client.currency), clip(who(i), 60), clip(i.title, 70),
      ])]));
    });
  });
for (const action of ['start', 'apply', 'dismiss', 'reopen'] as const) {
  insightsCmd
    .command(`${action} <id>`)
    .description({ start: 'mark in progress', apply: 'mark applied', dismiss: 'dismiss', reopen: 'back to pending' }[action])
    .option('--note <text>')
    .option('--actor <name>', 'who is acting (default: the OS user)')
    .addOption(json())
    .action(async (id, o) => {
      await withContext(async ({ db, audit }) => {
        const insight = await findInsight(db.prisma, id);
        const actor = o.actor ?? cliActor().name;
        const updated = await transition(db.prisma, insight.id, action, { actor, note: o.note });
        await audit({ action: 'insight.status_changed', entityType: 'insight', entityId: insight.id, clientId: insight.clientId, before: { status: insight.status }, after: { status: updated.status, note: o.note ?? null } });
        if (o.json) return printJson(updated);
        console.log(`${updated.id.slice(0, 8)} ${insight.status} → ${updated.status}: ${updated.title}`);
      });
    });
}

// ---- forecast -------------------------------------------------------------------------
program
  .command('forecast')
  .description('forecast every series of a long CSV (series_id,date,value)')
  .requiredOption('--input <file>')
  .option('--horizon <days>', 'days ahead', int, 14)
  .option('--season <days>', 'season length', int, 7)
  .option('--level <percent>', 'prediction interval coverage', int, 80)
  .option('--out <file>', 'write the CSV here instead of stdout')
  .addOption(json())
  .action(async (o) => {
    const t0 = performance.now();
    const warnings: string[] = [];
    const { forecastFile, writeForecast } = await import('./forecast/forecast-file.ts');
    const results = await forecastFile(o.input, { horizon: o.horizon, season: o.season, level: o.level }, warnings);
    for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
    if (o.json) return printJson(results);
    await writeForecast(results, o.out);
    const skipped = results.filter((r) => !r.forecast.ok).length;
    process.stderr.write(
      `forecast ${results.length - skipped} series${skipped ? ` (${skipped} with too little data)` : ''} in ${Math.round(performance.now() - t0)} ms${o.out ? ` → ${o.out}` : ''}\n`,
    );
  });

// ---- demo, run, start ------------------------------------------------------------
program
  .command('demo')
  .description('create (or reset) the demo agency with three simulated clients')
  .option('--seed <n>', 'simulator seed', int, 42)
  .option('--days <n>', 'days of history', int, 150)
  .option('--end <date>', 'last simulated day (default: yesterday)', day)
  .addOption(json())
  .action(async (o) => {
    await withContext(async (ctx) => {
      const s = await demo(ctx, o);
      if (o.json) printJson(s);
    });
  });

async function demo(ctx: Ctx, o: { seed: number; days: number; end?: string; json?: boolean }) {
  const { runDemo } = await import('./demo/demo.ts');
  const { simulateDemo } = await import('./demo/simulate.ts');
  const now = new Date();
  // The newest day that is complete in every demo client's timezone... or the latest of them.
  const tzs = simulateDemo({ endDate: '2026-01-31', days: 1 }).clients.map((c) => c.timezone);
  const end = o.end ?? tzs.map((tz) => lastCompleteDay(tz, now)).sort().at(-1)!;
  const t0 = performance.now();
  const { simulation: _sim, ...s } = await runDemo(ctx.db, { endDate: end, seed: o.seed, days: o.days, dataDir: ctx.config.dataDir });
  const agency = await ctx.db.prisma.agency.findUnique({ where: { slug: s.agency } });
  await ctx.audit({ action: 'demo.create', entityType: 'agency', entityId: agency?.id, agencyId: agency?.id, after: { seed: s.seed, from: s.from, to: s.to, clients: s.clients.map((c) => c.slug) } });
  if (!o.json) {
    ctx.log(`demo agency ready: ${s.clients.length} clients, ${s.from} → ${s.to}, seed ${s.seed} (${Math.round(performance.now() - t0)} ms)`);
    for (const c of s.clients) ctx.log(`  ${c.slug.padEnd(15)} ${c.name.padEnd(22)} ${c.entities} entities, ${c.metricRows} daily rows`);
    ctx.log(`  ground truth: ${s.groundTruthFile} (${s.events} events)`);
  }
  return s;
}

program
  .command('run')
  .description('run the day for one or all clients: sync → report (and every later step that exists)')
  .option('--client <slug>')
  .option('--as-of <date>', 'last complete day to use (default: yesterday in each client\'s timezone)', day)
  .addOption(json())
  .action(async (o) => {
    await withContext(async (ctx) => {
      const results = await runDays(ctx, { ...o, checkAsOf: true });
      if (o.json) printJson({ results });
      if (results.some((r) => !r.ok)) process.exitCode = 1;
    });
  });

async function runDays(ctx: Ctx, o: { client?: string; asOf?: string; json?: boolean; agency?: string; checkAsOf?: boolean }): Promise<DayResult[]> {
  const now = new Date();
  const targets = o.client ? [await getClientBySlug(ctx.db.prisma, o.client)] : await listClients(ctx.db.prisma, { agency: o.agency });
  if (targets.length === 0) throw new AppError('not_found', 'no clients to run: add one with `adbrain clients add <slug>` or run `adbrain demo`');
  const results: DayResult[] = [];
  const live = !o.json;
  // A day the user names must make sense for every client before any of them runs.
  const { runClientDay } = await import('./run/day.ts');
  const { checkAsOf } = await import('./analysis/as-of.ts');
  if (o.asOf && o.checkAsOf) for (const c of targets) await checkAsOf(ctx.db, c, o.asOf, now, { field: '--as-of', requireData: false });
  for (const c of targets) {
    const asOf = o.asOf ?? lastCompleteDay(c.timezone, now);
    if (live) ctx.log(`▸ ${c.slug} — ${asOf}`);
    const r = await runClientDay(
      {
        db: ctx.db, client: c, asOf, now, outboxDir: ctx.config.outboxDir, llm: ctx.config.llm, email: ctx.config.email, dbRetry: ctx.config.dbRetry,
        sources: ctx.config.sources, encryptionKey: credentialKey(ctx.config), onLog: (line) => ctx.log(`  … ${line}`),
        onRetry: (step, attempt, message) => ctx.log(`  … ${step}: ${message} — retry ${attempt} of ${ctx.config.dbRetry.retries}`),
      },
      {
        onStep: (name, s) => {
          if (live) ctx.log(`  ${s.status === 'failed' ? '✗' : s.status === 'ok' ? '✓' : '·'} ${name.padEnd(8)} ${s.detail} (${s.ms} ms)`);
        },
      },
    );
    results.push(r);
  }
  return results;
}

program
  .command('start')
  .description('quick start: (re)create the demo agency and run the day for its clients')
  .addOption(json())
  .action(async (o) => {
    await withContext(async (ctx) => {
      const t0 = performance.now();
      const d = await demo(ctx, { seed: 42, days: 150, json: o.json });
      const results = await runDays(ctx, { agency: d.agency, asOf: d.to, json: o.json });
      if (o.json) printJson({ demo: d, results });
      else ctx.log(`done in ${((performance.now() - t0) / 1000).toFixed(1)} s — reports are in ${ctx.config.outboxDir}`);
      if (results.some((r) => !r.ok)) process.exitCode = 1;
    });
  });

// ---- entry ------------------------------------------------------------------------
try {
  jsonMode = process.argv.includes('--json');
  registerDeliveryCommands(program);
  registerObjectiveCommand(clients);
  registerConnectionCommands(program);
  registerExportCommands(program);
  registerSplitTestCommands(program);
  registerWebhookCommands(program);
  registerDataAdminCommands(program, { db, agencies, clients });
  registerCampaignCommands(program);
  registerServeCommands(program);
  await program.parseAsync(process.argv);
} catch (err) {
  process.exitCode = err instanceof CommanderError ? (err.exitCode === 0 ? 0 : 2) : reportError(err, jsonMode, debugMode());
}

function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

function debugMode(): boolean {
  try {
    return loadConfig().debug;
  } catch {
    return false; // the config error itself is being reported
  }
}
