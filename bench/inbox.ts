// npm run bench:inbox [-- --insights 10000]
// The web inbox with 10,000 insights over 40 clients (a third with an entity and
// two parents): the time to serve a page of /app/inbox (signed in, HTML rendered)
// at the first page, page 20 and the last page (keyset paging), filtered by client
// and by type; against a baseline measured in the same run: the same page of the
// REST API (GET /v1/insights, JSON, same size). Target: every page < 300 ms on the
// embedded database. PGlite on disk always; Postgres too with TEST_DATABASE_URL.
import { randomBytes } from 'node:crypto';
import { createApp } from '../src/api/app.ts';
import { apiDeps } from '../src/api/server.ts';
import { loadConfig } from '../src/config.ts';
import type { Db } from '../src/db/client.ts';
import { addAgency } from '../src/domain/agencies.ts';
import { createApiKey } from '../src/domain/api-keys.ts';
import { startSession } from '../src/web/session.ts';
import { INBOX_PAGE_SIZE } from '../src/web/inbox-page.ts';
import { onEachDb } from './server-db.ts';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const N = arg('insights', 10_000);
const CLIENTS = 40;
const TARGET_MS = 300;
const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function seed(db: Db) {
  const agency = await addAgency(db.prisma, { slug: 'bench-inbox', name: 'Bench Inbox' });
  await db.sql.query(
    `INSERT INTO client (id, agency_id, slug, name, timezone, currency, updated_at)
     SELECT gen_random_uuid(), $1::uuid, 'c' || g, 'Client ' || g, 'UTC', 'USD', now() FROM generate_series(1, $2::int) g`,
    [agency.id, CLIENTS],
  );
  // Per client: an account › campaign › link chain for a third of its insights.
  await db.sql.query(
    `WITH c AS (SELECT id FROM client WHERE agency_id = $1::uuid),
          a AS (INSERT INTO entity (id, client_id, platform, kind, external_id, name, updated_at) SELECT gen_random_uuid(), id, 'tiktok', 'account', 'acc', 'Account', now() FROM c RETURNING id, client_id),
          k AS (INSERT INTO entity (id, client_id, platform, kind, external_id, name, parent_id, updated_at) SELECT gen_random_uuid(), client_id, 'tiktok', 'campaign', 'cmp', 'Campaign', id, now() FROM a RETURNING id, client_id)
     INSERT INTO entity (id, client_id, platform, kind, external_id, name, parent_id, updated_at) SELECT gen_random_uuid(), client_id, 'tiktok', 'link', 'l' || g, 'Link ' || g, k.id, now() FROM k, generate_series(1, 20) g`,
    [agency.id],
  );
  await db.sql.query(
    `WITH c AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM client WHERE agency_id = $1::uuid),
          e AS (SELECT id, client_id, row_number() OVER (PARTITION BY client_id ORDER BY id) AS n FROM entity WHERE kind = 'link')
     INSERT INTO insight (id, client_id, entity_id, type, severity, title, body, fingerprint, impact_cents, confidence, status, payload)
     SELECT gen_random_uuid(), c.id, CASE WHEN g % 3 = 0 THEN e.id END, (ARRAY['burning','winner','fatigue','anomaly','action'])[1 + g % 5], 'high', 'Insight ' || g, 'b', 'fp-' || g,
            (g * 7919) % 5000000, 0.9, (ARRAY['PENDING','PENDING','PENDING','IN_PROGRESS','APPLIED','DISMISSED'])[1 + g % 6]::"InsightStatus", '{}'::jsonb
       FROM generate_series(1, $2::int) g JOIN c ON c.n = 1 + g % $3::int
       LEFT JOIN e ON e.client_id = c.id AND e.n = 1 + g % 20`,
    [agency.id, N, CLIENTS],
  );
  return agency;
}

async function bench(label: string, db: Db) {
  const agency = await seed(db);
  const app = createApp(apiDeps(db, loadConfig({ ADBRAIN_ENCRYPTION_KEY: randomBytes(32).toString('base64') })));
  const { key } = await createApiKey(db.prisma, agency.id, { name: 'bench', role: 'member' });
  const cookie = `adbrain_session=${await startSession(db.prisma, { agencyId: agency.id, apiKeyId: (await db.prisma.apiKey.findFirstOrThrow({ where: { agencyId: agency.id } })).id }, new Date())}`;
  const web = async (url: string) => {
    const res = await app.request(url, { headers: { cookie } });
    const html = await res.text();
    if (res.status !== 200) throw new Error(`${url}: ${res.status} ${html.slice(0, 200)}`);
    return html;
  };
  const api = async (url: string) => {
    const res = await app.request(url, { headers: { authorization: `Bearer ${key}` } });
    if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
    return (await res.json()) as { nextCursor: string | null };
  };
  // The URLs of page 1, 20 and the last page, followed as a user would (every "Next page").
  const webPages: string[] = [];
  for (let url: string | null = '/app/inbox?status=all'; url; ) {
    webPages.push(url);
    const next: string | undefined = /<a rel="next" href="([^"]+)"/.exec(await web(url))?.[1];
    url = next ? next.replace(/&amp;/g, '&') : null;
  }
  const apiPages: string[] = [];
  for (let url: string | null = `/v1/insights?limit=${INBOX_PAGE_SIZE}`; url; ) {
    apiPages.push(url);
    const { nextCursor }: { nextCursor: string | null } = await api(url);
    url = nextCursor ? `/v1/insights?limit=${INBOX_PAGE_SIZE}&cursor=${nextCursor}` : null;
  }
  const time = async (f: () => Promise<unknown>) => {
    const xs: number[] = [];
    for (let k = 0; k < 7; k++) {
      const t = performance.now();
      await f();
      xs.push(performance.now() - t);
    }
    return median(xs);
  };
  console.log(`\n${label}: ${N} insights, ${CLIENTS} clients, ${webPages.length} pages of ${INBOX_PAGE_SIZE} (${apiPages.length} through the API)`);
  console.log('page                               web ms   API ms   web/API   < 300 ms');
  const cases: [string, string, string][] = [
    ['first page', webPages[0]!, apiPages[0]!],
    ['page 20', webPages[19]!, apiPages[19]!],
    ['last page', webPages.at(-1)!, apiPages.at(-1)!],
    ['one client, open', '/app/inbox?client=c7', `/v1/insights?limit=${INBOX_PAGE_SIZE}&clientId=c7`],
    ['type burning, open', '/app/inbox?type=burning', `/v1/insights?limit=${INBOX_PAGE_SIZE}&type=burning`],
  ];
  let worst = 0;
  for (const [name, w, a] of cases) {
    const tw = await time(() => web(w));
    const ta = await time(() => api(a));
    worst = Math.max(worst, tw);
    console.log(`${name.padEnd(32)} ${tw.toFixed(1).padStart(8)} ${ta.toFixed(1).padStart(8)} ${(tw / ta).toFixed(2).padStart(9)}   ${tw < TARGET_MS ? 'yes' : 'NO'}`);
  }
  console.log(`worst web page: ${worst.toFixed(1)} ms (target < ${TARGET_MS} ms): ${worst < TARGET_MS ? 'met' : 'NOT met'}`);
}

await onEachDb('adbrain-bench-inbox', bench);
