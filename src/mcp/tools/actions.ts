// Actions on the ad platforms for agents: list them (read), propose one with its
// preview, approve (executes), undo — member keys, audited with origin mcp.
import { z } from 'zod';
import { scopedAdAction, scopedEntity, scopedInsight } from '../../api/common.ts';
import { ACTION_KINDS, type ActionDeps } from '../../ad-actions/actions.ts';
import { decideFor, listFor, proposeFor, type Caller } from '../../ad-actions/service.ts';
import { toMinorUnits } from '../../domain/currency.ts';
import { AppError } from '../../errors.ts';
import { credentialKey } from '../../sources/sync.ts';
import { READS, defineTool } from '../registry.ts';
import { inboxActor, lookupScope, mcpAudit, needRole, type McpScope } from '../scope.ts';
import { ClientRef, clientOf } from './data.ts';

const ActionRef = z.string().min(8).max(64).describe('the action id or its first 8+ characters');

function depsOf(s: McpScope): ActionDeps {
  const key = credentialKey(s.deps.config);
  if (!key) throw new AppError('config', 'the server has no ADBRAIN_ENCRYPTION_KEY: it cannot open the connections\' credentials');
  return { db: s.deps.db, config: s.deps.config, key, now: s.deps.now() };
}
const caller = (s: McpScope): Caller => ({ by: inboxActor(s), audit: (e) => mcpAudit(s, e) });

export const listActions = defineTool({
  name: 'list_actions',
  title: 'Changes on the ad platforms',
  description: 'Pauses, resumes and budget changes of a client, newest first: what (object, field, from → to, money per day), their state (proposed, approved, done, failed, undone, cancelled), who proposed and approved them, and the platform\'s answer.',
  input: z.object({ client: ClientRef, state: z.enum(['proposed', 'approved', 'executing', 'done', 'failed', 'undone', 'cancelled']).optional() }).strict(),
  ...READS,
  async run(s, q) {
    const client = await clientOf(s, q.client);
    return { client: client.slug, currency: client.currency, actions: await listFor(s.deps.db, client.id, { state: q.state }) };
  },
});

export const proposeActionTool = defineTool({
  name: 'propose_action',
  title: 'Propose a change on an ad platform',
  description: 'Propose pausing or resuming a link\'s ad, an ad, ad set or campaign, or changing a daily budget by a percentage or to an amount (member key). Nothing changes on the platform until a person (or approve_action) approves it; the preview is read from the platform now.',
  input: z.object({
    entity: z.string().min(8).max(64).describe('the link, ad, ad set or campaign id (or 8+ characters of it) from list_links or list_insights'),
    kind: z.enum(ACTION_KINDS),
    percent: z.number().min(-90).max(100).optional().describe('budget: change by this percentage'),
    amount: z.string().max(30).optional().describe('budget: the new daily budget in the client\'s currency'),
    insight: z.string().min(8).max(64).optional(),
  }).strict(),
  destructive: true,
  idempotent: true,
  async run(s, q) {
    needRole(s, 'member');
    const e = await scopedEntity(lookupScope(s), q.entity);
    const client = await s.deps.db.prisma.client.findUniqueOrThrow({ where: { id: e.clientId } });
    const insight = q.insight ? await scopedInsight(lookupScope(s), q.insight) : null;
    const toMinor = q.amount !== undefined ? toMinorUnits(q.amount, client.currency, 'amount') : undefined;
    return proposeFor(depsOf(s), { entityId: e.id, kind: q.kind, percent: q.percent, toMinor, insightId: insight?.id }, caller(s));
  },
});

const decision = (what: 'approve' | 'undo', title: string, description: string) =>
  defineTool({
    name: `${what}_action`,
    title,
    description,
    input: z.object({ action: ActionRef }).strict(),
    destructive: true,
    idempotent: true,
    async run(s, q) {
      needRole(s, 'member');
      const a = await scopedAdAction(lookupScope(s), q.action);
      return decideFor(depsOf(s), a.id, what, caller(s));
    },
  });

export const approveActionTool = decision('approve', 'Approve and run a proposed change', 'Approve a proposed action (member key): adbrain reads the object again and writes only if it still is what the preview showed; the result says done or failed and why. Only when the user has agreed to this exact change.');
export const undoActionTool = decision('undo', 'Undo a change', 'Restore the value a done action replaced (member key), if nobody changed it since.');
