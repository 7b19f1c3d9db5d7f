// HTML for the email, rendered from the view by the react-email templates.
import { render } from '@react-email/render';
import AlertDigestEmail from '../../emails/alert-digest.tsx';
import AlertEmail from '../../emails/alert.tsx';
import DailyReport from '../../emails/daily-report.tsx';
import type { DigestView } from '../alerts/digest.ts';
import type { AlertView } from '../alerts/view.ts';
import type { ReportView } from './view.ts';

export function renderReportHtml(view: ReportView): Promise<string> {
  return render(<DailyReport view={view} />);
}

export function renderAlertHtml(view: AlertView): Promise<string> {
  return render(<AlertEmail view={view} />);
}

export function renderAlertDigestHtml(view: DigestView): Promise<string> {
  return render(<AlertDigestEmail view={view} />);
}
