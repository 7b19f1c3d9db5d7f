import { type Command, Option } from 'commander';
import { json } from '../options.ts';
import { getClientBySlug } from '../../domain/clients.ts';
import { columnMap, dateFormatOption, platformOption, setOption } from '../options.ts';
import { CONVERSION_KINDS } from '../../import/parse.ts';
import { formatErrorGroups, printJson } from '../output.ts';
import { withContext } from '../context.ts';
import { importAuditOf } from '../../audit/of.ts';
import { summaryOf, type Group } from './index.ts';

export function register(program: Command, group: Group) {
  // ---- import -------------------------------------------------------------------------
  program
    .command('import <file>')
    .description(summaryOf('import'))
    .requiredOption('--client <slug>')
    .addOption(new Option('--format <format>', 'file layout').choices(['auto', 'generic', 'tiktok', 'meta', 'google']).default('auto'))
    .option('--skip-invalid', 'import the valid rows and list the rejected ones (refused when they carry more than 5 % of the spend)')
    .option('--sum-rows', 'a breakdown export (several rows per entity and day: age, gender, placement, country): add them up')
    .option('--allow-drop', 'with --skip-invalid: import the valid rows even when the rejected ones carry more than 5 % of the spend')
    .option('--map <pairs>', 'your headers for our fields, e.g. campaign=Kampagne,spend=Kosten (saved for the client\'s next import)', columnMap)
    .option('--conversions <kind>', `the conversions column: ${Object.keys(CONVERSION_KINDS).join(', ')} or a header name (saved)`)
    .option('--platform <platform>', 'platform of a file without a platform column (saved)', platformOption)
    .option('--set <field=value>', 'one value for every row of a column the file lacks: campaign, account, adset or currency (repeatable)', setOption)
    .option('--names <file>', 'a names file (ids → names of campaigns, ad sets, ads, accounts; e.g. adsets.csv with ad set id, ad set name, campaign id) joined by id (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--date-format <order>', 'a/b/yyyy dates: mdy (MM/DD/YYYY), dmy (DD/MM/YYYY), or per separator "/=mdy,-=dmy"; auto reads the order per separator and refuses what the file cannot settle', dateFormatOption, 'auto')
    .addOption(json())
    .action(async (file, o) => {
      await withContext(async ({ db, config, audit }) => {
        const { importCsvFile, readNamesFiles } = await import('../../import/import-csv.ts');
        const names = o.names ? await readNamesFiles(o.names) : undefined;
        const s = await importCsvFile(db, file, { names, clientSlug: o.client, format: o.format, skipInvalid: Boolean(o.skipInvalid), allowDrop: Boolean(o.allowDrop), sumRows: Boolean(o.sumRows), set: o.set, dateFormat: o.dateFormat, dbRetry: config.dbRetry, now: config.now(),
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
        for (const n of s.dateNotes ?? []) console.log(`note: ${n}`);
        for (const f of s.names ?? []) console.log(`names: ${f.file} (${f.rows} rows) gave ${f.kinds.join(', ')} names by id`);
        for (const g of s.similarNames ?? []) {
          console.log(`note: ${g.names.map((n) => `"${n}"`).join(' and ')} (${g.platform}) differ only in case, spaces or punctuation — probably one campaign; it is never advised against itself`);
        }
        if (s.rejected > 0) {
          console.log(`rejected ${s.rejected} row(s), stored on import run ${s.importRunId}:`);
          console.log(formatErrorGroups(s.errorGroups, s.errorsTotal).join('\n'));
        }
      });
    });
}
