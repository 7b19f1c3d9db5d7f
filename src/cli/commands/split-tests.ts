// CLI: split tests (create, list, show, stop). The modules load when a command runs.
import { InvalidArgumentError, type Command } from 'commander';
import { withClient } from '../context.ts';
import { day, inFlags, int, json } from '../options.ts';
import { printJson, table } from '../output.ts';
import type { Group } from './index.ts';

const METRICS = ['conversion_rate', 'revenue_per_click', 'roi'];

export function register(program: Command, group: Group) {
  const tests = group('tests');
  tests
    .command('create <name>')
    .description('compare two or more variants (the first --variant is the control unless --control names another)')
    .requiredOption('--client <slug>')
    .requiredOption('--metric <metric>', METRICS.join(' | '), (v: string) => {
      if (!METRICS.includes(v)) throw new InvalidArgumentError(`one of ${METRICS.join(', ')}`);
      return v;
    })
    .requiredOption('--variant <ref...>', 'a variant: id, external id or exact name (repeat, or list several); "ref=weight" sets its traffic weight')
    .option('--control <ref>', 'the variant the others are compared with')
    .option('--start <date>', "first day counted (default: the client's today)", day)
    .option('--min-clicks <n>', 'per variant before a call (default 100)', int)
    .option('--min-conversions <n>', 'per variant before a call (default 10)', int)
    .option('--link <code>', 'a tracking code whose link splits traffic between the variants (first-party campaigns, by code)')
    .addOption(json())
    .action(async (name: string, o: { client: string; metric: string; variant: string[]; control?: string; start?: string; minClicks?: number; minConversions?: number; link?: string; json?: boolean }) => {
      await withClient(o.client, async ({ db, audit, config }, client) => {
        const { createTest } = await import('../../splits/tests.ts');
        const { localDate } = await import('../../time.ts');
        const variants = o.variant.map((v) => {
          const m = /^(.*)=(\d+(?:\.\d+)?)$/.exec(v);
          return m ? { ref: m[1]!, weight: Number(m[2]) } : { ref: v };
        });
        const t = await inFlags(TEST_FLAGS, () => createTest(db, client.id, { name, metric: o.metric as never, variants, control: o.control, startDate: o.start ?? localDate(client.timezone, config.now()), minClicks: o.minClicks, minConversions: o.minConversions, link: o.link }));
        const { splitTestAuditOf } = await import('../../audit/of.ts');
        await audit({ action: 'split_test.create', entityType: 'split_test', entityId: t.id, clientId: client.id, after: splitTestAuditOf(t) });
        if (o.json) return printJson(t);
        console.log(`created test "${t.name}" (${t.metric}, from ${t.startDate.toISOString().slice(0, 10)}): ${t.variants.map((v) => `${v.label}${v.control ? ' [control]' : ''}`).join(' vs ')}; id ${t.id}`);
        if (t.linkCode) {
          const { siteKeyOf } = await import('../../tracking/campaigns.ts');
          console.log(`its link splits traffic: ${config.sources.oauth.publicUrl}/t/${t.linkCode}?s=${await siteKeyOf(db.prisma, client.id)}`);
        }
      });
    });
  tests
    .command('list')
    .requiredOption('--client <slug>')
    .addOption(json())
    .action(async (o: { client: string; json?: boolean }) => {
      await withClient(o.client, async ({ db }, client) => {
        const rows = await db.prisma.splitTest.findMany({ where: { clientId: client.id }, include: { variants: true }, orderBy: { createdAt: 'asc' } });
        if (o.json) return printJson(rows);
        if (!rows.length) return console.log(`no split tests: adbrain tests create "<name>" --client ${client.slug} --metric conversion_rate --variant <a> --variant <b>`);
        console.log(table([['ID', 'NAME', 'METRIC', 'STATUS', 'VARIANTS', 'LATEST'], ...rows.map((t) => [t.id.slice(0, 8), t.name, t.metric, t.status, String(t.variants.length), ((t.result as { sentence?: string }).sentence ?? 'not evaluated yet').slice(0, 70)])]));
      });
    });
  tests
    .command('show <test>')
    .requiredOption('--client <slug>')
    .addOption(json())
    .action(async (ref: string, o: { client: string; json?: boolean }) => {
      await withClient(o.client, async ({ db }, client) => {
        const { findTest } = await import('../../splits/tests.ts');
        const t = await findTest(db, client.id, ref);
        if (o.json) return printJson(t);
        const r = t.result as { sentence?: string; variants?: { label: string; control: boolean; clicks: number; conversions: number; value: number | null }[]; comparisons?: { label: string; lift: number | null; p: number; sequentialP: number; chanceToBeatControl: number | null }[] };
        console.log(`${t.name} (${t.metric}, ${t.status}): ${r.sentence ?? 'not evaluated yet (the next brain run evaluates it)'}`);
        if (r.variants) console.log(table([['VARIANT', 'CLICKS', 'CONVERSIONS', 'VALUE'], ...r.variants.map((v) => [`${v.label}${v.control ? ' [control]' : ''}`, String(v.clicks), String(v.conversions), v.value === null ? '—' : v.value.toFixed(4)])]));
        if (r.comparisons?.length) console.log(table([['VS CONTROL', 'LIFT', 'P (FIXED)', 'P (SEQUENTIAL)', 'CHANCE TO BEAT'], ...r.comparisons.map((c) => [c.label, c.lift === null ? '—' : `${(c.lift * 100).toFixed(1)} %`, c.p.toFixed(4), c.sequentialP.toFixed(4), c.chanceToBeatControl === null ? '—' : `${(c.chanceToBeatControl * 100).toFixed(1)} %`])]));
      });
    });
  tests
    .command('stop <test>')
    .requiredOption('--client <slug>')
    .action(async (ref: string, o: { client: string }) => {
      await withClient(o.client, async ({ db, audit }, client) => {
        const { stopTest } = await import('../../splits/tests.ts');
        const t = await stopTest(db, client.id, ref);
        await audit({ action: 'split_test.stop', entityType: 'split_test', entityId: t.id, clientId: client.id, before: { status: 'running' }, after: { status: t.status } });
        console.log(`stopped test "${t.name}"`);
      });
    });
}

// A split test's fields as `tests create` takes them.
const TEST_FLAGS: Record<string, string> = { name: '<name>', metric: '--metric', variants: '--variant', control: '--control', startDate: '--start', minClicks: '--min-clicks', minConversions: '--min-conversions', link: '--link' };
