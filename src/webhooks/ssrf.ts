// Webhook URLs may not reach into the network adbrain runs in (SSRF): a host that
// resolves to a private, loopback, link-local, CGNAT or otherwise special address is
// refused, at registration and again before every delivery (DNS can change).
// ADBRAIN_WEBHOOKS_ALLOW_PRIVATE=1 allows them for local development and tests.
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { AppError } from '../errors.ts';

const blocked = new BlockList();
// IPv4: this network, private, CGNAT, loopback, link-local, IETF protocol assignments,
// the three documentation ranges, benchmarking, multicast and reserved.
for (const [net, bits] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4]] as const) blocked.addSubnet(net, bits, 'ipv4');
// (No IPv4-mapped range here: a BlockList checks IPv4 addresses against mapped rules too.)
// IPv6: IPv4-compatible (::a.b.c.d, deprecated — ::127.0.0.1 is loopback to some stacks),
// local-use NAT64, discard-only, Teredo (its IPv4 is obfuscated), documentation,
// unique-local, link-local, multicast.
for (const [net, bits] of [['::', 96], ['64:ff9b:1::', 48], ['100::', 64], ['2001::', 32], ['2001:db8::', 32], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]] as const) blocked.addSubnet(net, bits, 'ipv6');

/** The eight 16-bit groups of an IPv6 address (a trailing dotted quad allowed), or null. */
function hextets(ip: string): number[] | null {
  let s = ip.toLowerCase();
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
  if (quad) {
    const [a, b, c, d] = quad.slice(1).map(Number) as [number, number, number, number];
    s = `${s.slice(0, quad.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = s.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  if (groups.length !== 8) return null;
  return groups.map((g) => parseInt(g, 16));
}

const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;

export function isPrivateAddress(ip: string): boolean {
  if (isIP(ip) !== 6) return blocked.check(ip, 'ipv4');
  if (blocked.check(ip, 'ipv6')) return true;
  const g = hextets(ip);
  if (!g) return true;
  // IPv4 carried inside IPv6 is judged as that IPv4: mapped (::ffff:a.b.c.d),
  // NAT64 (64:ff9b::a.b.c.d) and 6to4 (2002:AABB:CCDD::).
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return blocked.check(v4(g[6]!, g[7]!), 'ipv4');
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return blocked.check(v4(g[6]!, g[7]!), 'ipv4');
  if (g[0] === 0x2002) return blocked.check(v4(g[1]!, g[2]!), 'ipv4');
  return false;
}

export async function assertDeliverable(raw: string, allowPrivate: boolean): Promise<URL> {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new AppError('invalid_input', `url: "${raw}" is not a URL`, [{ path: 'body.url', message: 'not a URL' }]);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new AppError('invalid_input', `url: only http(s) URLs receive webhooks, not ${u.protocol}`, [{ path: 'body.url', message: 'http or https' }]);
  if (u.username || u.password) throw new AppError('invalid_input', 'url: credentials in the URL are not allowed (the signature authenticates the sender)', [{ path: 'body.url', message: 'no credentials' }]);
  if (allowPrivate) return u;
  const host = u.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
  } catch {
    throw new AppError('invalid_input', `url: ${host} does not resolve`, [{ path: 'body.url', message: 'does not resolve' }]);
  }
  const bad = addresses.find(isPrivateAddress);
  if (bad) throw new AppError('invalid_input', `url: ${host} resolves to ${bad}, a private or local address; webhooks go to public receivers (ADBRAIN_WEBHOOKS_ALLOW_PRIVATE=1 allows local ones for development)`, [{ path: 'body.url', message: 'private address' }]);
  return u;
}
