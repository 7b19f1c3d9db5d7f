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
