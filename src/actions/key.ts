// The action-link key of this deployment: derived from the encryption key, read once, on first use.
import type { Config } from '../config.ts';
import { resolveEncryptionKey } from '../crypto/secrets.ts';
import { linkKey } from './tokens.ts';

export function actionLinkKeyOf(config: Pick<Config, 'encryptionKey' | 'databaseUrl' | 'dataDir'>): () => Buffer | undefined {
  let key: Buffer | undefined | null = null;
  return () => {
    if (key === null) {
      try {
        key = linkKey(resolveEncryptionKey(config).key);
      } catch {
        key = undefined; // no key (Postgres without ADBRAIN_ENCRYPTION_KEY): links are not offered
      }
    }
    return key;
  };
}

/** Links in emails point at the public address (ADBRAIN_PUBLIC_URL) and are signed with this deployment's key. */
export function actionLinkSignerOf(config: Pick<Config, 'encryptionKey' | 'databaseUrl' | 'dataDir' | 'sources'> & Partial<Pick<Config, 'actions'>>): { key: () => Buffer | undefined; baseUrl: string; platformActions: boolean } {
  // "Pause it on Meta" is offered unless ADBRAIN_ACTIONS=off.
  return { key: actionLinkKeyOf(config), baseUrl: config.sources.oauth.publicUrl, platformActions: (config.actions ?? 'propose') !== 'off' };
}
