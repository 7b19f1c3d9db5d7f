// Customer identifiers as Meta's Conversions API matches them (user_data): each
// normalised by Meta's published rules, then SHA-256 hex. Only the hashes are ever
// kept or sent; raw email, phone and names never leave this module.
import { createHash } from 'node:crypto';

export const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

/** em: trimmed, lower case. */
export function normEmail(raw: string): string | null {
  const v = raw.trim().toLowerCase();
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v) ? v : null;
}

/**
 * ph: digits only, no leading zeros, with the country code. A number written with
 * its country code (+44 …, 0044 …) keeps it; a national one gets the order's
 * country's calling code (a US "(650) 555-1212" is 16505551212).
 */
export function normPhone(raw: string, countryCallingCode?: string): string | null {
  const t = raw.trim();
  const international = t.startsWith('+') || t.startsWith('00');
  let digits = t.replace(/\D+/g, '').replace(/^0+/, '');
  if (!international && countryCallingCode && !digits.startsWith(countryCallingCode)) digits = `${countryCallingCode}${digits}`;
  return digits.length >= 7 && digits.length <= 15 ? digits : null;
}

/** fn / ln: lower case, no punctuation or spaces; letters outside a–z kept as UTF-8 ("valéry", "정"). */
export function normName(raw: string): string | null {
  const v = raw.normalize('NFC').trim().toLowerCase().replace(/[\p{P}\p{S}\s]+/gu, '');
  return v || null;
}

/** ct: lower case, letters only (no spaces or punctuation): "San Francisco" → "sanfrancisco". */
export const normCity = (raw: string): string | null => normName(raw)?.replace(/\d+/g, '') || null;

/** st: the two-letter code, lower case ("CA" → "ca"); a longer name is not guessed at. */
export function normState(raw: string): string | null {
  const v = raw.trim().toLowerCase().replace(/[^a-z]/g, '');
  return v.length === 2 ? v : null;
}

/** zp: lower case, no spaces or dashes; a US ZIP+4 keeps its first 5 digits. */
export function normZip(raw: string, country?: string): string | null {
  const v = raw.trim().toLowerCase().replace(/[\s-]+/g, '');
  if (!v) return null;
  return country?.toLowerCase() === 'us' ? (/^\d{5}/.exec(v)?.[0] ?? null) : v;
}

/** country: ISO 3166-1 alpha-2, lower case. */
export function normCountry(raw: string): string | null {
  const v = raw.trim().toLowerCase();
  return /^[a-z]{2}$/.test(v) ? v : null;
}

export interface Identity {
  email?: string | null;
  phone?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  city?: string | null;
  state?: string | null;
  zip?: string | null;
  country?: string | null;
  /** The shop's own customer id: hashed too (Meta recommends it). */
  externalId?: string | null;
}

/** Meta's user_data fields, hashed; a value that does not normalise is left out, never sent raw. */
export function metaUserData(id: Identity, o: { countryCallingCode?: string } = {}): Record<string, string[]> {
  const country = id.country ? normCountry(id.country) : null;
  const fields: [string, string | null | undefined, (v: string) => string | null][] = [
    ['em', id.email, normEmail],
    ['ph', id.phone, (v) => normPhone(v, o.countryCallingCode)],
    ['fn', id.firstName, normName],
    ['ln', id.lastName, normName],
    ['ct', id.city, normCity],
    ['st', id.state, normState],
    ['zp', id.zip, (v) => normZip(v, country ?? undefined)],
    ['country', id.country, normCountry],
    ['external_id', id.externalId, (v) => v.trim() || null],
  ];
  const out: Record<string, string[]> = {};
  for (const [key, raw, norm] of fields) {
    const v = raw ? norm(raw) : null;
    if (v) out[key] = [sha256(v)];
  }
  return out;
}
