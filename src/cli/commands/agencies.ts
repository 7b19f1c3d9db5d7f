import { type Command } from 'commander';
import { inFlags, json } from '../options.ts';
import { isEmail } from '../../domain/schemas.ts';
import { addAgency } from '../../domain/agencies.ts';
import { AppError } from '../../errors.ts';
import { printJson, table } from '../output.ts';
import { withContext } from '../context.ts';
import type { Group } from './index.ts';

export function register(program: Command, group: Group) {
  const agencies = group('agencies');
  agencies
    .command('add <slug>')
    .option('--name <name>')
    .option('--timezone <tz>', 'IANA timezone', 'UTC')
    .option('--currency <code>', 'ISO 4217 code', 'USD')
    .addOption(json())
    .action(async (slug, o) => {
      await withContext(async ({ db, audit }) => {
        const a = await inFlags({ slug: '<slug>', name: '--name', timezone: '--timezone', currency: '--currency' }, () => addAgency(db.prisma, { slug, name: o.name, timezone: o.timezone, currency: o.currency }));
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
    .command('revoke-links <slug>')
    .description('void every apply / dismiss / kill link in the emails sent so far (a forwarded report, a leaked inbox); new emails get new links')
    .action(async (slug: string) => {
      await withContext(async ({ db, audit, config }) => {
        const was = await db.prisma.agency.findUnique({ where: { slug } });
        if (!was) throw new AppError('not_found', `agency '${slug}' not found`);
        const a = await db.prisma.agency.update({ where: { id: was.id }, data: { actionLinksValidAfter: config.now() } });
        await audit({ action: 'agency.revoke_action_links', entityType: 'agency', entityId: a.id, agencyId: a.id, before: { actionLinksValidAfter: was.actionLinksValidAfter }, after: { actionLinksValidAfter: a.actionLinksValidAfter } });
        console.log(`${a.slug}: action links signed before ${a.actionLinksValidAfter!.toISOString()} no longer work`);
      });
    });
  agencies
    .command('list')
    .addOption(json())
    .action(async (o) => {
      await withContext(async ({ db }) => {
        const rows = await db.sql.query<{ slug: string; name: string; timezone: string; currency: string; clients: number }>(
          'SELECT a.slug, a.name, a.timezone, a.currency, (SELECT count(*)::int FROM client c WHERE c.agency_id = a.id) AS clients FROM agency a ORDER BY a.slug',
        );
        if (o.json) printJson(rows);
        else if (rows.length === 0) console.log('no agencies yet (one is created with the first client)');
        else console.log(table([['SLUG', 'NAME', 'TIMEZONE', 'CURRENCY', 'CLIENTS'], ...rows.map((a) => [a.slug, a.name, a.timezone, a.currency, String(a.clients)])]));
      }, { light: true });
    });
}
