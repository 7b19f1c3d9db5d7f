// `adbrain demo`: (re)creates the demo agency with its three simulated clients and
// writes the injected events to <dataDir>/demo/ground-truth.json.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Db } from '../db/client.ts';
import { writeBatch } from '../db/metrics-write.ts';
import { simulateDemo, type Simulation } from './simulate.ts';

export const DEMO_AGENCY = 'demo';
export const DEMO_SOURCE = 'demo';

export interface DemoSummary {
  agency: string;
  seed: number;
  from: string;
  to: string;
  clients: { slug: string; name: string; timezone: string; to: string; entities: number; metricRows: number }[];
  groundTruthFile: string;
  events: number;
}

export async function runDemo(
  db: Db,
  opts: { endDate: string | ((timezone: string) => string); seed?: number; days?: number; dataDir: string },
): Promise<DemoSummary & { simulation: Simulation }> {
  const sim = simulateDemo({ endDate: opts.endDate, seed: opts.seed, days: opts.days });
  // Clients are looked up by slug everywhere, so a reset removes any clients
  // holding the demo slugs, whichever agency they were moved to.
  await db.prisma.client.deleteMany({ where: { slug: { in: sim.clients.map((c) => c.slug) } } });
  await db.prisma.agency.deleteMany({ where: { slug: DEMO_AGENCY } });
  const agency = await db.prisma.agency.create({
    data: { slug: DEMO_AGENCY, name: 'Demo Agency', timezone: 'America/New_York', currency: 'USD' },
  });
  const clients: DemoSummary['clients'] = [];
  for (const c of sim.clients) {
    const client = await db.prisma.client.create({
      data: {
        agencyId: agency.id,
        slug: c.slug,
        name: c.name,
        timezone: c.timezone,
        currency: c.currency,
        recipients: c.recipients,
        monthlyBudgetCents: BigInt(c.monthlyBudgetCents),
        ...(c.objective && { objective: c.objective.kind, targetCpaCents: BigInt(c.objective.targetCpaCents) }),
      },
    });
    const r = await db.sql.tx((sql) => writeBatch(sql, c.batch, { clientId: client.id, source: DEMO_SOURCE }));
    clients.push({ slug: c.slug, name: c.name, timezone: c.timezone, to: c.endDate, entities: r.entitiesTouched, metricRows: c.batch.metrics.length });
  }
  const dir = path.join(opts.dataDir, 'demo');
  await mkdir(dir, { recursive: true });
  const groundTruthFile = path.join(dir, 'ground-truth.json');
  await writeFile(
    groundTruthFile,
    JSON.stringify({ seed: sim.seed, from: sim.startDate, to: sim.endDate, clients: Object.fromEntries(sim.clients.map((c) => [c.slug, { timezone: c.timezone, to: c.endDate }])), events: sim.groundTruth }, null, 2) + '\n',
  );
  return {
    agency: DEMO_AGENCY,
    seed: sim.seed,
    from: sim.startDate,
    to: sim.endDate,
    clients,
    groundTruthFile,
    events: sim.groundTruth.length,
    simulation: sim,
  };
}
