// The public side of first-party tracking: /t.js, and the two beacons the snippet
// posts to — POST /v1/track/visit and /v1/track/activity. They take the client's
// public site key (no API key), allow only the client's origins, are rate-limited per
// address, answer 204 or 4xx fast and never 5xx on garbage, and write through the
// batched visit writer. Whether a code exists is never told: an unknown code is a
// page view like any other.
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { rateLimiter } from 'hono-rate-limiter';
import { z } from 'zod';
import { SNIPPET } from '../../tracking/snippet.ts';
import { normalOrigin, type SiteCache } from '../../tracking/sites.ts';
import { describeAgent, hashIp, notAPerson, type VisitWriter } from '../../tracking/visits.ts';
import { clientKey } from '../client-address.ts';
import type { AppEnv } from '../env.ts';
import { errorBody } from '../errors.ts';

export const BEACON_PATHS = ['/v1/track/visit', '/v1/track/activity'] as const;
const MAX_BODY = 4_096;
const SID = /^[A-Za-z0-9_-]{16,64}$/;

const Beacon = z.object({
  k: z.string().min(1).max(100),
  s: z.string().regex(SID),
  c: z.string().max(64).nullable().optional(),
  u: z.string().max(2000).nullable().optional(),
  r: z.string().max(2000).nullable().optional(),
  via: z.boolean().optional(),
});

export function beaconRoutes(app: OpenAPIHono<AppEnv>, visits: VisitWriter, sites: SiteCache, o: { perMinute?: number } = {}) {
  app.get('/t.js', (c) => c.body(SNIPPET, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=3600' }));

  const limit = rateLimiter<AppEnv>({
    windowMs: 60_000,
    limit: o.perMinute ?? 600,
    keyGenerator: (c) => `beacon:${clientKey(c)}`,
    standardHeaders: false,
    handler: (c) => c.json(errorBody('rate_limited', 'too many tracking events from this address; wait a minute'), 429),
  });

  for (const path of BEACON_PATHS) {
    const kind = path.endsWith('/visit') ? 'visit' : 'activity';
    // A preflight only happens for a caller that sends JSON; the snippet's text/plain does not need one.
    app.options(path, async (c) => {
      const origin = c.req.header('origin');
      return c.body(null, 204, origin ? { 'access-control-allow-origin': origin, 'access-control-allow-methods': 'POST', 'access-control-allow-headers': 'content-type', 'access-control-max-age': '86400', vary: 'Origin' } : {});
    });
    app.post(path, limit, async (c) => {
      const bad = (code: 400 | 403 | 413, message: string) => c.json(errorBody(code === 403 ? 'forbidden' : 'invalid_input', message), code, cors(c));
      const text = await c.req.text().catch(() => null);
      if (text === null) return bad(400, 'unreadable body');
      if (text.length > MAX_BODY) return bad(413, `a tracking event is at most ${MAX_BODY} bytes`);
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        return bad(400, 'the body is not JSON');
      }
      const b = Beacon.safeParse(json);
      if (!b.success) return bad(400, `invalid event: ${b.error.issues.map((i) => i.path.join('.') || 'body').join(', ')}`);
      const site = await sites.get(b.data.k);
      if (!site) return bad(400, 'unknown site key');
      const origin = c.req.header('origin');
      if (!origin || !site.origins.has(normalOrigin(origin))) return bad(403, 'this origin may not send events for this site (add it to the client\'s tracking origins)');
      const { config, now } = c.get('deps');
      const dnt = c.req.header('dnt') === '1' || c.req.header('sec-gpc') === '1';
      if (!(site.honorDnt && dnt) && !notAPerson('POST', (h) => c.req.header(h))) {
        const at = now();
        const campaign = kind === 'visit' && b.data.c ? site.campaigns.get(b.data.c) : undefined;
        // A landing that came through our link (?adb_sid=) was counted as the click already: it is a page view.
        const touch = campaign && campaign.live(at) && !b.data.via;
        const geo = config.tracking.geoHeader ? c.req.header(config.tracking.geoHeader) : undefined;
        await visits.room();
        visits.add({
          clientId: site.clientId, campaignId: touch ? campaign.id : null, sessionId: b.data.s, kind: touch ? 'click' : 'view', at,
          ipHash: hashIp(clientKey(c), config.tracking.salt), ...describeAgent(c.req.header('user-agent')),
          country: geo && /^[A-Za-z]{2}$/.test(geo) ? geo.toUpperCase() : null, referrer: b.data.r ?? null, path: pathOf(b.data.u),
        });
      }
      return c.body(null, 204, cors(c));
    });
  }
}

function cors(c: Context<AppEnv>): Record<string, string> {
  const origin = c.req.header('origin');
  return origin ? { 'access-control-allow-origin': origin, vary: 'Origin' } : {};
}

function pathOf(u: string | null | undefined): string | null {
  if (!u) return null;
  try {
    const url = new URL(u);
    return url.pathname;
  } catch {
    return null;
  }
}
