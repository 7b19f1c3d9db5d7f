// What an agency (and, field by field, a client) sets about the look of its
// reports and emails, validated once here for the CLI, the REST API and the store.
// Colours carry text on white (headings, buttons with white text), so each must
// reach WCAG AA for normal text: a contrast ratio of 4.5:1 against white.
import { hex as contrastOf } from 'wcag-contrast';
import { z } from 'zod';
import { AppError } from '../errors.ts';

export const AA_TEXT = 4.5;

const colour = z
  .string()
  .trim()
  .regex(/^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/, 'a colour is #rgb or #rrggbb')
  .transform((c) => (c.length === 4 ? `#${[...c.slice(1)].map((x) => x + x).join('')}` : c).toLowerCase())
  .superRefine((c, ctx) => {
    const ratio = contrastOf(c, '#ffffff');
    if (ratio < AA_TEXT) ctx.addIssue({ code: 'custom', message: `${c} has a contrast of ${ratio.toFixed(2)}:1 against white; text needs at least ${AA_TEXT}:1 (WCAG AA): pick a darker shade` });
  });

// Plain words, one line: these land in headers, subjects and PDF metadata.
const line = (max: number) => z.string().trim().min(1).max(max).refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'no control characters or line breaks');

export const brandSettingsSchema = z
  .object({
    /** Who the reports come from ("Acme Growth"): it replaces adbrain's name everywhere a client reads. */
    name: line(80),
    /** The kicker above the client's name ("Performance report"); default "Daily report", "Weekly report", … */
    title: line(60),
    /** Headings' rule, buttons, links. */
    primary: colour,
    /** The revenue series of the charts, the kicker. */
    accent: colour,
    /** The From display name; default the name. */
    senderName: line(80),
    /** The From address (its domain must be verified at the email provider); default ADBRAIN_EMAIL_FROM's. */
    fromAddress: z.email().max(200),
    replyTo: z.email().max(200),
    /** The last line of every report and email ("Acme Growth · 12 High St, Leeds · acme.example"). */
    footer: z.string().trim().min(1).max(300).refine((s) => !/[\u0000-\u0009\u000b-\u001f\u007f]/.test(s), 'no control characters'),
  })
  .partial()
  .strict();

export type BrandSettings = z.infer<typeof brandSettingsSchema>;

/** A patch: a field set to null is cleared (the client falls back to the agency's, the agency to the default). */
export const brandPatchSchema = z
  .object(Object.fromEntries(Object.entries(brandSettingsSchema.shape).map(([k, v]) => [k, (v as z.ZodOptional<z.ZodType>).unwrap().nullable().optional()])))
  .strict() as unknown as z.ZodType<{ [K in keyof BrandSettings]?: BrandSettings[K] | null }>;

export type BrandPatch = z.infer<typeof brandPatchSchema>;

export function parseBrandPatch(input: unknown): BrandPatch {
  const r = brandPatchSchema.safeParse(input);
  if (!r.success) {
    const issues = r.error.issues.map((i) => ({ path: i.path.join('.') || '(body)', message: i.message }));
    throw new AppError('invalid_input', `brand: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
  }
  return r.data;
}

/** Stored settings read back (a row written by an older version is still shown, never trusted blindly). */
export function readSettings(json: unknown): BrandSettings {
  const r = brandSettingsSchema.safeParse(json ?? {});
  return r.success ? r.data : {};
}

export function applyPatch(current: BrandSettings, patch: BrandPatch): BrandSettings {
  const next: Record<string, unknown> = { ...current };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete next[k];
    else if (v !== undefined) next[k] = v;
  }
  return next as BrandSettings;
}
