// What every API request carries: the app's dependencies and the caller's key.
import type { Inngest } from 'inngest';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import type { KeyIdentity } from '../domain/api-keys.ts';

export interface ApiDeps {
  db: Db;
  config: Config;
  now: () => Date;
  /** Starts an analysis run: through Inngest in production, in-process otherwise. */
  dispatchAnalysis: (run: { runId: string; clientId: string; asOf?: string; requestedBy: string; email: boolean }) => Promise<void>;
  /** Tells Inngest a sync (or import) brought new data, when Inngest is in use. */
  notifySync?: (e: { clientId: string; source: string; from: string; to: string }) => Promise<void>;
  inngest?: Inngest;
  /** The key that signs and checks action links (src/actions/), or undefined without an encryption key. */
  actionLinkKey: () => Buffer | undefined;
}

export type AppEnv = { Variables: { deps: ApiDeps; key: KeyIdentity; requestId: string; /** /t/<code>: over the per-address click limit (sent on, not counted). */ uncounted?: boolean; /** The request came in on this client's own tracking host: only its links answer. */ domainClient?: string } };
