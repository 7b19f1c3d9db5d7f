import { type Command, Option } from 'commander';
import { anyCaseChoice, int, json } from '../options.ts';
import { clientRowBySlug } from '../../domain/clients.ts';
import { money } from '../../reports/format.ts';
import { entityPath, listInsights } from '../../insights/list.ts';
import { printJson, table } from '../output.ts';
import { cliActor, withContext } from '../context.ts';
import type { Group } from './index.ts';

export function register(program: Command, group: Group) {
  // ---- insights inbox --------------------------------------------------------------------
  const insightsCmd = group('insights');
  insightsCmd
    .command('list')
    .option('--client <slug>')
    .addOption(anyCaseChoice('--status <status>', '', ['PENDING', 'IN_PROGRESS', 'APPLIED', 'DISMISSED', 'RESOLVED']))
    .option('--limit <n>', 'at most this many', int, 200)
    .option('--offset <n>', 'skip this many (paging)', int, 0)
    .addOption(new Option('--sort <order>', 'impact: most money first; recent: last seen first').choices(['impact', 'recent']).default('impact'))
    .addOption(json())
    .action(async (o) => {
      await withContext(async ({ db }) => {
        const client = o.client ? await clientRowBySlug(db.sql, o.client) : null;
        const { rows, total } = await listInsights(db.sql, { clientId: client?.id, status: o.status, limit: o.limit, offset: o.offset, sort: o.sort });
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
            since: i.since, firstSeen: i.firstSeen, lastSeen: i.lastSeen,
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
      }, { light: true });
    });
  insightsCmd
    .command('snooze <id>')
    .description('remind me later: out of the report\'s "act now" and its alerts held back for N days (default 7); it stays open')
    .option('--days <n>', 'how many days', int, 7)
    .option('--note <text>')
    .option('--actor <name>', 'who is acting (default: the OS user)')
    .addOption(json())
    .action(async (id, o) => {
      await withContext(async ({ db, audit }) => {
        const { findInsight, snoozeInsight } = await import('../../insights/inbox.ts');
        const insight = await findInsight(db.prisma, id);
        const r = await snoozeInsight(db.prisma, insight.id, { actor: o.actor ?? cliActor().name, days: o.days, note: o.note });
        await audit({ action: 'insight.snoozed', entityType: 'insight', entityId: insight.id, clientId: insight.clientId, before: { snoozedUntil: insight.snoozedUntil }, after: { snoozedUntil: r.until, note: o.note ?? null } });
        if (o.json) return printJson({ id: insight.id, status: r.insight.status, snoozedUntil: r.until });
        console.log(`${insight.id.slice(0, 8)} snoozed until ${r.until}: ${insight.title}`);
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
          const { findInsight, transition } = await import('../../insights/inbox.ts');
        const insight = await findInsight(db.prisma, id);
          const actor = o.actor ?? cliActor().name;
          const updated = await transition(db.prisma, insight.id, action, { actor, note: o.note });
          await audit({ action: 'insight.status_changed', entityType: 'insight', entityId: insight.id, clientId: insight.clientId, before: { status: insight.status }, after: { status: updated.status, note: o.note ?? null } });
          if (o.json) return printJson(updated);
          console.log(`${updated.id.slice(0, 8)} ${insight.status} → ${updated.status}: ${updated.title}`);
        });
      });
  }
}

function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
