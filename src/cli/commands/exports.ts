// CLI: CSV exports, now and on a schedule. The export modules load when a command runs.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { InvalidArgumentError, type Command } from 'commander';
import { AppError } from '../../errors.ts';
import { withClient } from '../context.ts';
import { day, json } from '../options.ts';
import { printJson, table } from '../output.ts';
import type { Group } from './index.ts';

const KINDS = ['metrics', 'spend', 'links', 'campaigns', 'insights'];
const kindsOption = (v: string) => {
  const list = v.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = list.filter((k) => !KINDS.includes(k));
  if (!list.length || bad.length) throw new InvalidArgumentError(`${bad.join(', ') || '(none)'}: choose from ${KINDS.join(', ')}`);
  return list;
};

export function register(program: Command, group: Group) {
  program
    .command('export <kind>')
    .description(`a CSV export (${KINDS.join(' | ')}) of a client: the numbers the reports use, money in the client's currency, local days`)
    .requiredOption('--client <slug>')
    .option('--from <date>', 'first day (default: 30 days before --to)', day)
    .option('--to <date>', "last day (default: the client's yesterday)", day)
    .option('--out <file>', 'write to a file instead of stdout')
    .action(async (kind: string, o: { client: string; from?: string; to?: string; out?: string }) => {
      if (!KINDS.includes(kind)) throw new AppError('invalid_input', `export: "${kind}" is not an export; choose from ${KINDS.join(', ')}`);
      await withClient(o.client, async ({ db, config, audit }, client) => {
        const { exportCsv, exportRange } = await import('../../exports/index.ts');
        const range = exportRange(client, { from: o.from, to: o.to }, config.now());
        const out = o.out ? createWriteStream(o.out) : process.stdout;
        const { writeCsv } = await import('../csv-out.ts');
        const { rows } = await writeCsv(out, exportCsv(db, client, kind as never, range));
        await audit({ action: 'export.download', entityType: 'client', entityId: client.id, clientId: client.id, after: { kind, from: range.from, to: range.to, rows, to_file: o.out ?? null } });
        if (o.out) {
          (out as ReturnType<typeof createWriteStream>).end();
          await once(out, 'finish');
          console.error(`wrote ${rows} ${kind} rows (${range.from} → ${range.to}) to ${o.out}`);
        }
      });
    });

  const schedules = group('exports');
  schedules
    .command('schedule')
    .description('email these exports every week (Mondays: the week before) or month (the 1st: the month before)')
    .requiredOption('--client <slug>')
    .requiredOption('--every <period>', 'week or month', (v: string) => {
      if (v !== 'week' && v !== 'month') throw new InvalidArgumentError('week or month');
      return v;
    })
    .requiredOption('--kinds <list>', `comma-separated: ${KINDS.join(', ')}`, kindsOption)
    .requiredOption('--to <emails>', 'comma-separated recipients')
    .addOption(json())
    .action(async (o: { client: string; every: 'week' | 'month'; kinds: string[]; to: string; json?: boolean }) => {
      await withClient(o.client, async ({ db, audit }, client) => {
        const { addSchedule } = await import('../../exports/index.ts');
        const s = await addSchedule(db, client.id, { every: o.every, kinds: o.kinds as never, recipients: o.to.split(',').map((x) => x.trim()).filter(Boolean) });
        await audit({ action: 'export_schedule.create', entityType: 'export_schedule', entityId: s.id, clientId: client.id, after: s });
        if (o.json) return printJson(s);
        console.log(`every ${s.every}: ${s.kinds.join(', ')} to ${s.recipients.join(', ')} (schedule ${s.id})`);
      });
    });
  schedules
    .command('list')
    .requiredOption('--client <slug>')
    .addOption(json())
    .action(async (o: { client: string; json?: boolean }) => {
      await withClient(o.client, async ({ db }, client) => {
        const { listSchedules } = await import('../../exports/index.ts');
        const rows = await listSchedules(db, client.id);
        if (o.json) return printJson(rows);
        if (!rows.length) return console.log(`no scheduled exports: adbrain exports schedule --client ${client.slug} --every week --kinds spend,links --to you@example.com`);
        console.log(table([['ID', 'EVERY', 'KINDS', 'TO', 'LAST SENT'], ...rows.map((s) => [s.id.slice(0, 8), s.every, s.kinds.join(','), s.recipients.join(','), s.lastPeriod ?? 'never'])]));
      });
    });
  schedules
    .command('remove <id>')
    .requiredOption('--client <slug>')
    .action(async (id: string, o: { client: string }) => {
      await withClient(o.client, async ({ db, audit }, client) => {
        const { removeSchedule } = await import('../../exports/index.ts');
        const before = await removeSchedule(db, client.id, id);
        await audit({ action: 'export_schedule.delete', entityType: 'export_schedule', entityId: before.id, clientId: client.id, before });
        console.log(`removed scheduled export ${id}`);
      });
    });
}
