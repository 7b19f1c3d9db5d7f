// The signed buttons under each "act now" item of a report: apply / dismiss the
// insight, and kill the link or ad a pause is about. Computed with the report's
// model (numbers and links are made once; templates only show them).
import type { Db } from '../db/client.ts';
import type { ActionLine } from '../reports/daily-summary.ts';
import { signAction } from './tokens.ts';

/** Where links point and the key that signs them (absent: reports carry no buttons). */
export interface ActionLinkSigner {
  key: () => Buffer | undefined;
  baseUrl: string;
  /** Offer pausing on the ad platform (ADBRAIN_ACTIONS is not off). */
  platformActions?: boolean;
}

const PLATFORM_NAME: Record<string, string> = { meta: 'Meta', tiktok: 'TikTok', google: 'Google Ads' };

/** The platform a link or ad can be paused on through a connection, or null. */
async function pausableOn(db: Db, entityId: string): Promise<string | null> {
  const { resolveEntity } = await import('../ad-actions/targets.ts');
  try {
    const r = await resolveEntity(db.prisma, entityId);
    return PLATFORM_NAME[r.asked.platform] ?? null;
  } catch {
    return null; // imported from a file, or no connection: kill is all there is
  }
}

export async function withActionLinks(db: Db, clientId: string, actions: ActionLine[], signer: ActionLinkSigner | undefined, now: Date): Promise<ActionLine[]> {
  const key = signer?.key();
  if (!signer || !key || actions.length === 0) return actions;
  const { agencyId } = await db.prisma.client.findUniqueOrThrow({ where: { id: clientId }, select: { agencyId: true } });
  const rows = await db.sql.query<{ id: string; fingerprint: string; status: string }>(
    `SELECT id::text, fingerprint, status::text FROM insight WHERE client_id = $1::uuid AND fingerprint = ANY($2::text[])`,
    [clientId, actions.flatMap((a) => (a.fingerprint ? [a.fingerprint] : []))],
  );
  const open = new Map(rows.filter((r) => r.status === 'PENDING' || r.status === 'IN_PROGRESS').map((r) => [r.fingerprint, r.id]));
  const url = (t: string) => `${signer.baseUrl}/a/${t}`;
  const platforms = new Map<string, string | null>();
  if (signer.platformActions) {
    for (const a of actions) if (a.kind === 'pause' && a.entity && (a.entity.kind === 'link' || a.entity.kind === 'ad')) platforms.set(a.entity.id, await pausableOn(db, a.entity.id));
  }
  return actions.map((a) => {
    const insightId = (a.fingerprint && open.get(a.fingerprint)) || null;
    const killable = a.kind === 'pause' && a.entity && (a.entity.kind === 'link' || a.entity.kind === 'ad');
    if (!insightId && !killable) return a;
    const claim = { agencyId, clientId, insightId, entityId: null };
    return {
      ...a,
      links: {
        ...(insightId && {
          apply: url(signAction(key, { ...claim, action: 'apply' }, now)), dismiss: url(signAction(key, { ...claim, action: 'dismiss' }, now)), snooze: url(signAction(key, { ...claim, action: 'snooze' }, now)),
          // Not a token: the inbox asks who you are (a forwarded email opens nothing).
          open: `${signer.baseUrl}/app/insights/${insightId}`,
        }),
        ...(killable && { kill: url(signAction(key, { ...claim, insightId: null, entityId: a.entity!.id, action: 'kill' }, now)) }),
        ...(killable && platforms.get(a.entity!.id) && { pause: url(signAction(key, { ...claim, entityId: a.entity!.id, action: 'pause' }, now)), pauseOn: platforms.get(a.entity!.id)! }),
      },
    };
  });
}

type AlertForLinks = { rule: string; entity: { id: string; kind: string; name: string; platform: string } | null; since?: string };

/** The same buttons for one alert: its insight (burning / winner of that entity since that day) and, for a burning link or ad, kill. */
export async function alertActionLinks(db: Db, clientId: string, alert: AlertForLinks, signer: ActionLinkSigner | undefined, now: Date) {
  return (await alertsActionLinks(db, clientId, [alert], signer, now))[0]!;
}

/** Buttons for many alerts at once (a digest): one lookup of their insights, not one per alert. */
export async function alertsActionLinks(db: Db, clientId: string, alerts: AlertForLinks[], signer: ActionLinkSigner | undefined, now: Date): Promise<{ label: string; url: string; danger: boolean }[][]> {
  const lines: ActionLine[] = alerts.map((alert) => ({
    rank: 1, what: '', kind: alert.rule === 'burning' ? 'pause' : 'scale', urgency: 'high', impactCents: 0, confidence: 0, basis: alert.rule, since: alert.since ?? null, inputs: {},
    entity: alert.entity,
    fingerprint: alert.entity && alert.since ? `${alert.rule}:${alert.entity.id}:${alert.since}` : undefined,
  }));
  const actionable = (a: AlertForLinks) => a.entity !== null && (a.rule === 'burning' || a.rule === 'winner');
  const linked = await withActionLinks(db, clientId, lines.filter((_, k) => actionable(alerts[k]!)), signer, now);
  let n = 0;
  return alerts.map((a) => (actionable(a) ? buttons(linked[n++]!.links, a.entity!.kind) : []));
}

/** Buttons in the order an email shows them: the destructive one first and red. */
export function buttons(links: ActionLine['links'], kind = 'link'): { label: string; url: string; danger: boolean }[] {
  return [
    ...(links?.pause ? [{ label: `Pause it on ${links.pauseOn ?? 'the platform'}`, url: links.pause, danger: true }] : []),
    ...(links?.kill ? [{ label: `Kill this ${kind === 'ad' ? 'ad' : 'link'}`, url: links.kill, danger: true }] : []),
    ...(links?.apply ? [{ label: 'Mark applied', url: links.apply, danger: false }] : []),
    ...(links?.dismiss ? [{ label: 'Dismiss', url: links.dismiss, danger: false }] : []),
    ...(links?.snooze ? [{ label: 'Snooze 7 days', url: links.snooze, danger: false }] : []),
    ...(links?.open ? [{ label: 'Open in the inbox', url: links.open, danger: false }] : []),
  ];
}
