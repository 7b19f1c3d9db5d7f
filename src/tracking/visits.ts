// Recording visits: who is a person (isbot, HEAD, prefetch and link previews are
// not), what is kept of them (a salted hash of the IP, never the IP; device,
// browser and OS from ua-parser-js 1.x, MIT; a country from a configurable geo
// header), and one batched write path: events queue in memory and go to the
// database as one multi-row INSERT every 100 ms or 500 events.
import { createHash } from 'node:crypto';
import { isbot } from 'isbot';
import UAParser from 'ua-parser-js';
import type { Db } from '../db/client.ts';
import { isTransientDbError } from '../db/retry.ts';
import { COUNT_VISITS } from './snapshots.ts';

export interface VisitRow {
  clientId: string;
  campaignId: string | null;
  sessionId: string;
  kind: 'click' | 'view';
  at: Date;
  ipHash: string | null;
  device: string | null;
  browser: string | null;
  os: string | null;
  country: string | null;
  referrer: string | null;
  path: string | null;
}

/** A request that is not a person: a bot or unfurler by its user agent, a HEAD, a prefetch or a preview. */
export function notAPerson(method: string, headers: (name: string) => string | undefined): boolean {
  if (method === 'HEAD') return true;
  const purpose = `${headers('purpose') ?? ''} ${headers('sec-purpose') ?? ''} ${headers('x-purpose') ?? ''} ${headers('x-moz') ?? ''}`.toLowerCase();
  if (/prefetch|preview|prerender/.test(purpose)) return true;
  const ua = headers('user-agent') ?? '';
  return ua.trim() === '' || agentOf(ua).bot;
}

export function describeAgent(ua: string | undefined): { device: string | null; browser: string | null; os: string | null } {
  if (!ua) return { device: null, browser: null, os: null };
  const { bot: _bot, ...d } = agentOf(ua);
  return d;
}

// A shop's visitors arrive with a few hundred distinct user agents: each is parsed
// (ua-parser-js and isbot are regex work, tens of microseconds) once, then remembered.
const agents = new Map<string, { bot: boolean; device: string | null; browser: string | null; os: string | null }>();
function agentOf(ua: string) {
  const hit = agents.get(ua);
  if (hit) return hit;
  const r = new UAParser(ua).getResult();
  // ua-parser leaves device.type empty for desktops.
  const v = { bot: isbot(ua), device: r.device.type ?? 'desktop', browser: r.browser.name ?? null, os: r.os.name ?? null };
  if (agents.size >= 5_000) agents.delete(agents.keys().next().value!);
  if (ua.length <= 500) agents.set(ua, v);
  return v;
}

/** Not reversible to the address: SHA-256 of salt + IP, cut to 16 bytes. */
export function hashIp(ip: string | undefined, salt: string): string | null {
  if (!ip) return null;
  return createHash('sha256').update(salt).update(ip).digest('base64url').slice(0, 22);
}

const COLS = ['client_id', 'campaign_id', 'session_id', 'kind', 'at', 'ip_hash', 'device', 'browser', 'os', 'country', 'referrer', 'path'] as const;

/** Text as Postgres can store it: no NUL (it fails the whole statement), at most `max` characters. */
const storable = (s: string | null | undefined, max = 500) => (s == null ? null : s.replace(/\u0000/g, '').slice(0, max));

export async function insertVisits(db: Pick<Db, 'sql'>, rows: VisitRow[]): Promise<void> {
  if (rows.length === 0) return;
  const params: unknown[] = [];
  const values = rows.map((r) => {
    const base = params.length;
    params.push(r.clientId, r.campaignId, storable(r.sessionId, 100), r.kind, r.at.toISOString(), storable(r.ipHash), storable(r.device), storable(r.browser), storable(r.os), storable(r.country, 2), storable(r.referrer), storable(r.path));
    return `($${base + 1}::uuid, $${base + 2}::uuid, $${base + 3}, $${base + 4}, $${base + 5}::timestamptz, $${base + 6}, $${base + 7}, $${base + 8}, $${base + 9}, $${base + 10}, $${base + 11}, $${base + 12})`;
  });
  // One statement: the visits and their campaigns' hourly counts go in together.
  await db.sql.query(`WITH ins AS (INSERT INTO visit (${COLS.join(', ')}) VALUES ${values.join(', ')} RETURNING client_id, campaign_id, at) ${COUNT_VISITS}`, params);
}

/** The one write path of live visits: queued, written in batches; flush() before reading them back (a conversion's attribution). */
export class VisitWriter {
  private queue: VisitRow[] = [];
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();
  constructor(private readonly db: Pick<Db, 'sql'>, private readonly o: { maxBatch?: number; maxDelayMs?: number; onError?: (err: unknown, lost: number) => void } = {}) {}

  add(v: VisitRow): void {
    this.queue.push(v);
    if (this.queue.length >= (this.o.maxBatch ?? 500)) void this.flush();
    else if (!this.timer) this.timer = setTimeout(() => void this.flush(), this.o.maxDelayMs ?? 100);
  }

  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.queue;
    this.queue = [];
    // Batches are written one after another, so a flush also waits for the ones before it.
    this.writing = this.writing.then(async () => {
      if (batch.length === 0) return;
      await this.write(batch);
    });
    return this.writing;
  }

  /**
   * One statement for the batch; if the database refuses it for its data (not an
   * outage), halves until the rows it refuses are alone: a bad row costs only
   * itself (at most 2·log2(batch) extra statements per bad row).
   */
  private async write(rows: VisitRow[]): Promise<void> {
    try {
      await insertVisits(this.db, rows);
    } catch (err) {
      if (rows.length === 1 || isTransientDbError(err)) {
        this.o.onError?.(err, rows.length);
        return;
      }
      const mid = rows.length >> 1;
      await this.write(rows.slice(0, mid));
      await this.write(rows.slice(mid));
    }
  }
}

/** The process's writer: a batch that cannot be written is said on stderr (with how many visits), not thrown at a visitor. */
export const processVisitWriter = (db: Pick<Db, 'sql'>) =>
  new VisitWriter(db, { onError: (_err, lost) => process.stderr.write(`adbrain: ${lost} visit(s) could not be written\n`) });
