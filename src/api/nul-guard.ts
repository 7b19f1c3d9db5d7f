// Postgres text cannot hold U+0000: a NUL that reaches a query fails it ("invalid
// byte sequence for encoding UTF8: 0x00") — a 500, and on a batched path every row
// of the batch with it. So a NUL is refused at the door, naming where it was: in
// the path, a query parameter, or a field of a JSON body (beacons send JSON as
// text/plain). File uploads are not read here; the importer reports its own cells.
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './env.ts';
import { errorBody } from './errors.ts';

const MAX_SCAN = 1024 * 1024;

/** The path of the first string (or key) holding a NUL inside a parsed JSON value, or null. */
export function nulPath(v: unknown, at = 'body', depth = 0): string | null {
  if (typeof v === 'string') return v.includes('\u0000') ? at : null;
  if (v === null || typeof v !== 'object' || depth > 64) return null;
  for (const [k, x] of Array.isArray(v) ? v.entries() : Object.entries(v)) {
    if (typeof k === 'string' && k.includes('\u0000')) return `${at}.(a key)`;
    const p = nulPath(x, `${at}.${k}`, depth + 1);
    if (p) return p;
  }
  return null;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

export function nulGuard(o: { skip: (path: string) => boolean }): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const refuse = (where: string) =>
      c.json(errorBody('validation_failed', `${where} contains a NUL character (U+0000), which cannot be stored`, [{ path: where, message: 'NUL character' }]), 400);
    const url = new URL(c.req.url);
    if (decode(url.pathname).includes('\u0000')) return refuse('path');
    for (const part of url.search.slice(1).split('&')) {
      const [k = '', v = ''] = part.split('=');
      if (decode(k).includes('\u0000') || decode(v).includes('\u0000')) return refuse(`query.${decode(k).replace(/\u0000/g, '\\0') || '(a key)'}`);
    }
    const type = c.req.header('content-type') ?? '';
    const length = Number(c.req.header('content-length') ?? 0);
    if (!o.skip(c.req.path) && c.req.method !== 'GET' && c.req.method !== 'HEAD' && /json|text\/plain/i.test(type) && length <= MAX_SCAN) {
      // Hono keeps the text it read: the route's own parser reads the same body again.
      const text = await c.req.text().catch(() => '');
      // Later readers of the raw stream (the body limit) get the same bytes again.
      c.req.raw = new Request(c.req.raw.url, { method: c.req.method, headers: c.req.raw.headers, body: text });
      if (text.length <= MAX_SCAN && (text.includes('\u0000') || /\\u0000/i.test(text))) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          return refuse('body');
        }
        const where = nulPath(parsed);
        if (where) return refuse(where);
      }
    }
    return next();
  };
}
