// A Slack incoming-webhook URL gets a message a person reads, not the envelope.
import type { Envelope } from './events.ts';

export const isSlack = (url: string) => {
  try {
    return new URL(url).hostname === 'hooks.slack.com';
  } catch {
    return false;
  }
};

export function slackMessage(e: Envelope): { text: string } {
  const d = e.data as Record<string, unknown>;
  const who = e.client ? `*${e.client.name}*: ` : '';
  const str = (k: string) => (typeof d[k] === 'string' ? (d[k] as string) : '');
  // A digest of many events (events.ts): its headline, a line each, how many more and where.
  if (Array.isArray(d.lines)) {
    const icon = e.type === 'alert.sent' ? ':rotating_light: ' : e.type === 'insight.created' ? ':bulb: ' : '';
    const more = typeof d.more === 'number' && d.more > 0 ? `\n…and ${d.more} more${str('where') ? ` (${str('where')})` : ''}` : '';
    return { text: `${icon}${who}${str('headline')}\n${(d.lines as unknown[]).map((l) => `• ${String(l)}`).join('\n')}${more}` };
  }
  switch (e.type) {
    case 'alert.sent': {
      // Slack's link markup: <url|label>. Each opens adbrain's confirmation page; nothing acts on a click alone.
      const links = Array.isArray(d.links) ? (d.links as { label?: unknown; url?: unknown }[]).filter((l) => typeof l.url === 'string' && typeof l.label === 'string').map((l) => `<${l.url as string}|${l.label as string}>`) : [];
      return { text: `:rotating_light: ${who}${str('headline') || str('title')}\n${str('numbers')}${str('action') ? `\nSuggested: ${str('action')}` : ''}${links.length ? `\n${links.join(' · ')}` : ''}` };
    }
    case 'test.decided':
      return { text: `:trophy: ${who}${str('sentence')}` };
    case 'action.executed':
    case 'action.undone':
      return { text: `${e.type === 'action.undone' ? ':leftwards_arrow_with_hook: ' : str('state') === 'done' ? ':octagonal_sign: ' : ':x: '}${who}${str('sentence')}` };
    case 'sync.failed':
    case 'connection.needs_reauth':
      return { text: `:warning: ${who}${str('platform')} ${e.type === 'sync.failed' ? 'sync failed' : 'needs reconnecting'}: ${str('error')}` };
    case 'report.sent':
      return { text: `:page_facing_up: ${who}the daily report for ${str('date')} was ${str('delivery') || 'sent'}` };
    case 'insight.created':
    case 'insight.status_changed':
      return { text: `${who}${str('title')}${e.type === 'insight.status_changed' ? ` → ${str('to')}` : ''}` };
    default:
      return { text: `${who}${e.type}` };
  }
}
