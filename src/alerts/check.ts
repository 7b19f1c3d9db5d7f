import { createHash } from 'node:crypto';
// One alert check for one client (run after every sync): evaluate the rules on
// the check window, apply the cooldown / escalation / two-checks policy, and
// send each alert that earns it exactly once. An Alert row's fingerprint is
// the email's idempotency key, so a retried check never sends a second email.
import type { Db } from '../db/client.ts';
import { emitEvent } from '../webhooks/events.ts';
import { renderAlertHtml } from '../reports/render-html.tsx';
import type { Sender } from '../reports/senders.ts';
import { localDate } from '../time.ts';
import { decide, evaluate, type Condition, type Verdict } from './rules.ts';
import { loadVerdicts } from '../brain/verdicts.ts';
import { provisionalFrom } from '../sources/sync.ts';
import { buildAlertView, renderAlertText } from './view.ts';
import { countsInTotals } from '../domain/entities.ts';

/** Days back the daily-spend line looks for the latest day with spend. */
const BUDGET_LOOKBACK_DAYS = 3;
/** The state row that remembers when the client's previous check ran. */
const CHECK_MARKER = { rule: 'check', subject: 'client' };

export interface AlertClient {
  id: string;
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
  objective?: string;
  targetCpaCents?: bigint | null;
  valuePerConversionCents?: bigint | null;
  campaignObjectives?: unknown;
}

export interface AlertCheckResult {
  client: string;
  window: { from: string; to: string };
  sent: { rule: string; entity: string; level: number; why: string; providerId: string }[];
  suppressed: { rule: string; entity: string; level: number; why: string }[];
}

const fingerprint = (clientId: string, c: Condition, day: string) => `alert:${clientId}:${c.rule}:${c.subject}:${day}:L${c.level}`;

export async function checkAlerts(
  db: Db,
  client: AlertClient,
  opts: { now: Date; sender: Sender; from: string },
): Promise<AlertCheckResult> {
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
  const conditions = evaluate(verdicts, latestDaySpend, {
    burnRoiBelow: settings.burnRoiBelow,
    burnMinSpendCents: settings.burnMinSpendCents,
    winRoiAbove: settings.winRoiAbove,
    winMinRevenueCents: settings.winMinRevenueCents,
    dailySpendAlertCents: client.dailySpendAlertCents === null ? null : Number(client.dailySpendAlertCents),
  });

  const states = new Map(
    (await db.prisma.alertState.findMany({ where: { clientId: client.id } })).map((s) => [`${s.rule}:${s.subject}`, s]),
  );
  const prevCheck = states.get(`${CHECK_MARKER.rule}:${CHECK_MARKER.subject}`)?.lastSeenAt ?? null;
  const result: AlertCheckResult = { client: client.slug, window: { from, to }, sent: [], suppressed: [] };
  const policy = { cooldownHours: client.alertCooldownHours, consecutive: client.alertConsecutiveCheck };

  // Per platform, the days it may still restate (the check window is recent by design).
  const settling = conditions.length ? await provisionalFrom(db, client.id, now) : {};
  for (const c of conditions) {
    const state = states.get(`${c.rule}:${c.subject}`) ?? null;
    const seenLastCheck = Boolean(state?.lastSeenAt && prevCheck && state.lastSeenAt.getTime() >= prevCheck.getTime());
    const d = decide(c.level, state, seenLastCheck, now, policy);
    const key = { clientId_rule_subject: { clientId: client.id, rule: c.rule, subject: c.subject } };
    await db.prisma.alertState.upsert({
      where: key,
      update: { streak: d.streak, lastSeenAt: now },
      create: { clientId: client.id, rule: c.rule, subject: c.subject, streak: d.streak, lastSeenAt: now },
    });
    const label = c.entity?.name ?? client.name;
    if (!d.send) {
      result.suppressed.push({ rule: c.rule, entity: label, level: c.level, why: d.why });
      continue;
    }
    const providerId = await sendOnce(db, client, c, to, c.since ?? to, d.why, opts, c.entity ? settling[c.entity.platform] : undefined);
    await db.prisma.alertState.update({ where: key, data: { lastSentAt: now, lastLevel: c.level } });
    result.sent.push({ rule: c.rule, entity: label, level: c.level, why: d.why, providerId });
  }

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

async function sendOnce(
  db: Db,
  client: AlertClient,
  c: Condition,
  day: string,
  from: string,
  why: string,
  opts: { now: Date; sender: Sender; from: string },
  settling: string | undefined,
): Promise<string> {
  const fp = fingerprint(client.id, c, day);
  const view = buildAlertView(c, client, { from, to: day }, why, settling !== undefined && settling <= day ? settling : undefined);
  const existing = await db.prisma.alert.findUnique({ where: { fingerprint: fp } });
  if (existing?.sentAt && existing.providerId) return existing.providerId;
  const alert = existing ?? (await db.prisma.alert.create({
    data: {
      clientId: client.id,
      entityId: c.entity?.id ?? null,
      rule: c.rule,
      severity: c.level >= 3 ? 'critical' : c.level === 2 ? 'high' : 'medium',
      level: c.level,
      value: c.value,
      fingerprint: fp,
      payload: { window: { from, to: day }, totals: { ...c.totals }, threshold: c.threshold, why, headline: view.headline },
    },
  }));
  // The name is for people; the fingerprint's hash makes the file unique (two ads
  // may share a name) and stable (a retried send rewrites the same file).
  const readable = (c.entity?.name ?? 'client').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'entity';
  const stem = `alert-${c.rule}-${readable}-L${c.level}-${createHash('sha256').update(fp).digest('hex').slice(0, 12)}`;
  const sent = await opts.sender.send({
    idempotencyKey: fp,
    from: opts.from,
    to: client.recipients,
    subject: view.subject,
    html: await renderAlertHtml(view),
    text: renderAlertText(view),
    attachments: [],
    outbox: { client: client.slug, date: day, stem },
  });
  await db.prisma.alert.update({ where: { id: alert.id }, data: { sentAt: opts.now, providerId: sent.providerId } });
  // Receivers (Slack, Zapier, dashboards) hear of it too: the same words and numbers.
  await emitEvent(db, {
    clientId: client.id, type: 'alert.sent', now: opts.now,
    data: {
      alertId: alert.id, rule: c.rule, level: c.level, entity: c.entity ? { id: c.entity.id, name: c.entity.name, kind: c.entity.kind, platform: c.entity.platform } : null,
      headline: view.headline, numbers: view.numbers.map((n) => `${n.label} ${n.value}`).join(' · '), action: view.suggestion, why, window: { from, to: day },
      totals: { ...c.totals }, threshold: c.threshold,
    },
  });
  return sent.providerId;
}
