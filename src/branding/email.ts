// A message dressed in its brand: the From name and address, Reply-To, and the
// logo as an inline attachment (Content-ID brand-logo) when the HTML shows it —
// inline rather than a data: URI, which Gmail and Outlook block.
import addressparser from 'nodemailer/lib/addressparser/index.js';
import type { Attachment, OutgoingEmail } from '../reports/senders.ts';
import { LOGO_CID, type Brand } from './brand.ts';

/** `"Acme Growth" <reports@acme.example>` from the brand over the configured sender. */
export function fromOf(brand: Brand, configured: string): string {
  if (!brand.whiteLabel && !brand.senderName && !brand.fromAddress) return configured;
  const [parsed] = addressparser(configured, { flatten: true });
  const address = brand.fromAddress ?? parsed?.address ?? configured;
  const name = brand.senderName ?? (brand.whiteLabel ? brand.name : parsed?.name || null);
  return name ? `"${name.replace(/["\\\r\n]/g, '')}" <${address}>` : address;
}

/** The brand's logo as the inline part templates show as `cid:brand-logo` (none without a logo). */
export const logoParts = (brand: Pick<Brand, 'logo'>): Attachment[] =>
  brand.logo ? [{ filename: 'logo.png', content: brand.logo.png, contentType: 'image/png', contentId: LOGO_CID }] : [];

export function brandMessage(brand: Brand, msg: OutgoingEmail): OutgoingEmail {
  const logo = msg.html.includes(`cid:${LOGO_CID}`) ? logoParts(brand) : [];
  return {
    ...msg,
    from: fromOf(brand, msg.from),
    ...(brand.replyTo && { replyTo: brand.replyTo }),
    attachments: [...msg.attachments, ...logo],
  };
}

/** HTML to open in a browser (the outbox's copy, the stored report): inline images as data: URIs. */
export function inlineImages(html: string, attachments: Attachment[]): string {
  let out = html;
  for (const a of attachments) {
    if (!a.contentId) continue;
    out = out.split(`cid:${a.contentId}`).join(`data:${a.contentType};base64,${a.content.toString('base64')}`);
  }
  return out;
}
