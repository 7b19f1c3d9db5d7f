// verify_claims: an agent's text about a client and period, checked number by
// number against what adbrain's own tools say for that period — the totals, each
// day, campaign, platform, link and open insight, and the forecast — each match
// named with the tool call that produced it.
import { z } from 'zod';
import { addResult, emptyIndex, verifyText, type FactIndex } from '../../llm/claims.ts';
import { READS, defineTool, type ToolDef } from '../registry.ts';
import type { McpScope } from '../scope.ts';
import { ClientRef, DayArg, clientOf, getForecast, listLinks, queryMetricsTool, rangeOf } from './data.ts';
import { listInsightsTool } from './inbox.ts';

async function gather(s: McpScope, index: FactIndex, t: ToolDef, args: Record<string, unknown>) {
  // Checked as a caller's input would be, then run for every row at once: a claim
  // about the 60th campaign is as checkable as one about the first.
  const input = t.input.parse(args);
  addResult(index, { tool: t.name, args }, await t.run(s, { ...input, limit: 1_000_000 }));
}

/** The facts of a client over a period: what the tools return for it. */
export async function periodFacts(scope: McpScope, client: string, from: string, to: string): Promise<FactIndex> {
  const index = emptyIndex();
  // The five groupings of the range read its rows once.
  const s: McpScope = { ...scope, memo: new Map() };
  const range = { client, from, to };
  for (const groupBy of ['total', 'day', 'campaign', 'platform', 'entity'] as const) await gather(s, index, queryMetricsTool, { ...range, groupBy });
  const days = Math.min(90, Math.max(1, Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000) + 1));
  await gather(s, index, listLinks, { client, asOf: to, days });
  await gather(s, index, listInsightsTool, { client, status: 'open' });
  await gather(s, index, getForecast, { client, date: to });
  return index;
}

export const verifyClaims = defineTool({
  name: 'verify_claims',
  title: 'Verify the numbers in a text',
  description: 'Check every number in a text about a client and period (default: the last 7 complete days) against adbrain\'s own results for that period: totals, days, campaigns, platforms, ads and links, open insights and the forecast. Each number comes back matched to the value and the tool call that produced it, or flagged as unsupported with why (not there, another unit, another currency, cents read as whole units). Use it on an answer before you give it.',
  input: z.object({
    client: ClientRef,
    text: z.string().min(1).max(20_000),
    from: DayArg.optional(),
    to: DayArg.optional(),
  }).strict(),
  ...READS,
  async run(s, q) {
    const client = await clientOf(s, q.client);
    const { from, to } = rangeOf(s, client.timezone, q.from, q.to);
    const index = await periodFacts(s, client.slug, from, to);
    const claims = verifyText(q.text, index, client.currency);
    return {
      client: client.slug, currency: client.currency, from, to,
      supported: claims.filter((c) => c.supported).length,
      unsupported: claims.filter((c) => !c.supported).length,
      claims,
    };
  },
});
