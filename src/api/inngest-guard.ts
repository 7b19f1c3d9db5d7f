// Who may call /api/inngest. The endpoint runs any function with any event, so
// it is open only to Inngest itself: with a signing key every POST and PUT must
// be signed (the SDK then verifies the signature); in explicit dev mode
// (INNGEST_DEV=1, for a local `inngest dev`) only to loopback callers; otherwise
// it is closed. Out-of-band sync (an unsigned PUT) is refused: the SDK would
// register the URL taken from the request's Host header with Inngest.
import type { Context, Next } from 'hono';
import type { Config } from '../config.ts';
import { isLoopback, isProxied, remoteAddress } from './client-address.ts';
import { errorBody } from './errors.ts';

export type InngestMode = 'signed' | 'dev' | 'off';

export function inngestMode(config: Config): InngestMode {
  if (config.inngest.signingKey) return 'signed';
  return config.inngest.isDev ? 'dev' : 'off';
}

export function inngestGuard(mode: InngestMode) {
  return async (c: Context, next: Next) => {
    if (mode === 'off') {
      return c.json(
        errorBody('inngest_disabled', 'the Inngest endpoint is off: set INNGEST_SIGNING_KEY (production) or INNGEST_DEV=1 (a local dev server, loopback only)'),
        503,
      );
    }
    if (mode === 'dev') {
      // A loopback socket behind a reverse proxy is the world: proxied requests are refused too.
      if (!isLoopback(remoteAddress(c)) || isProxied(c)) {
        return c.json(errorBody('forbidden', 'the Inngest endpoint is in dev mode (unsigned) and answers only on loopback; set INNGEST_SIGNING_KEY to serve Inngest from elsewhere'), 403);
      }
      return next();
    }
    const method = c.req.method;
    if (method !== 'GET' && !c.req.header('x-inngest-signature')) {
      return c.json(errorBody('unauthorized', 'requests to the Inngest endpoint must be signed (x-inngest-signature)'), 401);
    }
    if (method === 'PUT' && c.req.header('x-inngest-sync-kind') !== 'in_band') {
      return c.json(errorBody('forbidden', 'out-of-band sync is disabled: sync the app from the Inngest dashboard (in-band, signed)'), 403);
    }
    return next();
  };
}
