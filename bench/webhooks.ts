// npm run bench:webhooks [-- --events 10000]
// Fan-out of N events to a loopback receiver (a child process) through the real path:
// emitEvent (a delivery row each) → runDueDeliveries (signing, POST, attempt log, status)
// until none are due. Prints deliveries/s and the p50 / p99 end-to-end latency (event
// recorded → receiver has it), against a baseline of bare signed POSTs of the same
// bodies from this process (no database) in the same run. PGlite always; Postgres too
// with TEST_DATABASE_URL.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Db } from '../src/db/client.ts';
import { addAgency } from '../src/domain/agencies.ts';
import { addClient } from '../src/domain/clients.ts';
import { runDueDeliveries } from '../src/webhooks/deliver.ts';
import { addEndpoint } from '../src/webhooks/endpoints.ts';
import { emitEvent } from '../src/webhooks/events.ts';
import { signedHeaders } from '../src/webhooks/signing.ts';
import { onEachDb } from './server-db.ts';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const EVENTS = arg('events', 10_000);

// The receiver: answers 200 and reports, per webhook-id, when it got it (ms since epoch).
const child = spawn(process.execPath, ['-e', `
  const http = require('node:http');
  const got = [];
  const s = http.createServer((req, res) => { req.resume(); req.on('end', () => { got.push(req.headers['webhook-id'] + ' ' + Date.now()); res.writeHead(200); res.end('ok'); }); });
  s.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ port: s.address().port }) + '\\n'));
  process.stdin.on('data', () => { process.stdout.write(JSON.stringify({ got }) + '\\n'); got.length = 0; });
`], { stdio: ['pipe', 'pipe', 'inherit'] });
const lines: string[] = [];
let buf = '';
const waiters: ((s: string) => void)[] = [];
child.stdout!.on('data', (d) => {
  buf += d;
  for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
    const line = buf.slice(0, i);
    buf = buf.slice(i + 1);
    const w = waiters.shift();
    if (w) w(line);
    else lines.push(line);
  }
});
const next = () => new Promise<string>((r) => (lines.length ? r(lines.shift()!) : waiters.push(r)));
const { port } = JSON.parse(await next()) as { port: number };
const url = `http://127.0.0.1:${port}/hook`;
const received = async (): Promise<Map<string, number>> => {
  child.stdin!.write('x');
  const { got } = JSON.parse(await next()) as { got: string[] };
  return new Map(got.map((g) => g.split(' ') as [string, string]).map(([id, t]) => [id, Number(t)]));
};
const pct = (xs: number[], p: number) => xs.sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

async function bench(label: string, db: Db) {
  const key = randomBytes(32);
  const agency = await addAgency(db.prisma, { slug: `bench-hooks-${Date.now()}`, name: 'Bench' });
  const client = await addClient(db.prisma, { slug: `bench-hooks-${Date.now()}`, agency: agency.slug });
  const { secret } = await addEndpoint(db, key, agency.id, { url }, true);
  // Baseline: the same number of signed POSTs, 8 at a time, no database.
  const body = JSON.stringify({ type: 'alert.sent', data: { headline: 'x'.repeat(200) } });
  const t0 = performance.now();
  let sent = 0;
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (sent < EVENTS) {
      const id = `msg_base_${sent++}`;
      const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...signedHeaders([secret], id, Math.floor(Date.now() / 1000), body) } });
      await res.text();
    }
  }));
  const baseMs = performance.now() - t0;
  await received();

  const t1 = performance.now();
  for (let i = 0; i < EVENTS; i++) await emitEvent(db, { clientId: client.id, type: 'alert.sent', now: new Date(), data: { n: i, headline: 'x'.repeat(200) } });
  const emitMs = performance.now() - t1;
  const o = { key, now: () => new Date(), allowPrivate: true, timeoutMs: 10_000 };
  const sweepStart = Date.now();
  for (;;) {
    const r = await runDueDeliveries(db, o, 500);
    if (r.attempted === 0) break;
  }
  const wholeMs = performance.now() - t1;
  const got = await received();
  const rows = await db.prisma.webhookDelivery.findMany({ where: { endpoint: { agencyId: agency.id } }, select: { messageId: true, createdAt: true, status: true } });
  // From the moment the sweeper starts on the backlog to the receiver having each.
  const lat = rows.map((r) => got.get(r.messageId)! - sweepStart).filter((x) => Number.isFinite(x));
  const deliverMs = wholeMs - emitMs;
  const ok = rows.filter((r) => r.status === 'succeeded').length;
  const errs = await db.prisma.webhookAttempt.groupBy({ by: ['error'], where: { delivery: { endpoint: { agencyId: agency.id } }, error: { not: null } }, _count: true });
  const byStatus = await db.prisma.webhookDelivery.groupBy({ by: ['status', 'attempts'], where: { endpoint: { agencyId: agency.id } }, _count: true });
  if (ok !== EVENTS) console.log(`  deliveries by status: ${byStatus.map((b) => `${b._count} ${b.status} after ${b.attempts}`).join(', ')} of ${rows.length}`);
  if (errs.length) console.log(`  attempts that failed (retried on schedule): ${errs.map((e) => `${e._count} × ${e.error}`).join('; ')}`);
  console.log(`\n[${label}] ${EVENTS.toLocaleString()} events to one loopback endpoint`);
  console.log(`  bare signed POSTs (baseline)  ${Math.round(EVENTS / (baseMs / 1000)).toLocaleString().padStart(7)} /s`);
  console.log(`  recorded (emitEvent)          ${Math.round(EVENTS / (emitMs / 1000)).toLocaleString().padStart(7)} /s`);
  console.log(`  delivered + logged (sweeper)  ${Math.round(EVENTS / (deliverMs / 1000)).toLocaleString().padStart(7)} /s  (${ok.toLocaleString()} delivered, ${(deliverMs / 1000).toFixed(1)} s) = ${(baseMs / deliverMs).toFixed(2)} × baseline`);
  console.log(`  whole path                    ${Math.round(EVENTS / (wholeMs / 1000)).toLocaleString().padStart(7)} /s  (${(wholeMs / 1000).toFixed(1)} s)`);
  console.log(`  time to delivery of the backlog, from the sweep's start: p50 ${pct(lat, 50)} ms · p99 ${pct(lat, 99)} ms`);
}

try {
  await onEachDb('adbrain-bench-webhooks', (label, db) => bench(label, db));
} finally {
  child.kill();
}
