// Affiliate media buyers encode the offer, the ad-account number, the spark code
// and the platform in campaign names ("ApplePay-1639-SC5-tiktok",
// "Apple Pay - 1639 - Spark 5"). Extracting them lets reports roll up by offer,
// account and spark code without any extra setup.

export interface CampaignNameParts {
  offer?: string;
  /** Lowercase alphanumerics of the offer, so "Apple Pay" and "ApplePay" group together. */
  offerKey?: string;
  accountNumber?: string;
  /** Normalised as "SC<n>". */
  sparkCode?: string;
  platform?: 'tiktok' | 'meta' | 'google' | 'snapchat';
}

const PLATFORM_WORDS = new Map<string, CampaignNameParts['platform']>(Object.entries({
  tiktok: 'tiktok', tt: 'tiktok', tik: 'tiktok', 'tik tok': 'tiktok', ttk: 'tiktok',
  facebook: 'meta', fb: 'meta', meta: 'meta', instagram: 'meta', ig: 'meta', insta: 'meta',
  google: 'google', gads: 'google', adwords: 'google', youtube: 'google', yt: 'google',
  snapchat: 'snapchat', snap: 'snapchat',
}) as [string, CampaignNameParts['platform']][]);

const SPARK = /^(?:sc|spark(?:\s*code)?|spk|sparkcode)\s*[#:]?\s*(\d{1,4})$/i;
const SPARK_WORD = /^(?:sc|spark|spk|sparkcode|spark\s*code)$/i;
const NUMBER = /^#?(\d{2,8})$/;
const YEARLIKE = /^(19|20)\d{2}$/;

export function parseCampaignName(name: string): CampaignNameParts {
  const tokens = tokenize(name);
  const out: CampaignNameParts = {};
  const offerWords: string[] = [];
  const numbers: string[] = [];
  let sawStructure = false;

  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const lower = t.toLowerCase();
    const platform = PLATFORM_WORDS.get(lower.replace(/^\[|\]$/g, ''));
    if (platform) {
      out.platform ??= platform;
      sawStructure = true;
      continue;
    }
    let m = SPARK.exec(t);
    if (m) {
      out.sparkCode ??= `SC${Number(m[1])}`;
      sawStructure = true;
      continue;
    }
    // "Spark 5" split into two tokens by a dash: "Spark-5".
    if (SPARK_WORD.test(t) && tokens[i + 1] && /^\d{1,4}$/.test(tokens[i + 1]!)) {
      out.sparkCode ??= `SC${Number(tokens[i + 1])}`;
      sawStructure = true;
      i++;
      continue;
    }
    m = NUMBER.exec(t);
    if (m) {
      numbers.push(m[1]!);
      continue;
    }
    // Offer words come before the first structured token; later words are notes.
    if (/\p{L}/u.test(t) && numbers.length === 0 && !out.sparkCode) offerWords.push(t);
  }

  // A lone year ("Summer Sale 2026") is not an account number.
  const account = numbers.find((n) => !YEARLIKE.test(n)) ?? (sawStructure ? numbers[0] : undefined);
  if (account) {
    out.accountNumber = account;
    sawStructure = true;
  }
  if (!sawStructure) return {};
  if (offerWords.length > 0) {
    out.offer = offerWords.join(' ');
    out.offerKey = out.offer.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
  }
  return out;
}

function tokenize(name: string): string[] {
  const cleaned = name
    .replace(/\[([^\]]*)\]/g, ' | $1 | ')
    .replace(/\(([^)]*)\)/g, ' | $1 | ')
    .trim();
  // Dashes, underscores, pipes and slashes separate parts; when a name has
  // none of them, spaces do. Parts with inner spaces ("Apple Pay") stay whole
  // unless they mix words and numbers ("Spark 5", "ApplePay 1639").
  const parts = /[-_|/·•]/.test(cleaned) ? cleaned.split(/\s*[-_|/·•]+\s*/) : [cleaned];
  const tokens: string[] = [];
  for (const p of parts) {
    const part = p.trim();
    if (!part) continue;
    if (SPARK.test(part) || !/\s/.test(part)) tokens.push(part);
    else if (/\d/.test(part) || parts.length === 1) tokens.push(...part.split(/\s+/));
    else tokens.push(part);
  }
  return tokens;
}
