// The address a request came from, as the socket says (never a header: any
// client can write X-Forwarded-For). Requests handed to the app without a socket
// (app.request in tests) have none.
import { BlockList, isIP } from 'node:net';
import type { Context } from 'hono';
import { proxyEntry } from '../config.ts';

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

// One BlockList per configured list (the config object lives as long as the process).
const lists = new WeakMap<string[], BlockList>();
function trustedList(entries: string[]): BlockList {
  let list = lists.get(entries);
  if (!list) {
    list = new BlockList();
    for (const e of entries) {
      const p = proxyEntry(e);
      if (!p) continue;
      if (p.prefix === null) list.addAddress(p.address, p.family);
      else list.addSubnet(p.address, p.prefix, p.family);
    }
    lists.set(entries, list);
  }
  return list;
}

const plain = (a: string) => (a.startsWith('::ffff:') && isIP(a.slice(7)) === 4 ? a.slice(7) : a);
function trusted(list: BlockList, address: string): boolean {
  const a = plain(address);
  const v = isIP(a);
  return v !== 0 && list.check(a, v === 4 ? 'ipv4' : 'ipv6');
}

/**
 * Who is calling, for per-address limits and the visit's IP hash. The socket's
 * address, unless it is one of ADBRAIN_TRUSTED_PROXIES: then X-Forwarded-For is
 * read from the right (each proxy appends the address it saw) and the first
 * address that is not a trusted proxy is the client. Everything left of it is
 * whatever the client wrote, never believed. No proxy is trusted by default —
 * not even loopback, since anything on the host can connect from there.
 */
export function clientKey(c: Context): string {
  const socket = remoteAddress(c);
  const proxies = (c.get('deps') as { config?: { trustedProxies?: string[] } } | undefined)?.config?.trustedProxies ?? [];
  if (!socket || proxies.length === 0) return socket ?? 'in-process';
  const list = trustedList(proxies);
  if (!trusted(list, socket)) return socket;
  const hops = (c.req.header('x-forwarded-for') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!;
    if (!isIP(plain(hop))) return socket; // a hop that is not an address: the chain cannot be read
    if (!trusted(list, hop)) return plain(hop);
  }
  return socket;
}
