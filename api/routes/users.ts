import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { UniqueConstraintViolationException, raw } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ROLES, Session, User } from '../../modules/accounts/entities.ts';
import { generatePassword, hashPassword } from '../../modules/accounts/secrets.ts';
import { Department } from '../../modules/org/entities.ts';
import { AppError, notFound } from '../errors.ts';
import { decodeCursor, encodeCursor, likePattern, pageOf, pageQuery, route, type RouteSpec } from '../http.ts';
import { toUser, userSchema } from './auth.ts';
import { recordAudit } from '../../modules/audit/index.ts';

/** (name, id) of the last user of a page, by name */
const nameCursor = z.tuple([z.string(), z.uuid()]);

const emailField = z.string().trim().toLowerCase().max(320).pipe(z.email('an email address'));
const nameField = z.string().trim().min(1).max(200);

const emailTaken = () => new AppError(409, 'EMAIL_TAKEN', 'A user with this email already exists', { field: 'email' });

async function checkDepartment(em: EntityManager, departmentId: string | null | undefined) {
  if (departmentId && !(await em.findOne(Department, { id: departmentId }, { fields: ['id'] }))) {
    throw new AppError(422, 'INVALID_REFERENCE', 'departmentId: no such department', { field: 'departmentId' });
  }
}

export const userRoutes: RouteSpec[] = [
  route({
    method: 'get', path: '/users', operationId: 'listUsers',
    summary: 'The user directory by name; administrators also see disabled users',
    tag: 'Users', access: 'user',
    query: z.strictObject({ q: z.string().trim().max(200).optional().describe('search in names and emails'), ...pageQuery }),
    response: pageOf(userSchema),
    handler: async ({ em, user, query }) => {
      const where: Record<string, unknown>[] = [];
      if (user.role !== 'admin') where.push({ disabledAt: null });
      if (query.q) where.push({ $or: [{ name: { $ilike: likePattern(query.q) } }, { email: { $ilike: likePattern(query.q) } }] });
      const cursor = decodeCursor(query.cursor, nameCursor);
      if (cursor) {
        where.push({ $or: [{ name: { $gt: cursor[0] } }, { name: cursor[0], id: { $gt: cursor[1] } }] });
      }
      const rows = await em.find(User, { $and: where }, { orderBy: [{ name: 'asc' }, { id: 'asc' }], limit: query.limit + 1 });
      const page = rows.slice(0, query.limit);
      const last = page[page.length - 1];
      return { items: page.map(toUser), nextCursor: rows.length > query.limit ? encodeCursor([last.name, last.id]) : null };
    },
  }),
  route({
    method: 'post', path: '/users', operationId: 'inviteUser',
    summary: 'Add a user; without a password one is generated and returned once',
    tag: 'Users', access: 'admin', status: 201, errors: [409, 422],
    body: z.strictObject({
      email: emailField,
      name: nameField,
      role: z.enum(ROLES),
      departmentId: z.uuid().nullable().optional(),
      password: z.string().min(8).max(1000).optional().describe('at least 8 characters; omit it to have one generated'),
    }),
    response: z.object({
      user: userSchema,
      password: z.string().nullable().describe('the generated password, shown only in this answer; null when you chose it'),
    }),
    handler: async ({ em, body }) => {
      if (await em.findOne(User, { email: body.email }, { fields: ['id'] })) throw emailTaken();
      await checkDepartment(em, body.departmentId);
      const password = body.password ?? generatePassword();
      const row = em.create(User, {
        id: randomUUID(), email: body.email, name: body.name, role: body.role, departmentId: body.departmentId ?? null,
        passwordHash: await hashPassword(password),
      });
      try {
        await em.flush();
      } catch (err) {
        if (err instanceof UniqueConstraintViolationException) throw emailTaken();
        throw err;
      }
      return { user: toUser(row), password: body.password ? null : password };
    },
  }),
  route({
    method: 'patch', path: '/users/:id', operationId: 'updateUser',
    summary: "Change a user's name, role or department, or disable them (which ends their sessions). " +
      'You cannot disable or demote yourself, and the last active administrator stays.',
    tag: 'Users', access: 'admin', errors: [404, 422],
    params: z.strictObject({ id: z.uuid() }),
    body: z.strictObject({
      name: nameField.optional(),
      role: z.enum(ROLES).optional(),
      departmentId: z.uuid().nullable().optional(),
      disabled: z.boolean().optional().describe('true logs the user out everywhere and blocks their login and API tokens'),
    }),
    response: userSchema,
    handler: async ({ em, user, params, body }) => {
      const demotes = body.role !== undefined && body.role !== 'admin';
      if (params.id === user.id && (demotes || body.disabled === true)) {
        throw new AppError(422, 'CANNOT_CHANGE_SELF', 'You cannot disable yourself or take away your own administrator role');
      }
      await checkDepartment(em, body.departmentId);
      const removes = demotes || body.disabled === true;
      await em.transactional(async (tem) => {
        if (removes) {
          // lock every active administrator first, in one order, so two admins cannot remove each other at once
          const admins = await tem.execute<{ id: string }[]>(
            "select id from users where role = 'admin' and disabled_at is null order by id for update");
          const target = await tem.findOne(User, { id: params.id }, { fields: ['id'] });
          if (!target) throw notFound('User');
          if (admins.some((a) => a.id === target.id) && !admins.some((a) => a.id !== target.id)) {
            throw new AppError(422, 'LAST_ADMIN', 'This is the last active administrator; make someone else an administrator first');
          }
        }
        const changes: Record<string, unknown> = {};
        if (body.name !== undefined) changes.name = body.name;
        if (body.role !== undefined) changes.role = body.role;
        if (body.departmentId !== undefined) changes.departmentId = body.departmentId;
        if (body.disabled === true) changes.disabledAt = raw('coalesce(disabled_at, now())');
        if (body.disabled === false) changes.disabledAt = null;
        const n = await tem.nativeUpdate(User, { id: params.id }, { ...changes, version: raw('version + 1') });
        if (n === 0) throw notFound('User');
        if (body.disabled === true) await tem.nativeDelete(Session, { userId: params.id });
        if (body.role !== undefined || body.disabled !== undefined || body.departmentId !== undefined) await recordAudit(tem, { kind: body.role !== undefined ? 'user.role_changed' : 'user.access_changed', actorId: user.id, actorEmail: user.email, subjectType: 'user', subjectId: params.id, details: { role: body.role, disabled: body.disabled, departmentId: body.departmentId } });
      });
      const updated = await em.fork().findOneOrFail(User, { id: params.id });
      return toUser(updated);
    },
  }),
];
