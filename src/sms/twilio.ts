// Twilio's Messages API: POST /2010-04-01/Accounts/{AccountSid}/Messages.json,
// HTTP Basic auth (Account SID : Auth Token), form fields To, From (or
// MessagingServiceSid for an MG… sender) and Body. 201 answers the message
// resource ({ sid: "SM…", status: "queued" | "accepted" | … }); errors answer
// { code, message, more_info, status }. 429 (code 20429) and 5xx are retried with
// backoff (p-retry); 4xx are final (21211 invalid "To", 21610 the recipient
// replied STOP, 20003 wrong credentials) and are reported with Twilio's code.
// Twilio takes no idempotency key: the caller claims each message before sending.
import pRetry, { AbortError } from 'p-retry';
import { redact } from '../crypto/redact.ts';

export interface TwilioConfig {
  accountSid: string;
  authToken: string;
  from: string;
  baseUrl: string;
}

export class SmsError extends Error {
  constructor(message: string, readonly code: number | null, readonly status: number | null, readonly final: boolean) {
    super(message);
    this.name = 'SmsError';
  }
}

export interface SmsSender {
  send(to: string, body: string): Promise<{ sid: string; status: string }>;
}

export function twilioSender(cfg: TwilioConfig, o: { retries?: number; minTimeoutMs?: number; timeoutMs?: number } = {}): SmsSender {
  const url = `${cfg.baseUrl}/2010-04-01/Accounts/${encodeURIComponent(cfg.accountSid)}/Messages.json`;
  const auth = `Basic ${Buffer.from(`${cfg.accountSid}:${cfg.authToken}`).toString('base64')}`;
  return {
    async send(to, body) {
      const form = new URLSearchParams({ To: to, Body: body, ...(cfg.from.startsWith('MG') ? { MessagingServiceSid: cfg.from } : { From: cfg.from }) });
      return pRetry(
        async () => {
          let res: Response;
          try {
            res = await fetch(url, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body: form, signal: AbortSignal.timeout(o.timeoutMs ?? 15_000) });
          } catch (err) {
            throw new SmsError(`Twilio unreachable: ${redact((err as Error).message)}`, null, null, false);
          }
          const text = await res.text();
          let json: Record<string, unknown> = {};
          try {
            json = JSON.parse(text) as Record<string, unknown>;
          } catch {
            // A proxy's HTML error page: keep the status.
          }
          if (res.status === 201 || res.status === 200) {
            if (typeof json.sid !== 'string') throw new AbortError(new SmsError('Twilio answered without a message sid', null, res.status, true));
            return { sid: json.sid, status: String(json.status ?? 'queued') };
          }
          const code = typeof json.code === 'number' ? json.code : null;
          const message = `Twilio ${res.status}${code ? ` (code ${code})` : ''}: ${redact(String(json.message ?? text.slice(0, 200)))}`;
          const retry = res.status === 429 || res.status >= 500;
          const err = new SmsError(message, code, res.status, !retry);
          if (!retry) throw new AbortError(err);
          throw err;
        },
        { retries: o.retries ?? 3, minTimeout: o.minTimeoutMs ?? 1_000, factor: 2 },
      );
    },
  };
}

/** The configured sender, or null (no Twilio credentials: critical alerts record that SMS is not set up). */
export const smsSenderOf = (config: { sms: { twilio: TwilioConfig | null } }): SmsSender | null => (config.sms.twilio ? twilioSender(config.sms.twilio) : null);
