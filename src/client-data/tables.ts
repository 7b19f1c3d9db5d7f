// Everything a client owns, table by table: what `clients export` writes and
// `clients delete --purge` erases. test/client-data.test.ts fails when a table
// of the schema is in neither OWNED nor NOT_CLIENT_DATA, so a new table has to be
// classified before it ships.

export interface OwnedTable {
  table: string;
  /** Rows of client $1. */
  where: string;
  /** Columns never handed out: secrets, and bodies written as files of their own. */
  omit?: string[];
}

const ofEntities = 'entity_id IN (SELECT id FROM entity WHERE client_id = $1)';

export const OWNED: OwnedTable[] = [
  { table: 'client', where: 'id = $1' },
  { table: 'connection', where: 'client_id = $1', omit: ['credentials'] },
  { table: 'entity', where: 'client_id = $1' },
  { table: 'daily_metric', where: ofEntities },
  { table: 'metric_month', where: ofEntities },
  { table: 'revenue_event', where: 'client_id = $1' },
  { table: 'import_run', where: 'client_id = $1' },
  { table: 'sync_run', where: 'client_id = $1' },
  { table: 'brain_run', where: 'client_id = $1' },
  { table: 'prediction', where: ofEntities },
  { table: 'insight', where: 'client_id = $1' },
  { table: 'insight_event', where: 'insight_id IN (SELECT id FROM insight WHERE client_id = $1)' },
  { table: 'report', where: 'client_id = $1', omit: ['html', 'text', 'pdf'] },
  { table: 'alert', where: 'client_id = $1' },
  { table: 'alert_state', where: 'client_id = $1' },
  { table: 'alert_sms', where: 'client_id = $1' },
  { table: 'analysis_run', where: 'client_id = $1' },
  { table: 'export_schedule', where: 'client_id = $1' },
  { table: 'export_delivery', where: 'schedule_id IN (SELECT id FROM export_schedule WHERE client_id = $1)' },
  { table: 'split_test', where: 'client_id = $1' },
  { table: 'split_variant', where: 'test_id IN (SELECT id FROM split_test WHERE client_id = $1)' },
  { table: 'tracking_campaign', where: 'client_id = $1' },
  { table: 'campaign_hour', where: 'campaign_id IN (SELECT id FROM tracking_campaign WHERE client_id = $1)' },
  { table: 'visit', where: 'client_id = $1' },
  { table: 'conversion', where: 'client_id = $1' },
  { table: 'track_customer', where: 'client_id = $1' },
  { table: 'audit_log', where: 'client_id = $1' },
  // Which emailed action links were used, and what they did.
  { table: 'action_link_use', where: 'client_id = $1' },
  // Changes made on the ad platforms (pause, resume, budgets) and their previews.
  { table: 'ad_action', where: 'client_id = $1' },
  { table: 'action_rule', where: 'client_id = $1' },
  // The client's own branding (its overrides of the agency's): the logo travels as its settings, not its bytes.
  { table: 'brand', where: 'client_id = $1', omit: ['logo', 'logo_png'] },
  // One-time OAuth states: erased with the client, never exported (they are signed secrets).
  { table: 'oauth_state', where: 'client_id = $1', omit: ['*'] },
];

/** Tables that hold no client's data (agency-level, or the migrations' own). */
export const NOT_CLIENT_DATA = [
  'agency', 'api_key', 'webhook_endpoint', 'webhook_attempt', 'llm_call', '_prisma_migrations',
  // The agency's people (src/domain/users.ts).
  'app_user',
  // Signed-in browsers of the web inbox and their emailed sign-in links (src/web/session.ts).
  'web_session', 'magic_link',
  // Envelopes name their client; the erase deletes those (webhookDeliveriesOf), the export leaves them out (the agency's delivery log).
  'webhook_delivery',
  // Who holds which job right now (src/db/lease.ts): a name and a random holder, gone when the job ends.
  'lease',
  // Reference exchange rates (src/fx/), and an agency's roll-up across its clients.
  'fx_rate', 'agency_report',
];

/** Webhook deliveries whose envelope is about client $1. */
export const webhookDeliveriesOf = "body::jsonb -> 'client' ->> 'id' = $1::text";
