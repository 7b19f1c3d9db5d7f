// Branding rows: one for the agency (key = its id) and one per client that
// overrides anything (key = the client's id). Reads merge them; writes patch one.
import type { Db } from '../db/client.ts';
import { AppError } from '../errors.ts';
import { brandOf, DEFAULT_BRAND, type Brand } from './brand.ts';
import { processLogo, type ProcessedLogo } from './logo.ts';
import { applyPatch, readSettings, type BrandPatch, type BrandSettings } from './settings.ts';

export interface BrandScope {
  agencyId: string;
  /** Absent: the agency's own branding. */
  clientId?: string;
}

type Row = { key: string; settings: unknown; logoPng: Uint8Array | null; logoWidth: number | null; logoHeight: number | null };

const logoOf = (r: Row | undefined): Brand['logo'] =>
  r?.logoPng && r.logoWidth && r.logoHeight ? { png: Buffer.from(r.logoPng), width: r.logoWidth, height: r.logoHeight } : null;

const SELECT = { key: true, settings: true, logoPng: true, logoWidth: true, logoHeight: true } as const;

/** The brand a client's reports carry: its overrides over the agency's; adbrain's own when neither set anything. */
export async function loadBrand(db: Db, scope: BrandScope): Promise<Brand> {
  const keys = [scope.agencyId, ...(scope.clientId ? [scope.clientId] : [])];
  const rows = await db.prisma.brand.findMany({ where: { key: { in: keys } }, select: SELECT });
  if (rows.length === 0) return DEFAULT_BRAND;
  const agency = rows.find((r) => r.key === scope.agencyId);
  const client = scope.clientId ? rows.find((r) => r.key === scope.clientId) : undefined;
  return brandOf({ ...readSettings(agency?.settings), ...readSettings(client?.settings) }, logoOf(client) ?? logoOf(agency));
}

export interface BrandDescription {
  scope: 'agency' | 'client';
  /** What this scope itself sets. */
  settings: BrandSettings;
  logo: { type: string; bytes: number; width: number; height: number } | null;
  /** What the reports show, after the agency's branding and the defaults. */
  effective: { whiteLabel: boolean; name: string; title: string | null; primary: string; accent: string | null; footer: string | null; senderName: string | null; fromAddress: string | null; replyTo: string | null; logo: 'own' | 'agency' | null };
}

export async function describeBrand(db: Db, scope: BrandScope): Promise<BrandDescription> {
  const key = scope.clientId ?? scope.agencyId;
  const own = await db.prisma.brand.findUnique({ where: { key }, select: { settings: true, logo: true, logoType: true, logoWidth: true, logoHeight: true } });
  const b = await loadBrand(db, scope);
  const ownLogo = own?.logo ? { type: own.logoType ?? 'image/png', bytes: own.logo.length, width: own.logoWidth ?? 0, height: own.logoHeight ?? 0 } : null;
  const { logo, ...rest } = b;
  return {
    scope: scope.clientId ? 'client' : 'agency',
    settings: readSettings(own?.settings),
    logo: ownLogo,
    effective: { ...rest, logo: ownLogo ? 'own' : logo ? 'agency' : null },
  };
}

/** Applies a patch to one scope's settings; returns what it stores now. */
export async function patchBrand(db: Db, scope: BrandScope, patch: BrandPatch): Promise<{ before: BrandSettings; after: BrandSettings }> {
  const key = scope.clientId ?? scope.agencyId;
  return db.prisma.$transaction(async (tx) => {
    const row = await tx.brand.findUnique({ where: { key }, select: { settings: true } });
    const before = readSettings(row?.settings);
    const after = applyPatch(before, patch);
    await tx.brand.upsert({
      where: { key },
      update: { settings: after },
      create: { key, agencyId: scope.agencyId, clientId: scope.clientId ?? null, settings: after },
    });
    return { before, after };
  });
}

/** Checks and stores a logo (refused files change nothing). */
export async function setLogo(db: Db, scope: BrandScope, bytes: Buffer): Promise<ProcessedLogo & { bytes: number }> {
  const p = processLogo(bytes);
  const key = scope.clientId ?? scope.agencyId;
  const data = { logo: new Uint8Array(bytes), logoType: p.type, logoPng: new Uint8Array(p.png), logoWidth: p.width, logoHeight: p.height };
  await db.prisma.brand.upsert({ where: { key }, update: data, create: { key, agencyId: scope.agencyId, clientId: scope.clientId ?? null, ...data } });
  return { ...p, bytes: bytes.length };
}

export async function removeLogo(db: Db, scope: BrandScope): Promise<boolean> {
  const r = await db.prisma.brand.updateMany({ where: { key: scope.clientId ?? scope.agencyId, logo: { not: null } }, data: { logo: null, logoType: null, logoPng: null, logoWidth: null, logoHeight: null } });
  return r.count > 0;
}

/** The uploaded file, as it was sent. */
export async function logoFile(db: Db, scope: BrandScope): Promise<{ bytes: Buffer; type: string }> {
  const row = await db.prisma.brand.findUnique({ where: { key: scope.clientId ?? scope.agencyId }, select: { logo: true, logoType: true } });
  if (!row?.logo) throw new AppError('not_found', `no logo is set for this ${scope.clientId ? 'client' : 'agency'}`);
  return { bytes: Buffer.from(row.logo), type: row.logoType ?? 'application/octet-stream' };
}

/** loadBrand for a client known by its id alone. */
export async function loadClientBrand(db: Db, clientId: string): Promise<Brand> {
  const c = await db.prisma.client.findUnique({ where: { id: clientId }, select: { agencyId: true } });
  return c ? loadBrand(db, { agencyId: c.agencyId, clientId }) : DEFAULT_BRAND;
}
