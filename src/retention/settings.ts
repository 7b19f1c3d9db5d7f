// Per agency retention: how long raw data is kept before the daily prune rolls it
// up or deletes it. The floors keep the product working: the brain reads 400 days
// of daily metrics (HISTORY_DAYS), so metrics are kept at least 14 months.
import { z } from 'zod';

export const RETENTION_DEFAULTS = { metricsMonths: 37, visitsMonths: 13, llmDays: 90, reportMonths: 24 } as const;

export const retentionSchema = z.object({
  metricsMonths: z.number().int().min(14, 'at least 14 months: the brain reads 400 days of history').max(240),
  visitsMonths: z.number().int().min(1).max(240),
  llmDays: z.number().int().min(1).max(3650),
  reportMonths: z.number().int().min(1).max(240),
}).strict();
export type Retention = z.infer<typeof retentionSchema>;

export const retentionOf = (a: { retainMetricsMonths: number; retainVisitsMonths: number; retainLlmDays: number; retainReportMonths: number }): Retention => ({
  metricsMonths: a.retainMetricsMonths, visitsMonths: a.retainVisitsMonths, llmDays: a.retainLlmDays, reportMonths: a.retainReportMonths,
});

export const retentionColumns = (r: Partial<Retention>) => ({
  ...(r.metricsMonths !== undefined && { retainMetricsMonths: r.metricsMonths }),
  ...(r.visitsMonths !== undefined && { retainVisitsMonths: r.visitsMonths }),
  ...(r.llmDays !== undefined && { retainLlmDays: r.llmDays }),
  ...(r.reportMonths !== undefined && { retainReportMonths: r.reportMonths }),
});
