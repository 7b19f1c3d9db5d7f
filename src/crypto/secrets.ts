// AES-256-GCM for connector credentials at rest. Format: "v1:<iv>:<tag>:<data>"
// (base64url), with the row's purpose bound in as additional authenticated data
// so a ciphertext copied into another row does not decrypt.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '../errors.ts';

const ALG = 'aes-256-gcm';

export function parseKey(material: string): Buffer {
  const s = material.trim();
  const key = /^[0-9a-f]{64}$/i.test(s) ? Buffer.from(s, 'hex') : Buffer.from(s, 'base64');
  if (key.length !== 32) {
    throw new AppError(
      'config',
      'ADBRAIN_ENCRYPTION_KEY must be 32 bytes, as 64 hex characters or base64 (try: openssl rand -base64 32)',
    );
  }
  return key;
}

export function encryptSecret(plaintext: string, key: Buffer, aad = ''): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv(ALG, key, iv);
  cipher.setAAD(Buffer.from(aad));
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return ['v1', iv.toString('base64url'), tag.toString('base64url'), data.toString('base64url')].join(':');
}

export function decryptSecret(payload: string, key: Buffer, aad = ''): string {
  const [v, iv, tag, data] = payload.split(':');
  if (v !== 'v1' || !iv || !tag || data === undefined) {
    throw new AppError('invalid_input', 'encrypted value has an unknown format');
  }
  try {
    const decipher = createDecipheriv(ALG, key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new AppError(
      'config',
      'could not decrypt stored credentials: wrong ADBRAIN_ENCRYPTION_KEY, or the value was tampered with',
    );
  }
}

export interface ResolvedKey {
  key: Buffer;
  /** Set when a new key file was written, so the caller can tell the user. */
  createdFile?: string;
}

/**
 * The key from ADBRAIN_ENCRYPTION_KEY, or, for the embedded setup, from
 * `<dataDir>/encryption.key` (created with mode 0600 on first use). A Postgres
 * deployment must set the variable: a key file on one machine would strand the
 * credentials other machines write.
 */
export function resolveEncryptionKey(opts: {
  encryptionKey: string | null;
  databaseUrl: string | null;
  dataDir: string;
}): ResolvedKey {
  if (opts.encryptionKey) return { key: parseKey(opts.encryptionKey) };
  if (opts.databaseUrl) {
    throw new AppError('config', 'set ADBRAIN_ENCRYPTION_KEY (32 bytes, hex or base64) when using DATABASE_URL');
  }
  const file = path.join(opts.dataDir, 'encryption.key');
  if (existsSync(file)) return { key: parseKey(readFileSync(file, 'utf8')) };
  mkdirSync(opts.dataDir, { recursive: true });
  writeFileSync(file, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return { key: parseKey(readFileSync(file, 'utf8')), createdFile: file };
}
