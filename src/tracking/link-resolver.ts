// Where a tracking link /t/<code>[?s=<siteKey>] goes. Every click asks the database
// (a deactivated or edited link takes effect at once) and remembers the answer, so
// that while the database cannot be reached a click still reaches the destination it
// had a moment ago — a visitor never sees our outage — and a flood beyond the
// per-address limit is answered from memory, uncounted, without touching the
// database.
//
// The bare form /t/<code> (no site key) is what people type into a bio; codes are
// unique per client, not across clients, so the bare form belongs to the campaign
// that took the code first: another agency registering the same code later gets
// links with ?s=<its site key> and never takes the first one's bare link away.
import type { Db } from '../db/client.ts';
import { isTransientDbError } from '../db/retry.ts';
import { splitLinkOf, type SplitLink } from './split-link.ts';

export interface CampaignLink {
  id: string;
  clientId: string;
  destinationUrl: string;
  active: boolean;
  startsAt: Date | null;
  endsAt: Date | null;
  fallback: string | null;
  honorDnt: boolean;
}

/** What a code means: one campaign, a split test's link, or nothing (with the site's fallback, if a site key was given). */
export type Resolved =
  | { kind: 'campaign'; link: CampaignLink }
  | { kind: 'split'; split: SplitLink }
  | { kind: 'none'; fallback: string | null };

export interface Resolution {
  resolved: Resolved | null;
  /** true: from memory because the database could not be asked (resolved is null when never seen). */
  stale: boolean;
}

const MAX_CODE = 64;

export class LinkResolver {
  // Only links that exist are remembered: codes a visitor makes up (a scan of random
  // /t/<code>) never push real links out of memory.
  private readonly memory = new Map<string, Extract<Resolved, { kind: 'campaign' | 'split' }>>();

  constructor(private readonly db: Pick<Db, 'sql'>, private readonly o: { maxEntries?: number } = {}) {}

  /** From the database; from memory if the database cannot be reached. Other errors are thrown. */
  async resolve(code: string, site: string | undefined): Promise<Resolution> {
    const key = `${site ?? ''}\u0000${code}`;
    try {
      const resolved = await this.lookup(code, site);
      if (resolved.kind !== 'none') this.remember(key, resolved);
      return { resolved, stale: false };
    } catch (err) {
      if (!isTransientDbError(err)) throw err;
      return { resolved: this.memory.get(key) ?? null, stale: true };
    }
  }

  /** The last answer for this link, without asking the database (null when never seen). */
  remembered(code: string, site: string | undefined): Resolved | null {
    return this.memory.get(`${site ?? ''}\u0000${code}`) ?? null;
  }

  private remember(key: string, r: Extract<Resolved, { kind: 'campaign' | 'split' }>) {
    // Least recently used goes first: a Map iterates in insertion order.
    this.memory.delete(key);
    this.memory.set(key, r);
    if (this.memory.size > (this.o.maxEntries ?? 20_000)) this.memory.delete(this.memory.keys().next().value!);
  }

  private async lookup(code: string, site: string | undefined): Promise<Resolved> {
    if (code.length > MAX_CODE) return { kind: 'none', fallback: site ? await this.fallbackOf(site) : null };
    const rows = await this.db.sql.query<{ id: string; client_id: string; destination_url: string; active: boolean; starts_at: Date | null; ends_at: Date | null; fallback: string | null; honor_dnt: boolean }>(
      `SELECT t.id::text, t.client_id::text, t.destination_url, t.active, t.starts_at, t.ends_at, c.track_fallback_url AS fallback, c.honor_dnt
       FROM tracking_campaign t JOIN client c ON c.id = t.client_id WHERE t.code = $1 ${site ? 'AND c.site_key = $2' : ''}
       ORDER BY t.created_at, t.id LIMIT 1`,
      site ? [code, site] : [code],
    );
    const r = rows[0];
    if (r) {
      return {
        kind: 'campaign',
        link: { id: r.id, clientId: r.client_id, destinationUrl: r.destination_url, active: r.active, startsAt: r.starts_at, endsAt: r.ends_at, fallback: r.fallback, honorDnt: r.honor_dnt },
      };
    }
    const split = await splitLinkOf(this.db, code, site);
    if (split) return { kind: 'split', split };
    return { kind: 'none', fallback: site ? await this.fallbackOf(site) : null };
  }

  private async fallbackOf(site: string): Promise<string | null> {
    const rows = await this.db.sql.query<{ url: string | null }>('SELECT track_fallback_url AS url FROM client WHERE site_key = $1', [site]);
    return rows[0]?.url ?? null;
  }
}
