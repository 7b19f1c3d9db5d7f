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

// Each shape with what replaces it: a label ("api_key=", "Bearer ") or a URL's
// user and "@" are kept ($1, $2) so the message still reads.
const SHAPES: [RegExp, string][] = [
  [/\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{12,}/g, '[redacted]'], // OpenAI / Anthropic keys
  [/\bre_[A-Za-z0-9_]{12,}/g, '[redacted]'], // Resend
  [/\badb_[a-z0-9]+_[A-Za-z0-9_-]{12,}/g, '[redacted]'], // adbrain API keys
  [/\bsignkey-[a-z]+-[0-9a-f]{16,}/gi, '[redacted]'], // Inngest signing keys
  [/\b(?:EAA|ya29\.|shpat_|shpca_|shppa_)[A-Za-z0-9._-]{12,}/g, '[redacted]'], // Meta, Google, Shopify tokens
  [/(\b(?:bearer|basic)\s+)[A-Za-z0-9._~+/=-]{8,}/gi, '$1[redacted]'],
  [/((?:api[_-]?key|access[_-]?token|refresh[_-]?token|client[_-]?secret|password|x-api-key|authorization)["']?\s*[:=]\s*["']?)[^\s"'&,}]{6,}/gi, '$1[redacted]'],
  [/(postgres(?:ql)?:\/\/[^:@/\s]+:)[^@\s]+(@)/g, '$1[redacted]$2'], // password in a database URL
];

export function redact(text: string): string {
  let out = text;
  for (const v of known) if (out.includes(v)) out = out.split(v).join('[redacted]');
  for (const [re, replacement] of SHAPES) out = out.replace(re, replacement);
  return out;
}
