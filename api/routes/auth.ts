import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { ApiToken, LOCALES, ROLES, Session, User, type UserRow } from '../../modules/accounts/entities.ts';
import { dummyPasswordHash, hashPassword, newSecret, sha256, verifyPassword } from '../../modules/accounts/secrets.ts';
import { checkLoginThrottle, clearLoginFailures, recordLoginFailure } from '../../modules/accounts/login-throttle.ts';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../../modules/accounts/password-policy.ts';
import { recordAudit } from '../../modules/audit/index.ts';
import { DomainError } from '../../modules/shared/errors.ts';
import {
  CSRF_HEADER,
  DEVICE_COOKIE,
  SESSION_COOKIE,
  SESSION_DAYS,
  csrfTokenFor,
  liveSession,
  readCookie,
} from '../auth.ts';
import { AppError, notFound } from '../errors.ts';
import { route, type RouteSpec } from '../http.ts';

export const userSchema = z
  .object({
    id: z.uuid(),
    email: z.string(),
    name: z.string(),
    role: z.enum(ROLES),
    departmentId: z.uuid().nullable(),
    locale: z.enum(LOCALES),
    disabled: z.boolean(),
    version: z.number().int().describe('send it back when changing the user (PATCH /users/{id})'),
  })
  .meta({ id: 'User' });

export const toUser = (u: UserRow) => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
  departmentId: u.departmentId ?? null,
  locale: u.locale,
  disabled: !!u.disabledAt,
  version: u.version,
});

const sessionSchema = z.object({
  user: userSchema,
  csrfToken: z.string().nullable().describe(`send it in the ${CSRF_HEADER} header on writes`),
});

const tokenSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    createdAt: z.iso.datetime(),
    lastUsedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'ApiToken' });

const DEVICE_DAYS = 365;

/** The client address: the socket's peer, or what a trusted proxy says (DEALFLOW_TRUST_PROXY). */
export const clientAddress = (req: Request) => req.ip ?? req.socket.remoteAddress ?? '';

/** Whether the request comes from a browser this user logged in with before, or carries a live session of theirs. */
async function knownClient(em: EntityManager, req: Request, userId: string, idleMinutes: number): Promise<boolean> {
  const device = readCookie(req, DEVICE_COOKIE);
  if (device) {
    const n = await em
      .getConnection()
      .execute<{ n: string }[]>('select count(*) as n from known_devices where token_hash = ? and user_id = ?', [
        sha256(device),
        userId,
      ]);
    if (Number(n[0].n) > 0) return true;
  }
  const session = readCookie(req, SESSION_COOKIE);
  return !!session && (await liveSession(em, session, idleMinutes))?.userId === userId;
}

/** Remembers this browser as a known device of the user (a long-lived HttpOnly cookie holding a random token). */
async function rememberDevice(em: EntityManager, req: Request, res: Response, userId: string, secure: boolean) {
  const conn = em.getConnection();
  const sent = readCookie(req, DEVICE_COOKIE);
  if (sent) {
    const n = await conn.execute(
      'update known_devices set last_used_at = now() where token_hash = ? and user_id = ?',
      [sha256(sent), userId],
      'run',
    );
    if ((n as { affectedRows?: number }).affectedRows) return;
  }
  const token = newSecret('dfd');
  await conn.execute('insert into known_devices (token_hash, user_id) values (?, ?)', [sha256(token), userId]);
  res.cookie(DEVICE_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    secure,
    path: '/api/v1/auth',
    maxAge: DEVICE_DAYS * 86400_000,
  });
}

/** Starts a session for the user: the cookie, and the answer the web app reads. */
async function startSession(em: EntityManager, res: Response, user: UserRow, secure: boolean) {
  const token = newSecret('dfs');
  const expiresAt = new Date(Date.now() + SESSION_DAYS * 86400_000);
  em.create(Session, { id: sha256(token), userId: user.id, expiresAt });
  await em.flush();
  res.cookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure, path: '/', expires: expiresAt });
  return { user: toUser(user), csrfToken: csrfTokenFor(token) };
}

const passwordField = z.string().min(1).max(MAX_PASSWORD_LENGTH);

export const authRoutes: RouteSpec[] = [
  route({
    method: 'post',
    path: '/auth/login',
    operationId: 'login',
    summary: 'Log in with email and password; sets the session cookie',
    tag: 'Auth',
    access: 'public',
    errors: [429],
    body: z.strictObject({ email: z.string().trim().toLowerCase().max(320), password: passwordField }),
    response: sessionSchema,
    handler: async ({ body, em, req, res, app }) => {
      const ip = clientAddress(req);
      const user = await em.findOne(User, { email: body.email, disabledAt: null });
      // a correct login from a known browser or a live session of this user is never delayed by others' failures
      if (!user || !(await knownClient(em, req, user.id, app.config.DEALFLOW_SESSION_IDLE_MINUTES))) {
        await checkLoginThrottle(em, body.email, ip);
      }
      // an unknown email costs the same argon2 verification as a wrong password, so timing does not reveal accounts
      const ok = await verifyPassword(user?.passwordHash ?? (await dummyPasswordHash()), body.password);
      if (!user || !ok) {
        await recordLoginFailure(em, body.email, ip);
        await recordAudit(em, {
          kind: 'auth.login_failed',
          actorId: user?.id ?? null,
          actorEmail: body.email,
          ip,
          details: { reason: user ? 'wrong_password' : 'unknown_email' },
        });
        throw new AppError(401, 'INVALID_CREDENTIALS', 'Wrong email or password');
      }
      await clearLoginFailures(em, body.email, ip);
      const session = await startSession(em, res, user, app.config.DEALFLOW_SECURE_COOKIES);
      await rememberDevice(em, req, res, user.id, app.config.DEALFLOW_SECURE_COOKIES);
      await recordAudit(em, { kind: 'auth.login_succeeded', actorId: user.id, actorEmail: user.email, ip });
      return session;
    },
  }),
  route({
    method: 'post',
    path: '/auth/password',
    operationId: 'changePassword',
    summary: `Change your password (at least ${MIN_PASSWORD_LENGTH} characters, not a common one); your other sessions end`,
    tag: 'Auth',
    access: 'user',
    errors: [422, 429],
    body: z.strictObject({ currentPassword: passwordField, newPassword: passwordField }),
    handler: async ({ body, em, req, user }) => {
      const row = await em.findOneOrFail(User, { id: user.id });
      const ip = clientAddress(req);
      await checkLoginThrottle(em, row.email, ip);
      if (!(await verifyPassword(row.passwordHash, body.currentPassword))) {
        await recordLoginFailure(em, row.email, ip);
        throw new DomainError('CURRENT_PASSWORD_WRONG', 'The current password is not right', {
          field: 'currentPassword',
        });
      }
      const passwordHash = await hashPassword(body.newPassword, [row.email, row.name]);
      const current = readCookie(req, SESSION_COOKIE);
      await em.transactional(async (tx) => {
        await tx.nativeUpdate(User, { id: row.id }, { passwordHash });
        // every other session of the user ends; the one that changed it stays (a token-authenticated change ends all)
        await tx.nativeDelete(Session, {
          userId: row.id,
          ...(user.via === 'session' && current ? { id: { $ne: sha256(current) } } : {}),
        });
        await recordAudit(tx, {
          kind: 'auth.password_changed',
          actorId: row.id,
          actorEmail: row.email,
          ip,
          subjectType: 'user',
          subjectId: row.id,
        });
      });
    },
  }),
  route({
    method: 'post',
    path: '/auth/logout',
    operationId: 'logout',
    summary: 'End the current session',
    tag: 'Auth',
    access: 'user',
    handler: async ({ req, res, em }) => {
      const raw = readCookie(req, SESSION_COOKIE);
      if (raw) await em.nativeDelete(Session, { id: sha256(raw) });
      res.clearCookie(SESSION_COOKIE, { path: '/' });
    },
  }),
  route({
    method: 'get',
    path: '/auth/me',
    operationId: 'me',
    summary: 'The logged-in user and the CSRF token of the session',
    tag: 'Auth',
    access: 'user',
    response: sessionSchema,
    handler: async ({ user, em, req }) => {
      const row = await em.findOneOrFail(User, { id: user.id });
      const raw = readCookie(req, SESSION_COOKIE);
      return { user: toUser(row), csrfToken: user.via === 'session' && raw ? csrfTokenFor(raw) : null };
    },
  }),
  route({
    method: 'patch',
    path: '/auth/me',
    operationId: 'updateMe',
    summary: 'Change your own name or interface language',
    tag: 'Auth',
    access: 'user',
    response: userSchema,
    body: z.strictObject({ name: z.string().trim().min(1).max(200).optional(), locale: z.enum(LOCALES).optional() }),
    handler: async ({ user, em, body }) => {
      const row = await em.findOneOrFail(User, { id: user.id });
      em.assign(row, body);
      await em.flush();
      return toUser(row);
    },
  }),
  route({
    method: 'get',
    path: '/auth/tokens',
    operationId: 'listApiTokens',
    summary: 'Your personal API tokens (not revoked)',
    tag: 'Auth',
    access: 'user',
    response: z.object({ items: z.array(tokenSchema) }),
    handler: async ({ user, em }) => {
      const tokens = await em.find(ApiToken, { userId: user.id, revokedAt: null }, { orderBy: { createdAt: 'desc' } });
      return {
        items: tokens.map((t) => ({
          id: t.id,
          name: t.name,
          createdAt: t.createdAt.toISOString(),
          lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
        })),
      };
    },
  }),
  route({
    method: 'post',
    path: '/auth/tokens',
    operationId: 'createApiToken',
    summary: 'Create a personal API token; its secret is shown once',
    tag: 'Auth',
    access: 'user',
    status: 201,
    body: z.strictObject({ name: z.string().trim().min(1).max(100) }),
    response: tokenSchema.extend({ token: z.string().describe('the secret; only its hash is stored') }),
    handler: async ({ user, em, body }) => {
      const token = newSecret('dft');
      const row = em.create(ApiToken, { id: randomUUID(), userId: user.id, name: body.name, tokenHash: sha256(token) });
      await em.flush();
      return { id: row.id, name: row.name, createdAt: row.createdAt.toISOString(), lastUsedAt: null, token };
    },
  }),
  route({
    method: 'delete',
    path: '/auth/tokens/:id',
    operationId: 'revokeApiToken',
    summary: 'Revoke one of your API tokens',
    tag: 'Auth',
    access: 'user',
    errors: [404],
    params: z.strictObject({ id: z.uuid() }),
    handler: async ({ user, em, params }) => {
      const n = await em.nativeUpdate(
        ApiToken,
        { id: params.id, userId: user.id, revokedAt: null },
        { revokedAt: new Date() },
      );
      if (n === 0) throw notFound('API token');
    },
  }),
];
