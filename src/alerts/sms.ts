// Critical alerts by SMS: each burning or budget alert, once it is emailed, is
// texted to the client's numbers with its one-line summary and its signed link (kill
// for a burning link or ad, else the inbox). Exactly once per alert and number: a
// row is claimed (alert, number) before Twilio is called, so a retried or parallel
// check finds it and sends nothing. At most `smsPerDay` per number and local day;
// none in the client's quiet hours — those are held and sent at the first check
// after the quiet hours end (within 12 hours; older ones expire). Every outcome,
// failures with Twilio's code and message, stays in the alert's record (alert_sms).
import { loadClientBrand } from '../branding/store.ts';
import type { Db } from '../db/client.ts';
import { SmsError, type SmsSender } from '../sms/twilio.ts';
import { localDate } from '../time.ts';

/** The alerts worth a text: money burning now, or the day's spend over its line (not winners). */
export const SMS_RULES = new Set(['burning', 'budget']);
const HELD_FOR_HOURS = 12;
const STALE_SENDING_MS = 10 * 60_000;

export const isE164 = (s: string) => /^\+[1-9]\d{7,14}$/.test(s);

/** "22-07" → quiet from 22:00 to 06:59 local; "off" → never. */
export function parseQuietHours(s: string): { from: number; to: number } | null {
  if (s === 'off') return null;
  const m = /^([01]?\d|2[0-3])-([01]?\d|2[0-3])$/.exec(s);
  if (!m) throw new Error(`quiet hours: expected HH-HH (e.g. 22-07) or off, got "${s}"`);
  return { from: Number(m[1]), to: Number(m[2]) };
}

export function isQuiet(quiet: string, timeZone: string, at: Date): boolean {
  const q = parseQuietHours(quiet);
  if (!q || q.from === q.to) return false;
  const hour = Number(new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', hourCycle: 'h23' }).format(at));
  return q.from < q.to ? hour >= q.from && hour < q.to : hour >= q.from || hour < q.to;
}

export interface SmsClient {
  id: string;
  name: string;
  slug: string;
  timezone: string;
  smsNumbers: string[];
  smsPerDay: number;
  smsQuietHours: string;
}

export interface SmsAlert {
  alertId: string;
  rule: string;
  headline: string;
  /** The signed link (kill) or the inbox. */
  url: string;
}

export interface SmsOutcome {
  alertId: string;
  to: string;
  status: 'sent' | 'failed' | 'held' | 'capped' | 'expired';
  error?: string;
}

/** "<sender> · <client>: <headline>" and the link; the sender is the brand's name (adbrain's unless white-labelled). */
export function smsBody(client: { name: string }, a: { headline: string; url: string }, sender = 'adbrain'): string {
  const line = `${client.name}: ${a.headline}`;
  return `${sender} · ${line.length > 150 ? `${line.slice(0, 149)}…` : line}\n${a.url}`;
}

/**
 * Texts the alerts of one check (only SMS_RULES), and sends what quiet hours held
 * back if they are over. `sender` null: Twilio is not configured — recorded as a
 * failure on each alert, so the gap is visible, never silent.
 */
export async function textAlerts(db: Db, client: SmsClient, alerts: SmsAlert[], sender: SmsSender | null, now: Date): Promise<SmsOutcome[]> {
  const numbers = [...new Set(client.smsNumbers)].filter(isE164);
  if (numbers.length === 0) return [];
  const day = localDate(client.timezone, now);
  const quiet = isQuiet(client.smsQuietHours, client.timezone, now);
  // A process that stopped between Twilio and the database: whether it went out is unknown; never re-sent.
  await db.sql.query(`UPDATE alert_sms SET status = 'unknown', error = 'the sending process stopped before Twilio answered', updated_at = $2 WHERE client_id = $1::uuid AND status = 'sending' AND updated_at < $3`, [client.id, now, new Date(now.getTime() - STALE_SENDING_MS)]);

  const due = alerts.filter((a) => SMS_RULES.has(a.rule));
  const claimed: { id: string; alert_id: string; to: string; body: string }[] = [];
  if (due.length) {
    const { name: sender } = await loadClientBrand(db, client.id);
    const rows = due.flatMap((a) => numbers.map((to) => ({ a, to })));
    // The claim: one row per (alert, number), ever.
    claimed.push(...(await db.sql.query<{ id: string; alert_id: string; to: string; body: string }>(
      `INSERT INTO alert_sms (alert_id, client_id, "to", day, status, body, created_at, updated_at)
       SELECT a, $1::uuid, t, $2::date, $3, b, $4, $4 FROM unnest($5::uuid[], $6::text[], $7::text[]) AS u(a, t, b)
       ON CONFLICT (alert_id, "to") DO NOTHING RETURNING id::text, alert_id::text, "to", body`,
      [client.id, day, quiet ? 'held' : 'sending', now, rows.map((r) => r.a.alertId), rows.map((r) => r.to), rows.map((r) => smsBody(client, r.a, sender))],
    )));
  }
  const out: SmsOutcome[] = quiet ? claimed.map((c) => ({ alertId: c.alert_id, to: c.to, status: 'held' as const })) : [];
  if (quiet) return out;

  // Quiet hours are over: what they held goes now (if still fresh), with today's new ones.
  const held = await db.sql.query<{ id: string; alert_id: string; to: string; body: string; fresh: boolean }>(
    `UPDATE alert_sms SET status = CASE WHEN created_at >= $2 THEN 'sending' ELSE 'expired' END, day = $3::date, updated_at = $4
      WHERE client_id = $1::uuid AND status = 'held' RETURNING id::text, alert_id::text, "to", body, status = 'sending' AS fresh`,
    [client.id, new Date(now.getTime() - HELD_FOR_HOURS * 3_600_000), day, now],
  );
  for (const h of held) if (!h.fresh) out.push({ alertId: h.alert_id, to: h.to, status: 'expired' });
  for (const c of [...held.filter((h) => h.fresh), ...claimed]) {
    const [{ n } = { n: 0 }] = await db.sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM alert_sms WHERE "to" = $1 AND day = $2::date AND status IN ('sent', 'unknown') AND id <> $3::uuid`,
      [c.to, day, c.id],
    );
    if (n >= client.smsPerDay) {
      await db.sql.query(`UPDATE alert_sms SET status = 'capped', error = $2, updated_at = $3 WHERE id = $1::uuid`, [c.id, `${client.smsPerDay} texts to this number today already`, now]);
      out.push({ alertId: c.alert_id, to: c.to, status: 'capped' });
      continue;
    }
    if (!sender) {
      const error = 'SMS is not configured: set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM';
      await db.sql.query(`UPDATE alert_sms SET status = 'failed', error = $2, updated_at = $3 WHERE id = $1::uuid`, [c.id, error, now]);
      out.push({ alertId: c.alert_id, to: c.to, status: 'failed', error });
      continue;
    }
    try {
      const r = await sender.send(c.to, c.body);
      await db.sql.query(`UPDATE alert_sms SET status = 'sent', provider_id = $2, updated_at = $3 WHERE id = $1::uuid`, [c.id, r.sid, now]);
      out.push({ alertId: c.alert_id, to: c.to, status: 'sent' });
    } catch (err) {
      const error = err instanceof SmsError ? err.message : `SMS failed: ${(err as Error).message}`;
      await db.sql.query(`UPDATE alert_sms SET status = 'failed', error = $2, updated_at = $3 WHERE id = $1::uuid`, [c.id, error, now]);
      out.push({ alertId: c.alert_id, to: c.to, status: 'failed', error });
    }
  }
  return out;
}
