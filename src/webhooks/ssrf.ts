// Webhook URLs may not reach into the network adbrain runs in (SSRF): a host that
// resolves to a private, loopback, link-local, CGNAT or otherwise special address is
// refused, at registration and again before every delivery (DNS can change).
// ADBRAIN_WEBHOOKS_ALLOW_PRIVATE=1 allows them for local development and tests.
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { AppError } from '../errors.ts';

const blocked = new BlockList();
for (const [net, bits] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4]] as const) blocked.addSubnet(net, bits, 'ipv4');
// (No IPv4-mapped range here: a BlockList checks IPv4 addresses against mapped rules too.)
for (const [net, bits] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]] as const) blocked.addSubnet(net, bits, 'ipv6');

export function isPrivateAddress(ip: string): boolean {
  // ::ffff:10.0.0.1 is 10.0.0.1.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return blocked.check(mapped[1]!, 'ipv4');
  return blocked.check(ip, isIP(ip) === 6 ? 'ipv6' : 'ipv4');
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
