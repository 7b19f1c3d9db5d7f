// The real `adbrain serve` under a click flood, stopped by a signal mid-way: which
// clicks were answered (their session ids) and when. Used by serve-crash.test.ts and
// bench:track.
import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';

const UA = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15';

export const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });

/** Parallel clickers on keep-alive connections; each answered click is its session id and when it came back. */
export function flood(url: string, workers: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: workers });
  const answered: { sid: string; at: number }[] = [];
  let stop = false;
  const one = () =>
    new Promise<void>((resolve) => {
      const req = http.get(url, { agent, headers: { 'user-agent': UA } }, (res) => {
        res.resume();
        const sid = res.statusCode === 302 ? new URL(res.headers.location!).searchParams.get('adb_sid') : null;
        res.on('end', () => {
          if (sid) answered.push({ sid, at: Date.now() });
          resolve();
        });
      });
      req.on('error', () => {
        stop = true;
        resolve();
      });
    });
  const loops = Array.from({ length: workers }, async () => {
    while (!stop) await one();
  });
  return { answered, end: async () => {
    stop = true;
    await Promise.all(loops);
    agent.destroy();
  } };
}


/** Starts `adbrain serve` in dir, floods link for floodMs with workers clickers, sends signal; resolves once it exited. */
export async function floodThenSignal(o: { dir: string; env: Record<string, string>; link: string; signal: NodeJS.Signals; floodMs: number; workers: number }) {
  const port = await freePort();
  const child = spawn(process.execPath, [path.resolve('bin/adbrain.mjs'), 'serve', '--port', String(port)], {
    cwd: o.dir,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...o.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  await new Promise<void>((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (d) => {
      err += d;
      if (err.includes('adbrain serving on')) resolve();
    });
    child.on('exit', () => reject(new Error(`serve exited before listening: ${err}`)));
  });
  const f = flood(`http://127.0.0.1:${port}${o.link}`, o.workers);
  await new Promise((r) => setTimeout(r, o.floodMs));
  const signalledAt = Date.now();
  child.kill(o.signal);
  await exited;
  await f.end();
  return { answered: f.answered, signalledAt };
}
