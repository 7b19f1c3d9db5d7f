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

/** Unwritten visits beyond which room() waits: the most a kill -9 of the server can lose. */
export const MAX_PENDING_VISITS = 1_000;

/**
 * The one write path of live visits: queued, written in batches of at most
 * maxBatch every maxDelayMs; flush() before reading them back (a conversion's
 * attribution). While the database is unreachable the rows are held and retried
 * (1 s, doubling to 10 s) — up to maxHeld of them; beyond that the oldest are
 * dropped and counted. What a kill -9 loses is what is queued or being written:
 * about maxDelayMs of clicks, and never more than maxPending — a database slower
 * than the clicks makes room() wait (at most maxWaitMs) instead of letting the
 * unwritten rows pile up in memory (test/serve-crash.test.ts, bench:track).
 */
export class VisitWriter {
  private queue: VisitRow[] = [];
  private held: VisitRow[] = [];
  private timer: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private retryMs = 0;
  private writing: Promise<void> = Promise.resolve();
  private inFlight = 0;
  /** Visits written, and dropped (refused by the database, or over maxHeld during an outage). */
  readonly stats = { written: 0, lost: 0 };
  constructor(
    private readonly db: Pick<Db, 'sql'>,
    private readonly o: { maxBatch?: number; maxDelayMs?: number; maxHeld?: number; maxPending?: number; maxWaitMs?: number; onError?: (err: unknown, lost: number) => void } = {},
  ) {}

  /** Visits accepted and not yet written (held ones excepted). */
  get pending(): number {
    return this.queue.length + this.inFlight;
  }

  /**
   * Waits while maxPending visits are unwritten — the database is slower than the
   * clicks — for at most maxWaitMs: a visitor is delayed, never stopped.
   */
  async room(): Promise<void> {
    const max = this.o.maxPending ?? MAX_PENDING_VISITS;
    if (this.pending < max) return;
    const deadline = Date.now() + (this.o.maxWaitMs ?? 2_000);
    // Woken when the writes queued so far are done (add() flushes full batches), or at the deadline: one timer per waiter, not a poll.
    while (this.pending >= max && Date.now() < deadline) {
      // Nothing being written: write the queue now (the chain is then busy until it is done).
      if (this.inFlight === 0) void this.flush();
      await Promise.race([this.writing, new Promise((r) => setTimeout(r, Math.max(1, deadline - Date.now())).unref())]);
    }
  }

  /** Visits held while the database is unreachable. */
  get waiting(): number {
    return this.held.length;
  }

  add(v: VisitRow): void {
    this.queue.push(v);
    if (this.queue.length >= this.maxBatch) void this.flush();
    else if (!this.timer) this.timer = setTimeout(() => void this.flush(), this.o.maxDelayMs ?? 100);
  }

  private get maxBatch() {
    return this.o.maxBatch ?? 500;
  }

  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.queue;
    this.queue = [];
    this.inFlight += batch.length;
    // Batches are written one after another, so a flush also waits for the ones before it.
    this.writing = this.writing.then(async () => {
      try {
        // Rows held over an outage go first (they are older).
        const rows = this.held.length ? [...this.held.splice(0), ...batch] : batch;
        for (let i = 0; i < rows.length; i += this.maxBatch) {
          if (!(await this.write(rows.slice(i, i + this.maxBatch)))) {
            this.hold(rows.slice(i + this.maxBatch));
            break;
          }
        }
        if (this.held.length === 0) this.retryMs = 0;
      } finally {
        this.inFlight -= batch.length;
      }
    });
    return this.writing;
  }

  /** Stops retrying (the server closes); what is held is lost and counted. */
  close(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.held.length) {
      this.stats.lost += this.held.length;
      this.o.onError?.(new Error('closed while the database was unreachable'), this.held.length);
      this.held = [];
    }
  }

  private hold(rows: VisitRow[]) {
    if (rows.length === 0) return;
    this.held.push(...rows);
    const over = this.held.length - (this.o.maxHeld ?? 200_000);
    if (over > 0) {
      this.held.splice(0, over);
      this.stats.lost += over;
      this.o.onError?.(new Error('too many visits waiting for the database'), over);
    }
    if (!this.retryTimer) {
      this.retryMs = Math.min(10_000, this.retryMs ? this.retryMs * 2 : 1_000);
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        void this.flush();
      }, this.retryMs);
      this.retryTimer.unref();
    }
  }

  /**
   * One statement for the rows; if the database refuses it for its data (not an
   * outage), halves until the rows it refuses are alone: a bad row costs only
   * itself (at most 2·log2(batch) extra statements per bad row). False when the
   * database could not be reached: the rows are then held.
   */
  private async write(rows: VisitRow[]): Promise<boolean> {
    try {
      await insertVisits(this.db, rows);
      this.stats.written += rows.length;
      return true;
    } catch (err) {
      if (isTransientDbError(err)) {
        this.hold(rows);
        return false;
      }
      if (rows.length === 1) {
        this.stats.lost++;
        this.o.onError?.(err, 1);
        return true;
      }
      const mid = rows.length >> 1;
      if (!(await this.write(rows.slice(0, mid)))) {
        this.hold(rows.slice(mid));
        return false;
      }
      return this.write(rows.slice(mid));
    }
  }
}

/** The process's writer: a batch that cannot be written is said on stderr (with how many visits), not thrown at a visitor. */
export const processVisitWriter = (db: Pick<Db, 'sql'>) =>
  new VisitWriter(db, { onError: (_err, lost) => process.stderr.write(`adbrain: ${lost} visit(s) could not be written\n`) });
