// CLI: what a client (or one campaign) is judged by.
import { InvalidArgumentError, type Command } from 'commander';
import { describeObjective, OBJECTIVE_KINDS, type Objective } from '../../brain/objective.ts';
import { getClientBySlug, updateClient } from '../../domain/clients.ts';
import { toMinorUnits } from '../../domain/currency.ts';
import { describeObjectives, findCampaign, objectiveSettings, setCampaignObjective } from '../../domain/objectives.ts';
import { AppError } from '../../errors.ts';
import { money } from '../../reports/format.ts';
import { withContext } from '../context.ts';
import { json } from '../options.ts';
import { printJson } from '../output.ts';

const kindArg = (v: string) => {
  if (!OBJECTIVE_KINDS.includes(v as Objective['kind'])) throw new InvalidArgumentError(`expected one of: ${OBJECTIVE_KINDS.join(', ')}`);
  return v as Objective['kind'];
};

export function registerObjectiveCommand(clients: Command) {
  clients
    .command('objective')
    .description('what the client is judged by: revenue (ROI / ROAS), leads (CPA against --target-cpa) or value (conversions × --value); without a kind, shows it')
    .argument('<slug>', 'the client')
    .argument('[kind]', `${OBJECTIVE_KINDS.join(' | ')}`, kindArg)
    .option('--target-cpa <amount>', 'target cost per lead, in the client currency (leads)')
    .option('--value <amount>', 'value of one conversion, in the client currency (value)')
    .option('--campaign <name|id>', 'set it for one campaign only (its ads and links follow it)')
    .option('--clear', 'with --campaign: judge the campaign by the client\'s objective again')
    .addOption(json())
    .action(async (slug: string, kind: Objective['kind'] | undefined, o) => {
      await withContext(async ({ db, audit }) => {
        const c = await getClientBySlug(db.prisma, slug);
        const $ = (cents: number) => money(cents, c.currency);
        if (kind || o.clear) {
          if (o.clear && !o.campaign) throw new AppError('invalid_input', '--clear needs --campaign (the client always has an objective)');
          const amount = (v: string | undefined, flag: string) => (v === undefined ? null : toMinorUnits(v, c.currency, flag));
          const next: Objective | null = o.clear ? null : {
            kind: kind!,
            targetCpaCents: amount(o.targetCpa, '--target-cpa'),
            valuePerConversionCents: amount(o.value, '--value'),
          };
          if (o.campaign) {
            const target = await findCampaign(db.prisma, c.id, o.campaign);
            const was = objectiveSettings(c).campaignObjectives[target.id] ?? null;
            await setCampaignObjective(db.prisma, c.id, target.id, next);
            await audit({ action: next ? 'campaign.objective_set' : 'campaign.objective_cleared', entityType: 'campaign', entityId: target.id, clientId: c.id, before: was, after: next });
          } else {
            const u = await updateClient(db.prisma, c.id, {
              objective: next!.kind,
              ...(next!.targetCpaCents !== null && { targetCpaCents: next!.targetCpaCents }),
              ...(next!.valuePerConversionCents !== null && { valuePerConversionCents: next!.valuePerConversionCents }),
            });
            await audit({ action: 'client.update', entityType: 'client', entityId: c.id, clientId: c.id, before: objectiveSettings(c).objective, after: objectiveSettings(u).objective });
          }
        }
        const fresh = await getClientBySlug(db.prisma, slug);
        const d = await describeObjectives(db.prisma, fresh);
        if (o.json) return printJson({ client: fresh.slug, currency: fresh.currency, ...d });
        console.log(`${fresh.slug} is judged by ${describeObjective(d, $)}`);
        for (const x of d.campaigns) console.log(`  campaign ${x.campaign ?? x.campaignId}: ${describeObjective(x, $)}`);
      });
    });
}
