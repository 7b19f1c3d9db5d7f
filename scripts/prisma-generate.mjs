// Generates the Prisma client at install time without network access.
// `prisma generate` never runs the schema engine, but the CLI insists on finding
// one; pointing it at node itself (any executable) keeps it from downloading.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let cli;
try {
  cli = require.resolve('prisma/build/index.js');
} catch {
  console.log('adbrain: prisma CLI not installed (production install?), skipping client generation');
  process.exit(0);
}
if (!existsSync('prisma/schema.prisma')) process.exit(0);

const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
  CHECKPOINT_DISABLE: '1',
};
const r = spawnSync(process.execPath, [cli, 'generate', '--schema', 'prisma/schema.prisma'], {
  stdio: 'inherit',
  env,
});
process.exit(r.status ?? 1);
