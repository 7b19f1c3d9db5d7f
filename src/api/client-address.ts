// The address a request came from, as the socket says (never a header: any
// client can write X-Forwarded-For). Requests handed to the app without a socket
// (app.request in tests) have none.
import type { Context } from 'hono';

export function remoteAddress(c: Context): string | null {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } }; server?: { incoming?: { socket?: { remoteAddress?: string } } } } | undefined;
  const incoming = env?.server?.incoming ?? env?.incoming;
  return incoming?.socket?.remoteAddress ?? null;
}

export function isLoopback(address: string | null): boolean {
  if (!address) return false;
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  return a === '::1' || /^127\./.test(a);
}

export const isLoopbackHost = (host: string) => host === 'localhost' || isLoopback(host);

/** Set by a reverse proxy: a request carrying one came through a proxy, whatever its socket says. */
export function isProxied(c: Context): boolean {
  return Boolean(c.req.header('x-forwarded-for') || c.req.header('forwarded') || c.req.header('x-real-ip'));
}

/**
 * Who is calling, for per-client limits. Behind a reverse proxy on the same host
 * every socket is loopback: then the address the proxy appended last to
 * X-Forwarded-For is the client (earlier entries are whatever the client sent).
 */
export function clientKey(c: Context): string {
  const socket = remoteAddress(c);
  const forwarded = c.req.header('x-forwarded-for');
  if (forwarded && isLoopback(socket)) return forwarded.split(',').map((s) => s.trim()).filter(Boolean).at(-1) ?? socket ?? 'in-process';
  return socket ?? 'in-process';
}
