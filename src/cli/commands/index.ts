// What the CLI can do, without loading it: each top-level command, what it is for
// (the top-level --help and "did you mean" are made from this list alone), and
// the modules that define it. `adbrain <command> …` imports only those modules.
import type { Command } from 'commander';

export type Group = (name: string) => Command;

export interface Area {
  name: string;
  args?: string;
  summary: string;
  modules: (() => Promise<{ register(program: Command, group: Group): void }>)[];
}

const m = {
  db: () => import('./db.ts'),
  agencies: () => import('./agencies.ts'),
  clients: () => import('./clients.ts'),
  dataAdmin: () => import('./data-admin.ts'),
  import: () => import('./import.ts'),
  analyze: () => import('./analyze.ts'),
  insights: () => import('./insights.ts'),
  forecast: () => import('./forecast.ts'),
  day: () => import('./day.ts'),
  delivery: () => import('./delivery.ts'),
  connections: () => import('./connections.ts'),
  exports: () => import('./exports.ts'),
  tests: () => import('./split-tests.ts'),
  webhooks: () => import('./webhooks.ts'),
  users: () => import('./users.ts'),
  campaigns: () => import('./campaigns.ts'),
  serve: () => import('./serve.ts'),
  mcp: () => import('./mcp.ts'),
  ask: () => import('./ask.ts'),
  actions: () => import('./actions.ts'),
  rules: () => import('./rules.ts'),
  brand: () => import('./brand.ts'),
  reportDesign: () => import('./report-design.ts'),
  rollup: () => import('./rollup.ts'),
};

export const AREAS: Area[] = [
  { name: 'start', summary: 'quick start: (re)create the demo agency and run the day for its clients', modules: [m.day] },
  { name: 'demo', summary: 'create (or reset) the demo agency with three simulated clients', modules: [m.day] },
  { name: 'run', summary: 'run the day for one or all clients: sync → report (and every later step that exists)', modules: [m.day] },
  { name: 'import', args: '<file>', summary: 'import a CSV (generic, TikTok or Meta Ads Manager export, Google Ads report) into a client', modules: [m.import] },
  { name: 'analyze', summary: 'run the brain for a client as of a day and print insights, forecasts and the track record (sends nothing)', modules: [m.analyze] },
  { name: 'insights', summary: 'the insight inbox: list, and mark insights in progress, applied or dismissed', modules: [m.insights] },
  { name: 'links', summary: 'links and ads with their last 7 days, and the kill list (killed ones stop alerting)', modules: [m.delivery] },
  { name: 'report', summary: 'render and deliver a client\'s daily report (once per day: a delivered day is not sent again); report layout / preview', modules: [m.delivery, m.reportDesign] },
  { name: 'brand', summary: 'the agency\'s branding on reports and emails (a client can override it): name, colours, logo, sender, footer', modules: [m.brand] },
  { name: 'alerts', summary: 'alert checks: burning links, winners, daily spend over the line', modules: [m.delivery] },
  { name: 'forecast', summary: 'forecast every series of a long CSV (series_id,date,value)', modules: [m.forecast] },
  { name: 'clients', summary: 'clients of an agency', modules: [m.clients, m.dataAdmin] },
  { name: 'agencies', summary: 'agencies (tenants), and their roll-up across clients in the agency currency', modules: [m.agencies, m.dataAdmin, m.rollup] },
  { name: 'fx', summary: 'reference exchange rates (ECB CSV) for the agency roll-up: load a file, fetch ADBRAIN_FX_URL, show a rate', modules: [m.rollup] },
  { name: 'connections', summary: 'ad accounts adbrain syncs by itself', modules: [m.connections] },
  { name: 'sync', summary: 'sync a client\'s connections now: the settling window, a pending backfill, or --from/--to', modules: [m.connections] },
  { name: 'campaigns', summary: 'first-party campaigns: posts, reels, stories, influencer and bio links with their own tracking links', modules: [m.campaigns] },
  { name: 'tracking', args: '<client>', summary: 'a client\'s tracking settings and the snippet to paste (shows them without options)', modules: [m.campaigns] },
  { name: 'tests', summary: 'split tests of links, ads or creatives, with a winner called only when it is real', modules: [m.tests] },
  { name: 'export', args: '<kind>', summary: 'a CSV export of a client: the numbers the reports use, money in the client\'s currency, local days', modules: [m.exports] },
  { name: 'exports', summary: 'CSV exports emailed every week or month', modules: [m.exports] },
  { name: 'webhooks', summary: 'push events (alerts, insights, reports, syncs, tests) to URLs, signed per Standard Webhooks', modules: [m.webhooks] },
  { name: 'serve', summary: 'start the HTTP server: REST API at /v1, OpenAPI at /openapi.json, Inngest at /api/inngest', modules: [m.serve] },
  { name: 'actions', summary: 'changes on the ad platforms: propose a pause, resume or budget change (previewed from the platform), approve, undo', modules: [m.actions] },
  { name: 'rules', summary: 'rules that propose (or make) pauses and budget steps on the platforms, replayed over history first', modules: [m.rules] },
  { name: 'ask', args: '<question>', summary: 'ask the configured LLM about a client; it reads adbrain\'s tools and every number in the answer is checked', modules: [m.ask] },
  { name: 'mcp', summary: 'the MCP server over stdio for AI assistants (Claude Desktop, Claude Code, …): ADBRAIN_API_KEY picks the agency and role', modules: [m.mcp] },
  { name: 'users', summary: 'the agency\'s people: name, email and role (viewer, member, admin)', modules: [m.users] },
  { name: 'keys', summary: 'API keys of an agency (roles: admin, member, viewer)', modules: [m.serve] },
  { name: 'audit', summary: 'who changed what: every change through the API and the CLI, newest first', modules: [m.dataAdmin] },
  { name: 'db', summary: 'database maintenance', modules: [m.db, m.dataAdmin] },
];

/** What a top-level command is for: its help line, here and in its own module. */
export const summaryOf = (name: string) => AREAS.find((a) => a.name === name)?.summary ?? '';

/** The group command of that name on the program, made with its summary the first time. */
export function groupOn(program: Command): Group {
  return (name) => program.commands.find((c) => c.name() === name) ?? program.command(name).description(summaryOf(name));
}
