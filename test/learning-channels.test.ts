// "Applied" is the same signal wherever it is said: from an email's signed link, the
// web inbox or the CLI, the insight gets the same status, the same applied day and
// stored forecast to be judged against, the same insight.status_changed webhook
// event — and the brain's learning (learnPriors over loadBrainInput) counts them alike.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkKey, signAction } from '../src/actions/tokens.ts';
import { createApp } from '../src/api/app.ts';
import { apiDeps } from '../src/api/server.ts';
import { loadBrainInput } from '../src/run/brain-run.ts';
import { learnPriors } from '../src/brain/curiosity/actions.ts';
import { loadConfig } from '../src/config.ts';
import { addAgency } from '../src/domain/agencies.ts';
import { addClient } from '../src/domain/clients.ts';
import { addUser } from '../src/domain/users.ts';
import { transition } from '../src/insights/inbox.ts';
import { startSession } from '../src/web/session.ts';
import { freshDb, type TestDb } from './helpers/db.ts';

const NOW = new Date('2026-12-07T10:00:00Z');
const ENC = randomBytes(32).toString('base64');

describe('applied from email, web and CLI teach the brain alike', () => {
  let db: TestDb;
  let app: ReturnType<typeof createApp>;
  const ids: string[] = [];
  let clientId = '';
  let agencyId = '';
  beforeAll(async () => {
    db = await freshDb('pglite');
    agencyId = (await addAgency(db.prisma, { slug: 'learn', name: 'Learn' })).id;
    const client = await addClient(db.prisma, { slug: 'shop', agency: 'learn', timezone: 'Europe/Berlin' });
    clientId = client.id;
    for (let k = 0; k < 4; k++) {
      const e = await db.prisma.entity.create({ data: { clientId, platform: 'tiktok', kind: 'link', externalId: `l${k}`, name: `Link ${k}` } });
      ids.push((await db.prisma.insight.create({ data: { clientId, entityId: e.id, type: 'burning', severity: 'critical', title: `Link ${k} burns`, body: 'b', fingerprint: `burning:${e.id}:2026-12-01`, impactCents: 10_000n, confidence: 0.95 } })).id);
    }
    await db.prisma.webhookEndpoint.create({ data: { agencyId, url: 'https://hooks.example/x', secret: 'x', events: ['insight.status_changed'] } });
    app = createApp(apiDeps(db, loadConfig({ ADBRAIN_ENCRYPTION_KEY: ENC }), () => NOW));
  });
  afterAll(async () => db?.destroy());

  it('three channels, one outcome', async () => {
    const key = linkKey(Buffer.from(ENC, 'base64'));
    const byEmail = async (insightId: string, action: 'apply' | 'dismiss') => {
      const t = signAction(key, { agencyId, clientId, insightId, entityId: null, action }, NOW);
      const page = await app.request(`/a/${t}`);
      const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())![1]!;
      const cookie = page.headers.get('set-cookie')!.split(';')[0]!;
      const res = await app.request(`/a/${t}`, { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ csrf }) });
      expect(res.status).toBe(200);
    };
    await byEmail(ids[0]!, 'apply');
    const user = await addUser(db.prisma, agencyId, { name: 'Ann', email: 'ann@learn.test', role: 'member' });
    const token = await startSession(db.prisma, { agencyId, userId: user.id }, NOW);
    const { csrf } = await db.prisma.webSession.findFirstOrThrow({ where: { userId: user.id } });
    const web = await app.request(`/app/insights/${ids[1]}/act`, { method: 'POST', headers: { cookie: `adbrain_session=${token}`, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ csrf, action: 'apply' }) });
    expect(web.status).toBe(303);
    await transition(db.prisma, ids[2]!, 'apply', { actor: 'cli:ops', now: NOW });
    await byEmail(ids[3]!, 'dismiss');

    const rows = await db.prisma.insight.findMany({ where: { id: { in: ids.slice(0, 3) } }, include: { events: true } });
    expect(rows.map((r) => r.events[0]!.actor).sort()).toEqual(['cli:ops', 'email link', 'web:ann@learn.test']);
    for (const r of rows) {
      expect(r.status).toBe('APPLIED');
      expect(r.appliedOn?.toISOString().slice(0, 10)).toBe('2026-12-07'); // Berlin's day
      expect(Object.keys(r.appliedBasis as object).sort()).toEqual(Object.keys(rows[0]!.appliedBasis as object).sort());
    }
    // The agency's receivers hear of each, the same way.
    expect(await db.prisma.webhookDelivery.count({ where: { eventType: 'insight.status_changed' } })).toBe(4);
    const input = await loadBrainInput(db, await db.prisma.client.findUniqueOrThrow({ where: { id: clientId } }), '2026-12-06', NOW);
    expect(learnPriors(input.insights).get('pause')).toMatchObject({ applied: 3, dismissed: 1, acceptRate: (1 + 3) / (2 + 4) });
  });
});
