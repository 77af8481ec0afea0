import { z } from 'zod';
import { ROLES, User } from '../../modules/accounts/entities.ts';
import { inviteUser, updateUser } from '../../modules/users/commands.ts';
import { likePattern, pageOf, pageQuery, route, type RouteSpec } from '../http.ts';
import { Keyset } from '../../modules/shared/keyset.ts';
import { toUser, userSchema } from './auth.ts';

/** Users by name, then id */
const userKeyset = new Keyset({
  cursor: z.tuple([z.string(), z.uuid()]),
  columns: ['{alias}.name', '{alias}.id'],
  dir: 'asc',
  keyOf: (u: { name: string; id: string }) => [u.name, u.id],
});

const emailField = z.string().trim().toLowerCase().max(320).pipe(z.email('an email address'));
const nameField = z.string().trim().min(1).max(200);

export const userRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/users',
    operationId: 'listUsers',
    summary: 'The user directory by name; administrators also see disabled users',
    tag: 'Users',
    access: 'user',
    query: z.strictObject({
      q: z.string().trim().max(200).optional().describe('search in names and emails'),
      ...pageQuery,
    }),
    response: pageOf(userSchema),
    handler: async ({ em, user, query }) => {
      const where: Record<string, unknown>[] = [];
      if (user.role !== 'admin') where.push({ disabledAt: null });
      if (query.q)
        where.push({ $or: [{ name: { $ilike: likePattern(query.q) } }, { email: { $ilike: likePattern(query.q) } }] });
      where.push(userKeyset.ormAfter(userKeyset.decode(query.cursor)));
      const rows = await em.find(User, { $and: where }, { orderBy: userKeyset.ormOrderBy(), limit: query.limit + 1 });
      const { items, nextCursor } = userKeyset.page(rows, query.limit);
      return { items: items.map(toUser), nextCursor };
    },
  }),
  route({
    method: 'post',
    path: '/users',
    operationId: 'inviteUser',
    summary: 'Add a user; without a password one is generated and returned once',
    tag: 'Users',
    access: 'admin',
    status: 201,
    errors: [409, 422],
    body: z.strictObject({
      email: emailField,
      name: nameField,
      role: z.enum(ROLES),
      departmentId: z.uuid().nullable().optional(),
      password: z.string().min(8).max(1000).optional().describe('at least 8 characters; omit it to have one generated'),
    }),
    response: z.object({
      user: userSchema,
      password: z
        .string()
        .nullable()
        .describe('the generated password, shown only in this answer; null when you chose it'),
    }),
    handler: async ({ em, body }) => {
      const { user, password } = await inviteUser(em, body);
      return { user: toUser(user), password };
    },
  }),
  route({
    method: 'patch',
    path: '/users/:id',
    operationId: 'updateUser',
    summary:
      "Change a user's name, role or department, or disable them (which ends their sessions). " +
      'You cannot disable or demote yourself, and the last active administrator stays.',
    tag: 'Users',
    access: 'admin',
    errors: [404, 409, 422],
    params: z.strictObject({ id: z.uuid() }),
    body: z.strictObject({
      version: z
        .number()
        .int()
        .positive()
        .describe('the version you saw; if the user changed since, the answer is 409'),
      name: nameField.optional(),
      role: z.enum(ROLES).optional(),
      departmentId: z.uuid().nullable().optional(),
      disabled: z
        .boolean()
        .optional()
        .describe('true logs the user out everywhere and blocks their login and API tokens'),
    }),
    response: userSchema,
    handler: async ({ em, user, params, body: { version, ...changes } }) =>
      toUser(await updateUser(em, user, params.id, version, changes)),
  }),
];
