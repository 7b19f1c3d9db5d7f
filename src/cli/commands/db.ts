import { type Command } from 'commander';
import { json } from '../options.ts';
import { migrate, migrationStatus } from '../../db/migrate.ts';
import { printJson } from '../output.ts';
import { withContext } from '../context.ts';
import type { Group } from './index.ts';

export function register(program: Command, group: Group) {
  // ---- db -------------------------------------------------------------------------
  const db = group('db');
  db.command('migrate')
    .description('apply pending migrations (embedded database or DATABASE_URL)')
    .addOption(json())
    .action(async (o) => {
      await withContext(async ({ db }) => {
        const r = await migrate(db.sql);
        if (o.json) printJson({ database: db.kind, ...r });
        else if (r.applied.length) console.log(`applied ${r.applied.length} migration(s) to ${db.location}: ${r.applied.join(', ')}`);
        else console.log(`${db.location} is up to date (${r.alreadyApplied} migration(s) applied)`);
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
      }, { migrate: false, light: true });
    });
}
