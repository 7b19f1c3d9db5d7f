// Turns parsed CSV records into a WriteBatch, or a list of precise errors
// (line, column, value, reason). Nothing here touches the database.
import { createHash } from 'node:crypto';
import { AppError } from '../errors.ts';
import { addEntity, addKnown, newBatch, type WriteBatch } from '../ingest/batch.ts';
import type { Platform } from '../generated/prisma/enums.ts';
import { currencyExponent } from '../domain/currency.ts';
import { addLinkEntity } from '../domain/links.ts';
import { parseCampaignName, type CampaignNameParts } from './campaign-name.ts';
import { PLATFORM_NAMES, isConversionResult, parsePlatform, type ColumnPlan, type Field } from './formats.ts';
import type { NameLookup } from './names-lookup.ts';
import { datePart, DatePlanChanged, planDates, type DateOrderChoice, type DatePlan } from './date-plan.ts';
import {
  isBlank,
  MAX_CONVERSIONS,
  MAX_LINK_BYTES,
  MAX_NAME_CHARS,
  parseCents,
  parseCount,
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
  /** Rows that report no number at all (every metric unknown): nothing to store. */
  skippedEmptyRows: number;
  /** Valid rows per metric whose value was not reported (stored as unknown, not 0). */
  unknown: Record<'impressions' | 'clicks' | 'conversions' | 'revenue', number>;
  errors: RowError[];
  /** Rows with errors (a row may have several errors). */
  rejectedLines: number;
  /** Spend of the rows kept, of the rejected rows whose spend cell could be read, and how many rejected rows it could not be read on. */
  spend: { keptCents: number; droppedCents: number; droppedUnreadRows: number };
  /** How the dates were read, for the summary: 'YYYY-MM-DD', 'MM/DD/YYYY', 'DD-MM-YYYY' (or several, comma-separated). */
  dateFormat: string | null;
  /** How mixed or ambiguous a/b/yyyy dates were read (settled by the file's other dates), for the summary. */
  dateNotes: string[];
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
  /** The text has NUL bytes or invalid UTF-8 somewhere: check each row (skipped when clean, a hot loop). */
  checkCharacters?: boolean;
  /** Day order of a/b/yyyy dates as the user said (`--date-format`, per separator or for all); otherwise read from the file, never guessed. */
  dayOrder?: DateOrderChoice;
  /** Names by id from lookup files (--names). */
  names?: NameLookup;
  /** Every distinct date cell of the file with its first line, when a first pass found them (see DatePlanChanged). */
  dateSamples?: { raw: string; line: number }[];
  /** A breakdown export (several rows per entity and day: age, gender, placement, country): add them up instead of refusing the repeats. */
  sumRows?: boolean;
}

const PLATFORM_LABEL: Record<string, string> = {
  tiktok: 'TikTok', meta: 'Meta', google: 'Google Ads', shopify: 'Shopify', redtrack: 'RedTrack', other: 'Other',
};

export function normalizeRecords(plan: ColumnPlan, records: Record_[], opts: NormalizeOptions): NormalizeResult {
  try {
    const n = createNormalizer(plan, opts);
    n.push(records);
    return n.finish();
  } catch (err) {
    if (!(err instanceof DatePlanChanged)) throw err;
    const n = createNormalizer(plan, { ...opts, dateSamples: err.samples });
    n.push(records);
    return n.finish();
  }
}

/** Validates records chunk by chunk; `finish` returns the batch and every error. */
export function createNormalizer(plan: ColumnPlan, opts: NormalizeOptions, fileName = 'the file') {
  const { index, headers, format } = plan;
  const col = (f: Field) => index[f];
  const headerName = (f: Field) => headers[index[f]!]?.raw ?? f;
  const width = headers.length;
  const batch = newBatch();
  const errors: RowError[] = [];
  let rejectedLines = 0;
  let rowsValid = 0;
  const spend = { keptCents: 0, droppedCents: 0, droppedUnreadRows: 0 };
  let skippedSummaryRows = 0;
  let skippedEmptyRows = 0;
  const unknown = { impressions: 0, clicks: 0, conversions: 0, revenue: 0 };
  let dateFrom: string | null = null;
  let dateTo: string | null = null;
  const seen = new Map<number, number>();
  const metricAt = new Map<number, number>();
  const campaignParts = new Map<string, CampaignNameParts>();
  // Per distinct path: its leaf entity and, per link under it, the row identity.
  const pathCache = new Map<string, { leafKey: string; links: Map<string, { no: number; leafKey: string; leafNo: number }> }>();
  let comboCount = 0;
  const leafNumbers = new Map<string, number>();
  const days = new Map<string, number>();
  const dayNumber = (d: string) => {
    let n = days.get(d);
    if (n === undefined) days.set(d, (n = Math.round(Date.parse(`${d}T00:00:00Z`) / 86_400_000) - 10_957)); // days since 2000-01-01
    return n;
  };

  const dateCol = col('date')!;
  const lookup = opts.names;
  // Day order (MM/DD vs DD/MM, per separator) is planned from the first chunk's dates
  // (or every date, on a second pass); finish() checks the plan against the whole file.
  let datePlan: DatePlan | undefined = opts.dateSamples ? planDates(opts.dateSamples, opts.dayOrder) : undefined;
  const dateCells = new Map<string, number>();

  // Row state lives outside the loop so the helpers below are created once, not
  // per row (closures per row dominated the profile on million-row files).
  let line = 0;
  let cells: string[] = [];
  let rowErrors: RowError[] = [];
  const fail = (f: Field | null, reason: string) => {
    const raw = f === null ? null : (cells[index[f]!] ?? null);
    const value = raw !== null && raw.length > 200 ? `${raw.slice(0, 199)}…` : raw;
    rowErrors.push({ line, column: f === null ? null : headerName(f), value, reason });
  };
  const get = (f: Field): string | undefined => {
    const i = index[f];
    return i === undefined ? undefined : cells[i]!.trim();
  };
  const take = <T>(f: Field, p: Parsed<T>): T | undefined => {
    if (p.ok) return p.value;
    fail(f, `${headerName(f)} ${p.reason}`);
    return undefined;
  };
  // A missing column or a missing-value token is unknown (null); an empty cell is
  // 0 only in exports that leave zeros empty. undefined = the cell is invalid.
  const emptyIsZero = format.emptyIsZero === true;
  const num = <T>(f: Field, parse: (s: string) => Parsed<T>): T | null | undefined => {
    const v = get(f);
    if (v === undefined) return null;
    if (!isBlank(v)) return take(f, parse(v));
    return v === '' && emptyIsZero ? (0 as T) : null;
  };
  // Amounts in the client currency's minor unit: cents, or whole yen for JPY.
  const exponent = currencyExponent(opts.currency);
  const money = (s: string) => parseCents(s, false, exponent);
  /** A rejected row: counted, with what it spent when its spend cell can be read (what --skip-invalid would drop). */
  const reject = (aligned: boolean) => {
    rejectedLines++;
    const raw = aligned ? get('spend') : undefined;
    const v = raw === undefined || isBlank(raw) ? null : money(raw);
    if (v?.ok) spend.droppedCents += v.value;
    else if (raw === undefined || !isBlank(raw)) spend.droppedUnreadRows++;
  };
  const conversionsOf = (s: string) => parseNonNegative(s, MAX_CONVERSIONS);
  const nameOf = (f: Field): string => {
    const v = get(f) ?? '';
    if (v.length > MAX_NAME_CHARS) fail(f, `${headerName(f)} is longer than ${MAX_NAME_CHARS} characters`);
    return v;
  };
  const frequencyOf = (s: string) => parseNonNegative(s, 1000);
  const resultsByIndicator = index.resultIndicator !== undefined && index.conversions !== undefined && headers[index.conversions]?.key === 'results';

  function push(records: Record_[]) {
  datePlan ??= planDates(records.slice(0, 5000).map((r) => ({ raw: datePart(r.cells[dateCol] ?? ''), line: r.line })), opts.dayOrder);
  for (const record of records) {
    line = record.line;
    cells = record.cells;
    if (cells.length === 1 && cells[0]!.trim() === '') continue;
    if (isSummaryRow(cells, col('campaign'))) {
      skippedSummaryRows++;
      continue;
    }
    rowErrors = [];
    if (opts.checkCharacters) {
      const bad = badCharacters(cells);
      if (bad) {
        errors.push({ line, column: headers[bad.column]?.raw ?? null, value: null, reason: bad.reason });
        reject(cells.length === width);
        continue;
      }
    }
    if (cells.length !== width) {
      errors.push({
        line,
        column: null,
        value: null,
        reason: `has ${cells.length} fields but the header has ${width} (a value with an unquoted comma?)`,
      });
      reject(false);
      continue;
    }

    // Date (and, for Meta, a single-day reporting window).
    const rawDate = get('date') ?? '';
    if (!isBlank(rawDate) && !dateCells.has(rawDate)) dateCells.set(rawDate, line);
    const date = isBlank(rawDate) ? (fail('date', 'date is missing'), undefined) : take('date', datePlan.read(rawDate));
    if (date && date > opts.today) fail('date', `date ${date} is in the future`);
    const rawEnd = get('dateEnd');
    if (date && rawEnd && !isBlank(rawEnd)) {
      const end = datePlan.read(rawEnd);
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

    // Names (and ids: a names file joins names to ids, and ids to their parents).
    let campaign = nameOf('campaign');
    // No account column: one default account per platform.
    let account = nameOf('account');
    let adset = nameOf('adset');
    let ad = nameOf('ad');
    let accountId = idOf(get('accountId') ?? '');
    let campaignId = idOf(get('campaignId') ?? '');
    let adsetId = idOf(get('adsetId') ?? '');
    let adId = idOf(get('adId') ?? '');
    if (lookup) {
      const { names, parents } = lookup;
      // A name cell that holds an id the names file knows (campaigns exported as ids).
      if (!adId && ad && names.ad[ad] !== undefined) [adId, ad] = [ad, ''];
      if (!adsetId && adset && names.adset[adset] !== undefined) [adsetId, adset] = [adset, ''];
      if (!campaignId && campaign && names.campaign[campaign] !== undefined) [campaignId, campaign] = [campaign, ''];
      if (!accountId && account && names.account[account] !== undefined) [accountId, account] = [account, ''];
      if (!adsetId && adId) adsetId = parents.ad[adId] ?? '';
      if (!campaignId && adsetId) campaignId = parents.adset[adsetId] ?? '';
      if (!accountId && campaignId) accountId = parents.campaign[campaignId] ?? '';
      if (!ad && adId) ad = names.ad[adId] ?? '';
      if (!adset && adsetId) adset = names.adset[adsetId] ?? '';
      if (!campaign && campaignId) campaign = names.campaign[campaignId] ?? '';
      if (!account && accountId) account = names.account[accountId] ?? '';
    }
    if (!campaign) {
      fail('campaign', campaignId ? `campaign id ${campaignId} has no name${lookup ? ' in the names file(s)' : ''}: pass a names file (--names campaigns.csv)` : 'campaign is missing');
    }
    const link = get('link') ?? '';
    // UTF-8 takes at most 3 bytes per UTF-16 unit: only long links need counting.
    if (link.length * 3 > MAX_LINK_BYTES && Buffer.byteLength(link) > MAX_LINK_BYTES) fail('link', `link is longer than ${MAX_LINK_BYTES} bytes`);

    // Metrics.
    let spendCents = num('spend', money);
    const impressions = num('impressions', parseCount);
    const clicks = num('clicks', parseCount);
    let conversions = num('conversions', conversionsOf);
    // Meta's "Results" count each ad set's own optimisation event: only conversion events are conversions.
    if (resultsByIndicator && conversions !== null && conversions !== undefined && !isConversionResult(get('resultIndicator') ?? '')) conversions = null;
    const revenueCents = num('revenue', money);
    const reach = num('reach', parseCount);
    const frequency = num('frequency', frequencyOf);
    if (spendCents === null) {
      const activity = (['impressions', 'clicks', 'conversions', 'revenue'] as const).filter((f, k) => ([impressions, clicks, conversions, revenueCents][k] ?? 0) > 0);
      if (activity.length > 0) {
        fail('spend', `${headerName('spend')} is not reported ("${get('spend')}") on a row with ${activity.join(', ')}: what it cost is unknown, and 0 would be wrong`);
      } else if (impressions === null && clicks === null && conversions === null && revenueCents === null) {
        if (rowErrors.length === 0) {
          skippedEmptyRows++;
          continue;
        }
      } else {
        // Nothing happened on this row: nothing was spent.
        spendCents = 0;
      }
    }

    if (rowErrors.length > 0) {
      errors.push(...rowErrors);
      reject(true);
      continue;
    }

    // Entity path: account → campaign → ad set → ad → link. Name-based ids are
    // qualified by their parent so "Ad 1" in two ad sets stays two ads. Paths
    // repeat every day, so each distinct path is resolved once.
    const p = platform!;
    const pathId = `${p}\u0000${accountId}\u0000${account}\u0000${campaignId}\u0000${campaign}\u0000${adsetId}\u0000${adset}\u0000${adId}\u0000${ad}`;
    let path = pathCache.get(pathId);
    if (path === undefined) {
      let leafKey: string;
      const accountExt = accountId || boundedId(account) || 'default';
      const accountKey = addEntity(batch, {
        platform: p,
        kind: 'account',
        externalId: accountExt,
        name: account || accountId || `${PLATFORM_LABEL[p]} account`,
      });
      let parts = campaignParts.get(campaign);
      if (!parts) campaignParts.set(campaign, (parts = parseCampaignName(campaign)));
      let leafExt = campaignId || boundedId(`${accountExt}/${campaign}`);
      leafKey = addEntity(batch, {
        platform: p,
        kind: 'campaign',
        externalId: leafExt,
        name: campaign,
        parentKey: accountKey,
        attributes: parts.offer || parts.accountNumber || parts.sparkCode || parts.platform ? { ...parts } : undefined,
      });
      addTagEntities(batch, p, parts);
      if (adset) {
        leafExt = adsetId || boundedId(`${leafExt}/${adset}`);
        leafKey = addEntity(batch, { platform: p, kind: 'adset', externalId: leafExt, name: adset, parentKey: leafKey });
      }
      if (ad) {
        leafExt = adId || boundedId(`${leafExt}/${ad}`);
        leafKey = addEntity(batch, { platform: p, kind: 'ad', externalId: leafExt, name: ad, parentKey: leafKey });
      }
      path = { leafKey, links: new Map() };
      pathCache.set(pathId, path);
    }
    // A row's identity is (path, link, day); numeric keys keep the million-row
    // maps cheap: combo/leaf numbers × 2^16 + day number.
    let combo = path.links.get(link);
    if (combo === undefined) {
      let key = path.leafKey;
      // A tracking link is one entity however many ads point at it.
      if (link) key = addLinkEntity(batch, p, link, path.leafKey);
      let leafNo = leafNumbers.get(key);
      if (leafNo === undefined) leafNumbers.set(key, (leafNo = leafNumbers.size));
      combo = { no: comboCount++, leafKey: key, leafNo };
      path.links.set(link, combo);
    }
    const dayNo = dayNumber(date!);
    const tuple = combo.no * 65536 + dayNo;
    const dup = seen.get(tuple);
    if (dup !== undefined && !opts.sumRows) {
      errors.push({ line, column: null, value: null, reason: `duplicate row: same day and entity as line ${dup}` });
      reject(true);
      continue;
    }
    if (dup === undefined) seen.set(tuple, line);
    const leafKey = combo.leafKey;
    const mkey = combo.leafNo * 65536 + dayNo;
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
      if ((m.conversions ?? 0) + (conversions ?? 0) > MAX_CONVERSIONS) {
        errors.push({ line, column: headerName('conversions'), value: null, reason: `conversions of this link on ${date} add up to more than ${MAX_CONVERSIONS}` });
        reject(true);
        continue;
      }
      // Unknown in either row: the sum is unknown too.
      m.spendCents += spendCents!;
      m.impressions = addKnown(m.impressions, impressions!);
      m.clicks = addKnown(m.clicks, clicks!);
      m.conversions = addKnown(m.conversions, conversions!);
      m.revenueCents = addKnown(m.revenueCents, revenueCents!);
      m.reach = null;
      m.frequency = null;
    }
    rowsValid++;
    spend.keptCents += spendCents!;
    if (impressions === null) unknown.impressions++;
    if (clicks === null) unknown.clicks++;
    if (conversions === null) unknown.conversions++;
    if (revenueCents === null) unknown.revenue++;
    if (dateFrom === null || date! < dateFrom) dateFrom = date!;
    if (dateTo === null || date! > dateTo) dateTo = date!;
  }

  }

  function finish(): NormalizeResult {
  // The plan made from the first chunk must read every date as the whole file says.
  const samples = new Map<string, number>();
  for (const [raw, l] of dateCells) {
    const key = datePart(raw);
    if (!samples.has(key) || samples.get(key)! > l) samples.set(key, l);
  }
  const sampleList = [...samples].map(([raw, l]) => ({ raw, line: l }));
  const full = opts.dateSamples && datePlan ? datePlan : planDates(sampleList, opts.dayOrder);
  if (full.fileError) throw new AppError('invalid_input', `${fileName}: ${full.fileError}`);
  if (datePlan && full !== datePlan) {
    for (const raw of dateCells.keys()) {
      const [a, b] = [datePlan.read(raw), full.read(raw)];
      if (a.ok !== b.ok || (a.ok && b.ok && a.value !== b.value)) throw new DatePlanChanged(sampleList);
    }
  }
  return {
    dateFormat: full.describe(),
    dateNotes: full.notes,
    batch,
    rowsTotal: rowsValid + rejectedLines,
    rowsValid,
    skippedSummaryRows,
    skippedEmptyRows,
    unknown,
    errors,
    rejectedLines,
    spend,
    dateFrom,
    dateTo,
  };
  }

  return { push, finish };
}

export function addTagEntities(batch: WriteBatch, platform: Platform, parts: CampaignNameParts) {
  if (parts.offerKey) {
    addEntity(batch, { platform, kind: 'offer', externalId: parts.offerKey, name: parts.offer! });
  }
  if (parts.sparkCode) {
    const id = parts.accountNumber ? `${parts.accountNumber}-${parts.sparkCode}` : parts.sparkCode;
    addEntity(batch, { platform, kind: 'spark_code', externalId: id, name: id });
  }
}

/** TikTok ends exports with "Total of N …"; Meta can start with a totals row. */
// "Total" in the languages ad managers export in, alone in the first cell.
const TOTAL_WORDS = new Set(['合計', '合计', '总计', '總計', '합계', 'gesamt', 'gesamtsumme', 'summe', 'totale', 'totaal', 'somme', 'suma', 'итого', 'toplam', 'razem', 'yhteensä']);

function isSummaryRow(cells: string[], campaignCol: number | undefined): boolean {
  const first = cells[0] ?? '';
  if (startsWithLetter(first, 't') && /^\s*total\b/i.test(first)) return true;
  // Dates and ids start with a digit: only short words are looked up.
  const c0 = first.charCodeAt(0);
  if (first.length > 0 && first.length <= 16 && !(c0 >= 48 && c0 <= 57) && TOTAL_WORDS.has(first.trim().toLowerCase())) return true;
  const c = campaignCol === undefined ? '' : (cells[campaignCol] ?? '');
  return (startsWithLetter(c, 't') || startsWithLetter(c, 'r')) && /^\s*(total of |results from )/i.test(c);
}

// A cheap first-character test before the regex: this runs on every row.
function startsWithLetter(s: string, lower: string): boolean {
  const c = s.trimStart().charAt(0);
  return c === lower || c === lower.toUpperCase();
}


/** Platform ids are short; anything else in an id column is not one. */
function idOf(v: string): string {
  return v.length > MAX_NAME_CHARS ? boundedId(v) : v;
}

// Ids built from names (account/campaign/ad set/ad) can grow past what a btree
// index row holds (~2.7 kB): long ones are replaced by their hash, stable across imports.
const MAX_ID_BYTES = 1024;
function boundedId(id: string): string {
  return Buffer.byteLength(id) <= MAX_ID_BYTES ? id : `sha256:${createHash('sha256').update(id).digest('hex')}`;
}

/** A NUL byte or a character that was not valid UTF-8 in the file. */
function badCharacters(cells: string[]): { column: number; reason: string } | null {
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i]!;
    if (c.includes('\u0000')) return { column: i, reason: 'contains a NUL byte (is this a binary file, or UTF-16 without a byte-order mark?)' };
    if (c.includes('\ufffd')) return { column: i, reason: 'contains bytes that are not valid UTF-8 (save the file as UTF-8)' };
  }
  return null;
}
