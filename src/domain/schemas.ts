// Validation shared by the CLI and (later) the REST API.
import { schedulesSchema } from '../reports/periods.ts';
import { z } from 'zod';

export const slugSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'use lowercase letters, digits and dashes (at most 63), starting with a letter or digit');

export const timezoneSchema = z.string().trim().refine(isTimeZone, {
  message: 'unknown IANA timezone (examples: UTC, America/New_York, Europe/Berlin, Asia/Kolkata)',
});

const currencies = new Set(Intl.supportedValuesOf('currency'));
export const currencySchema = z
  .string()
  .trim()
  .toUpperCase()
  .refine((c) => currencies.has(c), { message: 'unknown ISO 4217 currency code (examples: USD, EUR, GBP)' });

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const newAgencySchema = z.object({
  slug: slugSchema,
  name: z.string().trim().min(1).max(200).optional(),
  timezone: timezoneSchema.default('UTC'),
  currency: currencySchema.default('USD'),
});

export const newClientSchema = z.object({
  slug: slugSchema,
  name: z.string().trim().min(1).max(200).optional(),
  timezone: timezoneSchema.optional(),
  currency: currencySchema.optional(),
  agency: slugSchema.optional(),
  reportHour: z.number().int().min(0).max(23).optional(),
  recipients: z.array(z.email()).optional(),
  monthlyBudgetCents: z.number().int().min(0).optional(),
  /** The budget as a person types it, in the client currency (the CLI's --budget). */
  monthlyBudget: z.string().max(40).optional(),
});

export type NewClient = z.input<typeof newClientSchema>;

/** Settings a client can change after creation (all optional; null clears a budget or alert line). */
export const clientUpdateSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    timezone: timezoneSchema,
    currency: currencySchema,
    reportHour: z.number().int().min(0).max(23),
    recipients: z.array(z.email()).max(50),
    monthlyBudgetCents: z.number().int().min(0).nullable(),
    burnRoiBelow: z.number().min(-1).max(0),
    burnMinSpendCents: z.number().int().min(0),
    winRoiAbove: z.number().min(0).max(100),
    winMinRevenueCents: z.number().int().min(0),
    dailySpendAlertCents: z.number().int().min(0).nullable(),
    alertCooldownHours: z.number().int().min(0).max(24 * 30),
    alertConsecutiveCheck: z.boolean(),
    /** Critical alerts by SMS: numbers in E.164 (+15551234567), texts per number and day, local quiet hours. */
    smsNumbers: z.array(z.string().trim().regex(/^\+[1-9]\d{7,14}$/, 'expected a phone number in E.164 form, like +15551234567')).max(10),
    smsPerDay: z.number().int().min(1).max(100),
    smsQuietHours: z.string().regex(/^(off|([01]?\d|2[0-3])-([01]?\d|2[0-3]))$/, 'expected HH-HH in the client time zone (e.g. 22-07) or off'),
    /** revenue (ROI / ROAS), leads (judged by CPA against targetCpaCents) or value (conversions × valuePerConversionCents). */
    objective: z.enum(['revenue', 'leads', 'value']),
    targetCpaCents: z.number().int().positive().nullable(),
    valuePerConversionCents: z.number().int().positive().nullable(),
    /** Changes on the ad platforms for this client (the stricter of this and ADBRAIN_ACTIONS applies); null follows ADBRAIN_ACTIONS. */
    actionsMode: z.enum(['off', 'propose', 'auto']).nullable(),
    /** Which reports go out at reportHour: daily, weekly:<mon…sun>, monthly:<1…28> (src/reports/periods.ts). */
    reportSchedules: schedulesSchema,
  })
  .partial()
  .strict();

export type ClientUpdate = z.input<typeof clientUpdateSchema>;

/** Formats zod issues as "field: message" lines for CLI and API errors. */
export function issuesOf(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((i) => ({ path: i.path.join('.') || '(input)', message: i.message }));
}

/** An email address as the client recipients are checked (zod's email). */
export const isEmail = (s: string): boolean => z.email().safeParse(s).success;
