// The public beacons must not look a key up in the database on every hit: site key
// → client (origins, DNT choice, campaign codes) is cached for 30 seconds, and an
// unknown key is remembered too (a flood of garbage keys costs one query each per
// 30 seconds, not one per hit).
import type { Db } from '../db/client.ts';

export interface Site {
  clientId: string;
  origins: Set<string>;
  honorDnt: boolean;
  /** code → campaign, for the codes the client has (active or not). */
  campaigns: Map<string, { id: string; live: (at: Date) => boolean }>;
}

export class SiteCache {
  private entries = new Map<string, { at: number; site: Site | null }>();
  constructor(private readonly db: Pick<Db, 'sql'>, private readonly ttlMs = 30_000, private readonly max = 10_000) {}

  async get(siteKey: string, now = Date.now()): Promise<Site | null> {
    const hit = this.entries.get(siteKey);
    if (hit && now - hit.at < this.ttlMs) return hit.site;
    const site = await this.load(siteKey);
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(siteKey, { at: now, site });
    return site;
  }

  private async load(siteKey: string): Promise<Site | null> {
    const [c] = await this.db.sql.query<{ id: string; origins: string[]; honor_dnt: boolean }>('SELECT id::text, track_origins AS origins, honor_dnt FROM client WHERE site_key = $1', [siteKey]);
    if (!c) return null;
    const rows = await this.db.sql.query<{ id: string; code: string; active: boolean; starts_at: Date | null; ends_at: Date | null }>(
      'SELECT id::text, code, active, starts_at, ends_at FROM tracking_campaign WHERE client_id = $1::uuid', [c.id],
    );
    const campaigns = new Map(rows.map((r) => [r.code, {
      id: r.id,
      live: (at: Date) => r.active && (!r.starts_at || new Date(r.starts_at) <= at) && (!r.ends_at || new Date(r.ends_at) >= at),
    }]));
    return { clientId: c.id, origins: new Set(c.origins.map(normalOrigin)), honorDnt: c.honor_dnt, campaigns };
  }
}

/** scheme://host[:port], lower case, no trailing slash: how browsers send Origin. */
export function normalOrigin(o: string): string {
  try {
    return new URL(o).origin.toLowerCase();
  } catch {
    return o.toLowerCase().replace(/\/+$/, '');
  }
}
