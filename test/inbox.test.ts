import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addClient } from '../src/domain/clients.ts';
import { AppError } from '../src/errors.ts';
import { canTransition, findInsight, listInsights, transition } from '../src/insights/inbox.ts';
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
    const pending = await listInsights(db.prisma, { clientId, status: 'PENDING' });
    expect(pending.map((p) => p.id)).toContain(i.id);
    expect(pending.every((p) => p.status === 'PENDING')).toBe(true);
  });
});
