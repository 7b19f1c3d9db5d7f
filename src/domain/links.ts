// A tracking link's slug: the key that joins what the ad platforms spent on a link
// with what a tracker (RedTrack's sub9) or a shop (the order's landing page) says
// it earned. The slug is the link's `sub9` parameter when it carries one (RedTrack
// tracking links: https://trk.example.com/<campaign>?sub9=<slug>), else the last
// segment of its path (https://go.example.com/l/<slug>); compared lower-case.
import { addEntity, type WriteBatch } from '../ingest/batch.ts';
import type { Platform } from '../generated/prisma/enums.ts';

export function linkSlug(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    // Not a URL: a bare slug as a tracker or an export names it.
    const s = url.trim().toLowerCase();
    return s && !/[\s/?#]/.test(s) ? s : null;
  }
  const sub9 = u.searchParams.get('sub9');
  if (sub9 && sub9.trim()) return sub9.trim().toLowerCase();
  const segments = u.pathname.split('/').filter(Boolean);
  const last = segments.at(-1);
  if (!last) return null;
  try {
    return decodeURIComponent(last).toLowerCase();
  } catch {
    return last.toLowerCase();
  }
}

/** The link entity of a URL under `parentKey`, carrying its slug for the join. */
export function addLinkEntity(batch: WriteBatch, platform: Platform, url: string, parentKey?: string, extra?: Record<string, string>): string {
  const slug = linkSlug(url);
  const attributes = { ...extra, ...(slug && { slug }) };
  return addEntity(batch, { platform, kind: 'link', externalId: url, name: url, parentKey, attributes: Object.keys(attributes).length ? attributes : undefined });
}

/** A tracker's traffic source (RedTrack sub20, utm_source) as the ad platform adbrain syncs it from. */
export function trafficPlatform(sub20: string | undefined): string | undefined {
  const s = (sub20 ?? '').toLowerCase();
  if (!s) return undefined;
  if (s.includes('tiktok')) return 'tiktok';
  if (s.includes('facebook') || s.includes('meta') || s.includes('instagram') || s === 'fb') return 'meta';
  if (s.includes('google') || s.includes('youtube')) return 'google';
  return undefined;
}
