// The platform writer of a stored connection: credentials decrypted here and held
// in memory only (and remembered as secrets, so an error quoting them is redacted).
import type { Config } from '../config.ts';
import { rememberSecret } from '../crypto/redact.ts';
import { readCredentials } from '../domain/connection-secrets.ts';
import { AppError } from '../errors.ts';
import { GOOGLE_ADS_DEFAULT_VERSION } from '../sources/google-ads.ts';
import { googleAdsWriter } from '../sources/google-ads-write.ts';
import type { HttpOptions } from '../sources/http.ts';
import { META_DEFAULT_VERSION } from '../sources/meta.ts';
import { metaWriter } from '../sources/meta-write.ts';
import { settingsOf, type Credentials } from '../sources/sync.ts';
import { tiktokWriter } from '../sources/tiktok-write.ts';
import type { Writer } from '../sources/write-types.ts';

export interface WriterConnection {
  id: string;
  clientId: string;
  platform: string;
  label: string;
  credentials: string;
  settings: unknown;
}

export function writerFor(conn: WriterConnection, config: Pick<Config, 'sources'>, key: Buffer, currency: string): Writer {
  const creds = readCredentials(key, conn) as Credentials;
  rememberSecret(...Object.values(creds).filter((v): v is string => typeof v === 'string'));
  const settings = settingsOf(conn);
  const http: HttpOptions = { platform: conn.platform, ...config.sources.http };
  const s = config.sources;
  if (!settings.accountId) throw new AppError('invalid_input', `connection ${conn.id}: no account id stored; connect it again with --account`);
  if (conn.platform === 'meta') {
    if (!creds.accessToken) throw new AppError('invalid_input', `connection ${conn.id}: no access token stored`);
    return metaWriter({ baseUrl: s.meta.baseUrl, version: s.meta.version || META_DEFAULT_VERSION, accessToken: creds.accessToken, http });
  }
  if (conn.platform === 'tiktok') {
    if (!creds.accessToken) throw new AppError('invalid_input', `connection ${conn.id}: no access token stored`);
    return tiktokWriter({ apiUrl: s.tiktok.apiUrl, advertiserId: settings.accountId, accessToken: creds.accessToken, currency: settings.currency ?? currency, http });
  }
  if (conn.platform === 'google') {
    const g = s.google;
    if (!g.developerToken || !g.clientId || !g.clientSecret) throw new AppError('config', 'Google Ads needs GOOGLE_ADS_DEVELOPER_TOKEN, GOOGLE_ADS_CLIENT_ID and GOOGLE_ADS_CLIENT_SECRET');
    if (!creds.refreshToken) throw new AppError('invalid_input', `connection ${conn.id}: no refresh token stored`);
    return googleAdsWriter({
      apiUrl: g.apiUrl, tokenUrl: g.tokenUrl, version: g.version || GOOGLE_ADS_DEFAULT_VERSION, customerId: settings.accountId, loginCustomerId: settings.loginCustomerId,
      developerToken: g.developerToken, clientId: g.clientId, clientSecret: g.clientSecret, refreshToken: creds.refreshToken, currency: settings.currency ?? currency, http,
    });
  }
  throw new AppError('invalid_input', `adbrain cannot change ${conn.platform} objects (it can on meta, tiktok and google)`);
}
