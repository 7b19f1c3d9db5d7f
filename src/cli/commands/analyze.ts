import { type Command } from 'commander';
import { day, json } from '../options.ts';
import { getClientBySlug } from '../../domain/clients.ts';
import { money } from '../../reports/format.ts';
import { printJson } from '../output.ts';
import { withContext } from '../context.ts';
import { lastCompleteDay } from '../../time.ts';
import { summaryOf, type Group } from './index.ts';
import { brainProgress } from '../progress.ts';

export function register(program: Command, group: Group) {
  // ---- analyze ----------------------------------------------------------------------------
  program
    .command('analyze')
    .description(summaryOf('analyze'))
    .requiredOption('--client <slug>')
    .option('--as-of <date>', 'last day the brain may see (default: yesterday in the client timezone)', day)
    .addOption(json())
    .action(async (o) => {
      await withContext(async ({ db, config, audit }) => {
        const { checkAsOf } = await import('../../analysis/as-of.ts');
        const { runBrain } = await import('../../run/brain-run.ts');
        const { presentAnalysis } = await import('../../brain/present.ts');
        const client = await getClientBySlug(db.prisma, o.client);
        if (o.asOf) await checkAsOf(db, client, o.asOf, config.now(), { field: '--as-of' });
        const asOf = o.asOf ?? lastCompleteDay(client.timezone, config.now());
        await audit({ action: 'analysis.start', entityType: 'client', entityId: client.id, clientId: client.id, after: { asOf } });
        const progress = brainProgress(client.slug);
      const r = await runBrain(db, client, asOf, { now: config.now(), clock: () => performance.now(), onProgress: progress.onProgress, onWait: (m) => process.stderr.write(`adbrain: ${m}\n`) }).finally(() => progress.end());
        const entities = new Map((await db.prisma.entity.findMany({ where: { clientId: client.id } })).map((e) => [e.id, { id: e.id, kind: e.kind, externalId: e.externalId, name: e.name, platform: e.platform }]));
        const view = presentAnalysis(r.output, entities, client.currency);
        if (o.json) return printJson(view);
        console.log(`${client.name} as of ${asOf}: ${view.insights.length} insights, ${view.forecasts.length} entities forecast`);
        for (const i of view.insights.slice(0, 20)) {
          console.log(`  ${String(i.action?.rank ?? '-').padStart(3)}. [${i.severity}] ${i.type.padEnd(17)} ${i.title}  (impact ${money(i.impactCents, client.currency)}, confidence ${Math.round(i.confidence * 100)}%)`);
        }
        const tr = view.trackRecord;
        if (tr.source === 'backtest') console.log(tr.mase !== null ? `track record (backtest, last 8 weeks, ${tr.origins} weekly origins): MASE ${tr.mase}, 80% coverage ${tr.coverage} over ${tr.predictions} days forecast` : `track record: ${tr.insufficient ?? 'insufficient data'}`);
        else console.log(tr.predictions ? `track record: MASE ${tr.mase}, 80% coverage ${tr.coverage} over ${tr.predictions} scored predictions` : 'track record: no scored predictions yet');
      });
    });
}
