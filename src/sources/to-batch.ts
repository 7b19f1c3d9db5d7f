// A connector's rows → the import's write batch: the entity tree account →
// campaign → ad set → ad → link, one metric row per leaf and day. Campaign names
// are parsed like imported ones (offer, account number, spark code).
import { parseCampaignName } from '../import/campaign-name.ts';
import { addLinkEntity } from '../domain/links.ts';
import { addTagEntities } from '../import/normalize.ts';
import { addEntity, addKnown, newBatch, type MetricRow, type WriteBatch } from '../ingest/batch.ts';
import type { Platform } from '../generated/prisma/enums.ts';
import type { AccountInfo, SourceRow } from './types.ts';


export function rowsToBatch(platform: Platform, account: AccountInfo, rows: Iterable<SourceRow>): WriteBatch {
  const batch = newBatch();
  const accountKey = addEntity(batch, { platform, kind: 'account', externalId: account.id, name: account.name });
  // A page re-read after a split can repeat an ad's day: the latest wins, never summed.
  const byAdDay = new Map<string, SourceRow>();
  for (const r of rows) byAdDay.set(`${r.ad?.id ?? `campaign:${r.campaign.id}`}|${r.ad ? '' : (r.link ?? '')}|${r.date}`, r);
  const metrics = new Map<string, MetricRow>();
  // Rows repeat every ad's path every day: each path (and each campaign name) is resolved once.
  const leafOf = new Map<string, string>();
  const campaignKey = new Map<string, string>();
  for (const r of byAdDay.values()) {
    const pathId = `${r.campaign.id}\u0000${r.adset?.id ?? ''}\u0000${r.adset?.name ?? ''}\u0000${r.ad?.id ?? ''}\u0000${r.ad?.name ?? ''}\u0000${r.link ?? ''}\u0000${r.campaign.name}`;
    let leaf = leafOf.get(pathId);
    if (leaf === undefined) {
      let c = campaignKey.get(`${r.campaign.id}\u0000${r.campaign.name}`);
      if (c === undefined) {
        const parts = parseCampaignName(r.campaign.name);
        c = addEntity(batch, {
          platform, kind: 'campaign', externalId: r.campaign.id, name: r.campaign.name, parentKey: accountKey,
          attributes: parts.offer || parts.accountNumber || parts.sparkCode || parts.platform ? { ...parts } : undefined,
        });
        addTagEntities(batch, platform, parts);
        campaignKey.set(`${r.campaign.id}\u0000${r.campaign.name}`, c);
      }
      leaf = c;
      if (r.adset) leaf = addEntity(batch, { platform, kind: 'adset', externalId: r.adset.id, name: r.adset.name, parentKey: leaf });
      if (r.ad) leaf = addEntity(batch, { platform, kind: 'ad', externalId: r.ad.id, name: r.ad.name, parentKey: leaf });
      // A tracking link is one entity however many ads point at it (as in the CSV import).
      if (r.link) leaf = addLinkEntity(batch, platform, r.link, leaf, r.linkAttributes);
      leafOf.set(pathId, leaf);
    }
    const key = `${leaf}|${r.date}`;
    const m = metrics.get(key);
    if (!m) {
      const { spendCents, impressions, clicks, conversions, revenueCents, reach, frequency } = r;
      metrics.set(key, { entityKey: leaf, date: r.date, spendCents, impressions, clicks, conversions, revenueCents, reach, frequency });
    } else {
      m.spendCents += r.spendCents;
      m.impressions = addKnown(m.impressions, r.impressions);
      m.clicks = addKnown(m.clicks, r.clicks);
      m.conversions = addKnown(m.conversions, r.conversions);
      m.revenueCents = addKnown(m.revenueCents, r.revenueCents);
      // Reach does not add up across ads.
      m.reach = null;
      m.frequency = null;
    }
  }
  batch.metrics = [...metrics.values()];
  return batch;
}
