// A loopback fake of Resend's POST /emails that honours Idempotency-Key like the
// real API: the same key returns the first email's id and sends nothing new.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeResend {
  url: string;
  requests: { key: string | undefined; body: any }[];
  /** Emails actually "sent": one per distinct idempotency key. */
  sent: Map<string, { id: string; body: any }>;
  /** Daily-report emails accepted for a day, whatever key they came with. */
  reportsFor(date: string): { id: string; body: any }[];
  /** Status codes to answer with before succeeding (e.g. [500, 429]). */
  failNext(statuses: number[]): void;
  close(): Promise<void>;
}

export async function startFakeResend(): Promise<FakeResend> {
  const requests: FakeResend['requests'] = [];
  const sent: FakeResend['sent'] = new Map();
  let failures: number[] = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const key = req.headers['idempotency-key'] as string | undefined;
      const body = raw ? JSON.parse(raw) : null;
      requests.push({ key, body });
      const reply = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      if (req.method !== 'POST' || req.url !== '/emails') return reply(404, { name: 'not_found', message: 'not found', statusCode: 404 });
      const fail = failures.shift();
      if (fail) return reply(fail, { name: fail === 429 ? 'rate_limit_exceeded' : 'internal_server_error', message: `fake ${fail}`, statusCode: fail });
      if (!body?.to?.length) return reply(422, { name: 'validation_error', message: 'Missing `to` field.', statusCode: 422 });
      const prior = key ? sent.get(key) : undefined;
      if (prior) return reply(200, { id: prior.id });
      const id = `email_${sent.size + 1}`;
      sent.set(key ?? id, { id, body });
      return reply(200, { id });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    sent,
    reportsFor(date) {
      // The report footer names the day: "… · 2026-11-21 (Timezone) · …".
      return [...sent.values()].filter((m) => m.body.attachments?.some((a: { filename: string }) => a.filename === 'report.pdf') && String(m.body.text).includes(` · ${date} (`));
    },
    failNext(statuses) {
      failures = [...statuses];
    },
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
