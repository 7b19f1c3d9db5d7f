// The connector framework: every ad platform behind one small interface. A
// connector reads the platform; src/sources/sync.ts turns its rows into the same
// write path as the CSV import (entity tree, DailyMetric per entity/day/source).
import type { Platform } from '../generated/prisma/enums.ts';
import type { MetricValues } from '../ingest/batch.ts';

export interface AccountInfo {
  /** The platform's account id as adbrain stores it ("act_123" → "123" for Meta). */
  id: string;
  name: string;
  /** ISO 4217. */
  currency: string;
  /** IANA. */
  timezone: string;
}

export interface NamedId {
  id: string;
  name: string;
}

/** One ad (or campaign, for campaign types without ads) on one day, in the account's currency
 * (integer minor units; null = not reported, never 0): the import's metric values plus where they belong. */
export interface SourceRow extends MetricValues {
  /** The account's local day, YYYY-MM-DD. */
  date: string;
  campaign: NamedId;
  adset?: NamedId;
  ad?: NamedId;
  /** The ad's destination URL (or a tracker's link slug): its link entity, joined by slug (src/domain/links.ts). */
  link?: string;
  /** Kept on the link entity (a tracker's spark code and traffic source). */
  linkAttributes?: Record<string, string>;
}

export interface DayRange {
  from: string;
  to: string;
}

export interface Connector {
  platform: Platform;
  /** daily_metric.source for this platform's rows ("meta-api"). */
  source: string;
  /** The cheapest authenticated call: the account's name, currency and timezone. */
  accountInfo(): Promise<AccountInfo>;
  /** Pages of rows for the days of `range` (inclusive). */
  fetchDaily(range: DayRange): AsyncIterable<SourceRow[]>;
}

/** How a platform failure is handled: retried, waited out, or the connection stopped. */
export type FailureKind =
  /** The credentials no longer work (expired, revoked): the connection needs re-authorisation. */
  | 'auth'
  /** Too many calls: wait (retryAfterMs when the platform says how long) and try again. */
  | 'rate_limit'
  /** The day's quota is spent: stop this connection until tomorrow. */
  | 'quota'
  /** A hiccup on the platform's side: retried with backoff. */
  | 'transient'
  /** The request asked for too much (Meta's "reduce the amount of data"): split the range. */
  | 'too_much_data'
  /** An answer we cannot read, or a refusal retrying will not fix. */
  | 'fatal';

/** A platform failure with what to do about it. The message never carries a token. */
export class SourceError extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
    readonly details: { platform: string; status?: number; code?: number | string; subcode?: number; retryAfterMs?: number } = { platform: '' },
  ) {
    super(message);
    this.name = 'SourceError';
  }
}
