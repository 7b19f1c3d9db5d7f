// What the audit log keeps of an entity, shared by the API and the CLI so both
// record one change the same way.
import type { ImportSummary } from '../import/import-csv.ts';

export const importAuditOf = (r: ImportSummary) => ({
  file: r.file, format: r.format, status: r.status, rows: r.rows, imported: r.imported, rejected: r.rejected,
  inserted: r.inserted, updated: r.updated, unchanged: r.unchanged, dateFrom: r.dateFrom, dateTo: r.dateTo, columns: r.columns,
});

/** A webhook endpoint without its signing secrets. */
export const webhookAuditOf = (e: { id: string; url: string; description?: string | null; events: string[]; enabled: boolean }) => ({
  id: e.id, url: e.url, description: e.description ?? null, events: e.events, enabled: e.enabled,
});

export const splitTestAuditOf = (t: { id: string; name: string; metric: string; status: string; startDate: Date; variants: { entityId: string; label: string; control: boolean; weight?: unknown }[] }) => ({
  id: t.id, name: t.name, metric: t.metric, status: t.status, startDate: t.startDate,
  variants: t.variants.map((v) => ({ entityId: v.entityId, label: v.label, control: v.control })),
});
