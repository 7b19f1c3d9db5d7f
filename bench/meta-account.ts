// The benchmark's Meta ad account: the same ads and days in the measuring process
// and in the fake's process.
import { addDays } from '../src/time.ts';
import type { FakeAd } from '../test/fakes/meta-server.ts';

export const BENCH_LAST = '2026-11-20';

export function benchAccount(adCount: number, dayCount: number): { ads: FakeAd[]; days: string[] } {
  const days = Array.from({ length: dayCount }, (_, i) => addDays(BENCH_LAST, i - (dayCount - 1)));
  const ads = Array.from({ length: adCount }, (_, i) => ({
    id: String(23850000000000 + i), name: `Ad ${i}`, adset: { id: String(23840000000 + (i % 2000)), name: `Set ${i % 2000}` },
    campaign: { id: String(2383000000 + (i % 200)), name: `Offer${i % 12}-${1000 + (i % 20)}-SC${i % 30}-facebook` }, link: i % 4 === 0 ? `https://trk.example/${i}` : undefined,
  }));
  return { ads, days };
}
