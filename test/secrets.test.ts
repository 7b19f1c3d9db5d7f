import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decryptSecret, encryptSecret, parseKey, resolveEncryptionKey } from '../src/crypto/secrets.ts';
import { addClient } from '../src/domain/clients.ts';
import { readCredentials, saveConnection } from '../src/domain/connections.ts';
import { freshDb, type TestDb } from './helpers/db.ts';

const key = randomBytes(32);

describe('AES-256-GCM secrets', () => {
  it('round-trips unicode and uses a fresh IV every time', () => {
    const a = encryptSecret('tök€n 🔑', key, 'ctx');
    const b = encryptSecret('tök€n 🔑', key, 'ctx');
    expect(a).not.toBe(b);
    expect(a.startsWith('v1:')).toBe(true);
    expect(decryptSecret(a, key, 'ctx')).toBe('tök€n 🔑');
  });

  it('refuses a wrong key, another context, and tampering', () => {
    const c = encryptSecret('secret', key, 'ctx');
    expect(() => decryptSecret(c, randomBytes(32), 'ctx')).toThrow(/could not decrypt/);
    expect(() => decryptSecret(c, key, 'other')).toThrow(/could not decrypt/);
    const parts = c.split(':');
    const data = Buffer.from(parts[3]!, 'base64url');
    data[0]! ^= 1;
    parts[3] = data.toString('base64url');
    expect(() => decryptSecret(parts.join(':'), key, 'ctx')).toThrow(/could not decrypt/);
    expect(() => decryptSecret('garbage', key)).toThrow(/unknown format/);
  });

  it('accepts hex or base64 keys of 32 bytes only', () => {
    expect(parseKey(key.toString('hex'))).toEqual(key);
    expect(parseKey(key.toString('base64'))).toEqual(key);
    expect(() => parseKey('short')).toThrow(/32 bytes/);
  });

  it('creates a 0600 key file for the embedded setup, reuses it, and demands the variable with a server', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'adbrain-key-'));
    const first = resolveEncryptionKey({ encryptionKey: null, databaseUrl: null, dataDir: dir });
    expect(first.createdFile).toBe(path.join(dir, 'encryption.key'));
    expect((await stat(first.createdFile!)).mode & 0o777).toBe(0o600);
    const again = resolveEncryptionKey({ encryptionKey: null, databaseUrl: null, dataDir: dir });
    expect(again.createdFile).toBeUndefined();
    expect(again.key).toEqual(first.key);
    expect(() => resolveEncryptionKey({ encryptionKey: null, databaseUrl: 'postgres://x/y', dataDir: dir })).toThrow(/set ADBRAIN_ENCRYPTION_KEY/);
    const fromEnv = resolveEncryptionKey({ encryptionKey: key.toString('hex'), databaseUrl: null, dataDir: dir });
    expect(fromEnv.key).toEqual(key);
    expect((await readFile(first.createdFile!, 'utf8')).trim()).toHaveLength(44);
  });
});

describe('connection credentials at rest', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await freshDb('pglite');
  });
  afterAll(async () => db?.destroy());

  it('are stored encrypted and read back with the key', async () => {
    const client = await addClient(db.prisma, { slug: 'enc' });
    const creds = { accessToken: 'EAAB-very-secret', adAccountId: 'act_1' };
    await saveConnection(db.prisma, key, { clientId: client.id, platform: 'meta', credentials: creds });
    const [row] = await db.sql.query<{ credentials: string }>(`SELECT credentials FROM connection`);
    expect(row!.credentials).not.toContain('EAAB');
    const conn = await db.prisma.connection.findFirstOrThrow();
    expect(readCredentials(key, conn)).toEqual(creds);
    // A ciphertext moved to another connection row does not decrypt there.
    expect(() => readCredentials(key, { ...conn, platform: 'tiktok' })).toThrow(/could not decrypt/);
  });
});
