import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addClient } from '../src/domain/clients.ts';
import { AppError } from '../src/errors.ts';
import { canTransition, entityPath, findInsight, transition } from '../src/insights/inbox.ts';
import { listInsights } from '../src/insights/list.ts';
import { freshDb, type TestDb } from './helpers/db.ts';

describe('insight inbox', () => {
  let db: TestDb;
  let clientId: string;
  let seq = 0;
  beforeAll(async () => {
    db = await freshDb('pglite');
    clientId = (await addClient(db.prisma, { slug: 'inbox' })).id;
  });
  afterAll(async () => db?.destroy());

  const insight = () =>
    db.prisma.insight.create({
      data: { clientId, type: 'burning', severity: 'high', title: `t${++seq}`, body: 'b', fingerprint: `f${seq}`, impactCents: 100n, confidence: 0.9 },
    });

  it('knows the allowed moves', () => {
    expect(canTransition('PENDING', 'start')).toBe(true);
    expect(canTransition('IN_PROGRESS', 'apply')).toBe(true);
    expect(canTransition('APPLIED', 'dismiss')).toBe(false);
    expect(canTransition('DISMISSED', 'reopen')).toBe(true);
    expect(canTransition('PENDING', 'reopen')).toBe(false);
  });

  it('PENDING → IN_PROGRESS → APPLIED, then reopened, each change an event with who, from, to and note', async () => {
    const i = await insight();
    const t0 = new Date('2026-11-22T10:00:00Z');
    await transition(db.prisma, i.id, 'start', { actor: 'ana', now: t0 });
    const applied = await transition(db.prisma, i.id, 'apply', { actor: 'ana', note: 'paused the link', now: new Date('2026-11-22T11:00:00Z') });
    expect(applied.status).toBe('APPLIED');
    expect(applied.resolvedAt).toEqual(new Date('2026-11-22T11:00:00Z'));
    const reopened = await transition(db.prisma, i.id, 'reopen', { actor: 'bo', note: 'link came back' });
    expect(reopened.status).toBe('PENDING');
    expect(reopened.resolvedAt).toBeNull();
    expect(reopened.events.map((e) => [e.actor, e.fromStatus, e.toStatus, e.note])).toEqual([
      ['ana', 'PENDING', 'IN_PROGRESS', null],
      ['ana', 'IN_PROGRESS', 'APPLIED', 'paused the link'],
      ['bo', 'APPLIED', 'PENDING', 'link came back'],
    ]);
  });

  it('refuses moves that make no sense, and leaves no event behind', async () => {
    const i = await insight();
    await transition(db.prisma, i.id, 'dismiss', { actor: 'ana', note: 'not ours' });
    const err = await transition(db.prisma, i.id, 'apply', { actor: 'ana' }).catch((e) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err.code).toBe('conflict');
    expect(err.message).toBe('cannot apply an insight that is DISMISSED (allowed from: PENDING, IN_PROGRESS)');
    expect(await db.prisma.insightEvent.count({ where: { insightId: i.id } })).toBe(1);
  });

  it('two simultaneous decisions: exactly one wins', async () => {
    const i = await insight();
    const results = await Promise.allSettled([
      transition(db.prisma, i.id, 'apply', { actor: 'ana' }),
      transition(db.prisma, i.id, 'dismiss', { actor: 'bo' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(await db.prisma.insightEvent.count({ where: { insightId: i.id } })).toBe(1);
  });

  it('finds insights by id prefix and lists them by status', async () => {
    const i = await insight();
    expect((await findInsight(db.prisma, i.id.slice(0, 8))).id).toBe(i.id);
    expect((await findInsight(db.prisma, i.id.toUpperCase())).id).toBe(i.id);
    await expect(findInsight(db.prisma, 'zz')).rejects.toThrow(/not an insight id/);
    await expect(findInsight(db.prisma, '00000000')).rejects.toThrow(/not found/);
    const other = (await addClient(db.prisma, { slug: 'other' })).id;
    await expect(findInsight(db.prisma, i.id, { clientId: other })).rejects.toThrow(/not found/);
    const { rows: pending } = await listInsights(db.sql, { clientId, status: 'PENDING' });
    expect(pending.map((p) => p.id)).toContain(i.id);
    expect(pending.every((p) => p.status === 'PENDING')).toBe(true);
  });

  it('lists most money first, pages with a total, and names entities by their parent path', async () => {
    const c = (await addClient(db.prisma, { slug: 'paging' })).id;
    const acct = await db.prisma.entity.create({ data: { clientId: c, platform: 'meta', kind: 'account', externalId: 'a', name: 'Acc' } });
    const camp = await db.prisma.entity.create({ data: { clientId: c, platform: 'meta', kind: 'campaign', externalId: 'c', name: 'Camp', parentId: acct.id } });
    const sets = await Promise.all(['Set A', 'Set B'].map((n) => db.prisma.entity.create({ data: { clientId: c, platform: 'meta', kind: 'adset', externalId: n, name: n, parentId: camp.id } })));
    const ads = await Promise.all(sets.map((set) => db.prisma.entity.create({ data: { clientId: c, platform: 'meta', kind: 'ad', externalId: `${set.name}/Ad 1`, name: 'Ad 1', parentId: set.id } })));
    const impacts = [500n, 90_000n, 1_200n, 40_000n, 7n];
    for (const [k, impactCents] of impacts.entries()) {
      await db.prisma.insight.create({ data: { clientId: c, entityId: ads[k % 2]!.id, type: 'burning', severity: 'high', title: `i${k}`, body: 'b', fingerprint: `p${k}`, impactCents, lastSeen: new Date(Date.UTC(2026, 10, 1 + k)) } });
    }
    const first = await listInsights(db.sql, { clientId: c, limit: 2 });
    expect(first.total).toBe(5);
    expect(first.rows.map((r) => Number(r.impactCents))).toEqual([90_000, 40_000]);
    const second = await listInsights(db.sql, { clientId: c, limit: 2, offset: 2 });
    expect(second.rows.map((r) => Number(r.impactCents))).toEqual([1_200, 500]);
    expect((await listInsights(db.sql, { clientId: c, sort: 'recent', limit: 1 })).rows[0]!.title).toBe('i4');
    expect(first.rows.map((r) => entityPath(r.entity!))).toEqual(['Acc › Camp › Set B › Ad 1', 'Acc › Camp › Set B › Ad 1']);
    expect(second.rows.map((r) => entityPath(r.entity!))).toEqual(['Acc › Camp › Set A › Ad 1', 'Acc › Camp › Set A › Ad 1']);
  });
});
