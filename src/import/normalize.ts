// Turns parsed CSV records into a WriteBatch, or a list of precise errors
// (line, column, value, reason). Nothing here touches the database.
import { addEntity, newBatch, type WriteBatch } from '../ingest/batch.ts';
import type { Platform } from '../generated/prisma/enums.ts';
import { parseCampaignName, type CampaignNameParts } from './campaign-name.ts';
import { PLATFORM_NAMES, parsePlatform, type ColumnPlan, type Field } from './formats.ts';
import {
  inferDayOrder,
  isBlank,
  MAX_COUNT,
  parseCents,
  parseCount,
  parseDate,
  parseNonNegative,
  type Parsed,
} from './values.ts';

export interface RowError {
  line: number;
  column: string | null;
  value: string | null;
  reason: string;
}

export interface NormalizeResult {
  batch: WriteBatch;
  rowsTotal: number;
  rowsValid: number;
  skippedSummaryRows: number;
  errors: RowError[];
  /** Rows with errors (a row may have several errors). */
  rejectedLines: number;
  dateFrom: string | null;
  dateTo: string | null;
}

export interface Record_ {
  line: number;
  cells: string[];
}

export interface NormalizeOptions {
  /** The client's currency; money columns in another currency are refused. */
  currency: string;
  /** The client's local today; later dates are refused. */
  today: string;
}

const PLATFORM_LABEL: Record<string, string> = {
  tiktok: 'TikTok', meta: 'Meta', google: 'Google Ads', shopify: 'Shopify', redtrack: 'RedTrack', other: 'Other',
};

export function normalizeRecords(plan: ColumnPlan, records: Record_[], opts: NormalizeOptions): NormalizeResult {
  const { index, headers, format } = plan;
  const col = (f: Field) => index[f];
  const headerName = (f: Field) => headers[index[f]!]?.raw ?? f;
  const width = headers.length;
  const batch = newBatch();
  const errors: RowError[] = [];
  let rejectedLines = 0;
  let rowsValid = 0;
  let skippedSummaryRows = 0;
  let dateFrom: string | null = null;
  let dateTo: string | null = null;
  const seen = new Map<string, number>();
  const metricAt = new Map<string, number>();
  const campaignParts = new Map<string, CampaignNameParts>();

  const dateCol = col('date')!;
  const order = inferDayOrder(records.slice(0, 5000).map((r) => r.cells[dateCol] ?? ''));

  for (const { line, cells } of records) {
    if (cells.length === 1 && cells[0]!.trim() === '') continue;
    if (isSummaryRow(cells, col('campaign'))) {
      skippedSummaryRows++;
      continue;
    }
    const rowErrors: RowError[] = [];
    const fail = (f: Field | null, reason: string) => {
      const value = f === null ? null : (cells[index[f]!] ?? null);
      rowErrors.push({ line, column: f === null ? null : headerName(f), value, reason });
    };
    if (cells.length !== width) {
      errors.push({
        line,
        column: null,
        value: null,
        reason: `has ${cells.length} fields but the header has ${width} (a value with an unquoted comma?)`,
      });
      rejectedLines++;
      continue;
    }
    const get = (f: Field): string | undefined => {
      const i = index[f];
      return i === undefined ? undefined : cells[i]!.trim();
    };
    const take = <T>(f: Field, p: Parsed<T>): T | undefined => {
      if (p.ok) return p.value;
      fail(f, `${headerName(f)} ${p.reason}`);
      return undefined;
    };
    const num = <T>(f: Field, parse: (s: string) => Parsed<T>, blank: T): T | undefined => {
      const v = get(f);
      return v === undefined || isBlank(v) ? blank : take(f, parse(v));
    };

    // Date (and, for Meta, a single-day reporting window).
    const rawDate = get('date') ?? '';
    const date = isBlank(rawDate) ? (fail('date', 'date is missing'), undefined) : take('date', parseDate(rawDate, order));
    if (date && date > opts.today) fail('date', `date ${date} is in the future`);
    const rawEnd = get('dateEnd');
    if (date && rawEnd && !isBlank(rawEnd)) {
      const end = parseDate(rawEnd, order);
      if (end.ok && end.value !== date) {
        fail('dateEnd', `row covers ${date} to ${end.value}; export with a daily breakdown (Breakdown › By time › Day)`);
      }
    }

    // Platform.
    let platform: Platform | undefined = format.platform;
    if (!platform) {
      const raw = get('platform') ?? '';
      platform = parsePlatform(raw);
      if (!platform) {
        fail('platform', raw ? `unknown platform "${raw}" (expected one of: ${PLATFORM_NAMES.join(', ')})` : 'platform is missing');
      }
    }

    // Currency column values, when the export has one.
    const cur = get('currency');
    if (cur && !isBlank(cur) && cur.toUpperCase() !== opts.currency) {
      fail('currency', `currency ${cur.toUpperCase()} differs from the client's currency ${opts.currency}`);
    }

    // Names.
    const campaign = get('campaign') ?? '';
    if (!campaign) fail('campaign', 'campaign is missing');
    const account = get('account') ?? '';
    if (format.name === 'generic' && !account) fail('account', 'account is missing');

    // Metrics.
    const spendCents = num('spend', (s) => parseCents(s), 0);
    const impressions = num('impressions', parseCount, 0);
    const clicks = num('clicks', parseCount, 0);
    const conversions = num('conversions', (s) => parseNonNegative(s, MAX_COUNT), 0);
    const revenueCents = num('revenue', (s) => parseCents(s), 0);
    const reach = num<number | null>('reach', parseCount, null);
    const frequency = num<number | null>('frequency', (s) => parseNonNegative(s, 1000), null);

    if (rowErrors.length > 0) {
      errors.push(...rowErrors);
      rejectedLines++;
      continue;
    }

    // Entity path: account → campaign → ad set → ad → link. Name-based ids are
    // qualified by their parent so "Ad 1" in two ad sets stays two ads.
    const p = platform!;
    const accountId = get('accountId');
    const accountExt = accountId || account || 'default';
    const accountKey = addEntity(batch, {
      platform: p,
      kind: 'account',
      externalId: accountExt,
      name: account || accountId || `${PLATFORM_LABEL[p]} account`,
    });
    let parts = campaignParts.get(campaign);
    if (!parts) campaignParts.set(campaign, (parts = parseCampaignName(campaign)));
    const campaignExt = get('campaignId') || `${accountExt}/${campaign}`;
    let leafKey = addEntity(batch, {
      platform: p,
      kind: 'campaign',
      externalId: campaignExt,
      name: campaign,
      parentKey: accountKey,
      attributes: parts.offer || parts.accountNumber || parts.sparkCode || parts.platform ? { ...parts } : undefined,
    });
    let leafExt = campaignExt;
    addTagEntities(batch, p, parts);
    const adset = get('adset');
    if (adset) {
      leafExt = get('adsetId') || `${leafExt}/${adset}`;
      leafKey = addEntity(batch, { platform: p, kind: 'adset', externalId: leafExt, name: adset, parentKey: leafKey });
    }
    const ad = get('ad');
    if (ad) {
      leafExt = get('adId') || `${leafExt}/${ad}`;
      leafKey = addEntity(batch, { platform: p, kind: 'ad', externalId: leafExt, name: ad, parentKey: leafKey });
    }
    const link = get('link');
    const tuple = `${date}|${leafKey}|${link ?? ''}`;
    const dup = seen.get(tuple);
    if (dup !== undefined) {
      errors.push({ line, column: null, value: null, reason: `duplicate row: same day and entity as line ${dup}` });
      rejectedLines++;
      continue;
    }
    seen.set(tuple, line);
    if (link) {
      // A tracking link is one entity however many ads point at it.
      leafKey = addEntity(batch, { platform: p, kind: 'link', externalId: link, name: link, parentKey: leafKey });
    }

    const mkey = `${leafKey}|${date}`;
    const at = metricAt.get(mkey);
    if (at === undefined) {
      metricAt.set(mkey, batch.metrics.length);
      batch.metrics.push({
        entityKey: leafKey,
        date: date!,
        spendCents: spendCents!,
        impressions: impressions!,
        clicks: clicks!,
        conversions: conversions!,
        revenueCents: revenueCents!,
        reach: reach ?? null,
        frequency: frequency ?? null,
      });
    } else {
      // The same link under two ads on one day: its day is the sum.
      const m = batch.metrics[at]!;
      m.spendCents += spendCents!;
      m.impressions += impressions!;
      m.clicks += clicks!;
      m.conversions += conversions!;
      m.revenueCents += revenueCents!;
      m.reach = null;
      m.frequency = null;
    }
    rowsValid++;
    if (dateFrom === null || date! < dateFrom) dateFrom = date!;
    if (dateTo === null || date! > dateTo) dateTo = date!;
  }

  return {
    batch,
    rowsTotal: rowsValid + rejectedLines,
    rowsValid,
    skippedSummaryRows,
    errors,
    rejectedLines,
    dateFrom,
    dateTo,
  };
}

function addTagEntities(batch: WriteBatch, platform: Platform, parts: CampaignNameParts) {
  if (parts.offerKey) {
    addEntity(batch, { platform, kind: 'offer', externalId: parts.offerKey, name: parts.offer! });
  }
  if (parts.sparkCode) {
    const id = parts.accountNumber ? `${parts.accountNumber}-${parts.sparkCode}` : parts.sparkCode;
    addEntity(batch, { platform, kind: 'spark_code', externalId: id, name: id });
  }
}

/** TikTok ends exports with "Total of N …"; Meta can start with a totals row. */
function isSummaryRow(cells: string[], campaignCol: number | undefined): boolean {
  const first = (cells[0] ?? '').trim();
  if (/^total\b/i.test(first)) return true;
  const c = campaignCol === undefined ? '' : (cells[campaignCol] ?? '').trim();
  return /^(total of |results from )/i.test(c);
}
