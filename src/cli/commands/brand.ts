// CLI: an agency's branding (and a client's overrides): name, colours, logo,
// sender, reply-to, footer, title. A brand with a name white-labels every report
// and email the client receives.
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { AppError } from '../../errors.ts';
import { withContext, type Ctx } from '../context.ts';
import { inFlags, json } from '../options.ts';
import { printJson } from '../output.ts';
import type { Group } from './index.ts';
import type { BrandScope } from '../../branding/store.ts';

type ScopeFlags = { agency?: string; client?: string };

async function scopeOf(ctx: Ctx, o: ScopeFlags): Promise<BrandScope & { label: string }> {
  if (Boolean(o.agency) === Boolean(o.client)) throw new AppError('invalid_input', 'choose one of --agency <slug> (the agency\'s branding) and --client <slug> (that client\'s overrides)');
  if (o.client) {
    const { getClientBySlug } = await import('../../domain/clients.ts');
    const c = await getClientBySlug(ctx.db.prisma, o.client);
    return { agencyId: c.agencyId, clientId: c.id, label: `client ${c.slug}` };
  }
  const { getAgencyBySlug } = await import('../../domain/agencies.ts');
  const a = await getAgencyBySlug(ctx.db.prisma, o.agency!);
  return { agencyId: a.id, label: `agency ${a.slug}` };
}

const FLAGS = { name: '--name', title: '--title', primary: '--primary', accent: '--accent', senderName: '--sender-name', fromAddress: '--from-address', replyTo: '--reply-to', footer: '--footer' };

async function show(ctx: Ctx, scope: BrandScope & { label: string }, asJson: boolean | undefined) {
  const { describeBrand } = await import('../../branding/store.ts');
  const d = await describeBrand(ctx.db, scope);
  if (asJson) return printJson(d);
  const e = d.effective;
  console.log(`${scope.label}: ${e.whiteLabel ? `white-labelled as ${e.name}` : 'adbrain\'s own look (set --name to white-label)'}`);
  const rows: [string, string | null][] = [
    ['title', e.title], ['primary', e.primary], ['accent', e.accent], ['sender name', e.senderName], ['from address', e.fromAddress], ['reply-to', e.replyTo], ['footer', e.footer],
    ['logo', d.logo ? `${d.logo.type}, ${d.logo.bytes.toLocaleString('en-US')} bytes, shown at ${d.logo.width}×${d.logo.height} px` : e.logo === 'agency' ? 'the agency\'s' : null],
  ];
  for (const [k, v] of rows) console.log(`  ${k.padEnd(13)} ${v ?? '—'}${v && d.scope === 'client' && k !== 'logo' && !(Object.values(d.settings) as string[]).includes(v) ? ' (the agency\'s)' : ''}`);
}

export function register(program: Command, group: Group) {
  const b = group('brand');
  b.command('show')
    .description('the branding reports carry: what this agency or client sets, and what is shown')
    .option('--agency <slug>')
    .option('--client <slug>')
    .addOption(json())
    .action(async (o: ScopeFlags & { json?: boolean }) => {
      await withContext(async (ctx) => show(ctx, await scopeOf(ctx, o), o.json));
    });

  b.command('set')
    .description('set branding fields (a client\'s override the agency\'s); --clear <fields> drops some (comma-separated)')
    .option('--agency <slug>')
    .option('--client <slug>')
    .option('--name <text>', 'who the reports come from: white-labels them (no adbrain wording)')
    .option('--title <text>', 'the report title above the client\'s name (default "Daily report", "Weekly report", …)')
    .option('--primary <#rrggbb>', 'headings, buttons: at least 4.5:1 contrast against white (WCAG AA)')
    .option('--accent <#rrggbb>', 'the kicker and the charts\' revenue bars: at least 4.5:1 against white')
    .option('--sender-name <text>', 'the From name (default --name)')
    .option('--from-address <email>', 'the From address; its domain must be verified at your email provider (default ADBRAIN_EMAIL_FROM\'s)')
    .option('--reply-to <email>')
    .option('--footer <text>', 'the last line of every report and email')
    .option('--clear <fields>', `fields to clear: ${Object.keys(FLAGS).join(', ')}`)
    .addOption(json())
    .action(async (o: ScopeFlags & Record<string, string | boolean | undefined>) => {
      await withContext(async (ctx) => {
        const scope = await scopeOf(ctx, o);
        const { parseBrandPatch } = await import('../../branding/settings.ts');
        const { patchBrand } = await import('../../branding/store.ts');
        const cleared = String(o.clear ?? '').split(',').map((s) => s.trim()).filter(Boolean);
        const unknown = cleared.filter((f) => !(f in FLAGS));
        if (unknown.length) throw new AppError('invalid_input', `--clear: ${unknown.join(', ')} is not a branding field (${Object.keys(FLAGS).join(', ')})`);
        const patch = Object.fromEntries([
          ...Object.keys(FLAGS).filter((k) => typeof o[k] === 'string').map((k) => [k, o[k]]),
          ...cleared.map((k) => [k, null]),
        ]);
        if (Object.keys(patch).length === 0) throw new AppError('invalid_input', `nothing to set: give one of ${Object.values(FLAGS).join(', ')} or --clear`);
        const r = await inFlags(FLAGS, async () => patchBrand(ctx.db, scope, parseBrandPatch(patch)));
        await ctx.audit({ action: 'brand.update', entityType: 'brand', entityId: scope.clientId ?? scope.agencyId, agencyId: scope.agencyId, clientId: scope.clientId ?? null, before: r.before, after: r.after });
        await show(ctx, scope, o.json as boolean | undefined);
      });
    });

  b.command('logo')
    .description('set the logo from a PNG, JPEG or SVG file (at most 1 MB; shown within 240×56 px), or --remove it')
    .argument('[file]')
    .option('--agency <slug>')
    .option('--client <slug>')
    .option('--remove', 'remove the logo (a client falls back to the agency\'s)')
    .addOption(json())
    .action(async (file: string | undefined, o: ScopeFlags & { remove?: boolean; json?: boolean }) => {
      await withContext(async (ctx) => {
        const scope = await scopeOf(ctx, o);
        const { setLogo, removeLogo } = await import('../../branding/store.ts');
        if (o.remove) {
          if (file) throw new AppError('invalid_input', 'give a file or --remove, not both');
          const removed = await removeLogo(ctx.db, scope);
          if (removed) await ctx.audit({ action: 'brand.logo_removed', entityType: 'brand', entityId: scope.clientId ?? scope.agencyId, agencyId: scope.agencyId, clientId: scope.clientId ?? null });
          return o.json ? printJson({ removed }) : console.log(removed ? `${scope.label}: logo removed` : `${scope.label}: no logo was set`);
        }
        if (!file) throw new AppError('invalid_input', 'give the logo file (PNG, JPEG or SVG), or --remove');
        const bytes = await readFile(file).catch((err: NodeJS.ErrnoException) => {
          throw new AppError('invalid_input', `cannot read ${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
        });
        const r = await setLogo(ctx.db, scope, bytes);
        const after = { type: r.type, bytes: r.bytes, width: r.width, height: r.height };
        await ctx.audit({ action: 'brand.logo_set', entityType: 'brand', entityId: scope.clientId ?? scope.agencyId, agencyId: scope.agencyId, clientId: scope.clientId ?? null, after });
        if (o.json) return printJson(after);
        console.log(`${scope.label}: logo set (${r.type}, ${r.bytes.toLocaleString('en-US')} bytes), shown at ${r.width}×${r.height} px`);
      });
    });
}
