// The sync lease of a connection (src/sources/sync.ts): held until a time on the
// database's clock, extended by every commit of the sync that holds it.

/** How long a sync holds its connection without committing a chunk. */
export const SYNC_LEASE_MINUTES = 30;
/** The SET clause that takes or extends the lease. */
export const LEASE_SQL = `sync_lease_until = now() + interval '${SYNC_LEASE_MINUTES} minutes'`;
