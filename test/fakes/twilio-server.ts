// A loopback fake of Twilio's Messages API as documented: POST
// /2010-04-01/Accounts/{AccountSid}/Messages.json with HTTP Basic auth (SID:token)
// and a form body (To, From | MessagingServiceSid, Body). 201 with the message
// resource; errors as { code, message, more_info, status }: 20003 wrong
// credentials (401), 21211 invalid "To" (400), 21610 recipient unsubscribed (400),
// 20429 too many requests (429); a 1,600-character body limit (21617).
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeTwilio {
  url: string;
  sid: string;
  token: string;
  /** Messages accepted. */
  messages: { sid: string; to: string; from: string | null; service: string | null; body: string }[];
  /** Every request, accepted or not. */
  requests: number;
  /** Status codes to answer with before accepting (e.g. [429, 500]). */
  failNext(statuses: number[]): void;
  close(): Promise<void>;
}

const err = (status: number, code: number, message: string) => ({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });

export async function startFakeTwilio(o: { unsubscribed?: string[] } = {}): Promise<FakeTwilio> {
  const sid = `AC${'0123456789abcdef'.repeat(2)}`;
  const token = 'twilio-test-token-123';
  const messages: FakeTwilio['messages'] = [];
  let failures: number[] = [];
  let requests = 0;
  let n = 0;
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      requests++;
      const reply = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      const m = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(req.url ?? '');
      if (req.method !== 'POST' || !m) return reply(404, err(404, 20404, 'The requested resource was not found'));
      const auth = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString();
      if (auth !== `${sid}:${token}` || m[1] !== sid) return reply(401, err(401, 20003, 'Authenticate'));
      const fail = failures.shift();
      if (fail === 429) return reply(429, err(429, 20429, 'Too Many Requests'));
      if (fail) return reply(fail, err(fail, 20500, 'Internal Server Error'));
      const form = new URLSearchParams(raw);
      const to = form.get('To') ?? '';
      const body = form.get('Body') ?? '';
      if (!/^\+[1-9]\d{7,14}$/.test(to)) return reply(400, err(400, 21211, `The 'To' number ${to} is not a valid phone number.`));
      if (!form.get('From') && !form.get('MessagingServiceSid')) return reply(400, err(400, 21603, "A 'From' or 'MessagingServiceSid' parameter is required to send a message."));
      if (body.length > 1600) return reply(400, err(400, 21617, 'The concatenated message body exceeds the 1600 character limit.'));
      if (o.unsubscribed?.includes(to)) return reply(400, err(400, 21610, 'Attempt to send to unsubscribed recipient'));
      const msgSid = `SM${String(++n).padStart(32, '0')}`;
      messages.push({ sid: msgSid, to, from: form.get('From'), service: form.get('MessagingServiceSid'), body });
      reply(201, { sid: msgSid, account_sid: sid, to, from: form.get('From'), body, status: 'queued', num_segments: String(Math.ceil(body.length / 153)), error_code: null, error_message: null, date_created: new Date().toUTCString() });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sid,
    token,
    messages,
    get requests() {
      return requests;
    },
    failNext(statuses) {
      failures = [...statuses];
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
}
