// The CLI beside a running `adbrain serve` on the embedded database: instead of
// "in use by process …", commands run in the server (its Unix socket and key in the
// data folder) with their own output, --json and exit codes; relative file paths are
// the caller's; the audit log says the change came through serve; a wrong key is
// refused; once the server stops (or dies), commands run on their own again.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, TEST_NOW } from './helpers/cli.ts';

const bin = path.resolve('bin/adbrain.mjs');

describe('the CLI beside a running server (embedded database)', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'adbrain-beside-'));
  const run = cli(() => dir);
  let server: ChildProcess | null = null;
  let log = '';

  async function startServe() {
    log = '';
    server = spawn(process.execPath, [bin, 'serve', '--port', '0'], { cwd: dir, env: { PATH: process.env.PATH, HOME: process.env.HOME, ADBRAIN_DATA_DIR: path.join(dir, 'data'), ADBRAIN_NOW: TEST_NOW } });
    server.stderr!.on('data', (d) => (log += d));
    server.stdout!.on('data', (d) => (log += d));
    const t0 = Date.now();
    while (!/run through this server/.test(log)) {
      if (Date.now() - t0 > 60_000) throw new Error(`serve did not start: ${log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const stop = async (signal: NodeJS.Signals) => {
    const s = server!;
    server = null;
    await new Promise((r) => {
      s.once('exit', r);
      s.kill(signal);
    });
  };

  beforeAll(async () => {
    expect((await run(['clients', 'add', 'gsales', '--timezone', 'UTC'])).code).toBe(0);
    await startServe();
  });
  afterAll(async () => {
    if (server) await stop('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('commands work through the server: output, --json, exit codes, relative paths, audit', async () => {
    const list = await run(['clients', 'list']);
    expect(list).toMatchObject({ code: 0 });
    expect(list.out).toMatch(/gsales/);
    expect(list.err).not.toMatch(/in use by/);
    const json = await run(['clients', 'list', '--json']);
    expect(JSON.parse(json.out)).toEqual([expect.objectContaining({ slug: 'gsales' })]);
    const missing = await run(['links', 'list', '--client', 'nope', '--json']);
    expect(missing.code).toBe(2);
    expect(JSON.parse(missing.out)).toMatchObject({ error: { code: 'not_found' } });
    // A file named relative to the caller's folder (the server runs elsewhere).
    mkdirSync(path.join(dir, 'exports'), { recursive: true });
    writeFileSync(path.join(dir, 'exports', 'day.csv'), 'date,platform,campaign,ad,link,spend,impressions,clicks,conversions,revenue\n2026-12-01,tiktok,C,Ad1,https://go.example/l/a,100,1000,50,1,20\n2026-12-02,tiktok,C,Ad1,https://go.example/l/a,100,1000,50,1,20\n');
    const imported = await run(['import', 'exports/day.csv', '--client', 'gsales']);
    expect(imported.code, imported.err).toBe(0);
    expect(imported.out).toMatch(/imported 2 of 2 rows/);
    // The id `links list` prints is the one `links kill` takes.
    const links = await run(['links', 'list', '--client', 'gsales']);
    const id = /link\s+https:\/\/go\.example\/l\/a.*\s([0-9a-f]{8})\s*$/m.exec(links.out)![1]!;
    expect((await run(['links', 'kill', id, '--client', 'gsales'])).out).toMatch(/killed/);
    const out = await run(['links', 'list', '--client', 'gsales', '--json']);
    expect(JSON.parse(out.out).links.find((l: { id: string }) => l.id.startsWith(id)).killed).toBe(true);
    const users = await run(['users', 'add', 'ann@x.test', '--agency', 'default', '--name', 'Ann', '--role', 'member'], { ADBRAIN_ACTOR: 'ann-laptop' });
    expect(users.code).toBe(0);
    const audit = await run(['audit', '--json']);
    expect(JSON.parse(audit.out).data).toEqual(expect.arrayContaining([expect.objectContaining({ action: 'user.create', actor: { kind: 'cli', id: null, name: 'ann-laptop (through serve)' } })]));
    // The server still serves HTTP meanwhile.
    expect(log).toMatch(/adbrain serving on/);
  });

  it('the socket is this user\'s only: mode 0600, and a request without the key is refused', async () => {
    const sock = path.join(dir, 'data', 'adbrain.sock');
    const key = path.join(dir, 'data', 'cli-socket.key');
    const { statSync } = await import('node:fs');
    expect(statSync(key).mode & 0o777).toBe(0o600);
    expect(statSync(sock).mode & 0o077).toBe(0);
    const answer = await new Promise<string>((resolve) => {
      const c = net.createConnection(sock, () => c.write(`${JSON.stringify({ key: 'guess', argv: ['clients', 'list'] })}\n`));
      let got = '';
      c.on('data', (d) => (got += d));
      c.on('close', () => resolve(got));
    });
    expect(answer).toMatch(/wrong key/);
    expect(answer).not.toMatch(/gsales/);
    expect(readFileSync(key, 'utf8').trim()).toMatch(/^[\w-]{43}$/);
  });

  it('after the server stops, or dies, commands run on their own again', async () => {
    await stop('SIGTERM');
    expect(existsSync(path.join(dir, 'data', 'adbrain.sock'))).toBe(false);
    const alone = await run(['clients', 'list']);
    expect(alone.code).toBe(0);
    expect(alone.out).toMatch(/gsales/);
    await startServe();
    await stop('SIGKILL'); // a dead server leaves its socket and lock behind
    expect(existsSync(path.join(dir, 'data', 'adbrain.sock'))).toBe(true);
    const after = await run(['clients', 'list']);
    expect(after.code, after.err).toBe(0);
    expect(after.out).toMatch(/gsales/);
  });
});

describe('paths sent to the server are the caller\'s', () => {
  it('resolves --out, --names, --token-file and existing positional files against the caller\'s folder; leaves the rest', async () => {
    const { absolutePaths } = await import('../src/cli/remote.ts');
    const cwd = mkdtempSync(path.join(tmpdir(), 'adbrain-paths-'));
    writeFileSync(path.join(cwd, 'f.csv'), 'x');
    expect(absolutePaths(['import', 'f.csv', '--client', 'gsales', '--names', 'n.csv', '--out=r/x.csv', '--token-file', '/abs/t', '--to', '2026-12-01', 'missing.csv'], cwd)).toEqual([
      'import', path.join(cwd, 'f.csv'), '--client', 'gsales', '--names', path.join(cwd, 'n.csv'), `--out=${path.join(cwd, 'r/x.csv')}`, '--token-file', '/abs/t', '--to', '2026-12-01', 'missing.csv',
    ]);
    rmSync(cwd, { recursive: true, force: true });
  });
});
