// The agency's people (name, email, role): whom sign-in links go to and whom the
// audit log and the inbox name as having applied or dismissed something.
import type { PrismaClient } from '../generated/prisma/client.ts';
import { AppError } from '../errors.ts';
import { ROLES } from './api-keys.ts';
import { isEmail } from './schemas.ts';

export type UserRole = (typeof ROLES)[number];

export const userOut = (u: { id: string; name: string; email: string; role: string; createdAt: Date }) => ({
  id: u.id, name: u.name, email: u.email, role: u.role as UserRole, createdAt: u.createdAt.toISOString(),
});

export async function addUser(prisma: PrismaClient, agencyId: string, input: { name: string; email: string; role: string }) {
  const email = input.email.trim().toLowerCase();
  const name = input.name.trim();
  if (!isEmail(email)) throw new AppError('invalid_input', `email: "${input.email}" is not an email address`, [{ path: 'email', message: 'not an email address' }]);
  if (!name || name.length > 200) throw new AppError('invalid_input', 'name: give the person\'s name (1–200 characters)', [{ path: 'name', message: '1–200 characters' }]);
  const role = input.role.trim().toLowerCase();
  if (!(ROLES as readonly string[]).includes(role)) throw new AppError('invalid_input', `role: "${input.role}" — choose ${ROLES.join(', ')}`, [{ path: 'role', message: ROLES.join(' | ') }]);
  const had = await prisma.user.findUnique({ where: { agencyId_email: { agencyId, email } } });
  if (had) throw new AppError('conflict', `${email} is already a user of this agency (${had.role}); remove them first to change the role`);
  return prisma.user.create({ data: { agencyId, name, email, role: role as UserRole } });
}

export async function listUsers(prisma: PrismaClient, agencyId: string) {
  return prisma.user.findMany({ where: { agencyId }, orderBy: { email: 'asc' } });
}

/** A user by email, full id or 8+ character id prefix, within the agency. */
export async function findUser(prisma: PrismaClient, agencyId: string, ref: string) {
  const r = ref.trim().toLowerCase();
  const rows = await listUsers(prisma, agencyId);
  const hit = rows.filter((u) => u.email === r || u.id === r || (r.length >= 8 && u.id.startsWith(r)));
  if (hit.length !== 1) throw new AppError('not_found', `no user "${ref}" in this agency (adbrain users list --agency …)`);
  return hit[0]!;
}

export async function removeUser(prisma: PrismaClient, agencyId: string, ref: string) {
  const u = await findUser(prisma, agencyId, ref);
  await prisma.user.delete({ where: { id: u.id } });
  return u;
}
