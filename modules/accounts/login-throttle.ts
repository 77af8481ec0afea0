/**
 * Failed logins slow down further attempts instead of locking accounts. Within a 15-minute window, a few failures are
 * free; after that each next attempt must wait twice as long as the one before (1 s, 2 s, 4 s, …), counted three ways:
 * - per (email, client address): the guesser at one account, up to 15 minutes;
 * - per client address, across emails: password spraying, up to 15 minutes;
 * - per email, across addresses: distributed guessing, at most 1 minute, so failures others cause on purpose can only
 *   delay the real owner briefly, never lock them out.
 * A correct login from a known device (a browser that logged in as this user before) or from a live session of the
 * user is never throttled.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { DomainError } from '../shared/errors.ts';

export const WINDOW_MINUTES = 15;
const RULES = {
  pair: { free: 5, maxDelay: 900 },
  address: { free: 20, maxDelay: 900 },
  email: { free: 20, maxDelay: 60 },
} as const;

const delayAfter = (failures: number, rule: { free: number; maxDelay: number }) =>
  failures < rule.free ? 0 : Math.min(2 ** (failures - rule.free), rule.maxDelay);

/** Throws TOO_MANY_ATTEMPTS (429, Retry-After) when this attempt comes too early after the failures counted so far. */
export async function checkLoginThrottle(em: EntityManager, email: string, ip: string): Promise<void> {
  const [r] = await em.getConnection().execute<
    {
      pair: string;
      pair_last: Date | null;
      address: string;
      address_last: Date | null;
      email: string;
      email_last: Date | null;
      now: Date;
    }[]
  >(
    `with recent as (select email, ip, at from login_failures
       where (email = ? or ip = ?) and at > now() - make_interval(mins => ?))
     select count(*) filter (where email = ? and ip = ?) as pair, max(at) filter (where email = ? and ip = ?) as pair_last,
            count(*) filter (where ip = ?) as address, max(at) filter (where ip = ?) as address_last,
            count(*) filter (where email = ?) as email, max(at) filter (where email = ?) as email_last, now() as now
     from recent`,
    [email, ip, WINDOW_MINUTES, email, ip, email, ip, ip, ip, email, email],
  );
  const now = new Date(r.now).getTime();
  let wait = 0;
  let why = '';
  for (const [key, last, text] of [
    ['pair', r.pair_last, 'for this email from your address'],
    ['address', r.address_last, 'from your address'],
    ['email', r.email_last, 'for this email'],
  ] as const) {
    const delay = delayAfter(Number(r[key]), RULES[key]);
    if (!delay || !last) continue;
    const left = Math.ceil((new Date(last).getTime() + delay * 1000 - now) / 1000);
    if (left > wait) {
      wait = left;
      why = text;
    }
  }
  if (wait > 0) {
    throw new DomainError('TOO_MANY_ATTEMPTS', `Too many failed logins ${why}; try again in ${wait} s`, {
      retryAfter: wait,
    });
  }
}

export async function recordLoginFailure(em: EntityManager, email: string, ip: string): Promise<void> {
  const conn = em.getConnection();
  await conn.execute(`delete from login_failures where at <= now() - make_interval(mins => ?)`, [WINDOW_MINUTES]);
  await conn.execute('insert into login_failures (email, ip) values (?, ?)', [email, ip]);
}

/** A correct login forgets the failures of this email from this address (not those from elsewhere). */
export async function clearLoginFailures(em: EntityManager, email: string, ip: string): Promise<void> {
  await em.getConnection().execute('delete from login_failures where email = ? and ip = ?', [email, ip]);
}
