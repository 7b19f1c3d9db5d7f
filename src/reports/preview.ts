// A report made to look at, not to send: the client's data, brand and layout (or
// a layout being tried), as HTML (logo inline, opens in a browser), text and PDF.
// Nothing is recorded and nothing goes out.
import type { Db } from '../db/client.ts';
import { inlineImages, logoParts } from '../branding/email.ts';
import { renderDailyReport, recipientsAndDress } from './daily-report.ts';
import type { ReportLayout } from './layout.ts';
import type { Period } from './periods.ts';
import { loadReportModel, type ReportClient } from './load-model.ts';

export interface Preview {
  html: string;
  text: string;
  pdf: Buffer;
  subject: string;
}

export async function previewDailyReport(db: Db, client: ReportClient, date: string, now: Date, layout?: ReportLayout): Promise<Preview> {
  const { dress } = await recipientsAndDress(db, client.id);
  const r = await renderDailyReport(await loadReportModel(db, client, date, now), undefined, undefined, { ...dress, ...(layout && { layout }) });
  return { html: inlineImages(r.html, logoParts(dress.brand)), text: r.text, pdf: r.pdf, subject: r.view.subject };
}

/** A weekly or monthly report to look at (nothing recorded, nothing sent). */
export async function previewPeriodReport(db: Db, client: ReportClient, period: Period, now: Date, layout?: ReportLayout): Promise<Preview> {
  const { dress } = await recipientsAndDress(db, client.id);
  const { renderPeriodReport } = await import('./period-report.ts');
  const r = await renderPeriodReport(db, client, period, now, dress, undefined, layout);
  return { html: inlineImages(r.html, logoParts(dress.brand)), text: r.text, pdf: r.pdf, subject: r.view.subject };
}
