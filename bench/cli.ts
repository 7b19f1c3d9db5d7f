// npm run bench:cli — how fast the `adbrain` command answers, as a user runs it:
// each command's median wall time over 7 runs and its peak memory (max RSS of the
// process), next to `node -e 0` measured in the same run. A scratch data folder
// holds an agency, three clients, a key and a day of insights (embedded database).
// Targets: --help, --version, clients list, keys list, insights list, db status
// under 0.5 s and 150 MB.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'bin/adbrain.mjs');
const dir = mkdtempSync(path.join(tmpdir(), 'adbrain-bench-cli-'));
// Each measured process writes its own peak RSS when it exits (no external `time`).
const probe = path.join(root, 'bench/rss-probe.mjs');
const env = { PATH: process.env.PATH, HOME: process.env.HOME, ADBRAIN_DATA_DIR: path.join(dir, 'data'), ADBRAIN_OUTBOX_DIR: path.join(dir, 'outbox') };

function run(args: string[], measure = false): { ms: number; rssMb: number; code: number | null; out: string } {
  const rssOut = path.join(dir, 'rss');
  const t0 = performance.now();
  const r = spawnSync(process.execPath, measure ? ['--import', probe, ...args] : args, { cwd: dir, env: { ...env, RSS_OUT: rssOut }, encoding: 'utf8' });
  const ms = performance.now() - t0;
  const rssMb = measure ? Number(readFileSync(rssOut, 'utf8')) / 1024 : 0;
  return { ms, rssMb, code: r.status, out: `${r.stdout}${r.stderr}` };
}

const setup = (args: string[]) => {
  const r = run([bin, ...args]);
  if (r.code !== 0) throw new Error(`adbrain ${args.join(' ')} failed: ${r.out}`);
};
setup(['agencies', 'add', 'bench']);
for (const c of ['alpha', 'beta', 'gamma']) setup(['clients', 'add', c, '--agency', 'bench']);
setup(['keys', 'create', '--agency', 'bench', '--role', 'admin']);
setup(['demo', '--days', '60']);
setup(['run', '--client', 'demo-shop']);

const commands: [string, string[]][] = [
  ['node -e 0', ['-e', '0']],
  ['adbrain --help', [bin, '--help']],
  ['adbrain --version', [bin, '--version']],
  ['adbrain clients list', [bin, 'clients', 'list']],
  ['adbrain keys list', [bin, 'keys', 'list', '--agency', 'bench']],
  ['adbrain insights list', [bin, 'insights', 'list', '--client', 'demo-shop']],
  ['adbrain db status', [bin, 'db', 'status']],
];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rows: { name: string; ms: number; rss: number }[] = [];
for (const [name, args] of commands) {
  run(args, true); // warm the file cache
  const ms: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < 7; i++) {
    const r = run(args, true);
    if (r.code !== 0) throw new Error(`${name} exited ${r.code}: ${r.out}`);
    ms.push(r.ms);
    rss.push(r.rssMb);
  }
  rows.push({ name, ms: median(ms), rss: Math.max(...rss) });
}
const base = rows[0]!;
console.log(`bench:cli (${process.platform}, node ${process.version}; bin/adbrain.mjs runs the dist/ build made ${readFileSync(path.join(root, 'dist/BUILT'), 'utf8').trim()})`);
console.log('command                   median     peak RSS   vs node -e 0   target (0.5 s, 150 MB)');
for (const r of rows) {
  const ok = r === base ? '' : r.ms < 500 && r.rss < 150 ? 'ok' : 'OVER';
  console.log(`${r.name.padEnd(24)} ${`${Math.round(r.ms)} ms`.padStart(8)} ${`${Math.round(r.rss)} MB`.padStart(11)}   ${`${(r.ms / base.ms).toFixed(1)}× / ${(r.rss / base.rss).toFixed(1)}×`.padStart(12)}   ${ok}`);
}
rmSync(dir, { recursive: true, force: true });
if (rows.some((r) => r !== base && (r.ms >= 500 || r.rss >= 150))) process.exitCode = 1;
