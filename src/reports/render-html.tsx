// HTML for the email, rendered from the view by the react-email templates.
import { render } from '@react-email/render';
import DailyReport from '../../emails/daily-report.tsx';
import type { ReportView } from './view.ts';

export function renderReportHtml(view: ReportView): Promise<string> {
  return render(<DailyReport view={view} />);
}
