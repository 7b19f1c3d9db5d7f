// What `ask` needs around the loop: the provider from the config, the agency's
// budget window, and the data version that keys the cache (a new sync, import,
// brain run, insight decision or kill makes a new version).
import type { KeyIdentity } from '../domain/api-keys.ts';
import { createProvider } from '../llm/index.ts';
import type { LlmProvider } from '../llm/providers/types.ts';
import { prismaLlmStore } from '../llm/store.ts';
import type { McpDeps } from '../mcp/scope.ts';
import { localDate, startOfLocalDay } from '../time.ts';
import { ask, type AskInput, type AskResult } from './ask.ts';

export async function dataVersion(deps: McpDeps, agencyId: string): Promise<string> {
  const [row] = await deps.db.sql.query<{ v: string | null }>(
    `SELECT concat_ws('|',
        -- New rows arrive through syncs and imports (each a run row) and the day's brain run:
        -- their times stand for the metric rows without scanning them.
        (SELECT max(coalesce(s.finished_at, s.started_at))::text FROM sync_run s JOIN client c ON c.id = s.client_id WHERE c.agency_id = $1::uuid),
        (SELECT max(coalesce(i.finished_at, i.started_at))::text FROM import_run i JOIN client c ON c.id = i.client_id WHERE c.agency_id = $1::uuid),
        (SELECT max(b.updated_at)::text FROM brain_run b JOIN client c ON c.id = b.client_id WHERE c.agency_id = $1::uuid),
        (SELECT max(i.last_seen)::text FROM insight i JOIN client c ON c.id = i.client_id WHERE c.agency_id = $1::uuid),
        (SELECT max(ev.at)::text FROM insight_event ev JOIN insight i ON i.id = ev.insight_id JOIN client c ON c.id = i.client_id WHERE c.agency_id = $1::uuid),
        (SELECT max(e.updated_at)::text FROM entity e JOIN client c ON c.id = e.client_id WHERE c.agency_id = $1::uuid),
        (SELECT count(*)::text FROM client c WHERE c.agency_id = $1::uuid)) AS v`,
    [agencyId],
  );
  // "Yesterday" moves with the clock: a question asked tomorrow is a new question.
  return `${row?.v ?? ''}|${deps.now().toISOString().slice(0, 10)}`;
}

export async function askAs(deps: McpDeps, key: KeyIdentity, input: AskInput, opts: { transport: 'stdio' | 'http'; requestId?: string | null; provider?: LlmProvider | null } = { transport: 'stdio' }): Promise<AskResult> {
  const agency = await deps.db.prisma.agency.findUniqueOrThrow({ where: { id: key.agencyId }, select: { timezone: true, llmDailyTokenBudget: true } });
  const now = deps.now();
  return ask({ deps, key, transport: opts.transport, requestId: opts.requestId ?? null }, input, {
    provider: opts.provider !== undefined ? opts.provider : createProvider(deps.config.llm),
    store: prismaLlmStore(deps.db.prisma),
    dailyTokenBudget: agency.llmDailyTokenBudget ?? deps.config.llm.dailyTokenBudget,
    dayStart: startOfLocalDay(agency.timezone, localDate(agency.timezone, now)),
    dataVersion: await dataVersion(deps, key.agencyId),
  });
}
