import type { Request } from 'express';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ApiToken, Session, User, type Locale, type Role } from '../modules/accounts/entities.ts';
import { safeEqual, sha256 } from '../modules/accounts/secrets.ts';
import { AppError } from './errors.ts';
import type { Access } from './http.ts';
import type { AppContext } from './context.ts';

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
  /** how the request authenticated: a browser session needs the CSRF header on writes, a token does not */
  via: 'session' | 'token' | 'none';
}

export const ANONYMOUS: AuthUser = { id: '', email: '', name: '', role: 'member', departmentId: null, locale: 'en', via: 'none' };

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

async function userFrom(em: EntityManager, userId: string, via: AuthUser['via']): Promise<AuthUser | null> {
  const u = await em.findOne(User, { id: userId, disabledAt: null });
  if (!u) return null;
  return { id: u.id, email: u.email, name: u.name, role: u.role, departmentId: u.departmentId ?? null, locale: u.locale, via };
}

/**
 * The session of a cookie's token when it is neither expired nor idle for longer than idleMinutes; its last use is
 * recorded (at most once a minute, so reads do not write on every request).
 */
export async function liveSession(em: EntityManager, token: string, idleMinutes: number) {
  const now = Date.now();
  const session = await em.findOne(Session, {
    id: sha256(token), expiresAt: { $gt: new Date(now) }, lastSeenAt: { $gt: new Date(now - idleMinutes * 60_000) },
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
      const token = await em.findOne(ApiToken, { tokenHash: sha256(bearer), revokedAt: null });
      if (!token) throw unauthorized();
      user = await userFrom(em, token.userId, 'token');
      if (user) await em.nativeUpdate(ApiToken, { id: token.id }, { lastUsedAt: new Date() });
    } else {
      const raw = readCookie(req, SESSION_COOKIE);
      if (raw) {
        const session = await liveSession(em, raw, app.config.DEALFLOW_SESSION_IDLE_MINUTES);
        if (session) {
          user = await userFrom(em, session.userId, 'session');
          if (user && UNSAFE.has(req.method)) {
            const sent = req.get(CSRF_HEADER) ?? '';
            if (!safeEqual(sent, csrfTokenFor(raw))) {
              throw new AppError(403, 'CSRF_TOKEN_INVALID', `Send the session's CSRF token in the ${CSRF_HEADER} header`);
            }
          }
        }
      }
    }
    if (access === 'public') return user ?? ANONYMOUS;
    if (!user) throw unauthorized();
    if (access === 'admin' && user.role !== 'admin') throw new AppError(403, 'FORBIDDEN', 'Only an administrator can do this');
    return user;
  };
}
