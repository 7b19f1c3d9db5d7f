import { snoozedFingerprints } from '../insights/inbox.ts';
import { alertActionLinks, alertsActionLinks, type ActionLinkSigner } from '../actions/links.ts';
import { createHash } from 'node:crypto';
// One alert check for one client (run after every sync): evaluate the rules on
// the check window, apply the cooldown / escalation / two-checks policy, and
// send each alert that earns it exactly once. An Alert row's fingerprint is
// the email's idempotency key, so a retried check never sends a second email.
import type { Db } from '../db/client.ts';
import { emitEvent, emitEvents, type NewEvent } from '../webhooks/events.ts';
import { renderAlertDigestHtml, renderAlertHtml } from '../reports/render-html.tsx';
import type { Sender } from '../reports/senders.ts';
import { localDate } from '../time.ts';
import { accountBudgetConditions, decide, evaluate, type Condition, type Verdict } from './rules.ts';
import { loadVerdicts } from '../run/verdicts.ts';
import { provisionalFrom } from '../sources/sync.ts';
import { lookOf } from '../branding/brand.ts';
import { brandMessage } from '../branding/email.ts';
import { loadBrand } from '../branding/store.ts';
import { buildAlertView, renderAlertText, type AlertView } from './view.ts';
import { buildDigestView, digestCsv, digestOrder, DIGEST_CSV, DIGEST_FROM, DIGEST_SHOWN, renderDigestText } from './digest.ts';
import { countsInTotals } from '../domain/entities.ts';
import { withLease } from '../db/lease.ts';
import { SMS_RULES, textAlerts, type SmsOutcome } from './sms.ts';
import type { SmsSender } from '../sms/twilio.ts';

/** Days back the daily-spend line looks for the latest day with spend. */
const BUDGET_LOOKBACK_DAYS = 3;
/** The state row that remembers when the client's previous check ran. */
const CHECK_MARKER = { rule: 'check', subject: 'client' };

export interface AlertClient {
  id: string;
  agencyId: string;
  slug: string;
  name: string;
  currency: string;
  timezone: string;
  recipients: string[];
  burnRoiBelow: unknown;
  burnMinSpendCents: bigint;
  winRoiAbove: unknown;
  winMinRevenueCents: bigint;
  dailySpendAlertCents: bigint | null;
  alertCooldownHours: number;
  alertConsecutiveCheck: boolean;
  /** Critical alerts by SMS (src/alerts/sms.ts). */
  smsNumbers?: string[];
  smsPerDay?: number;
  smsQuietHours?: string;
  objective?: string;
  targetCpaCents?: bigint | null;
  valuePerConversionCents?: bigint | null;
  campaignObjectives?: unknown;
}

export interface AlertCheckResult {
  client: string;
  /** Alerts judge today so far (intraday syncs update today's row): `to` is the client's local today. */
  window: { from: string; to: string; todaySoFar: true };
  sent: { rule: string; entity: string; level: number; why: string; providerId: string }[];
  suppressed: { rule: string; entity: string; level: number; why: string }[];
  /** Texts of this check (and of alerts quiet hours held back), when the client has SMS numbers. */
  sms?: SmsOutcome[];
}

const fingerprint = (clientId: string, c: Condition, day: string) => `alert:${clientId}:${c.rule}:${c.subject}:${day}:L${c.level}`;

export interface AlertCheckOptions {
  now: Date;
  sender: Sender;
  from: string;
  /** How long to wait for another check of the same client to finish (default 2 minutes). */
  waitMs?: number;
  /** Told when another check of the client is running and this one waits for it. */
  onWait?: (message: string) => void;
  /** Signs the alert's kill / apply / dismiss buttons; absent: no buttons. */
  links?: ActionLinkSigner;
  /** Texts critical alerts to the client's numbers; null: SMS not configured (recorded as failures); absent: no texts. */
  sms?: SmsSender | null;
}

/**
 * Checks one client, holding its alert-check lease: the Inngest check after a sync,
 * the day run's and `adbrain alerts check` may overlap, and two checks reading the
 * same unsent alerts would both send them (and both tell the webhooks). The second
 * waits for the first, then finds them sent.
 */
export async function checkAlerts(db: Db, client: AlertClient, opts: AlertCheckOptions): Promise<AlertCheckResult> {
  return withLease(
    db.sql,
    `alerts:${client.id}`,
    { waitMs: opts.waitMs ?? 120_000, what: `the alert check of ${client.slug}`, onWait: opts.onWait },
    () => check(db, client, opts),
  );
}

async function check(db: Db, client: AlertClient, opts: AlertCheckOptions): Promise<AlertCheckResult> {
  const { now } = opts;
  // Intraday syncs update today's row, so the window ends today (local). The
  // verdicts read the brain's look-back; the daily-spend line reads today.
  const to = localDate(client.timezone, now);
  const { series, settings, byId } = await loadVerdicts(db.sql, client, to);
  const from = series.start;
  const verdicts: Verdict[] = [...byId.values()].map(({ e, o, ev }) => ({
    entity: { id: e.entity.id, name: e.entity.name, kind: e.entity.kind, platform: e.entity.platform, killed: e.entity.status === 'killed', objective: o },
    evidence: ev,
    since: series.dayOf(ev.since),
  }));
  // The latest day's spend on what counts toward the client's totals (no store, no
  // mirrored campaign): today, or — before today's first sync — the day before it.
  const spendOn = (i: number) => {
    let sum = 0;
    for (const e of series.byId.values()) if (e.leaf && e.entity.platform !== 'shopify' && countsInTotals(e.entity)) sum += e.spendCents[i]!;
    return sum;
  };
  const last = series.length - 1;
  let latestDaySpend = 0;
  for (let i = last; i >= Math.max(0, last - (BUDGET_LOOKBACK_DAYS - 1)) && !(latestDaySpend > 0); i--) latestDaySpend = spendOn(i);
  // Accounts with a budget of their own: their spend since the 1st of this (local) month.
  const monthStart = Math.max(0, last - (Number(to.slice(8, 10)) - 1));
  const accounts = [...series.byId.values()]
    .filter((e) => e.entity.kind === 'account' && e.entity.platform !== 'shopify' && (e.entity.budgetCents ?? 0) > 0)
    .map((e) => {
      let spent = 0;
      for (let i = monthStart; i <= last; i++) spent += e.spendCents[i]!;
      return { entity: { id: e.entity.id, name: e.entity.name, kind: e.entity.kind, platform: e.entity.platform, killed: false }, spentCents: spent, budgetCents: e.entity.budgetCents!, month: to.slice(0, 7) };
    });
  const conditions = [...accountBudgetConditions(accounts), ...evaluate(verdicts, latestDaySpend, {
    burnRoiBelow: settings.burnRoiBelow,
    burnMinSpendCents: settings.burnMinSpendCents,
    winRoiAbove: settings.winRoiAbove,
    winMinRevenueCents: settings.winMinRevenueCents,
    dailySpendAlertCents: client.dailySpendAlertCents === null ? null : Number(client.dailySpendAlertCents),
  })];

  const states = new Map(
    (await db.prisma.alertState.findMany({ where: { clientId: client.id } })).map((s) => [`${s.rule}:${s.subject}`, s]),
  );
  const prevCheck = states.get(`${CHECK_MARKER.rule}:${CHECK_MARKER.subject}`)?.lastSeenAt ?? null;
  const result: AlertCheckResult = { client: client.slug, window: { from, to, todaySoFar: true }, sent: [], suppressed: [] };
  const policy = { cooldownHours: client.alertCooldownHours, consecutive: client.alertConsecutiveCheck };

  // Per platform, the days it may still restate (the check window is recent by design).
  const settling = conditions.length ? await provisionalFrom(db, client.id, now) : {};
  const settlingOf = (c: Condition) => {
    const s = c.entity ? settling[c.entity.platform] : undefined;
    return s !== undefined && s <= to ? s : undefined;
  };
  const due: { c: Condition; why: string }[] = [];
  const seen: { rule: string; subject: string; streak: number }[] = [];
  // Insights the user snoozed ("remind me in a week"): their alerts wait too.
  const snoozed = conditions.length ? await snoozedFingerprints(db.prisma, client.id, to) : new Set<string>();
  for (const c of conditions) {
    const state = states.get(`${c.rule}:${c.subject}`) ?? null;
    if (c.entity && c.since && snoozed.has(`${c.rule}:${c.entity.id}:${c.since}`)) {
      seen.push({ rule: c.rule, subject: c.subject, streak: state?.streak ?? 0 });
      result.suppressed.push({ rule: c.rule, entity: c.entity.name, level: c.level, why: 'snoozed' });
      continue;
    }
    const seenLastCheck = Boolean(state?.lastSeenAt && prevCheck && state.lastSeenAt.getTime() >= prevCheck.getTime());
    const d = decide(c.level, state, seenLastCheck, now, policy);
    seen.push({ rule: c.rule, subject: c.subject, streak: d.streak });
    if (d.send) due.push({ c, why: d.why });
    else result.suppressed.push({ rule: c.rule, entity: c.entity?.name ?? client.name, level: c.level, why: d.why });
  }
  // One statement for every sighting, one for every send: an account with a thousand
  // burning links is two round trips, not two thousand.
  await recordSeen(db, client.id, seen, now);

  // A few conditions: an email each. Many at once: one digest (alerts/digest.ts).
  const providerIds: string[] = [];
  if (due.length >= DIGEST_FROM) providerIds.push(...(await sendDigest(db, client, due, { from, to }, settlingOf, opts)));
  else for (const { c, why } of due) providerIds.push(await sendOnce(db, client, c, to, c.since ?? to, why, opts, settlingOf(c)));
  await recordSent(db, client.id, due.map(({ c }) => c), now);
  for (const [i, { c, why }] of due.entries()) result.sent.push({ rule: c.rule, entity: c.entity?.name ?? client.name, level: c.level, why, providerId: providerIds[i]! });
  if (opts.sms !== undefined && client.smsNumbers?.length) result.sms = await textDue(db, client, due.map(({ c }) => c), to, opts);

  // Conditions not seen this time (their state was not touched at `now`) have cleared: their streak starts again.
  await db.prisma.alertState.updateMany({
    where: { clientId: client.id, rule: { not: CHECK_MARKER.rule }, streak: { gt: 0 }, OR: [{ lastSeenAt: null }, { lastSeenAt: { lt: now } }] },
    data: { streak: 0 },
  });
  await db.prisma.alertState.upsert({
    where: { clientId_rule_subject: { clientId: client.id, ...CHECK_MARKER } },
    update: { lastSeenAt: now },
    create: { clientId: client.id, ...CHECK_MARKER, lastSeenAt: now },
  });
  return result;
}

/** The emailed alerts that earn a text, with the headline the email had and their first signed button (kill), else the inbox. */
async function textDue(db: Db, client: AlertClient, due: Condition[], day: string, opts: AlertCheckOptions): Promise<SmsOutcome[]> {
  const eligible = due.filter((c) => SMS_RULES.has(c.rule));
  const rows = eligible.length ? await db.prisma.alert.findMany({ where: { fingerprint: { in: eligible.map((c) => fingerprint(client.id, c, day)) } }, select: { id: true, fingerprint: true, payload: true } }) : [];
  const byFp = new Map(rows.map((r) => [r.fingerprint, r]));
  const buttons = await alertsActionLinks(db, client.id, eligible, opts.links, opts.now);
  const inbox = opts.links ? `${opts.links.baseUrl}/app/inbox?client=${encodeURIComponent(client.slug)}` : '';
  const alerts = eligible.flatMap((c, k) => {
    const row = byFp.get(fingerprint(client.id, c, day));
    return row ? [{ alertId: row.id, rule: c.rule, headline: String((row.payload as { headline?: string }).headline ?? c.rule), url: buttons[k]?.[0]?.url ?? inbox }] : [];
  });
  return textAlerts(db, { ...client, smsNumbers: client.smsNumbers ?? [], smsPerDay: client.smsPerDay ?? 5, smsQuietHours: client.smsQuietHours ?? '22-07' }, alerts, opts.sms ?? null, opts.now);
}

async function recordSeen(db: Db, clientId: string, rows: { rule: string; subject: string; streak: number }[], now: Date) {
  if (!rows.length) return;
  await db.sql.query(
    `INSERT INTO alert_state (client_id, rule, subject, streak, last_seen_at, updated_at)
     SELECT $1::uuid, r, s, k, $5::timestamptz, $5::timestamptz FROM unnest($2::text[], $3::text[], $4::int4[]) AS t(r, s, k)
     ON CONFLICT (client_id, rule, subject) DO UPDATE SET streak = EXCLUDED.streak, last_seen_at = EXCLUDED.last_seen_at, updated_at = EXCLUDED.updated_at`,
    [clientId, rows.map((r) => r.rule), rows.map((r) => r.subject), rows.map((r) => r.streak), now],
  );
}

async function recordSent(db: Db, clientId: string, sent: Condition[], now: Date) {
  if (!sent.length) return;
  await db.sql.query(
    `UPDATE alert_state a SET last_sent_at = $2::timestamptz, last_level = u.l, updated_at = $2::timestamptz
     FROM unnest($3::text[], $4::text[], $5::int2[]) AS u(r, s, l)
     WHERE a.client_id = $1::uuid AND a.rule = u.r AND a.subject = u.s`,
    [clientId, now, sent.map((c) => c.rule), sent.map((c) => c.subject), sent.map((c) => c.level)],
  );
}

interface AlertRowInput {
  c: Condition;
  fp: string;
  window: { from: string; to: string };
  why: string;
  headline: string;
}

/** The conditions' Alert rows, in their order: each created once (its fingerprint is unique), with what the email said. */
async function alertRows(db: Db, client: AlertClient, list: AlertRowInput[]) {
  await db.prisma.alert.createMany({
    skipDuplicates: true,
    data: list.map(({ c, fp, window, why, headline }) => ({
      clientId: client.id,
      entityId: c.entity?.id ?? null,
      rule: c.rule,
      severity: c.level >= 3 ? 'critical' : c.level === 2 ? 'high' : 'medium',
      level: c.level,
      value: c.value,
      fingerprint: fp,
      payload: { window, totals: { ...c.totals }, threshold: c.threshold, why, headline },
    })),
  });
  const byFp = new Map((await db.prisma.alert.findMany({ where: { fingerprint: { in: list.map((x) => x.fp) } } })).map((r) => [r.fingerprint, r]));
  return list.map((x) => byFp.get(x.fp)!);
}

/** Receivers (Slack, Zapier, dashboards) hear of each alert too, digest or not: the same words and numbers. */
function sentEvent(client: AlertClient, alertId: string, c: Condition, view: AlertView, why: string, window: { from: string; to: string }, now: Date): NewEvent {
  return {
    clientId: client.id, type: 'alert.sent', now,
    data: {
      alertId, rule: c.rule, level: c.level, entity: c.entity ? { id: c.entity.id, name: c.entity.name, kind: c.entity.kind, platform: c.entity.platform } : null,
      headline: view.headline, numbers: view.numbers.map((n) => `${n.label} ${n.value}`).join(' · '), action: view.suggestion, why, window,
      totals: { ...c.totals }, threshold: c.threshold,
      // The signed buttons of the email (kill / apply / dismiss), for Slack and the agency's own receivers.
      links: (view.links ?? []).map((l) => ({ label: l.label, url: l.url })),
    },
  };
}

async function sendOnce(
  db: Db,
  client: AlertClient,
  c: Condition,
  day: string,
  from: string,
  why: string,
  opts: AlertCheckOptions,
  settling: string | undefined,
): Promise<string> {
  const fp = fingerprint(client.id, c, day);
  const window = { from, to: day };
  const brand = await loadBrand(db, { agencyId: client.agencyId, clientId: client.id });
  const view = buildAlertView(c, client, window, why, settling, lookOf(brand, 'alert'));
  view.links = await alertActionLinks(db, client.id, c, opts.links, opts.now);
  const [alert] = await alertRows(db, client, [{ c, fp, window, why, headline: view.headline }]);
  if (!alert) throw new Error(`alert ${fp} was not stored`);
  if (alert.sentAt && alert.providerId) return alert.providerId;
  // The name is for people; the fingerprint's hash makes the file unique (two ads
  // may share a name) and stable (a retried send rewrites the same file).
  const readable = (c.entity?.name ?? 'client').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'entity';
  const stem = `alert-${c.rule}-${readable}-L${c.level}-${createHash('sha256').update(fp).digest('hex').slice(0, 12)}`;
  const sent = await opts.sender.send(brandMessage(brand, {
    idempotencyKey: fp,
    from: opts.from,
    to: client.recipients,
    subject: view.subject,
    html: await renderAlertHtml(view),
    text: renderAlertText(view),
    attachments: [],
    outbox: { client: client.slug, date: day, stem },
  }));
  // Told to the webhooks by whoever marks it sent, once.
  const marked = await db.prisma.alert.updateMany({ where: { id: alert.id, OR: [{ sentAt: null }, { providerId: null }] }, data: { sentAt: opts.now, providerId: sent.providerId } });
  if (marked.count) await emitEvent(db, sentEvent(client, alert.id, c, view, why, window, opts.now));
  return sent.providerId;
}

/**
 * One email for every condition due in this check. Each keeps its own Alert row
 * and fingerprint (cooldown, escalation and the API see them one by one); the
 * email's idempotency key is the hash of the fingerprints it carries, so a retry
 * after the provider accepted it is the same message, and an alert already marked
 * sent is not sent again.
 */
async function sendDigest(
  db: Db,
  client: AlertClient,
  due: { c: Condition; why: string }[],
  window: { from: string; to: string },
  settlingOf: (c: Condition) => string | undefined,
  opts: AlertCheckOptions,
): Promise<string[]> {
  const day = window.to;
  const brand = await loadBrand(db, { agencyId: client.agencyId, clientId: client.id });
  const built = due.map(({ c, why }) => {
    const w = { from: c.since ?? day, to: day };
    return { c, why, w, view: buildAlertView(c, client, w, why, settlingOf(c), lookOf(brand, 'alert')), fp: fingerprint(client.id, c, day) };
  });
  const stored = await alertRows(db, client, built.map((b) => ({ c: b.c, fp: b.fp, window: b.w, why: b.why, headline: b.view.headline })));
  const rows = built.map((b, i) => ({ ...b, alert: stored[i]! }));
  const pending = rows.filter((r) => !(r.alert.sentAt && r.alert.providerId));
  // Buttons for the ones the email shows (the rest are in its CSV).
  const perRule = new Map<string, number>();
  const shown = digestOrder(pending).filter((r) => {
    const n = (perRule.get(r.c.rule) ?? 0) + 1;
    perRule.set(r.c.rule, n);
    return n <= DIGEST_SHOWN;
  });
  const links = await alertsActionLinks(db, client.id, shown.map((r) => r.c), opts.links, opts.now);
  shown.forEach((r, k) => (r.view.links = links[k]));
  if (pending.length) {
    const items = pending.map(({ c, view }) => ({ c, view }));
    // Each platform still restating once, from its first provisional day.
    const provisional = new Map<string, string>();
    for (const { c } of pending) {
      const from = settlingOf(c);
      if (from && c.entity) provisional.set(c.entity.platform, from);
    }
    const view = buildDigestView(items, client, window, [...provisional].map(([platform, from]) => ({ platform, from })), lookOf(brand, 'alert digest'));
    const key = `alert-digest:${client.id}:${createHash('sha256').update(pending.map((r) => r.alert.fingerprint).sort().join('\n')).digest('hex')}`;
    // A section that could not show all of its alerts: the whole list goes along.
    const attachments = view.sections.some((s) => s.more)
      ? [{ filename: DIGEST_CSV, content: Buffer.from(digestCsv(items, client.currency, settlingOf)), contentType: 'text/csv' }]
      : [];
    const sent = await opts.sender.send(brandMessage(brand, {
      idempotencyKey: key,
      from: opts.from,
      to: client.recipients,
      subject: view.subject,
      html: await renderAlertDigestHtml(view),
      text: renderDigestText(view),
      attachments,
      outbox: { client: client.slug, date: day, stem: `alert-digest-${key.slice(-12)}` },
    }));
    // Told to the webhooks by whoever marks them sent, once each.
    const marked = new Set(
      (await db.sql.query<{ id: string }>(
        `UPDATE alert SET sent_at = $1::timestamptz, provider_id = $2 WHERE id = ANY($3::uuid[]) AND (sent_at IS NULL OR provider_id IS NULL) RETURNING id::text`,
        [opts.now, sent.providerId, pending.map((r) => r.alert.id)],
      )).map((r) => r.id),
    );
    for (const r of pending) r.alert.providerId = sent.providerId;
    await emitEvents(db, digestOrder(pending.filter((r) => marked.has(r.alert.id))).map((r) => sentEvent(client, r.alert.id, r.c, r.view, r.why, r.w, opts.now)), {
      slackDigest: { headline: view.tally, line: (d) => String(d.headline), where: 'all in the alert email and `adbrain links list`' },
    });
  }
  return rows.map((r) => r.alert.providerId!);
}
