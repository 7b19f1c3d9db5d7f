// Where emails go: Resend when RESEND_API_KEY is set, else files in ./outbox.
// Resend gets the same idempotency key on every attempt (`${kind}:${clientId}:${date}`
// for reports), so a retry — ours or a re-run of the day — never sends twice.
import path from 'node:path';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import pRetry, { AbortError } from 'p-retry';
import { Resend } from 'resend';
import type { Config } from '../config.ts';
import { AppError } from '../errors.ts';
import { writeOutbox } from './outbox.ts';
import { inlineImages } from '../branding/email.ts';
import { redact, rememberSecret } from '../crypto/redact.ts';

export interface Attachment {
  filename: string;
  content: Buffer;
  contentType: string;
  /** Set: an inline image the HTML shows as `cid:<contentId>` (the brand's logo). */
  contentId?: string;
}

export interface OutgoingEmail {
  idempotencyKey: string;
  from: string;
  to: string[];
  replyTo?: string;
  subject: string;
  html: string;
  text: string;
  attachments: Attachment[];
  /** Where the outbox keeps it: <outbox>/<client>/<date>/, the file stem, and files
   * only the outbox writes (an email provider has no use for them). */
  outbox: { client: string; date: string; stem: string; extra?: Record<string, string | Buffer> };
}

export interface SendResult {
  provider: 'resend' | 'outbox';
  providerId: string;
}

export interface Sender {
  name: 'resend' | 'outbox';
  send(msg: OutgoingEmail): Promise<SendResult>;
}

const domainOf = (from: string) => /@([\w.-]+)>?\s*$/.exec(from)?.[1] ?? 'localhost';

/** The message as RFC 822 (.eml): what a mail client would receive. */
export async function toEml(msg: OutgoingEmail): Promise<Buffer> {
  const mail = new MailComposer({
    from: msg.from,
    to: msg.to.length ? msg.to.join(', ') : 'undisclosed-recipients:;',
    ...(msg.replyTo && { replyTo: msg.replyTo }),
    subject: msg.subject,
    text: msg.text,
    html: msg.html,
    // The sender's own domain: a white-labelled message names nobody else.
    messageId: `<${msg.idempotencyKey.replace(/[^\w.-]+/g, '.')}@${domainOf(msg.from)}>`,
    headers: { 'X-Idempotency-Key': msg.idempotencyKey },
    attachments: msg.attachments.map((a) => ({ filename: a.filename, content: a.content, contentType: a.contentType, ...(a.contentId && { cid: a.contentId, contentDisposition: 'inline' as const }) })),
  });
  return mail.compile().build();
}

export function outboxSender(outboxDir: string): Sender {
  return {
    name: 'outbox',
    async send(msg) {
      const { client, date, stem, extra } = msg.outbox;
      const eml = stem === 'report' ? 'message.eml' : `${stem}.eml`;
      // The .html is for a browser: inline images (the logo) as data: URIs; the .eml keeps them as parts.
      const files: Record<string, string | Buffer> = { [`${stem}.html`]: inlineImages(msg.html, msg.attachments), [`${stem}.txt`]: msg.text, ...extra };
      for (const a of msg.attachments) if (!a.contentId) files[a.filename] = a.content;
      files[eml] = await toEml(msg);
      const dir = await writeOutbox(outboxDir, client, date, files);
      return { provider: 'outbox', providerId: path.join(dir, eml) };
    },
  };
}

/** Resend with a key, else the outbox. */
export function senderFor(email: Config['email'] | undefined, outboxDir: string): Sender {
  return email?.resend ? resendSender(email.resend) : outboxSender(outboxDir);
}

export interface ResendOptions {
  apiKey: string;
  baseURL?: string;
  /** Attempts after the first for 429 / 5xx / network errors. */
  retries?: number;
  minTimeoutMs?: number;
}

const RETRYABLE = (status: number | null | undefined) => status === undefined || status === null || status === 429 || status >= 500;

export function resendSender(o: ResendOptions): Sender {
  const resend = new Resend(o.apiKey, o.baseURL ? { baseUrl: o.baseURL } : undefined);
  rememberSecret(o.apiKey);
  return {
    name: 'resend',
    async send(msg) {
      if (msg.to.length === 0) throw new AppError('invalid_input', 'no recipients: set them with `adbrain clients update <slug> --recipients a@x,b@y`');
      const id = await pRetry(
        async () => {
          // The SDK returns errors instead of throwing, and never retries on its own.
          const { data, error } = await resend.emails.send(
            {
              from: msg.from,
              to: msg.to,
              ...(msg.replyTo && { replyTo: msg.replyTo }),
              subject: msg.subject,
              html: msg.html,
              text: msg.text,
              attachments: msg.attachments.map((a) => ({ filename: a.filename, content: a.content.toString('base64'), contentType: a.contentType, ...(a.contentId && { contentId: a.contentId }) })),
            },
            { idempotencyKey: msg.idempotencyKey },
          );
          if (error) {
            const status = (error as { statusCode?: number | null }).statusCode;
            const err = new AppError('provider_error', `Resend refused the email: ${redact(error.message)}${status ? ` (HTTP ${status})` : ''}`);
            if (!RETRYABLE(status)) throw new AbortError(err);
            throw err;
          }
          return data!.id;
        },
        { retries: o.retries ?? 4, minTimeout: o.minTimeoutMs ?? 1_000, factor: 2, randomize: true },
      );
      return { provider: 'resend', providerId: id };
    },
  };
}
