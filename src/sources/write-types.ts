// Writing to an ad platform: pause / resume an ad, ad set or campaign, or set a
// daily budget. One module per platform (meta-write.ts, tiktok-write.ts,
// google-ads-write.ts) behind this interface; src/ad-actions/ decides what to
// write and checks the object still is what the preview showed before it writes.
export type Level = 'ad' | 'adset' | 'campaign';

export interface Target {
  level: Level;
  /** The platform's id of the object. */
  id: string;
  /** Google Ads: an ad's ad group id (its resource name is adGroupAds/<group>~<ad>). */
  parentId?: string;
}

export interface ObjectState {
  /** ACTIVE or PAUSED as the user set it; DELETED / ARCHIVED / other are not changed by adbrain. */
  status: 'ACTIVE' | 'PAUSED' | 'DELETED' | 'OTHER';
  /** As the platform wrote it. */
  rawStatus: string;
  /** The object's own daily budget in minor units; null when it has none (the budget sits on the campaign, or it is a lifetime budget). */
  dailyBudgetMinor: number | null;
}

/** What went wrong, named so a user knows what to do. */
export type WriteFailure = 'permission' | 'auth' | 'rate_limit' | 'budget_min' | 'not_found' | 'transient' | 'fatal';

export class WriteError extends Error {
  constructor(readonly kind: WriteFailure, message: string, readonly details: { platform: string; code?: string | number; retryAfterMs?: number } = { platform: '' }) {
    super(message);
    this.name = 'WriteError';
  }
}

export interface Writer {
  platform: 'meta' | 'tiktok' | 'google';
  read(t: Target): Promise<ObjectState>;
  setStatus(t: Target, status: 'ACTIVE' | 'PAUSED'): Promise<unknown>;
  /** Sets the object's daily budget (minor units of the account's currency). */
  setDailyBudget(t: Target, minor: number): Promise<unknown>;
}

/** Retries what the platform calls transient or rate-limited (a few times, with its wait), nothing else. */
export async function retrying<T>(call: () => Promise<T>, o: { retries: number; minBackoffMs: number; maxWaitMs: number }): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (!(err instanceof WriteError) || attempt >= o.retries) throw err;
      if (err.kind === 'transient') await new Promise((r) => setTimeout(r, o.minBackoffMs * 2 ** attempt));
      else if (err.kind === 'rate_limit' && (err.details.retryAfterMs ?? o.minBackoffMs) <= o.maxWaitMs) await new Promise((r) => setTimeout(r, err.details.retryAfterMs ?? o.minBackoffMs));
      else throw err;
    }
  }
}
