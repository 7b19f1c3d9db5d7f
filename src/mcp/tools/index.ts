// Every tool, in the order a client lists them.
import type { ToolDef } from '../registry.ts';
import { getForecast, getReport, listClients, listLinks, queryMetricsTool } from './data.ts';
import { applyInsight, dismissInsight, explainInsight, killLink, listInsightsTool, snoozeInsightTool } from './inbox.ts';
import { verifyClaims } from './verify.ts';
import { approveActionTool, listActions, proposeActionTool, undoActionTool } from './actions.ts';

export const TOOLS: ToolDef[] = [
  listClients, queryMetricsTool, listLinks, listInsightsTool, explainInsight, getForecast, getReport, listActions, verifyClaims,
  applyInsight, dismissInsight, snoozeInsightTool, killLink, proposeActionTool, approveActionTool, undoActionTool,
];

/** What `ask` may use: reading only — an answer never changes anything. */
export const READ_TOOLS = TOOLS.filter((t) => !t.destructive);
