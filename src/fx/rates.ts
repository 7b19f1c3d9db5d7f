// Reference rates kept in fx_rate, and conversion with them. A day converts at
// the latest rate published on or before it (the ECB publishes on business days,
// so a Saturday uses Friday's) and at most STALE_DAYS old; anything else is
// refused, naming the currency and the day — never treated as 1.
import type { Db } from '../db/client.ts';
import { AppError } from '../errors.ts';
import { addDays } from '../time.ts';
import type { EcbRate } from './ecb.ts';
import { currencyExponent } from '../domain/currency.ts';

export const STALE_DAYS = 7;

/** Stores rates (a rate already stored for its day and currency is replaced). */
export async function storeRates(db: Db, rates: EcbRate[], source: string): Promise<{ rows: number; from: string; to: string; currencies: string[] }> {
  const chunk = 2000;
  for (let i = 0; i < rates.length; i += chunk) {
    const part = rates.slice(i, i + chunk);
    await db.sql.query(
      `INSERT INTO fx_rate (day, currency, per_eur, source) SELECT d::date, c, r::numeric, $4 FROM unnest($1::text[], $2::text[], $3::text[]) AS u(d, c, r)
       ON CONFLICT (day, currency) DO UPDATE SET per_eur = EXCLUDED.per_eur, source = EXCLUDED.source`,
      [part.map((r) => r.day), part.map((r) => r.currency), part.map((r) => r.perEur), source],
    );
  }
  const days = rates.map((r) => r.day).sort();
  return { rows: rates.length, from: days[0]!, to: days.at(-1)!, currencies: [...new Set(rates.map((r) => r.currency))].sort() };
}

export interface Rate {
  /** Units of the target currency per unit of the source currency. */
  rate: number;
  /** The day the rate was published (the latest on or before the converted day). */
  day: string;
}

export interface Converter {
  /** The rate from one currency to another for a day; throws when there is none. */
  rate(from: string, to: string, day: string): Rate;
  /** Minor units of `from` on `day` as minor units of `to` (rounded once, here). */
  convert(cents: number, from: string, to: string, day: string): number;
}

const exp = currencyExponent;

/** Loads the rates the range needs (from STALE_DAYS before it) for these currencies, once. */
export async function converterFor(db: Db, currencies: string[], range: { from: string; to: string }): Promise<Converter> {
  const need = [...new Set(currencies.filter((c) => c !== 'EUR'))];
  const rows = need.length
    ? await db.sql.query<{ day: string; currency: string; per_eur: string }>(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, currency, per_eur::text AS per_eur FROM fx_rate WHERE currency = ANY($1::text[]) AND day BETWEEN $2::date AND $3::date ORDER BY day`,
      [need, addDays(range.from, -STALE_DAYS), range.to],
    )
    : [];
  const byCurrency = new Map<string, { day: string; perEur: number }[]>();
  for (const r of rows) (byCurrency.get(r.currency) ?? byCurrency.set(r.currency, []).get(r.currency)!).push({ day: r.day, perEur: Number(r.per_eur) });
  const perEur = (currency: string, day: string): { perEur: number; day: string } => {
    if (currency === 'EUR') return { perEur: 1, day };
    const list = byCurrency.get(currency) ?? [];
    let found: { day: string; perEur: number } | undefined;
    for (const x of list) if (x.day <= day) found = x;
    if (!found || found.day < addDays(day, -STALE_DAYS)) {
      throw new AppError('conflict', `no EUR→${currency} reference rate on ${day} or the ${STALE_DAYS} days before${found ? ` (the latest is of ${found.day})` : ''}: load the ECB rates (adbrain fx load <eurofxref-hist.csv>, or adbrain fx fetch with ADBRAIN_FX_URL set)`, [{ path: 'currency', message: currency }]);
    }
    return found;
  };
  const rate = (from: string, to: string, day: string): Rate => {
    if (from === to) return { rate: 1, day };
    const a = perEur(from, day), b = perEur(to, day);
    // Both legs' publication day: the older one is what the number rests on.
    return { rate: b.perEur / a.perEur, day: a.day < b.day ? a.day : b.day };
  };
  return {
    rate,
    convert: (cents, from, to, day) => (from === to ? cents : Math.round(cents * rate(from, to, day).rate * 10 ** (exp(to) - exp(from)))),
  };
}
