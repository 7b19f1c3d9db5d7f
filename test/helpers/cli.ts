// Runs the real `adbrain` binary in a folder of its own (its embedded database in
// ./data there), with only the environment a test gives it.
import { spawn } from 'node:child_process';
import path from 'node:path';

const bin = path.resolve('bin/adbrain.mjs');

/** The moment every CLI child of the suite runs at: tests never read the wall clock. */
export const TEST_NOW = '2026-12-03T08:40:00Z';

export type CliResult = { code: number | null; out: string; err: string };

export function cli(cwd: () => string, env: () => Record<string, string> = () => ({})) {
  return (args: string[], extra: Record<string, string> = {}, stdin = '') =>
    new Promise<CliResult>((resolve) => {
      const p = spawn(process.execPath, [bin, ...args], { cwd: cwd(), env: { PATH: process.env.PATH, HOME: process.env.HOME, ADBRAIN_DATA_DIR: path.join(cwd(), 'data'), ADBRAIN_NOW: TEST_NOW, ...env(), ...extra } });
      let out = '', err = '';
      p.stdout.on('data', (d) => (out += d));
      p.stderr.on('data', (d) => (err += d));
      p.on('close', (code) => resolve({ code, out, err }));
      p.stdin.end(stdin);
    });
}
