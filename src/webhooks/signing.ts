// Standard Webhooks signatures (https://www.standardwebhooks.com): the secret is
// "whsec_" + base64 key bytes; the signature of a message is
// "v1," + base64(HMAC-SHA256(key, `${webhook-id}.${webhook-timestamp}.${body}`)),
// and several (during a secret rotation) travel space-separated in webhook-signature.
import { createHmac, randomBytes } from 'node:crypto';

export const newSecret = (): string => `whsec_${randomBytes(24).toString('base64')}`;

export function sign(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.startsWith('whsec_') ? secret.slice(6) : secret, 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

/** The headers of one attempt: every live secret signs. */
export function signedHeaders(secrets: string[], id: string, timestamp: number, body: string): Record<string, string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': secrets.map((s) => sign(s, id, timestamp, body)).join(' '),
  };
}
