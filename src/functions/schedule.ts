// Which clients are due for their daily report at an instant: those whose local
// hour is their report hour. The sweep runs hourly, so each client is due once a day.
import type { PrismaClient } from '../generated/prisma/client.ts';
import { lastCompleteDay } from '../time.ts';

export function localHour(timeZone: string, at: Date): number {
  return Number(new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', hourCycle: 'h23' }).format(at));
}

export interface DueClient {
  clientId: string;
  agencyId: string;
  date: string;
}

export async function dueClients(prisma: PrismaClient, now: Date): Promise<DueClient[]> {
  const clients = await prisma.client.findMany({ select: { id: true, agencyId: true, timezone: true, reportHour: true } });
  return clients
    .filter((c) => localHour(c.timezone, now) === c.reportHour)
    .map((c) => ({ clientId: c.id, agencyId: c.agencyId, date: lastCompleteDay(c.timezone, now) }));
}
