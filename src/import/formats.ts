// The CSV layouts adbrain understands and how their headers map onto our fields.
// Headers are matched case-insensitively after trimming and folding spaces; a
// currency in a header ("Amount spent (EUR)") is remembered and checked.
import type { Platform } from '../generated/prisma/enums.ts';

export type FormatName = 'generic' | 'tiktok' | 'meta' | 'google';

export type Field =
  | 'date'
  | 'dateEnd'
  | 'platform'
  | 'account'
  | 'accountId'
  | 'campaign'
  | 'campaignId'
  | 'adset'
  | 'adsetId'
  | 'ad'
  | 'adId'
  | 'link'
  | 'spend'
  | 'impressions'
  | 'clicks'
  | 'conversions'
  | 'revenue'
  | 'reach'
  | 'frequency'
  | 'currency'
  | 'resultIndicator';

export interface FormatSpec {
  name: FormatName;
  label: string;
  /** Fixed platform for platform exports; generic files carry a platform column. */
  platform?: Platform;
  /** Candidate headers per field, best first. */
  columns: Partial<Record<Field, string[]>>;
  required: Field[];
  /** The platform's exports leave a zero cell empty (Meta, TikTok): empty = 0, NA & co = unknown. */
  emptyIsZero?: boolean;
}

export const FORMATS: Record<FormatName, FormatSpec> = {
  generic: {
    name: 'generic',
    label: 'generic adbrain CSV',
    // The names people and other tools give these columns (underscores read as spaces).
    columns: {
      date: ['date', 'day'],
      platform: ['platform', 'channel'],
      account: ['account', 'account name'],
      accountId: ['account id'],
      campaign: ['campaign', 'campaign name'],
      campaignId: ['campaign id'],
      adset: ['adset', 'ad set', 'adset name', 'ad set name', 'ad group', 'ad group name'],
      adsetId: ['adset id', 'ad set id', 'ad group id'],
      ad: ['ad', 'ad name'],
      adId: ['ad id'],
      link: ['link', 'url', 'landing page', 'landing page url', 'final url'],
      spend: ['spend', 'amount spent', 'cost'],
      impressions: ['impressions', 'impr.'],
      clicks: ['clicks', 'link clicks'],
      conversions: ['conversions', 'purchases', 'results', 'leads'],
      revenue: ['revenue', 'purchase value', 'purchases value', 'conversion value', 'conv. value', 'value'],
      reach: ['reach'],
      frequency: ['frequency'],
      currency: ['currency'],
    },
    // Conversions and revenue may be absent (a lead-gen file has no revenue, a spend
    // file neither): they are then "not reported" — unknown, never 0.
    required: ['date', 'platform', 'campaign', 'spend', 'impressions', 'clicks'],
  },
  tiktok: {
    name: 'tiktok',
    label: 'TikTok Ads Manager export',
    platform: 'tiktok',
    columns: {
      date: ['date', 'by day', 'stat time day', 'day', 'time'],
      account: ['advertiser name', 'account name', 'account'],
      accountId: ['advertiser id', 'account id'],
      campaign: ['campaign name', 'campaign'],
      campaignId: ['campaign id'],
      adset: ['ad group name', 'ad group'],
      adsetId: ['ad group id'],
      ad: ['ad name', 'ad'],
      adId: ['ad id'],
      link: ['landing page url', 'destination url', 'url', 'link'],
      spend: ['cost', 'total cost', 'spend'],
      impressions: ['impressions', 'impression'],
      clicks: ['clicks (destination)', 'clicks', 'click'],
      conversions: ['conversions', 'complete payment', 'purchases', 'results', 'result'],
      revenue: [
        'total complete payment value',
        'complete payment value',
        'total purchase value',
        'purchase value',
        'conversion value',
        'value',
      ],
      reach: ['reach'],
      frequency: ['frequency'],
      currency: ['currency'],
    },
    required: ['date', 'campaign', 'spend', 'impressions', 'clicks'],
    emptyIsZero: true,
  },
  meta: {
    name: 'meta',
    label: 'Meta Ads Manager export',
    platform: 'meta',
    columns: {
      date: ['day', 'date', 'reporting starts'],
      dateEnd: ['reporting ends'],
      account: ['account name'],
      accountId: ['account id'],
      campaign: ['campaign name'],
      campaignId: ['campaign id'],
      adset: ['ad set name'],
      adsetId: ['ad set id'],
      ad: ['ad name'],
      adId: ['ad id'],
      link: ['website url', 'link'],
      spend: ['amount spent'],
      impressions: ['impressions'],
      clicks: ['link clicks', 'clicks (all)', 'clicks'],
      conversions: ['purchases', 'website purchases', 'leads', 'results'],
      revenue: [
        'purchases conversion value',
        'website purchases conversion value',
        'purchase conversion value',
        'conversion value',
        'results value',
      ],
      reach: ['reach'],
      frequency: ['frequency'],
      currency: ['currency'],
      // What each row's "Results" count: actions:lead, actions:offsite_conversion.fb_pixel_purchase, reach, …
      resultIndicator: ['result indicator', 'result type'],
    },
    required: ['date', 'campaign', 'spend', 'impressions'],
    emptyIsZero: true,
  },
  google: {
    name: 'google',
    label: 'Google Ads report',
    platform: 'google',
    // Column names of the Google Ads UI's downloaded reports (English).
    columns: {
      date: ['day', 'date'],
      account: ['account', 'account name', 'customer name'],
      accountId: ['customer id', 'account id'],
      campaign: ['campaign', 'campaign name'],
      campaignId: ['campaign id'],
      adset: ['ad group', 'ad group name'],
      adsetId: ['ad group id'],
      ad: ['ad', 'ad name'],
      adId: ['ad id'],
      link: ['final url', 'final urls', 'landing page'],
      spend: ['cost'],
      impressions: ['impr.', 'impressions'],
      clicks: ['clicks'],
      conversions: ['conversions', 'conv.', 'all conv.'],
      revenue: ['conv. value', 'conversion value', 'total conv. value', 'all conv. value'],
      currency: ['currency code', 'currency'],
    },
    required: ['date', 'campaign', 'spend', 'impressions', 'clicks'],
  },
};

export interface Header {
  /** As written in the file (for error messages). */
  raw: string;
  key: string;
  /** "EUR" from "Amount spent (EUR)". */
  currency?: string;
}

export function normalizeHeader(raw: string): Header {
  // campaign_name, Campaign Name and "campaign  name" are one header.
  let key = raw.replace(/^\ufeff/, '').trim().replace(/[\s_]+/g, ' ').toLowerCase();
  let currency: string | undefined;
  const m = /\s*\(([a-z]{3})\)$/.exec(key);
  if (m) {
    currency = m[1]!.toUpperCase();
    key = key.slice(0, m.index);
  }
  // raw is only shown to people: a 10 MB header cell must not become a 10 MB message.
  const shown = raw.trim();
  return { raw: shown.length > 200 ? `${shown.slice(0, 199)}…` : shown, key, currency };
}

export interface ColumnPlan {
  format: FormatSpec;
  /** Column index per field; missing optional fields are absent. */
  index: Partial<Record<Field, number>>;
  headers: Header[];
}

/** `supplied`: fields given as constants (--set), present whatever the headers say. */
export function planColumns(format: FormatSpec, headers: Header[], supplied?: ReadonlySet<Field>): { plan?: ColumnPlan; missing: Field[] } {
  const index: Partial<Record<Field, number>> = {};
  for (const [field, candidates] of Object.entries(format.columns) as [Field, string[]][]) {
    for (const c of candidates) {
      const i = headers.findIndex((h) => h.key === c);
      if (i >= 0) {
        index[field] = i;
        break;
      }
    }
  }
  const missing = format.required.filter((f) => index[f] === undefined && !supplied?.has(f));
  return missing.length ? { missing } : { plan: { format, index, headers }, missing };
}

/** Picks the format whose required columns are all present; generic wins ties. */
export function detectFormat(headers: Header[], supplied?: ReadonlySet<Field>): ColumnPlan | undefined {
  const keys = new Set(headers.map((h) => h.key));
  // A platform column is the generic layout's mark, whatever else the headers say.
  const order: FormatName[] = keys.has('platform')
    ? ['generic', 'meta', 'tiktok', 'google']
    : keys.has('amount spent')
    ? ['meta', 'generic', 'tiktok', 'google']
    : keys.has('impr.') || keys.has('conv. value') || keys.has('currency code') || (keys.has('ad group') && keys.has('cost'))
      ? ['google', 'generic', 'tiktok', 'meta']
      : keys.has('ad group name') || keys.has('ad group id') || keys.has('stat time day') || keys.has('cost')
        ? ['tiktok', 'generic', 'meta', 'google']
        : ['generic', 'tiktok', 'meta', 'google'];
  for (const name of order) {
    const { plan } = planColumns(FORMATS[name], headers, supplied);
    if (plan) return plan;
  }
  return undefined;
}

export function describeMissing(format: FormatSpec, missing: Field[]): string {
  return missing
    .map((f) => {
      const c = format.columns[f] ?? [];
      return c.length > 1 ? `${f} (one of: ${c.map((x) => `"${x}"`).join(', ')})` : `"${c[0] ?? f}"`;
    })
    .join('; ');
}

const PLATFORM_ALIASES = new Map<string, Platform>(Object.entries({
  tiktok: 'tiktok', 'tik tok': 'tiktok', tt: 'tiktok',
  meta: 'meta', facebook: 'meta', fb: 'meta', instagram: 'meta', ig: 'meta',
  google: 'google', 'google ads': 'google', adwords: 'google', youtube: 'google',
  shopify: 'shopify', redtrack: 'redtrack', other: 'other',
}) as [string, Platform][]);

export function parsePlatform(raw: string): Platform | undefined {
  return PLATFORM_ALIASES.get(raw) ?? PLATFORM_ALIASES.get(raw.trim().toLowerCase().replace(/\s+/g, ' '));
}
export const PLATFORM_NAMES = ['tiktok', 'meta', 'google', 'shopify', 'redtrack', 'other'];

/**
 * Meta's result indicators that are conversions (a lead, a purchase, a sign-up,
 * a started conversation). "Results" on a row optimised for link clicks, reach or
 * video views counts those, which are not conversions.
 */
export function isConversionResult(indicator: string): boolean {
  const k = indicator.trim().toLowerCase().replace(/^actions:/, '');
  if (k === '') return true;
  return /lead|purchase|complete_registration|offsite_conversion|onsite_conversion|messaging_conversation|omni_|add_to_cart|initiate_checkout|initiated_checkout|subscribe|contact|schedule|submit_application|app_install|mobile_app_install|start_trial/.test(k);
}
