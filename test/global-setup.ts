// The suite runs the `adbrain` binary as users do: from the ahead-of-time build.
// Compiled once before the tests so they see the sources as they are now (a stale
// build would not be used — bin/adbrain.mjs falls back to the sources, slowly).
import { spawnSync } from 'node:child_process';

export default function setup() {
  const r = spawnSync(process.execPath, ['scripts/build.mjs', '--quiet'], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('scripts/build.mjs failed: the CLI tests would run a stale or missing build');
}
