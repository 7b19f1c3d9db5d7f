// Failed sign-ins per client address: a request is refused once its address has
// had `limit` 401s in the window. Only answers that *were* 401 count — a limiter
// that counts every request as it starts and takes successes back later refuses
// valid keys while they are in flight (31 concurrent good requests → one 429).
// The counting window is hono-rate-limiter's MemoryStore (fixed window, expiry).
import type { Context, MiddlewareHandler } from 'hono';
import { MemoryStore } from 'hono-rate-limiter';
import type { AppEnv } from './env.ts';

export function authFailureLimiter(o: {
  limit: number;
  windowMs: number;
  keyOf: (c: Context<AppEnv>) => string;
  skip: (path: string) => boolean;
  refuse: (c: Context<AppEnv>) => Response;
}): MiddlewareHandler<AppEnv> {
  const store = new MemoryStore<AppEnv>();
  store.init({ windowMs: o.windowMs } as never);
  return async (c, next) => {
    if (o.skip(c.req.path)) return next();
    const key = o.keyOf(c);
    const seen = store.get(key);
    if (seen && seen.resetTime && seen.resetTime.getTime() > Date.now() && seen.totalHits >= o.limit) return o.refuse(c);
    await next();
    if (c.res.status === 401) store.increment(key);
  };
}
