// The look a client's reports and emails carry: the agency's branding with the
// client's overrides, field by field, over adbrain's own. A brand with a name is
// white-labelled: no adbrain wording reaches the client (the views word their
// kickers, footers and "who paused this" from it).
import { theme } from '../../emails/components/theme.ts';
import type { BrandSettings } from './settings.ts';

export interface Brand {
  whiteLabel: boolean;
  /** Who the reports come from. */
  name: string;
  /** The report kicker's title, when set ("Performance report"). */
  title: string | null;
  primary: string;
  accent: string | null;
  footer: string | null;
  senderName: string | null;
  fromAddress: string | null;
  replyTo: string | null;
  logo: { png: Buffer; width: number; height: number } | null;
}

export const DEFAULT_BRAND: Brand = {
  whiteLabel: false, name: 'adbrain', title: null, primary: theme.brand, accent: null, footer: null,
  senderName: null, fromAddress: null, replyTo: null, logo: null,
};

/** Content-ID of the inline logo: templates write `cid:brand-logo`, the email carries the image. */
export const LOGO_CID = 'brand-logo';

export function brandOf(settings: BrandSettings, logo: Brand['logo']): Brand {
  return {
    whiteLabel: Boolean(settings.name),
    name: settings.name ?? DEFAULT_BRAND.name,
    title: settings.title ?? null,
    primary: settings.primary ?? DEFAULT_BRAND.primary,
    accent: settings.accent ?? null,
    footer: settings.footer ?? null,
    senderName: settings.senderName ?? null,
    fromAddress: settings.fromAddress ?? null,
    replyTo: settings.replyTo ?? null,
    logo,
  };
}

/** What templates need of a brand: colours, the kicker, the logo as an image source. */
export interface BrandLook {
  whiteLabel: boolean;
  name: string;
  kicker: string;
  primary: string;
  /** The kicker's colour and the charts' second series. */
  accent: string;
  kickerColor: string;
  logo: { src: string; width: number; height: number; png: Buffer } | null;
  /** The brand's footer line, shown under the report's own. */
  footer: string | null;
}

/** The look of a report or email of `kind` ("daily report", "alert"): the kicker reads "Acme Growth · Weekly report". */
export function lookOf(brand: Brand, kind: string): BrandLook {
  const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
  // "Performance report" titles the daily report; the weekly one is the "Weekly performance report".
  const title = !brand.title || !kind.endsWith('report') ? cap(kind) : kind === 'daily report' ? brand.title : `${cap(kind.split(' ')[0]!)} ${brand.title.charAt(0).toLowerCase()}${brand.title.slice(1)}`;
  return {
    whiteLabel: brand.whiteLabel,
    name: brand.name,
    kicker: brand.whiteLabel ? `${brand.name} · ${title}` : `adbrain · ${kind}`,
    primary: brand.primary,
    accent: brand.accent ?? theme.revenue,
    kickerColor: brand.accent ?? theme.muted,
    logo: brand.logo && { src: `cid:${LOGO_CID}`, width: brand.logo.width, height: brand.logo.height, png: brand.logo.png },
    footer: brand.footer,
  };
}

/** "adbrain paused …" for adbrain's own look; a white-labelled client reads the agency's name. */
export const actor = (look: BrandLook | undefined) => look?.name ?? 'adbrain';
