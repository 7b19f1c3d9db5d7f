// npm run bench:track (part 3) [-- --crash-seconds 5 --workers 32]
// Visits lost when `adbrain serve` dies during a click flood: the real server (built
// CLI) is flooded with clicks on /t/<code> over keep-alive connections and stopped
// with kill -9, then with SIGTERM; the clicks answered with a 302 are compared with
// the visits in the database. The bound: at most MAX_PENDING_VISITS (the writer's
// cap on unwritten visits), about 100 ms of clicks when the database keeps up;
// SIGTERM loses none.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDb, type Db } from '../src/db/client.ts';
import { addClient } from '../src/domain/clients.ts';
import { createCampaign, siteKeyOf } from '../src/tracking/campaigns.ts';
import { MAX_PENDING_VISITS } from '../src/tracking/visits.ts';
import { floodThenSignal } from '../test/helpers/serve-flood.ts';
import { openServerBenchDb, serverUrl } from './server-db.ts';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const SECONDS = arg('crash-seconds', 5);
const WORKERS = arg('workers', 32);

async function round(label: string, signal: NodeJS.Signals, open: () => Promise<{ db: Db; env: Record<string, string>; release: () => Promise<void>; done: () => Promise<void> }>) {
  const dir = await mkdtemp(path.join(tmpdir(), 'adbrain-bench-crash-'));
  const { db, env, release, done } = await open();
  try {
    const client = await addClient(db.prisma, { slug: `crash-${Date.now()}`, timezone: 'UTC' });
    const t = await createCampaign(db.prisma, client.id, { name: 'Flood', platform: 'tiktok', type: 'video', destinationUrl: 'https://shop.example/p', code: 'FLOOD' });
    const site = await siteKeyOf(db.prisma, client.id);
    await release(); // the embedded database is the server's alone
    const f = await floodThenSignal({ dir, link: `/t/FLOOD?s=${site}`, signal, floodMs: SECONDS * 1000, workers: WORKERS, env: { ADBRAIN_DATA_DIR: env.ADBRAIN_DATA_DIR ?? path.join(dir, 'data'), ADBRAIN_CLICK_LIMIT: '1000000', ADBRAIN_TRACK_SALT: 'bench-crash-salt-0123', ...env } });
    const again = await openDb({ databaseUrl: env.DATABASE_URL ?? null, dataDir: env.ADBRAIN_DATA_DIR ?? path.join(dir, 'data'), migrate: false });
    try {
      const stored = new Set((await again.sql.query<{ s: string }>('SELECT session_id AS s FROM visit WHERE campaign_id = $1::uuid', [t.id])).map((r) => r.s));
      const lost = f.answered.filter((a) => !stored.has(a.sid));
      const oldest = lost.length ? f.signalledAt - Math.min(...lost.map((a) => a.at)) : 0;
      console.log(`  ${label}, ${signal}: ${f.answered.length.toLocaleString('en-US')} clicks answered in ${SECONDS} s (${Math.round(f.answered.length / SECONDS).toLocaleString('en-US')}/s), ${lost.length} not written (${((100 * lost.length) / Math.max(1, f.answered.length)).toFixed(2)} %; bound ${MAX_PENDING_VISITS.toLocaleString('en-US')}), the oldest answered ${oldest} ms before the signal`);
    } finally {
      await again.close();
    }
  } finally {
    await done();
    await rm(dir, { recursive: true, force: true });
  }
}

console.log(`\nvisits lost when serve is stopped during a click flood (${WORKERS} keep-alive clickers)`);
for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
  await round('PGlite (embedded, on disk)', signal, async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'adbrain-bench-crash-data-'));
    const db = await openDb({ databaseUrl: null, dataDir, migrate: true });
    return { db, env: { ADBRAIN_DATA_DIR: dataDir }, release: () => db.close(), done: () => rm(dataDir, { recursive: true, force: true }) };
  });
  if (serverUrl) {
    await round('Postgres server', signal, async () => {
      const s = await openServerBenchDb();
      return { db: s.db, env: { DATABASE_URL: s.url }, release: async () => {}, done: s.done };
    });
  }
}
