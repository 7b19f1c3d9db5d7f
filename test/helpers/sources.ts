// Connector settings for tests: every platform pointed at loopback (a dead port
// unless a fake is given), short waits, no real host ever.
import type { Config } from '../../src/config.ts';

const DEAD = 'http://127.0.0.1:9';

export function testSources(o: { meta?: string; google?: { url: string; tokenUrl: string; developerToken: string; clientId: string; clientSecret: string }; tiktok?: string; redtrack?: string; redtrackLimit?: { calls: number; intervalMs: number }; shopify?: string; shopifyApp?: { clientId: string; clientSecret: string } } = {}): Config['sources'] {
  return {
    meta: { baseUrl: o.meta ?? DEAD, version: 'v25.0', accessToken: null, pollMs: 5 },
    google: o.google
      ? { apiUrl: o.google.url, tokenUrl: o.google.tokenUrl, version: 'v24', developerToken: o.google.developerToken, clientId: o.google.clientId, clientSecret: o.google.clientSecret }
      : { apiUrl: DEAD, tokenUrl: `${DEAD}/token`, version: 'v24', developerToken: null, clientId: null, clientSecret: null },
    tiktok: { apiUrl: o.tiktok ?? DEAD },
    redtrack: { apiUrl: o.redtrack ?? DEAD, reportRpm: o.redtrackLimit?.calls ?? 10_000, intervalMs: o.redtrackLimit?.intervalMs ?? 60_000 },
    shopify: { apiUrl: o.shopify ?? DEAD, version: '2025-10', clientId: o.shopifyApp?.clientId ?? null, clientSecret: o.shopifyApp?.clientSecret ?? null, scopes: 'read_orders,read_all_orders' },
    oauth: {
      publicUrl: 'http://127.0.0.1:3999',
      publicUrlSet: true,
      meta: { consentUrl: 'http://127.0.0.1:9', appId: 'meta-app', appSecret: 'meta-app-secret' },
      google: { consentUrl: 'http://127.0.0.1:9/o/oauth2/v2/auth' },
      tiktok: { consentUrl: 'http://127.0.0.1:9/portal/auth', appId: 'tt-app', appSecret: 'tt-app-secret' },
    },
    http: { retries: 3, timeoutMs: 5_000, minBackoffMs: 5, maxWaitMs: 2_000 },
  };
}
