// A client's tracking links on its own host (go.brand.com/t/<code>): the same
// `serve` answers it by Host header — only that client's links, the snippet and
// its beacons, and /.well-known/adbrain-domain, the proof the check command reads
// to show the DNS and the reverse proxy route the host here. Nothing else (no API,
// no inbox) is served on a client's host.
import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { AppError } from '../errors.ts';

export const DOMAIN_PROOF_PATH = '/.well-known/adbrain-domain';

const HOST = /^(?=.{4,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$/;

/** A host name as a tracking domain: lower case, at least one dot, no scheme, port or path. */
export function parseTrackDomain(raw: string, publicUrl: string): string {
  const v = raw.trim().toLowerCase().replace(/\.$/, '');
  if (!HOST.test(v) || /^\d+(\.\d+){3}$/.test(v)) throw new AppError('invalid_input', `domain: "${raw}" is not a host name like go.brand.com (no https://, port or path)`, [{ path: 'domain', message: 'not a host name' }]);
  if (v === new URL(publicUrl).hostname) throw new AppError('invalid_input', `domain: ${v} is this server's own address (ADBRAIN_PUBLIC_URL); give the client's own host`, [{ path: 'domain', message: 'the server\'s own host' }]);
  return v;
}

/** What /.well-known/adbrain-domain answers for a client's host: names neither, proves both. */
export const domainProof = (clientId: string, host: string) => `adbrain-domain-v1 ${createHash('sha256').update(`${clientId}\n${host}`).digest('base64url')}`;

/** Where a client's tracking links point: its own host over HTTPS, else the server's public URL. */
export const linkBase = (publicUrl: string, trackDomain: string | null | undefined) => (trackDomain ? `https://${trackDomain}` : publicUrl);

/**
 * Host → client id for every request, so never one query per Host header: the
 * header is the caller's to choose, and a flood of made-up hosts must not reach
 * the database. The whole (small) table of tracking domains is read at most once
 * per ttl, shared by concurrent requests; unknown hosts are answered from memory.
 */
export class DomainCache {
  private table: Map<string, string> | null = null;
  private loadedAt = 0;
  private loading: Promise<Map<string, string>> | null = null;
  constructor(private readonly prisma: PrismaClient, private readonly ttlMs = 30_000) {}

  async clientOf(host: string, now = Date.now()): Promise<string | null> {
    return (await this.domains(now)).get(host) ?? null;
  }

  private async domains(now: number): Promise<Map<string, string>> {
    if (this.table && now - this.loadedAt < this.ttlMs) return this.table;
    this.loading ??= this.prisma.client
      .findMany({ where: { trackDomain: { not: null } }, select: { id: true, trackDomain: true } })
      .then((rows) => {
        this.table = new Map(rows.map((r) => [r.trackDomain!, r.id]));
        this.loadedAt = now;
        return this.table;
      })
      .finally(() => (this.loading = null));
    return this.loading;
  }

  forget(): void {
    this.table = null;
  }
}

/**
 * ADBRAIN_RESOLVE, as curl's --resolve: "go.brand.com:443:203.0.113.7,…" — the check
 * reaches that address for that host (a staging proxy, a test's loopback) while still
 * sending the host's name, as a hosts-file entry would.
 */
export function resolverOf(spec: string | undefined): LookupFunction | undefined {
  if (!spec) return undefined;
  // A lookup is asked for a name, not a port: the table is by name.
  const table = new Map<string, string>();
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^([^:]+):\d+:(.+)$/.exec(part);
    if (m) table.set(m[1]!.toLowerCase(), m[2]!);
  }
  return ((hostname: string, options: { all?: boolean }, cb: (err: Error | null, address: string | { address: string; family: number }[], family?: number) => void) => {
    const address = table.get(hostname.toLowerCase());
    if (!address) return void import('node:dns').then((dns) => dns.lookup(hostname, options as never, cb as never));
    const family = address.includes(':') ? 6 : 4;
    if (options.all) return cb(null, [{ address, family }]);
    cb(null, address, family);
  }) as unknown as LookupFunction;
}

export interface DomainCheck {
  domain: string;
  url: string;
  ok: boolean;
  /** What went wrong, in words, and what to do. */
  problem: string | null;
}

/** Fetches the proof through the domain (DNS, proxy, TLS) and compares it with this client's. */
export async function checkTrackDomain(clientId: string, domain: string, o: { url?: string; resolve?: string; timeoutMs?: number } = {}): Promise<DomainCheck> {
  const url = new URL(o.url ?? `https://${domain}${DOMAIN_PROOF_PATH}`);
  if (url.hostname !== domain) throw new AppError('invalid_input', `--check-url must be on ${domain} (it is ${url.hostname})`);
  const done = (problem: string | null): DomainCheck => ({ domain, url: url.toString(), ok: problem === null, problem });
  const lookup = resolverOf(o.resolve);
  const body = await new Promise<{ status: number; text: string } | Error>((resolve) => {
    const lib = url.protocol === 'https:' ? https : http;
    const req = lib.get(url, { timeout: o.timeoutMs ?? 10_000, ...(lookup && { lookup }), headers: { accept: 'text/plain' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { if (text.length < 4096) text += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('timeout', () => req.destroy(new Error('no answer within the timeout')));
    req.on('error', (err) => resolve(err));
  });
  if (body instanceof Error) {
    const code = (body as NodeJS.ErrnoException).code;
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return done(`${domain} does not resolve: add a CNAME record for it pointing at this server's host name`);
    if (code === 'ECONNREFUSED') return done(`${domain} resolves, but nothing answers on port ${url.port || (url.protocol === 'https:' ? 443 : 80)}: check the reverse proxy`);
    if (/certificate|CERT|SSL|TLS/i.test(`${code} ${body.message}`)) return done(`${domain} answers, but its TLS certificate is not valid for it (${body.message}): issue one at the reverse proxy`);
    return done(`${domain} could not be reached: ${body.message}`);
  }
  if (body.status === 404) return done(`${domain} reaches a server that does not know it as this client's domain: the DNS or the proxy points elsewhere, or the proxy does not pass the Host header on`);
  if (body.status !== 200) return done(`${domain}${DOMAIN_PROOF_PATH} answered HTTP ${body.status}`);
  if (body.text.trim() !== domainProof(clientId, domain)) return done(`${domain} reaches an adbrain server, but not this one (or it is set for another client there)`);
  return done(null);
}
