// CLI: the agency's people (name, email, role).
import { type Command } from 'commander';
import { AppError } from '../../errors.ts';
import { anyCaseChoice, json } from '../options.ts';
import { printJson, table } from '../output.ts';
import { withContext } from '../context.ts';
import type { Group } from './index.ts';

export function register(program: Command, group: Group) {
  const users = group('users');
  users
    .command('add <email>')
    .requiredOption('--agency <slug>')
    .requiredOption('--name <name>', 'the person\'s name, as the inbox and the audit log will show it')
    .addOption(anyCaseChoice('--role <role>', 'what they may do', ['viewer', 'member', 'admin']).default('member'))
    .addOption(json())
    .action(async (email: string, o) => {
      await withContext(async ({ db, audit }) => {
        const { addUser, userOut } = await import('../../domain/users.ts');
        const agency = await agencyOf(db.prisma, o.agency);
        const u = await addUser(db.prisma, agency.id, { name: o.name, email, role: o.role });
        await audit({ action: 'user.create', entityType: 'user', entityId: u.id, agencyId: agency.id, after: userOut(u) });
        if (o.json) return printJson(userOut(u));
        console.log(`added ${u.name} <${u.email}> as ${u.role}; id ${u.id.slice(0, 8)}`);
      });
    });
  users
    .command('list')
    .requiredOption('--agency <slug>')
    .addOption(json())
    .action(async (o) => {
      await withContext(async ({ db }) => {
        const { listUsers, userOut } = await import('../../domain/users.ts');
        const rows = (await listUsers(db.prisma, (await agencyOf(db.prisma, o.agency)).id)).map(userOut);
        if (o.json) return printJson(rows);
        if (rows.length === 0) return console.log(`no users in ${o.agency} (adbrain users add <email> --agency ${o.agency} --name …)`);
        console.log(table([['ID', 'NAME', 'EMAIL', 'ROLE'], ...rows.map((u) => [u.id.slice(0, 8), u.name, u.email, u.role])]));
      });
    });
  users
    .command('remove <user>')
    .description('remove a user (by email or id)')
    .requiredOption('--agency <slug>')
    .action(async (ref: string, o) => {
      await withContext(async ({ db, audit }) => {
        const { removeUser, userOut } = await import('../../domain/users.ts');
        const agency = await agencyOf(db.prisma, o.agency);
        const u = await removeUser(db.prisma, agency.id, ref);
        await audit({ action: 'user.delete', entityType: 'user', entityId: u.id, agencyId: agency.id, before: userOut(u) });
        console.log(`removed ${u.name} <${u.email}>`);
      });
    });
}

async function agencyOf(prisma: Parameters<Parameters<typeof withContext>[0]>[0]['db']['prisma'], slug: string) {
  const a = await prisma.agency.findUnique({ where: { slug } });
  if (!a) throw new AppError('not_found', `agency '${slug}' not found`);
  return a;
}
