// Secrets never reach a log line, a stored error or the terminal. Providers echo
// what they were sent ("Incorrect API key provided: sk-…"), so every provider
// error is passed through redact() before it is stored or printed. Known values
// (keys from the config, tokens as they are decrypted) are replaced exactly; the
// shapes of common credentials are replaced even when the value is not known.
const known = new Set<string>();

/** Registers values to hide from now on in this process (short values are ignored: they would hide ordinary words). */
export function rememberSecret(...values: (string | null | undefined)[]) {
  for (const v of values) if (v && v.length >= 8) known.add(v);
}

const SHAPES: RegExp[] = [
  /\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{12,}/g, // OpenAI / Anthropic keys
  /\bre_[A-Za-z0-9_]{12,}/g, // Resend
  /\badb_[a-z0-9]+_[A-Za-z0-9_-]{12,}/g, // adbrain API keys
  /\bsignkey-[a-z]+-[0-9a-f]{16,}/gi, // Inngest signing keys
  /\b(?:EAA|ya29\.|shpat_|shpca_|shppa_)[A-Za-z0-9._-]{12,}/g, // Meta, Google, Shopify tokens
  /(\b(?:bearer|basic)\s+)[A-Za-z0-9._~+/=-]{8,}/gi,
  /((?:api[_-]?key|access[_-]?token|refresh[_-]?token|client[_-]?secret|password|x-api-key|authorization)["']?\s*[:=]\s*["']?)[^\s"'&,}]{6,}/gi,
  /(postgres(?:ql)?:\/\/[^:@/\s]+:)[^@\s]+(@)/g, // password in a database URL
];

export function redact(text: string): string {
  let out = text;
  for (const v of known) if (out.includes(v)) out = out.split(v).join('[redacted]');
  for (const re of SHAPES) {
    out = out.replace(re, (...m) => {
      const groups = m.slice(1, -2).filter((g) => typeof g === 'string') as string[];
      // Keep a label ("api_key=", "Bearer ") and a URL's "@" so the message still reads.
      if (re.source.startsWith('(postgres')) return `${groups[0]}[redacted]${groups[1]}`;
      return groups.length ? `${groups[0]}[redacted]` : '[redacted]';
    });
  }
  return out;
}
