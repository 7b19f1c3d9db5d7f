// The parsed rows as typed columns: what crosses from the parse worker to the main
// thread. Typed arrays move without copying; 300k row objects would be cloned and
// rebuilt on the main thread in one long block.
import type { EntitySpec, MetricRow, WriteBatch } from '../ingest/batch.ts';

export interface MetricColumns {
  keys: string[];
  entity: Int32Array;
  day: Int32Array;
  spend: Float64Array;
  impressions: Float64Array;
  clicks: Float64Array;
  conversions: Float64Array;
  /** NaN = unknown (not reported), in every metric column but spend. */
  revenue: Float64Array;
  reach: Float64Array;
  frequency: Float64Array;
}

export interface PackedBatch {
  entities: [string, EntitySpec][];
  columns: MetricColumns;
}

const DAY_MS = 86_400_000;

export function packBatch(batch: WriteBatch): { packed: PackedBatch; transfer: ArrayBuffer[] } {
  const n = batch.metrics.length;
  const keyIndex = new Map<string, number>();
  const c: MetricColumns = {
    keys: [], entity: new Int32Array(n), day: new Int32Array(n), spend: new Float64Array(n), impressions: new Float64Array(n),
    clicks: new Float64Array(n), conversions: new Float64Array(n), revenue: new Float64Array(n), reach: new Float64Array(n), frequency: new Float64Array(n),
  };
  const dayNo = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const m = batch.metrics[i]!;
    let k = keyIndex.get(m.entityKey);
    if (k === undefined) {
      keyIndex.set(m.entityKey, (k = c.keys.length));
      c.keys.push(m.entityKey);
    }
    let d = dayNo.get(m.date);
    if (d === undefined) dayNo.set(m.date, (d = Date.parse(`${m.date}T00:00:00Z`) / DAY_MS));
    c.entity[i] = k;
    c.day[i] = d;
    c.spend[i] = m.spendCents;
    c.impressions[i] = m.impressions ?? Number.NaN;
    c.clicks[i] = m.clicks ?? Number.NaN;
    c.conversions[i] = m.conversions ?? Number.NaN;
    c.revenue[i] = m.revenueCents ?? Number.NaN;
    c.reach[i] = m.reach ?? Number.NaN;
    c.frequency[i] = m.frequency ?? Number.NaN;
  }
  const transfer = [c.entity, c.day, c.spend, c.impressions, c.clicks, c.conversions, c.revenue, c.reach, c.frequency].map((a) => a.buffer as ArrayBuffer);
  return { packed: { entities: [...batch.entities], columns: c }, transfer };
}

/** Rebuilds the batch, yielding to the event loop every `slice` rows. */
export async function unpackBatch(p: PackedBatch, slice = 20_000): Promise<WriteBatch> {
  const c = p.columns;
  const n = c.entity.length;
  const metrics: MetricRow[] = new Array(n);
  const dates = new Map<number, string>();
  for (let i = 0; i < n; i++) {
    if (i > 0 && i % slice === 0) await new Promise((r) => setImmediate(r));
    let date = dates.get(c.day[i]!);
    if (date === undefined) dates.set(c.day[i]!, (date = new Date(c.day[i]! * DAY_MS).toISOString().slice(0, 10)));
    metrics[i] = {
      entityKey: c.keys[c.entity[i]!]!, date, spendCents: c.spend[i]!, impressions: known(c.impressions[i]!), clicks: known(c.clicks[i]!),
      conversions: known(c.conversions[i]!), revenueCents: known(c.revenue[i]!), reach: known(c.reach[i]!), frequency: known(c.frequency[i]!),
    };
  }
  return { entities: new Map(p.entities), metrics };
}

const known = (v: number): number | null => (Number.isNaN(v) ? null : v);
