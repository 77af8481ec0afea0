import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ApiToken, LOCALES, ROLES, Session, User, type UserRow } from '../../modules/accounts/entities.ts';
import { dummyPasswordHash, newSecret, sha256, verifyPassword } from '../../modules/accounts/secrets.ts';
import { CSRF_HEADER, SESSION_COOKIE, SESSION_DAYS, csrfTokenFor, readCookie } from '../auth.ts';
import { AppError, notFound } from '../errors.ts';
import { route, type RouteSpec } from '../http.ts';

export const userSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  departmentId: z.uuid().nullable(),
  locale: z.enum(LOCALES),
  disabled: z.boolean(),
  version: z.number().int().describe('send it back when changing the user (PATCH /users/{id})'),
}).meta({ id: 'User' });

export const toUser = (u: UserRow) => ({
  id: u.id, email: u.email, name: u.name, role: u.role, departmentId: u.departmentId ?? null, locale: u.locale, disabled: !!u.disabledAt,
  version: u.version,
});

const sessionSchema = z.object({ user: userSchema, csrfToken: z.string().nullable().describe(`send it in the ${CSRF_HEADER} header on writes`) });

const tokenSchema = z.object({
  id: z.uuid(), name: z.string(), createdAt: z.iso.datetime(), lastUsedAt: z.iso.datetime().nullable(),
}).meta({ id: 'ApiToken' });

/**
 * Failed logins within FAILURE_WINDOW are limited per (email, client address), so a stranger failing on purpose locks
 * out only themselves, and per email with a looser cap against guessing from many addresses.
 */
const MAX_FAILURES_PER_ADDRESS = 10;
const MAX_FAILURES_PER_EMAIL = 100;
const FAILURE_WINDOW = "interval '15 minutes'";
const tooMany = (why: string) => new AppError(429, 'TOO_MANY_ATTEMPTS', `${why}; wait 15 minutes`, {}, { 'Retry-After': '900' });

export const authRoutes: RouteSpec[] = [
  route({
    method: 'post', path: '/auth/login', operationId: 'login', summary: 'Log in with email and password; sets the session cookie',
    tag: 'Auth', access: 'public', errors: [429],
    body: z.strictObject({ email: z.string().trim().toLowerCase().max(320), password: z.string().min(1).max(1000) }),
    response: sessionSchema,
    handler: async ({ body, em, req, res, app }) => {
      const conn = em.getConnection();
      const ip = req.ip ?? req.socket.remoteAddress ?? '';
      const [counts] = await conn.execute<{ from_ip: string; total: string }[]>(
        `select count(*) filter (where ip = ?) as from_ip, count(*) as total
         from login_failures where email = ? and at > now() - ${FAILURE_WINDOW}`, [ip, body.email]);
      if (Number(counts.from_ip) >= MAX_FAILURES_PER_ADDRESS) throw tooMany('Too many failed logins for this email from your address');
      if (Number(counts.total) >= MAX_FAILURES_PER_EMAIL) throw tooMany('Too many failed logins for this email');
      const user = await em.findOne(User, { email: body.email, disabledAt: null });
      // an unknown email costs the same argon2 verification as a wrong password, so timing does not reveal accounts
      const ok = await verifyPassword(user?.passwordHash ?? await dummyPasswordHash(), body.password);
      if (!user || !ok) {
        await conn.execute(`delete from login_failures where at <= now() - ${FAILURE_WINDOW}`);
        await conn.execute('insert into login_failures (email, ip) values (?, ?)', [body.email, ip]);
        throw new AppError(401, 'INVALID_CREDENTIALS', 'Wrong email or password');
      }
      await conn.execute('delete from login_failures where email = ? and ip = ?', [body.email, ip]);
      const token = newSecret('dfs');
      const expiresAt = new Date(Date.now() + SESSION_DAYS * 86400_000);
      em.create(Session, { id: sha256(token), userId: user.id, expiresAt });
      await em.flush();
      res.cookie(SESSION_COOKIE, token, {
        httpOnly: true, sameSite: 'lax', secure: app.config.DEALFLOW_SECURE_COOKIES, path: '/', expires: expiresAt,
      });
      return { user: toUser(user), csrfToken: csrfTokenFor(token) };
    },
  }),
  route({
    method: 'post', path: '/auth/logout', operationId: 'logout', summary: 'End the current session',
    tag: 'Auth', access: 'user',
    handler: async ({ req, res, em }) => {
      const raw = readCookie(req, SESSION_COOKIE);
      if (raw) await em.nativeDelete(Session, { id: sha256(raw) });
      res.clearCookie(SESSION_COOKIE, { path: '/' });
    },
  }),
  route({
    method: 'get', path: '/auth/me', operationId: 'me', summary: 'The logged-in user and the CSRF token of the session',
    tag: 'Auth', access: 'user', response: sessionSchema,
    handler: async ({ user, em, req }) => {
      const row = await em.findOneOrFail(User, { id: user.id });
      const raw = readCookie(req, SESSION_COOKIE);
      return { user: toUser(row), csrfToken: user.via === 'session' && raw ? csrfTokenFor(raw) : null };
    },
  }),
  route({
    method: 'patch', path: '/auth/me', operationId: 'updateMe', summary: 'Change your own name or interface language',
    tag: 'Auth', access: 'user', response: userSchema,
    body: z.strictObject({ name: z.string().trim().min(1).max(200).optional(), locale: z.enum(LOCALES).optional() }),
    handler: async ({ user, em, body }) => {
      const row = await em.findOneOrFail(User, { id: user.id });
      em.assign(row, body);
      await em.flush();
      return toUser(row);
    },
  }),
  route({
    method: 'get', path: '/auth/tokens', operationId: 'listApiTokens', summary: 'Your personal API tokens (not revoked)',
    tag: 'Auth', access: 'user', response: z.object({ items: z.array(tokenSchema) }),
    handler: async ({ user, em }) => {
      const tokens = await em.find(ApiToken, { userId: user.id, revokedAt: null }, { orderBy: { createdAt: 'desc' } });
      return { items: tokens.map((t) => ({ id: t.id, name: t.name, createdAt: t.createdAt.toISOString(), lastUsedAt: t.lastUsedAt?.toISOString() ?? null })) };
    },
  }),
  route({
    method: 'post', path: '/auth/tokens', operationId: 'createApiToken', summary: 'Create a personal API token; its secret is shown once',
    tag: 'Auth', access: 'user', status: 201,
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
    method: 'delete', path: '/auth/tokens/:id', operationId: 'revokeApiToken', summary: 'Revoke one of your API tokens',
    tag: 'Auth', access: 'user', errors: [404], params: z.strictObject({ id: z.uuid() }),
    handler: async ({ user, em, params }) => {
      const n = await em.nativeUpdate(ApiToken, { id: params.id, userId: user.id, revokedAt: null }, { revokedAt: new Date() });
      if (n === 0) throw notFound('API token');
    },
  }),
];
