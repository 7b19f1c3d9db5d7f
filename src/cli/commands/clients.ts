import { Option, type Command } from 'commander';
import { amountOrOff, day, inFlags, int, json, numberLike } from '../options.ts';
import { toMinorUnits } from '../../domain/currency.ts';
import { objectiveSettings } from '../../domain/objectives.ts';
import { describeObjective } from '../../brain/objective.ts';
import { addClient, getClientBySlug, listClientRows, updateClient } from '../../domain/clients.ts';
import { money } from '../../reports/format.ts';
import { printJson, table } from '../output.ts';
import { withContext } from '../context.ts';
import { registerObjectiveCommand } from './objective.ts';
import type { Group } from './index.ts';

export function register(program: Command, group: Group) {
  const clients = group('clients');
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
        const c = await inFlags(ADD_FLAGS, () => addClient(db.prisma, {
          monthlyBudget: o.budget === undefined ? undefined : String(o.budget),
          slug,
          name: o.name,
          timezone: o.timezone,
          currency: o.currency,
          agency: o.agency,
          recipients: o.recipients ? String(o.recipients).split(',').map((s) => s.trim()).filter(Boolean) : undefined,
        }));
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
        const rows = await listClientRows(db.sql, { agency: o.agency });
        if (o.json) {
          printJson(rows.map((c) => ({
            slug: c.slug, name: c.name, agency: c.agencySlug, timezone: c.timezone, currency: c.currency,
            reportHour: c.reportHour, recipients: c.recipients,
            monthlyBudgetCents: c.monthlyBudgetCents,
            objective: objectiveSettings(c).objective,
          })));
        } else if (rows.length === 0) console.log('no clients yet: add one with `adbrain clients add <slug>` or run `adbrain demo`');
        else {
          console.log(table([['SLUG', 'NAME', 'AGENCY', 'TIMEZONE', 'CURRENCY', 'JUDGED BY'], ...rows.map((c) => [
            c.slug, c.name, c.agencySlug, c.timezone, c.currency, describeObjective(objectiveSettings(c).objective, (x) => money(x, c.currency)),
          ])]));
        }
      }, { light: true });
    });

  clients
    .command('update <slug>')
    .description('change a client\'s settings: recipients, budget, alert thresholds')
    .option('--name <name>')
    .option('--timezone <tz>')
    .option('--report-hour <hour>', 'local hour of the daily report (0–23)', int)
    .option('--reports <list>', 'which reports go out: daily, weekly:<mon…sun>, monthly:<1…28> — comma-separated (replaces the list; "none" for none)')
    .option('--recipients <emails>', 'comma-separated report and alert recipients (replaces the list)')
    .option('--budget <amount|off>', 'monthly budget in the client currency', amountOrOff)
    .option('--daily-spend-alert <amount|off>', 'alert when a day\'s spend goes above this', amountOrOff)
    .option('--burn-roi <roi>', 'burning below this ROI, e.g. -0.5', numberLike('-0.5'))
    .option('--burn-min-spend <amount>', 'burning only above this spend', amountOrOff)
    .option('--win-roi <roi>', 'winner above this ROI, e.g. 2', numberLike('2'))
    .option('--win-min-revenue <amount>', 'winner only above this revenue', amountOrOff)
    .option('--cooldown-hours <hours>', 'hours before the same alert is repeated (escalations excepted)', int)
    .option('--sms <numbers|off>', 'comma-separated phone numbers (E.164, +15551234567) that get critical alerts by SMS (replaces the list)')
    .option('--sms-per-day <n>', 'at most this many texts per number and day (default 5)', int)
    .option('--sms-quiet <HH-HH|off>', 'no texts in these local hours; held until they end (default 22-07)')
    .addOption(new Option('--consecutive-check <on|off>', 'alert only when two checks in a row agree').choices(['on', 'off']))
    .addOption(new Option('--actions <mode>', 'changes on the ad platforms for this client: off, propose, auto, or default (ADBRAIN_ACTIONS; the stricter applies)').choices(['off', 'propose', 'auto', 'default']))
    .addOption(json())
    .action(async (slug, o) => {
      await withContext(async ({ db, audit }) => {
        const c = await getClientBySlug(db.prisma, slug);
        // Amounts are typed in the currency and stored in its minor unit (cents; whole yen for JPY).
        const minor = (v: string | null | undefined, flag: string) => (v === undefined || v === null ? v : toMinorUnits(v, c.currency, flag));
        const onOff = o.consecutiveCheck === undefined ? undefined : o.consecutiveCheck === 'on';
        const u = await inFlags(UPDATE_FLAGS, () => updateClient(db.prisma, c.id, {
          name: o.name, timezone: o.timezone, reportHour: o.reportHour,
          reportSchedules: o.reports === undefined ? undefined : o.reports === 'none' ? [] : String(o.reports).split(',').map((x: string) => x.trim()).filter(Boolean),
          recipients: o.recipients === undefined ? undefined : String(o.recipients).split(',').map((x: string) => x.trim()).filter(Boolean),
          monthlyBudgetCents: minor(o.budget, '--budget'), dailySpendAlertCents: minor(o.dailySpendAlert, '--daily-spend-alert'),
          burnRoiBelow: o.burnRoi, burnMinSpendCents: minor(o.burnMinSpend, '--burn-min-spend') ?? undefined, winRoiAbove: o.winRoi,
          winMinRevenueCents: minor(o.winMinRevenue, '--win-min-revenue') ?? undefined,
          alertCooldownHours: o.cooldownHours, alertConsecutiveCheck: onOff,
          smsNumbers: o.sms === undefined ? undefined : o.sms === 'off' ? [] : String(o.sms).split(',').map((x: string) => x.trim()).filter(Boolean),
          smsPerDay: o.smsPerDay, smsQuietHours: o.smsQuiet,
          actionsMode: o.actions === undefined ? undefined : o.actions === 'default' ? null : o.actions,
        }));
        await audit({ action: 'client.update', entityType: 'client', entityId: c.id, clientId: c.id, before: c, after: u });
        if (o.json) printJson({ slug: u.slug, recipients: u.recipients, alertCooldownHours: u.alertCooldownHours, alertConsecutiveCheck: u.alertConsecutiveCheck, sms: { numbers: u.smsNumbers, perDay: u.smsPerDay, quietHours: u.smsQuietHours } });
        else console.log(`updated client ${u.slug}`);
      });
    });
  clients
    .command('budget <slug>')
    .description('an ad account\'s own monthly budget (the client\'s is clients update --budget): paced, reported and alerted per account')
    .requiredOption('--account <name|id>', 'the ad account: its name, external id or id')
    .argument('<amount|off>', 'in the client currency; off clears it', amountOrOff)
    .addOption(json())
    .action(async (slug: string, amount: string | null, o: { account: string; json?: boolean }) => {
      await withContext(async ({ db, audit }) => {
        const { findEntity, setAccountBudget } = await import('../../domain/entities.ts');
        const c = await getClientBySlug(db.prisma, slug);
        const e = await findEntity(db.prisma, c.id, o.account);
        const cents = amount === null ? null : toMinorUnits(amount, c.currency, '<amount>');
        const u = await setAccountBudget(db.prisma, e, cents);
        const n = (x: bigint | null) => (x === null ? null : Number(x));
        await audit({ action: 'entity.budget', entityType: e.kind, entityId: e.id, clientId: c.id, before: { monthlyBudgetCents: n(e.monthlyBudgetCents) }, after: { monthlyBudgetCents: n(u.monthlyBudgetCents) } });
        if (o.json) return printJson({ client: c.slug, account: u.name, id: u.id, monthlyBudgetCents: n(u.monthlyBudgetCents) });
        console.log(u.monthlyBudgetCents === null ? `${u.name}: no budget of its own` : `${u.name}: ${money(Number(u.monthlyBudgetCents), c.currency)} a month`);
      });
    });
  registerObjectiveCommand(clients);
}

// The fields of `clients update` as the user typed them.
const UPDATE_FLAGS: Record<string, string> = {
  name: '--name', timezone: '--timezone', reportHour: '--report-hour', recipients: '--recipients', monthlyBudgetCents: '--budget', dailySpendAlertCents: '--daily-spend-alert',
  burnRoiBelow: '--burn-roi', burnMinSpendCents: '--burn-min-spend', winRoiAbove: '--win-roi', winMinRevenueCents: '--win-min-revenue',
  alertCooldownHours: '--cooldown-hours', alertConsecutiveCheck: '--consecutive-check', smsNumbers: '--sms', smsPerDay: '--sms-per-day', smsQuietHours: '--sms-quiet',
  actionsMode: '--actions', reportSchedules: '--reports',
};

// The fields of `clients add` as typed.
const ADD_FLAGS: Record<string, string> = { slug: '<slug>', name: '--name', timezone: '--timezone', currency: '--currency', agency: '--agency', monthlyBudget: '--budget', recipients: '--recipients' };
