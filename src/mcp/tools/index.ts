// Every tool, in the order a client lists them.
import type { ToolDef } from '../registry.ts';
import { getForecast, getReport, listClients, listLinks, queryMetricsTool } from './data.ts';
import { applyInsight, dismissInsight, explainInsight, killLink, listInsightsTool, snoozeInsightTool } from './inbox.ts';
import { verifyClaims } from './verify.ts';

export const TOOLS: ToolDef[] = [
  listClients, queryMetricsTool, listLinks, listInsightsTool, explainInsight, getForecast, getReport, verifyClaims,
  applyInsight, dismissInsight, snoozeInsightTool, killLink,
];

/** What `ask` may use: reading only — an answer never changes anything. */
export const READ_TOOLS = TOOLS.filter((t) => !t.destructive);
