// One process per embedded data folder: a second one is refused naming the holder;
// a lock left by a killed process is taken over; the folder is private to its user.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireFolderLock, processStartTicks } from '../src/db/folder-lock.ts';
import { TEST_NOW } from './helpers/cli.ts';

const bin = path.resolve('bin/adbrain.mjs');
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
});

function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

const staleLock = (file: string, pid: number, startTicks: string | null = null) =>
  writeFileSync(file, JSON.stringify({ pid, host: hostname(), command: 'adbrain run', startedAt: '2026-01-01T00:00:00Z', startTicks, token: 'old' }));

describe('folder lock', () => {
  it('refuses a second holder, naming it, and frees the folder on release', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'adbrain-lock-'));
    const file = path.join(dir, 'adbrain.lock');
    const a = acquireFolderLock(file, dir, 'adbrain serve');
    expect(() => acquireFolderLock(file, dir, 'adbrain run')).toThrow(/in use by this process \("adbrain serve"/);
    a.release();
    expect(existsSync(file)).toBe(false);
    acquireFolderLock(file, dir, 'adbrain run').release();
  });

  it('takes over a lock whose process is gone, or whose pid now belongs to another process', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'adbrain-lock-'));
    const file = path.join(dir, 'adbrain.lock');
    staleLock(file, deadPid());
    acquireFolderLock(file, dir).release();
    // Our own pid, but a different start time: the pid was reused after the holder died.
    if (processStartTicks(process.pid) !== null) {
      staleLock(file, process.pid, '1');
      acquireFolderLock(file, dir).release();
    }
    // A live holder on another machine cannot be checked: it is respected.
    writeFileSync(file, JSON.stringify({ pid: 1, host: 'elsewhere', command: 'adbrain serve', startedAt: 'x', startTicks: null, token: 't' }));
    expect(() => acquireFolderLock(file, dir)).toThrow(/process 1 \("adbrain serve", since x on elsewhere\)/);
  });

  it('lets exactly one of several racing processes take over a stale lock', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'adbrain-lock-'));
    const file = path.join(dir, 'adbrain.lock');
    staleLock(file, deadPid());
    const script = `
      const { acquireFolderLock } = await import(${JSON.stringify(path.resolve('src/db/folder-lock.ts'))});
      try { acquireFolderLock(${JSON.stringify(file)}, 'x', 'racer'); console.log('won'); setTimeout(() => {}, 1500); }
      catch (e) { console.log('refused'); }`;
    const runs = Array.from({ length: 6 }, () =>
      new Promise<string>((resolve) => {
        const c = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        c.stdout!.on('data', (d) => (out += d));
        c.on('close', () => resolve(out.trim()));
      }),
    );
    const outcomes = await Promise.all(runs);
    expect(outcomes.filter((o) => o === 'won')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'refused')).toHaveLength(5);
  });
});

describe('two real adbrain processes on one data folder', { timeout: 120_000 }, () => {
  it('refuses the second with the holder named, and recovers after kill -9', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'adbrain-2proc-'));
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, ADBRAIN_DATA_DIR: path.join(cwd, 'data'), ADBRAIN_NOW: TEST_NOW };
    const serve = spawn(process.execPath, [bin, 'serve', '--port', '0'], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(serve);
    await new Promise<void>((resolve, reject) => {
      let err = '';
      serve.stderr!.on('data', (d) => {
        err += d;
        if (/serving on/.test(err)) resolve();
      });
      serve.on('exit', (code) => reject(new Error(`serve exited ${code}: ${err}`)));
    });

    // A second server is refused, naming the first (other commands run through it: cli-beside-serve.test.ts).
    const second = spawnSync(process.execPath, [bin, 'serve', '--port', '0'], { cwd, env, encoding: 'utf8', timeout: 60_000 });
    expect(second.status).toBe(2);
    expect(second.stderr).toContain(`in use by process ${serve.pid} ("adbrain serve --port 0"`);
    expect(second.stderr).toMatch(/stop that process, or set DATABASE_URL/);
    expect(second.stderr.trim().split('\n')).toHaveLength(1);

    // Private: no group or other bits anywhere in the data folder.
    const dataDir = env.ADBRAIN_DATA_DIR;
    const loose = [dataDir, ...readdirSync(dataDir, { recursive: true }).map((p) => path.join(dataDir, String(p)))]
      .filter((p) => (statSync(p).mode & 0o077) !== 0);
    expect(loose).toEqual([]);

    serve.kill('SIGKILL');
    await new Promise((r) => serve.once('exit', r));
    const after = spawnSync(process.execPath, [bin, 'clients', 'list', '--json'], { cwd, env, encoding: 'utf8', timeout: 60_000 });
    expect(after.stderr).toBe('');
    expect(after.status).toBe(0);
    expect(JSON.parse(after.stdout)).toEqual([]);
    expect(existsSync(path.join(dataDir, 'adbrain.lock'))).toBe(false);
  });
});
