// The agency's people over REST: anyone with a key sees them; an admin adds and removes.
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { ROLES } from '../../domain/api-keys.ts';
import { addUser, listUsers, removeUser, userOut } from '../../domain/users.ts';
import { anyCase, errors, json, requireRole, security } from '../common.ts';
import { audit } from '../audit.ts';
import type { AppEnv } from '../env.ts';

const tags = ['users'];
const UserSchema = z.object({ id: z.uuid(), name: z.string(), email: z.string(), role: z.enum(ROLES), createdAt: z.string() }).openapi('User');
const NewUser = z.object({ name: z.string().min(1).max(200), email: z.string().max(320), role: anyCase(ROLES).default('member') }).strict().openapi('NewUser');
const UserRef = z.object({ id: z.string().min(1).max(320).openapi({ param: { name: 'id', in: 'path' }, description: 'the user\'s id, 8+ character id prefix, or email' }) });

export function userRoutes(app: OpenAPIHono<AppEnv>) {
  app.openapi(
    createRoute({ method: 'get', path: '/v1/users', tags, security, summary: 'The agency\'s people', responses: { 200: json(z.object({ data: z.array(UserSchema) }), 'Users'), ...errors } }),
    async (c) => c.json({ data: (await listUsers(c.get('deps').db.prisma, c.get('key').agencyId)).map(userOut) }, 200),
  );
  app.openapi(
    createRoute({
      method: 'post', path: '/v1/users', tags, security, summary: 'Add a person (admin)',
      request: { body: { content: { 'application/json': { schema: NewUser } }, required: true } },
      responses: { 201: json(UserSchema, 'Added'), 409: json(z.any(), 'Already a user'), ...errors },
    }),
    async (c) => {
      requireRole(c, 'admin');
      const u = await addUser(c.get('deps').db.prisma, c.get('key').agencyId, c.req.valid('json'));
      await audit(c, { action: 'user.create', entityType: 'user', entityId: u.id, after: userOut(u) });
      return c.json(userOut(u), 201);
    },
  );
  app.openapi(
    createRoute({ method: 'delete', path: '/v1/users/{id}', tags, security, summary: 'Remove a person (admin)', request: { params: UserRef }, responses: { 200: json(UserSchema, 'Removed'), ...errors } }),
    async (c) => {
      requireRole(c, 'admin');
      const u = await removeUser(c.get('deps').db.prisma, c.get('key').agencyId, c.req.valid('param').id);
      await audit(c, { action: 'user.delete', entityType: 'user', entityId: u.id, before: userOut(u) });
      return c.json(userOut(u), 200);
    },
  );
}
