// `adbrain campaigns …` and `adbrain tracking …`: first-party campaigns, their
// tracking links and numbers, and the client's tracking settings.
import { InvalidArgumentError, type Command } from 'commander';
import { AppError } from '../../errors.ts';
import { warnLocalLinks, withClient } from '../context.ts';
import { day, inFlags, int, json } from '../options.ts';
import { printJson, table } from '../output.ts';
import { summaryOf, type Group } from './index.ts';
import { addDays, startOfLocalDay } from '../../time.ts';
import { checkTrackDomain, linkBase, parseTrackDomain } from '../../tracking/domains.ts';

type Client = Parameters<Parameters<typeof withClient>[1]>[1];
const choice = (list: readonly string[]) => (v: string) => {
  if (!list.includes(v)) throw new InvalidArgumentError(`one of ${list.join(', ')}`);
  return v;
};

export function register(program: Command, group: Group) {
  const campaigns = group('campaigns');
  const fieldsOf = async (o: Record<string, string | undefined>, client: Client) => {
    const { toMinorUnits } = await import('../../domain/currency.ts');
    return {
      ...(o.destination !== undefined && { destinationUrl: o.destination }), ...(o.platform !== undefined && { platform: o.platform }), ...(o.type !== undefined && { type: o.type }),
      ...(o.code !== undefined && { code: o.code }), ...(o.postUrl !== undefined && { postUrl: o.postUrl }),
      ...(o.cost !== undefined && { costCents: toMinorUnits(o.cost, client.currency, '--cost') }), ...(o.budget !== undefined && { budgetCents: toMinorUnits(o.budget, client.currency, '--budget') }),
      // Days as the client lives them: from its local midnight to the last instant of the end day.
      ...(o.starts !== undefined && { startsAt: startOfLocalDay(client.timezone, o.starts).toISOString() }),
      ...(o.ends !== undefined && { endsAt: new Date(startOfLocalDay(client.timezone, addDays(o.ends, 1)).getTime() - 1).toISOString() }),
    };
  };
  const find = async (db: Parameters<Parameters<typeof withClient>[1]>[0]['db'], clientId: string, ref: string) => {
    const rows = await db.prisma.trackingCampaign.findMany({ where: { clientId, OR: [{ code: ref }, { id: /^[0-9a-f-]{36}$/i.test(ref) ? ref : undefined }, { name: ref }] } });
    if (rows.length !== 1) throw new AppError('not_found', rows.length ? `"${ref}" names ${rows.length} campaigns: use the code` : `no campaign "${ref}" (adbrain campaigns list --client …)`);
    return rows[0]!;
  };
  // --ad: an entity by id, external id or exact name (the kill list's lookup); "none" unlinks.
  // createCampaign / updateCampaign refuse one that is not an ad platform's.
  const adOf = async (db: Parameters<Parameters<typeof withClient>[1]>[0]['db'], clientId: string, ref: string | undefined): Promise<{ adEntityId?: string | null }> => {
    if (ref === undefined) return {};
    if (ref === 'none') return { adEntityId: null };
    const { findEntity } = await import('../../domain/entities.ts');
    return { adEntityId: (await findEntity(db.prisma, clientId, ref)).id };
  };
  const withParent = (c: Command) => c.option('--parent <code>', 'the parent campaign (its code or name)');
  const fields = (c: Command) => withParent(c)
    .option('--platform <p>', 'instagram, facebook, tiktok, youtube, twitter, other, multi')
    .option('--type <t>', 'post, reel, story, video, ad, campaign')
    .option('--code <code>', 'the tracking code (default: made from the platform and the name)')
    .option('--post-url <url>').option('--cost <amount>', 'what it cost, in the client currency').option('--budget <amount>')
    .option('--ad <entity>', 'link its cost to this ad-platform campaign / ad set / ad / link (id, external id or name): its spend per day is the cost; "none" unlinks')
    .option('--starts <date>', 'first day', day).option('--ends <date>', 'last day', day);

  fields(campaigns.command('create <name>').requiredOption('--client <slug>').requiredOption('--destination <url>', 'where the link sends people'))
    .addOption(json())
    .action(async (name: string, o) => {
      await withClient(o.client, async ({ db, config, audit }, client) => {
        const { createCampaign, campaignOut, siteKeyOf, trackingUrl } = await import('../../tracking/campaigns.ts');
        const parentId = o.parent ? (await find(db, client.id, o.parent)).id : undefined;
        const t = await inFlags(CAMPAIGN_FLAGS, async () => createCampaign(db.prisma, client.id, { name, ...(await fieldsOf(o, client)), ...(await adOf(db, client.id, o.ad)), parentId }));
        const out = campaignOut(t, trackingUrl(linkBase(config.sources.oauth.publicUrl, client.trackDomain), t, await siteKeyOf(db.prisma, client.id)));
        await audit({ action: 'tracking_campaign.create', entityType: 'tracking_campaign', entityId: t.id, clientId: client.id, after: out });
        warnLocalLinks(config);
        if (o.json) return printJson(out);
        console.log(`created ${out.name} (${out.code}); its link: ${out.trackingUrl}`);
      });
    });
  fields(campaigns.command('update <campaign>').requiredOption('--client <slug>').option('--destination <url>').option('--name <name>'))
    .addOption(json())
    .action(async (ref: string, o) => {
      await withClient(o.client, async ({ db, config, audit }, client) => {
        const { updateCampaign, campaignOut, siteKeyOf, trackingUrl } = await import('../../tracking/campaigns.ts');
        const t = await find(db, client.id, ref);
        const url = (x: typeof t) => trackingUrl(linkBase(config.sources.oauth.publicUrl, client.trackDomain), x, null);
        const parentId = o.parent ? (await find(db, client.id, o.parent)).id : undefined;
        const u = await inFlags(CAMPAIGN_FLAGS, async () => updateCampaign(db.prisma, t, { ...(await fieldsOf(o, client)), ...(await adOf(db, client.id, o.ad)), ...(o.name !== undefined && { name: o.name }), ...(parentId && { parentId }) }));
        await audit({ action: 'tracking_campaign.update', entityType: 'tracking_campaign', entityId: t.id, clientId: client.id, before: campaignOut(t, url(t)), after: campaignOut(u, url(u)) });
        const out = campaignOut(u, trackingUrl(linkBase(config.sources.oauth.publicUrl, client.trackDomain), u, await siteKeyOf(db.prisma, client.id)));
        if (o.json) return printJson(out);
        console.log(`updated ${out.name} (${out.code})`);
      });
    });
  for (const [verb, active] of [['activate', true], ['deactivate', false]] as const) {
    campaigns.command(`${verb} <campaign>`).requiredOption('--client <slug>').action(async (ref: string, o: { client: string }) => {
      await withClient(o.client, async ({ db, audit }, client) => {
        const t = await find(db, client.id, ref);
        await db.prisma.trackingCampaign.update({ where: { id: t.id }, data: { active } });
        await audit({ action: `tracking_campaign.${verb}`, entityType: 'tracking_campaign', entityId: t.id, clientId: client.id, before: { active: t.active }, after: { active } });
        console.log(`${t.code} ${active ? 'counts again' : 'no longer counts: its link goes to the fallback URL'}`);
      });
    });
  }
  campaigns.command('delete <campaign>').requiredOption('--client <slug>').action(async (ref: string, o: { client: string }) => {
    await withClient(o.client, async ({ db, audit }, client) => {
      const t = await find(db, client.id, ref);
      const { deleteCampaign } = await import('../../tracking/campaigns.ts');
      await deleteCampaign(db, t.id);
      await audit({ action: 'tracking_campaign.delete', entityType: 'tracking_campaign', entityId: t.id, clientId: client.id, before: { code: t.code, name: t.name } });
      console.log(`deleted ${t.code} (its visits and orders stay, unattributed)`);
    });
  });
  campaigns.command('list').requiredOption('--client <slug>').addOption(json()).action(async (o: { client: string; json?: boolean }) => {
    await withClient(o.client, async ({ db, config }, client) => {
      const { campaignOut, siteKeyOf, trackingUrl } = await import('../../tracking/campaigns.ts');
      const key = await siteKeyOf(db.prisma, client.id);
      const rows = (await db.prisma.trackingCampaign.findMany({ where: { clientId: client.id }, orderBy: { createdAt: 'asc' } })).map((t) => campaignOut(t, trackingUrl(linkBase(config.sources.oauth.publicUrl, client.trackDomain), t, key)));
      if (rows.length) warnLocalLinks(config);
      if (o.json) return printJson(rows);
      if (!rows.length) return console.log(`no campaigns: adbrain campaigns create "Summer dress" --client ${client.slug} --platform instagram --destination https://…`);
      const code = new Map(rows.map((r) => [r.id, r.code]));
      console.log(table([['CODE', 'NAME', 'PLATFORM', 'TYPE', 'PARENT', 'ACTIVE', 'LINK'], ...rows.map((r) => [r.code, r.name, r.platform, r.type, r.parentId ? code.get(r.parentId) ?? '' : '', r.active ? 'yes' : 'no', r.trackingUrl])]));
    });
  });
  for (const [name, desc] of [['show', 'one campaign\'s numbers'], ['leaderboard', 'every campaign, best first']] as const) {
    const cmd = campaigns.command(name === 'show' ? 'show <campaign>' : 'leaderboard').description(desc).requiredOption('--client <slug>')
      .option('--from <date>', 'first day (default: 30 days before --to)', day).option('--to <date>', 'last day (default: yesterday)', day)
      .option('--model <model>', 'last_touch, first_touch or linear', choice(['last_touch', 'first_touch', 'linear']), 'last_touch')
      .addOption(json());
    if (name === 'show') cmd.option('--children', 'sum its children and list them');
    else cmd.option('--by <order>', 'roi, revenue, conversions or conversion_rate', choice(['roi', 'revenue', 'conversions', 'conversion_rate']), 'roi').option('--limit <n>', 'at most this many', int, 20);
    cmd.action(async (...args: unknown[]) => {
      const ref = name === 'show' ? (args[0] as string) : null;
      const o = args[name === 'show' ? 1 : 0] as { client: string; from?: string; to?: string; model: 'last_touch'; children?: boolean; by?: 'roi'; limit?: number; json?: boolean };
      await withClient(o.client, async ({ db, config }, client) => {
        const { campaignAnalytics, leaderboard } = await import('../../tracking/analytics.ts');
        const { money } = await import('../../reports/format.ts');
        const { addDays, lastCompleteDay } = await import('../../time.ts');
        const to = o.to ?? lastCompleteDay(client.timezone, config.now());
        const range = { from: o.from ?? addDays(to, -29), to, timezone: client.timezone };
        if (range.from > range.to) throw new AppError('invalid_input', '--from is after --to');
        const all = await db.prisma.trackingCampaign.findMany({ where: { clientId: client.id }, orderBy: { createdAt: 'asc' } });
        const $ = (c: number | null) => money(c, client.currency);
        const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)} %`);
        if (ref) {
          const t = await find(db, client.id, ref);
          const r = await campaignAnalytics(db, client.id, t, all, range, { includeChildren: Boolean(o.children), model: o.model });
          if (o.json) return printJson(r);
          console.log(`${t.name} (${t.code}), ${range.from} → ${range.to}, ${o.model.replace('_', ' ')}: ${r.visits} visits (${r.uniqueVisitors} people), ${r.conversions} orders (${pct(r.conversionRate)}), ${$(r.revenueCents)} revenue, cost ${$(r.costCents)}, ROI ${pct(r.roi)}`);
          if (r.children?.length) console.log(table([['CHILD', 'VISITS', 'ORDERS', 'REVENUE', 'ROI'], ...r.children.map((c) => [c.code, String(c.visits), String(c.conversions), $(c.revenueCents), pct(c.roi)])]));
          return;
        }
        const rows = await leaderboard(db, client.id, all, range, o.by ?? 'roi', o.limit ?? 20, o.model);
        if (o.json) return printJson(rows);
        console.log(table([['CODE', 'NAME', 'VISITS', 'ORDERS', 'CONV. RATE', 'REVENUE', 'COST', 'ROI'], ...rows.map((r) => [r.code, r.name, String(r.visits), String(r.conversions), pct(r.conversionRate), $(r.revenueCents), $(r.costCents), pct(r.roi)])]));
      });
    });
  }

  program.command('tracking <client>')
    .description(summaryOf('tracking'))
    .option('--origins <urls>', 'comma-separated origins of the shop allowed to send visits (https://shop.example)')
    .option('--fallback <url>', 'where unknown or inactive links go ("off" for none)')
    .option('--window <days>', 'attribution window after the last activity (default 30)', int)
    .option('--honor-dnt <on|off>', 'drop visits from browsers that send DNT or GPC', choice(['on', 'off']))
    .option('--domain <host|off>', 'the client\'s own tracking host (go.brand.com): its links become https://go.brand.com/t/<code>; point a CNAME at this server first')
    .option('--check-domain', 'check that the tracking host reaches this server (DNS, proxy, TLS): fetches https://<host>/.well-known/adbrain-domain')
    .option('--check-url <url>', 'with --check-domain: fetch this URL on the host instead (http://, another port)')
    .addOption(json())
    .action(async (slug: string, o: { origins?: string; fallback?: string; window?: number; honorDnt?: 'on' | 'off'; domain?: string; checkDomain?: boolean; checkUrl?: string; json?: boolean }) => {
      await withClient(slug, async ({ db, config, audit }, client) => {
        const { siteKeyOf } = await import('../../tracking/campaigns.ts');
        const url = (v: string, flag: string) => {
          try {
            const u = new URL(v);
            if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error();
            return u;
          } catch {
            throw new AppError('invalid_input', `${flag}: "${v}" is not an http(s) URL`);
          }
        };
        if (o.window !== undefined && (o.window < 1 || o.window > 365)) throw new AppError('invalid_input', '--window: between 1 and 365 days');
        const data = {
          ...(o.origins !== undefined && { trackOrigins: [...new Set(o.origins.split(',').map((x) => x.trim()).filter(Boolean).map((x) => url(x, '--origins').origin))] }),
          ...(o.fallback !== undefined && { trackFallbackUrl: o.fallback === 'off' ? null : url(o.fallback, '--fallback').toString() }),
          ...(o.window !== undefined && { attributionDays: o.window }), ...(o.honorDnt !== undefined && { honorDnt: o.honorDnt === 'on' }),
          ...(o.domain !== undefined && { trackDomain: o.domain === 'off' ? null : parseTrackDomain(o.domain, config.sources.oauth.publicUrl) }),
        };
        if (data.trackDomain) {
          const taken = await db.prisma.client.findFirst({ where: { trackDomain: data.trackDomain, id: { not: client.id } }, select: { slug: true } });
          if (taken) throw new AppError('conflict', `--domain: ${data.trackDomain} is already the tracking host of ${taken.slug}`);
        }
        const key = await siteKeyOf(db.prisma, client.id);
        const before = await db.prisma.client.findUniqueOrThrow({ where: { id: client.id } });
        const c = Object.keys(data).length ? await db.prisma.client.update({ where: { id: client.id }, data }) : before;
        const view = (x: typeof c) => ({ siteKey: key, origins: x.trackOrigins, fallbackUrl: x.trackFallbackUrl, attributionDays: x.attributionDays, honorDnt: x.honorDnt, domain: x.trackDomain });
        if (Object.keys(data).length) await audit({ action: 'client.tracking', entityType: 'client', entityId: client.id, clientId: client.id, before: view(before), after: view(c) });
        const snippet = `<script src="${linkBase(config.sources.oauth.publicUrl, c.trackDomain)}/t.js" data-site="${key}" defer></script>`;
        if (!c.trackDomain) warnLocalLinks(config);
        if (o.checkDomain) {
          if (!c.trackDomain) throw new AppError('invalid_input', `${client.slug} has no tracking domain: set one with --domain go.brand.com`);
          const r = await checkTrackDomain(c.id, c.trackDomain, { url: o.checkUrl, resolve: config.resolve });
          if (o.json) return printJson({ ...view(c), snippet, check: r });
          if (!r.ok) throw new AppError('invalid_input', `${r.url}: ${r.problem}`);
          console.log(`${c.trackDomain} reaches this server for ${client.slug} (${r.url})`);
          return;
        }
        if (o.json) return printJson({ ...view(c), snippet });
        if (c.trackDomain) console.log(`tracking links on https://${c.trackDomain}/t/<code> (check it: adbrain tracking ${client.slug} --check-domain)`);
        console.log(`site key ${key}; origins ${c.trackOrigins.join(', ') || '(none yet: visits are refused until you add the shop\'s)'}; fallback ${c.trackFallbackUrl ?? 'none'}; window ${c.attributionDays} days; DNT/GPC ${c.honorDnt ? 'honoured' : 'not honoured'}`);
        console.log(`paste into every page:\n  ${snippet}`);
      });
    });
}

// A campaign's fields as `campaigns create|update` take them.
const CAMPAIGN_FLAGS: Record<string, string> = {
  name: '--name', destinationUrl: '--destination', platform: '--platform', type: '--type', code: '--code', postUrl: '--post-url', costCents: '--cost',
  budgetCents: '--budget', startsAt: '--starts', endsAt: '--ends', parentId: '--parent', adEntityId: '--ad',
};
