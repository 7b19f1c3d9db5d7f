// Exports on demand (exportCsv) and on a schedule: every week (Monday to Sunday,
// sent with the first day run after the Sunday) or month (sent after its last day),
// the chosen kinds as CSV attachments through the reports' sender, exactly once per
// period — one sender at a time holds the (schedule, period) lease and finds the
// delivery row sent or not, and Resend gets the idempotency key
// export:<schedule>:<period> on every attempt.
import { brandMessage } from '../branding/email.ts';
import { loadClientBrand } from '../branding/store.ts';
import { escapeHtml } from '../html-escape.ts';
import { withLease } from '../db/lease.ts';
import type { Db } from '../db/client.ts';
import { isEmail } from '../domain/schemas.ts';
import { AppError } from '../errors.ts';
import type { Attachment, Sender } from '../reports/senders.ts';
import { addDays, localDate, weekday } from '../time.ts';
import { EXPORT_KINDS, exportCsv, type ExportClient, type ExportKind } from './kinds.ts';

export { EXPORT_KINDS, exportCsv, type ExportKind } from './kinds.ts';

/** The days of an export: as asked, else the 30 days up to the client's yesterday. */
export function exportRange(client: { timezone: string }, q: { from?: string; to?: string }, now: Date): { from: string; to: string } {
  const to = q.to ?? addDays(localDate(client.timezone, now), -1);
  const from = q.from ?? addDays(to, -29);
  if (from > to) throw new AppError('invalid_input', `--from ${from} is after --to ${to}`, [{ path: 'query.from', message: 'must not be after to' }]);
  return { from, to };
}

export type Every = 'week' | 'month';

export interface ScheduleOut {
  id: string;
  every: Every;
  kinds: ExportKind[];
  recipients: string[];
  createdAt: string;
  lastPeriod: string | null;
}


export async function addSchedule(db: Db, clientId: string, input: { every: Every; kinds: ExportKind[]; recipients: string[] }, now = new Date()): Promise<ScheduleOut> {
  const bad = input.kinds.filter((k) => !(EXPORT_KINDS as readonly string[]).includes(k));
  if (!input.kinds.length || bad.length) throw new AppError('invalid_input', `kinds: ${bad.join(', ') || '(none)'} — choose from ${EXPORT_KINDS.join(', ')}`, [{ path: 'body.kinds', message: 'unknown kind' }]);
  const badTo = input.recipients.filter((r) => !isEmail(r));
  if (!input.recipients.length || badTo.length) throw new AppError('invalid_input', `recipients: ${badTo.join(', ') || '(none)'} ${badTo.length ? 'is not an email address' : 'needed'}`, [{ path: 'body.recipients', message: 'email addresses' }]);
  const s = await db.prisma.exportSchedule.create({ data: { clientId, every: input.every, kinds: [...new Set(input.kinds)], recipients: input.recipients, createdAt: now } });
  return out(s, null);
}

export async function listSchedules(db: Db, clientId: string): Promise<ScheduleOut[]> {
  const rows = await db.prisma.exportSchedule.findMany({ where: { clientId }, orderBy: { createdAt: 'asc' }, include: { deliveries: { where: { sentAt: { not: null } }, orderBy: { period: 'desc' }, take: 1 } } });
  return rows.map((s) => out(s, s.deliveries[0]?.period ?? null));
}

/** Removes one schedule (id or an 8+ character prefix) and answers what it was. */
export async function removeSchedule(db: Db, clientId: string, ref: string): Promise<ScheduleOut> {
  const rows = await db.prisma.exportSchedule.findMany({ where: { clientId } });
  const hit = rows.filter((s) => s.id === ref || (ref.length >= 8 && s.id.startsWith(ref)));
  if (hit.length !== 1) throw new AppError('not_found', `no scheduled export "${ref}" for this client (adbrain exports list --client …)`);
  await db.prisma.exportSchedule.delete({ where: { id: hit[0]!.id } });
  return out(hit[0]!, null);
}

const out = (s: { id: string; every: string; kinds: string[]; recipients: string[]; createdAt: Date }, lastPeriod: string | null): ScheduleOut => ({
  id: s.id, every: s.every as Every, kinds: s.kinds as ExportKind[], recipients: s.recipients, createdAt: s.createdAt.toISOString(), lastPeriod,
});

/** The latest complete period on or before `day` (a week ends on Sunday, a month on its last day). */
export function latestPeriod(every: Every, day: string): { from: string; to: string } {
  if (every === 'week') {
    // weekday(): Monday = 0 … Sunday = 6.
    const to = weekday(day) === 6 ? day : addDays(day, -(weekday(day) + 1));
    return { from: addDays(to, -6), to };
  }
  const next = addDays(day, 1);
  const to = next.slice(8) === '01' ? day : addDays(`${day.slice(0, 7)}-01`, -1);
  return { from: `${to.slice(0, 7)}-01`, to };
}

export interface DueResult {
  sent: { scheduleId: string; period: string; files: string[]; providerId: string }[];
  skipped: { scheduleId: string; period: string; why: string }[];
}

/** Sends every schedule's latest complete period up to `day` (the client's last complete day), once each. */
export async function sendDueExports(db: Db, client: ExportClient & { name: string }, day: string, opts: { sender: Sender; from: string }): Promise<DueResult> {
  const result: DueResult = { sent: [], skipped: [] };
  const schedules = await db.prisma.exportSchedule.findMany({ where: { clientId: client.id }, orderBy: { createdAt: 'asc' } });
  for (const s of schedules) {
    const p = latestPeriod(s.every as Every, day);
    const period = `${p.from}..${p.to}`;
    // The first period sent is the first to end after the schedule was made.
    if (p.to < addDays(localDate(client.timezone, s.createdAt), -1)) {
      result.skipped.push({ scheduleId: s.id, period, why: 'ended before the schedule was made' });
      continue;
    }
    // Held per schedule and period: a day run and `adbrain exports send` at once send it once.
    await withLease(db.sql, `export:${s.id}:${period}`, { waitMs: 300_000, what: `the ${s.every}ly export ${s.id} of ${period}` }, async () => {
      await db.prisma.exportDelivery.createMany({ data: [{ scheduleId: s.id, period }], skipDuplicates: true });
      const claim = await db.prisma.exportDelivery.findUniqueOrThrow({ where: { scheduleId_period: { scheduleId: s.id, period } } });
      if (claim.sentAt) {
        result.skipped.push({ scheduleId: s.id, period, why: 'already sent' });
        return;
      }
      const attachments: Attachment[] = [];
      const counts: string[] = [];
      for (const kind of s.kinds as ExportKind[]) {
        const parts: string[] = [];
        for await (const chunk of exportCsv(db, client, kind, p)) parts.push(chunk);
        const text = parts.join('');
        const lines = (text.match(/\r\n/g)?.length ?? 1) - 1;
        const filename = `${client.slug}-${kind}-${p.from}-${p.to}.csv`;
        attachments.push({ filename, content: Buffer.from(text, 'utf8'), contentType: 'text/csv; charset=utf-8' });
        counts.push(`${filename}: ${lines} rows`);
      }
      const label = s.every === 'week' ? 'Weekly' : 'Monthly';
      const subject = `${label} export: ${client.name} (${p.from} → ${p.to})`;
      const text = `${subject}\n\n${counts.join('\n')}\n\nMoney is in ${client.currency}; days are ${client.timezone} days.\n`;
      const html = `<p>${escapeHtml(subject)}</p><ul>${counts.map((c) => `<li>${escapeHtml(c)}</li>`).join('')}</ul><p>Money is in ${escapeHtml(client.currency)}; days are ${escapeHtml(client.timezone)} days.</p>`;
      const r = await opts.sender.send(brandMessage(await loadClientBrand(db, client.id), {
        idempotencyKey: `export:${s.id}:${period}`, from: opts.from, to: s.recipients, subject, html, text, attachments,
        outbox: { client: client.slug, date: p.to, stem: `export-${s.every}-${s.id.slice(0, 8)}` },
      }));
      await db.prisma.exportDelivery.update({ where: { scheduleId_period: { scheduleId: s.id, period } }, data: { sentAt: new Date(), provider: r.provider, providerId: r.providerId } });
      result.sent.push({ scheduleId: s.id, period, files: attachments.map((a) => a.filename), providerId: r.providerId });
    });
  }
  return result;
}

