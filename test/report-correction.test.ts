// A day's report made again after the data or the settings changed: `report --date D
// --rerender` (into the outbox) and `--send-correction` (emailed once more, marked
// as a correction, under its own idempotency key). The original stays in the log;
// a retried correction is never a second email. (Before, "already delivered … not
// sent again" was the only answer.)
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addClient } from '../src/domain/clients.ts';
import { importCsv } from '../src/import/import-csv.ts';
import { deliverDailyReport, remakeDailyReport, reportKey } from '../src/reports/daily-report.ts';
import { outboxSender, type OutgoingEmail, type Sender } from '../src/reports/senders.ts';
import { cli } from './helpers/cli.ts';
import { dbKinds, freshDb, type TestDb } from './helpers/db.ts';

const DAY = '2026-11-30';
const NOW = new Date('2026-12-01T09:00:00Z');
const csv = (revenue: string) => `date,platform,account,campaign,adset,ad,link,spend,impressions,clicks,conversions,revenue\n${DAY},meta,Acc,Camp,Set,Ad,,100.00,5000,120,4,${revenue}\n`;

describe.each(dbKinds)('re-making a report (%s)', (kind) => {
  let db: TestDb;
  beforeAll(async () => {
    db = await freshDb(kind);
  });
  afterAll(async () => db?.destroy());

  it('a correction is sent under its own key with the new numbers; the original stays; a failed one is retried under the same key', async () => {
    const c = await addClient(db.prisma, { slug: 'corrected', timezone: 'UTC', recipients: ['owner@corrected.example'] });
    await importCsv(db, Buffer.from(csv('150.00')), 'first.csv', { clientSlug: 'corrected', now: NOW });
    const sent: OutgoingEmail[] = [];
    let failNext = false;
    const resend: Sender = {
      name: 'resend',
      async send(msg) {
        if (failNext) {
          failNext = false;
          throw new Error('Resend answered 503');
        }
        sent.push(msg);
        return { provider: 'resend', providerId: `em_${sent.length}` };
      },
    };
    const opts = { sender: resend, from: 'r@adbrain.example', now: NOW };
    expect((await deliverDailyReport(db, c, DAY, opts)).status).toBe('delivered');
    expect((await deliverDailyReport(db, c, DAY, opts)).status).toBe('already-delivered');
    // The revenue is corrected by a later import.
    await importCsv(db, Buffer.from(csv('420.00')), 'fixed.csv', { clientSlug: 'corrected', now: NOW });
    const later = { ...opts, now: new Date('2026-12-02T10:00:00Z') };
    failNext = true;
    await expect(remakeDailyReport(db, c, DAY, later)).rejects.toThrow(/503/);
    const r = await remakeDailyReport(db, c, DAY, later);
    expect(r.correction).toBe(1);
    expect(sent).toHaveLength(2);
    const [original, correction] = sent;
    expect(correction!.idempotencyKey).toBe(`correction:${c.id}:${DAY}:1`);
    expect(correction!.idempotencyKey).not.toBe(original!.idempotencyKey);
    expect(correction!.subject).toMatch(/^Correction: /);
    expect(correction!.text).toMatch(/corrected report: it replaces the one sent on 2026-12-01/);
    expect(original!.text).toContain('$150.00');
    expect(correction!.text).toContain('$420.00');
    expect(correction!.attachments.map((a) => a.filename)).toEqual(['report-correction-1.pdf']);
    const rows = await db.prisma.report.findMany({ where: { clientId: c.id }, orderBy: { createdAt: 'asc' } });
    expect(rows.map((x) => [x.kind, x.status, x.idempotencyKey])).toEqual([['daily', 'sent', reportKey(c.id, DAY)], ['correction', 'sent', `correction:${c.id}:${DAY}:1`]]);
    // Asked again: a second correction, its own key.
    expect((await remakeDailyReport(db, c, DAY, later)).correction).toBe(2);
    expect(sent.at(-1)!.idempotencyKey).toBe(`correction:${c.id}:${DAY}:2`);
  });

  it('--rerender writes the correction to the outbox next to the original; --send-correction needs Resend', { timeout: 120_000 }, async () => {
    if (kind !== 'pglite') return; // the CLI runs on its own embedded folder
    const dir = await mkdtemp(path.join(tmpdir(), 'adbrain-correction-'));
    const run = cli(() => dir);
    expect((await run(['clients', 'add', 'shop', '--timezone', 'UTC'])).code).toBe(0);
    await import('node:fs/promises').then((fs) => fs.writeFile(path.join(dir, 'a.csv'), csv('150.00')));
    expect((await run(['import', 'a.csv', '--client', 'shop'])).code).toBe(0);
    const first = await run(['report', '--client', 'shop', '--date', DAY]);
    expect(first.out).toMatch(/written to/);
    const again = await run(['report', '--client', 'shop', '--date', DAY]);
    expect(again.out).toMatch(/already delivered .* --rerender/);
    const re = await run(['report', '--client', 'shop', '--date', DAY, '--rerender']);
    expect(re.code).toBe(0);
    expect(re.out).toMatch(/correction 1 written to .*correction-1\.eml/);
    const files = await readdir(path.join(dir, 'outbox', 'shop', DAY));
    expect(files).toEqual(expect.arrayContaining(['report.html', 'report.pdf', 'correction-1.html', 'correction-1.txt', 'report-correction-1.pdf', 'correction-1.eml']));
    expect(await readFile(path.join(dir, 'outbox', 'shop', DAY, 'correction-1.txt'), 'utf8')).toMatch(/corrected report/);
    const send = await run(['report', '--client', 'shop', '--date', DAY, '--send-correction']);
    expect(send.code).not.toBe(0);
    expect(send.err).toMatch(/RESEND_API_KEY/);
  });

  it('outbox rerender of a day never reported still works, as correction 1', async () => {
    const c = await addClient(db.prisma, { slug: 'never-sent', timezone: 'UTC' });
    const out = await mkdtemp(path.join(tmpdir(), 'adbrain-outbox-'));
    const r = await remakeDailyReport(db, c, DAY, { sender: outboxSender(out), from: 'r@adbrain.example', now: NOW });
    expect(r).toMatchObject({ correction: 1, provider: 'outbox' });
  });
});
