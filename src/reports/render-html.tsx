// HTML for the email, rendered from the view by the react-email templates.
import { render } from '@react-email/render';
import AlertEmail from '../../emails/alert.tsx';
import DailyReport from '../../emails/daily-report.tsx';
import type { AlertView } from '../alerts/view.ts';
import type { ReportView } from './view.ts';

export function renderReportHtml(view: ReportView): Promise<string> {
  return render(<DailyReport view={view} />);
}

export function renderAlertHtml(view: AlertView): Promise<string> {
  return render(<AlertEmail view={view} />);
}
