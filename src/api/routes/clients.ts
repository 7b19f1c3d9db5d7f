import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { addClient, updateClient } from '../../domain/clients.ts';
import { clientUpdateSchema } from '../../domain/schemas.ts';
import { amountUnit } from '../../domain/currency.ts';
import { findCampaign, objectiveInputSchema, objectiveSettings, setCampaignObjective } from '../../domain/objectives.ts';
import { AppError } from '../../errors.ts';
import type { Client } from '../../generated/prisma/client.ts';
import { IdParam, cents, errors, json, requireRole, scopedClient, security } from '../common.ts';
import type { AppEnv } from '../env.ts';
import { apiActor, audit } from '../audit.ts';
import { purgeClient } from '../../client-data/erase.ts';

export const ClientSchema = z
  .object({
    id: z.uuid(),
    slug: z.string(),
    name: z.string(),
    timezone: z.string(),
    currency: z.string(),
    reportHour: z.number().int(),
    recipients: z.array(z.string()),
    monthlyBudgetCents: z.number().int().nullable(),
    thresholds: z.object({
      burnRoiBelow: z.number(),
      burnMinSpendCents: z.number().int(),
      winRoiAbove: z.number(),
      winMinRevenueCents: z.number().int(),
      dailySpendAlertCents: z.number().int().nullable(),
      alertCooldownHours: z.number().int(),
      alertConsecutiveCheck: z.boolean(),
    }),
    objective: z.object({
      kind: z.enum(['revenue', 'leads', 'value']).openapi({ description: 'revenue: judged by ROI; leads: by CPA against targetCpaCents; value: conversions × valuePerConversionCents' }),
      targetCpaCents: z.number().int().nullable(),
      valuePerConversionCents: z.number().int().nullable(),
      campaigns: z.array(z.object({ campaignId: z.string(), kind: z.enum(['revenue', 'leads', 'value']), targetCpaCents: z.number().int().nullable(), valuePerConversionCents: z.number().int().nullable() })),
    }),
    sms: z.object({ numbers: z.array(z.string()), perDay: z.number().int(), quietHours: z.string() }).openapi({ description: 'critical alerts (burning, budget) by SMS: E.164 numbers, texts per number and local day, local quiet hours ("22-07" or "off")' }),
    amountUnit: z.object({ field: z.string(), minorUnitsPerUnit: z.number().int(), exponent: z.number().int() }),
    reportSchedules: z.array(z.string()).openapi({ description: 'which reports go out at reportHour (local): daily, weekly:<mon…sun> (the 7 days before it), monthly:<1…28> (the previous calendar month)' }),
    actionsMode: z.string().nullable().openapi({ description: 'changes on the ad platforms for this client: off, propose, auto; null follows ADBRAIN_ACTIONS (the stricter applies)' }),
    createdAt: z.string(),
  })
  .openapi('Client');

export const clientOut = (c: Client) => ({
  id: c.id,
  slug: c.slug,
  name: c.name,
  timezone: c.timezone,
  currency: c.currency,
  reportHour: c.reportHour,
  recipients: c.recipients,
  monthlyBudgetCents: cents(c.monthlyBudgetCents),
  thresholds: {
    burnRoiBelow: Number(c.burnRoiBelow),
    burnMinSpendCents: Number(c.burnMinSpendCents),
    winRoiAbove: Number(c.winRoiAbove),
    winMinRevenueCents: Number(c.winMinRevenueCents),
    dailySpendAlertCents: cents(c.dailySpendAlertCents),
    alertCooldownHours: c.alertCooldownHours,
    alertConsecutiveCheck: c.alertConsecutiveCheck,
  },
  objective: (() => {
    const o = objectiveSettings(c);
    return { ...o.objective, campaigns: Object.entries(o.campaignObjectives).map(([campaignId, x]) => ({ campaignId, ...x })) };
  })(),
  sms: { numbers: c.smsNumbers, perDay: c.smsPerDay, quietHours: c.smsQuietHours },
  amountUnit: amountUnit(c.currency),
  actionsMode: c.actionsMode,
  reportSchedules: c.reportSchedules,
  createdAt: c.createdAt.toISOString(),
});

const campaignObjective = (c: Client, campaignId: string) => objectiveSettings(c).campaignObjectives[campaignId] ?? null;

const NewClient = z
  .object({
    slug: z.string().min(2).max(64).regex(/^[a-z0-9][a-z0-9-]*$/, 'lowercase letters, digits and dashes'),
    name: z.string().min(1).max(200).optional(),
    timezone: z.string().optional(),
    currency: z.string().length(3).optional(),
    reportHour: z.number().int().min(0).max(23).optional(),
    recipients: z.array(z.email()).max(50).optional(),
    monthlyBudgetCents: z.number().int().min(0).optional(),
  })
  .strict()
  .openapi('NewClient');

const tags = ['clients'];

export function clientRoutes(app: OpenAPIHono<AppEnv>) {
  app.openapi(
    createRoute({ method: 'get', path: '/v1/clients', tags, security, summary: 'List the agency\'s clients', responses: { 200: json(z.object({ data: z.array(ClientSchema) }), 'Clients'), ...errors } }),
    async (c) => {
      const rows = await c.get('deps').db.prisma.client.findMany({ where: { agencyId: c.get('key').agencyId }, orderBy: { slug: 'asc' } });
      return c.json({ data: rows.map(clientOut) }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'post', path: '/v1/clients', tags, security, summary: 'Add a client (admin)',
      request: { body: { content: { 'application/json': { schema: NewClient } }, required: true } },
      responses: { 201: json(ClientSchema, 'Created'), 409: json(z.any(), 'Slug taken'), ...errors },
    }),
    async (c) => {
      requireRole(c, 'admin');
      const { prisma } = c.get('deps').db;
      const agency = await prisma.agency.findUniqueOrThrow({ where: { id: c.get('key').agencyId } });
      const created = await addClient(prisma, { ...c.req.valid('json'), agency: agency.slug });
      await audit(c, { action: 'client.create', entityType: 'client', entityId: created.id, clientId: created.id, after: clientOut(created) });
      return c.json(clientOut(created), 201);
    },
  );
  app.openapi(
    createRoute({ method: 'get', path: '/v1/clients/{id}', tags, security, summary: 'One client with its settings', request: { params: IdParam }, responses: { 200: json(ClientSchema, 'The client'), ...errors } }),
    async (c) => c.json(clientOut(await scopedClient(c, c.req.valid('param').id)), 200),
  );
  app.openapi(
    createRoute({
      method: 'patch', path: '/v1/clients/{id}', tags, security, summary: 'Change settings, recipients, thresholds, budget (admin)',
      request: { params: IdParam, body: { content: { 'application/json': { schema: clientUpdateSchema } }, required: true } },
      responses: { 200: json(ClientSchema, 'Updated'), ...errors },
    }),
    async (c) => {
      requireRole(c, 'admin');
      const client = await scopedClient(c, c.req.valid('param').id);
      const body = c.req.valid('json');
      if (Object.keys(body).length === 0) throw new AppError('invalid_input', 'nothing to change: send at least one field');
      const updated = await updateClient(c.get('deps').db.prisma, client.id, body);
      await audit(c, { action: 'client.update', entityType: 'client', entityId: client.id, clientId: client.id, before: clientOut(client), after: clientOut(updated) });
      return c.json(clientOut(updated), 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'put', path: '/v1/clients/{id}/campaigns/{campaign}/objective', tags, security,
      summary: 'Judge one campaign by its own objective (admin); campaign = id, platform id or name',
      request: { params: IdParam.extend({ campaign: z.string().min(1).max(500) }), body: { content: { 'application/json': { schema: objectiveInputSchema } }, required: true } },
      responses: { 200: json(ClientSchema, 'Updated'), ...errors },
    }),
    async (c) => {
      requireRole(c, 'admin');
      const { id, campaign } = c.req.valid('param');
      const client = await scopedClient(c, id);
      const { prisma } = c.get('deps').db;
      const body = c.req.valid('json');
      const target = await findCampaign(prisma, client.id, campaign);
      const updated = await setCampaignObjective(prisma, client.id, target.id, { kind: body.objective, targetCpaCents: body.targetCpaCents ?? null, valuePerConversionCents: body.valuePerConversionCents ?? null });
      await audit(c, { action: 'campaign.objective_set', entityType: 'campaign', entityId: target.id, clientId: client.id, before: campaignObjective(client, target.id), after: campaignObjective(updated, target.id) });
      return c.json(clientOut(updated), 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'delete', path: '/v1/clients/{id}/campaigns/{campaign}/objective', tags, security,
      summary: 'Judge the campaign by the client\'s objective again (admin)',
      request: { params: IdParam.extend({ campaign: z.string().min(1).max(500) }) },
      responses: { 200: json(ClientSchema, 'Updated'), ...errors },
    }),
    async (c) => {
      requireRole(c, 'admin');
      const { id, campaign } = c.req.valid('param');
      const client = await scopedClient(c, id);
      const { prisma } = c.get('deps').db;
      const target = await findCampaign(prisma, client.id, campaign);
      const updated = await setCampaignObjective(prisma, client.id, target.id, null);
      await audit(c, { action: 'campaign.objective_cleared', entityType: 'campaign', entityId: target.id, clientId: client.id, before: campaignObjective(client, target.id), after: null });
      return c.json(clientOut(updated), 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'delete', path: '/v1/clients/{id}', tags, security,
      summary: 'Erase a client and everything it owns (admin): metrics, entities, insights, reports, connections, its audit history — in one transaction; one audit row says it happened',
      request: { params: IdParam }, responses: { 204: { description: 'Erased' }, ...errors },
    }),
    async (c) => {
      requireRole(c, 'admin');
      const client = await scopedClient(c, c.req.valid('param').id);
      await purgeClient(c.get('deps').db.prisma, client, apiActor(c), c.get('requestId'));
      return c.body(null, 204);
    },
  );
}
