import type { Request } from 'express';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ApiToken, Session, type Locale, type Role } from '../modules/accounts/entities.ts';
import { safeEqual, sha256 } from '../modules/accounts/secrets.ts';
import { AppError } from './errors.ts';
import type { Access } from './http.ts';
import type { AppContext } from '../server/context.ts';

export const SESSION_COOKIE = 'df_session';
/** a browser that logged in successfully before: its correct logins are never throttled */
export const DEVICE_COOKIE = 'df_device';
export const CSRF_HEADER = 'x-csrf-token';
export const SESSION_DAYS = 14;

export interface AuthUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  departmentId: string | null;
  locale: Locale;
  /** the access epoch read with the session: visibility cached for this epoch is current (modules/access) */
  accessEpoch?: number;
  /** how the request authenticated: a browser session needs the CSRF header on writes, a token does not */
  via: 'session' | 'token' | 'none';
}

export const ANONYMOUS: AuthUser = {
  id: '',
  email: '',
  name: '',
  role: 'member',
  departmentId: null,
  locale: 'en',
  via: 'none',
};

/** The CSRF token of a session: derived from the session secret, so nothing more is stored. */
export const csrfTokenFor = (sessionToken: string) => sha256(`csrf:${sessionToken}`);

/** A cookie's value, or null when it is not sent or cannot be decoded (a malformed cookie is no cookie). */
export function readCookie(req: Request, name: string): string | null {
  const header = req.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k !== name) continue;
    try {
      return decodeURIComponent(v.join('='));
    } catch {
      continue;
    }
  }
  return null;
}

const unauthorized = () => new AppError(401, 'UNAUTHENTICATED', 'Log in or send a valid API token');
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

interface PrincipalRow {
  id: string;
  email: string;
  name: string;
  role: Role;
  department_id: string | null;
  locale: Locale;
  access_epoch: string;
  token_id?: string;
  last_seen_at?: Date | string;
}

/** The active user behind a session or token and the current access epoch, in one statement. */
const PRINCIPAL = `select u.id, u.email, u.name, u.role, u.department_id, u.locale, (select epoch from access_epoch) as access_epoch`;

/**
 * The user of a live session (by the SHA-256 of its token): not expired at a time and used since the idle limit;
 * and the access epoch.
 */
export const SESSION_PRINCIPAL = `${PRINCIPAL}, s.last_seen_at
  from sessions s join users u on u.id = s.user_id and u.disabled_at is null
  where s.id = ? and s.expires_at > ? and s.last_seen_at > ?`;

function principal(row: PrincipalRow | undefined, via: AuthUser['via']): AuthUser | null {
  if (!row) return null;
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    departmentId: row.department_id ?? null,
    locale: row.locale,
    accessEpoch: Number(row.access_epoch),
    via,
  };
}

/**
 * The session of a cookie's token when it is neither expired nor idle for longer than idleMinutes; its last use is
 * recorded (at most once a minute, so reads do not write on every request).
 */
export async function liveSession(em: EntityManager, token: string, idleMinutes: number) {
  const now = Date.now();
  const session = await em.findOne(Session, {
    id: sha256(token),
    expiresAt: { $gt: new Date(now) },
    lastSeenAt: { $gt: new Date(now - idleMinutes * 60_000) },
  });
  if (session && now - session.lastSeenAt.getTime() > 60_000) {
    await em.nativeUpdate(Session, { id: session.id }, { lastSeenAt: new Date(now) });
  }
  return session;
}

export function authenticator(app: AppContext) {
  return async (req: Request, access: Access): Promise<AuthUser> => {
    const em = app.orm.em.fork();
    let user: AuthUser | null = null;
    const bearer = req.headers.authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
    if (bearer) {
      const [row] = await em.getConnection().execute<PrincipalRow[]>(
        `${PRINCIPAL}, t.id as token_id
        from api_tokens t left join users u on u.id = t.user_id and u.disabled_at is null
        where t.token_hash = ? and t.revoked_at is null`,
        [sha256(bearer)],
      );
      if (!row) throw unauthorized();
      user = row.id ? principal(row, 'token') : null;
      if (user) await em.nativeUpdate(ApiToken, { id: row.token_id! }, { lastUsedAt: new Date() });
    } else {
      const raw = readCookie(req, SESSION_COOKIE);
      if (raw) {
        const now = Date.now();
        const idleSince = new Date(now - app.config.DEALFLOW_SESSION_IDLE_MINUTES * 60_000);
        const [row] = await em
          .getConnection()
          .execute<PrincipalRow[]>(SESSION_PRINCIPAL, [sha256(raw), new Date(now), idleSince]);
        user = principal(row, 'session');
        // the last use is recorded at most once a minute, so reads do not write on every request
        if (user && now - new Date(row.last_seen_at!).getTime() > 60_000) {
          await em.nativeUpdate(Session, { id: sha256(raw) }, { lastSeenAt: new Date(now) });
        }
        if (user && UNSAFE.has(req.method)) {
          const sent = req.get(CSRF_HEADER) ?? '';
          if (!safeEqual(sent, csrfTokenFor(raw))) {
            throw new AppError(403, 'CSRF_TOKEN_INVALID', `Send the session's CSRF token in the ${CSRF_HEADER} header`);
          }
        }
      }
    }
    if (access === 'public') return user ?? ANONYMOUS;
    if (!user) throw unauthorized();
    if (access === 'admin' && user.role !== 'admin')
      throw new AppError(403, 'FORBIDDEN', 'Only an administrator can do this');
    return user;
  };
}
