/**
 * Login throttling: failures delay further attempts (doubling waits) per (email, address), per address across emails
 * and per email across addresses, instead of locking accounts; a correct login from a known browser or a live session
 * is never delayed; an unknown email costs the same argon2 verification as a wrong password.
 * This harness trusts X-Forwarded-For from loopback (DEALFLOW_TRUST_PROXY=loopback), as behind a local TLS proxy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtures, PASSWORD, Session, startHarness, type Harness } from '../support/harness.ts';

let h: Harness;
let f: ReturnType<typeof fixtures>;
beforeAll(async () => {
  h = await startHarness({ config: { DEALFLOW_TRUST_PROXY: 'loopback' } });
  f = fixtures(h);
});
afterAll(() => h?.close());

const conn = () => h.ctx.orm.em.fork().getConnection();
const loginFrom = (ip: string | null, email: string, password: string, cookie?: string) =>
  new Session(h.baseUrl).request(
    'POST',
    '/auth/login',
    { email, password },
    { ...(ip ? { 'x-forwarded-for': ip } : {}), ...(cookie ? { cookie } : {}) },
  );
const failures = async (email: string) =>
  conn().execute<{ ip: string | null }[]>('select ip from login_failures where email = ? order by at', [email]);
/** n failures of email from each address, recorded as if they happened secondsAgo */
const pastFailures = (email: string | null, ips: string[], n: number, secondsAgo = 0) =>
  conn().execute(
    `insert into login_failures (email, ip, at) select coalesce(?, 'sprayed-' || g || '@example.test'), ip, now() - make_interval(secs => ?)
   from unnest(string_to_array(?, ',')) ip, generate_series(1, ?) g`,
    [email, secondsAgo, ips.join(','), n],
  );
const cookiesOf = (r: { headers: Headers }) =>
  r.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');

describe('failed logins', () => {
  it('delay the address that failed, doubling the wait; the user logs in from elsewhere at once', async () => {
    const u = await f.user('admin');
    for (let i = 0; i < 5; i++) expect((await loginFrom('203.0.113.7', u.email, 'guess')).status).toBe(401);
    const limited = await loginFrom('203.0.113.7', u.email, PASSWORD);
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('TOO_MANY_ATTEMPTS');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await loginFrom('198.51.100.9', u.email, PASSWORD)).status).toBe(200);
    expect((await failures(u.email)).every((r) => r.ip === '203.0.113.7')).toBe(true);
    // after the wait the address may try again: a delay, not a lock
    await conn().execute("update login_failures set at = at - interval '2 seconds' where email = ?", [u.email]);
    expect((await loginFrom('203.0.113.7', u.email, PASSWORD)).status).toBe(200);
  });

  it('from one address across many emails (password spraying) are delayed too', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++)
      statuses.push((await loginFrom('192.0.2.66', `nobody-${i}@example.test`, 'Summer2026!')).status);
    expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(9);
    // another address is not affected
    expect((await loginFrom('192.0.2.67', 'nobody-x@example.test', 'Summer2026!')).status).toBe(401);
  });

  it('of one email from many addresses delay it by at most a minute, never lock the owner out', async () => {
    const u = await f.user('manager');
    await pastFailures(
      u.email,
      Array.from({ length: 10 }, (_, i) => `10.0.0.${i}`),
      10,
    );
    const limited = await loginFrom('192.0.2.2', u.email, PASSWORD);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    await conn().execute("update login_failures set at = at - interval '61 seconds' where email = ?", [u.email]);
    expect((await loginFrom('192.0.2.2', u.email, PASSWORD)).status).toBe(200);
  });

  it('never delay a correct login from a browser that logged in as this user before', async () => {
    const u = await f.user('manager');
    const first = await loginFrom('192.0.2.30', u.email, PASSWORD);
    expect(first.status).toBe(200);
    const device = cookiesOf(first)
      .split('; ')
      .find((c) => c.startsWith('df_device='))!;
    expect(device).toBeTruthy();
    expect(first.headers.getSetCookie().find((c) => c.startsWith('df_device='))).toMatch(/HttpOnly/i);
    // an attacker fails a lot, from the same address and from many others
    await pastFailures(u.email, ['192.0.2.30', ...Array.from({ length: 10 }, (_, i) => `10.1.0.${i}`)], 25);
    expect((await loginFrom('192.0.2.30', u.email, PASSWORD)).status).toBe(429);
    expect((await loginFrom('192.0.2.30', u.email, PASSWORD, device)).status).toBe(200);
    // the device cookie of another user does not help
    const other = await f.user('manager');
    await pastFailures(other.email, ['192.0.2.30'], 25);
    expect((await loginFrom('192.0.2.30', other.email, PASSWORD, device)).status).toBe(429);
    // nor does it let a wrong password in
    expect((await loginFrom('192.0.2.30', u.email, 'guess', device)).status).toBe(401);
  });

  it('from an address are forgotten when that address logs in, not those of other addresses', async () => {
    const u = await f.user('manager');
    for (let i = 0; i < 3; i++) await loginFrom('192.0.2.10', u.email, 'guess');
    for (let i = 0; i < 2; i++) await loginFrom('192.0.2.11', u.email, 'guess');
    expect((await loginFrom('192.0.2.10', u.email, PASSWORD)).status).toBe(200);
    expect((await failures(u.email)).map((r) => r.ip)).toEqual(['192.0.2.11', '192.0.2.11']);
  });

  it('older than the window are purged when a failure is recorded', async () => {
    await conn().execute(
      "insert into login_failures (email, ip, at) values ('old@example.test', '192.0.2.20', now() - interval '16 minutes'), ('old@example.test', null, now() - interval '2 days')",
    );
    await conn().execute(
      "insert into login_failures (email, ip, at) values ('recent@example.test', '192.0.2.20', now() - interval '5 minutes')",
    );
    expect((await loginFrom('192.0.2.21', 'someone@example.test', 'guess')).status).toBe(401);
    expect(await failures('old@example.test')).toEqual([]);
    expect(await failures('recent@example.test')).toHaveLength(1);
    expect(await failures('someone@example.test')).toEqual([{ ip: '192.0.2.21' }]);
  });
});

describe('the client address', () => {
  it('comes from X-Forwarded-For only when a proxy is configured: by default a local client cannot set it', async () => {
    const plain = await startHarness();
    try {
      const u = await fixtures(plain).user('manager');
      const from = (ip: string) =>
        new Session(plain.baseUrl).request(
          'POST',
          '/auth/login',
          { email: u.email, password: 'guess' },
          { 'x-forwarded-for': ip },
        );
      for (let i = 0; i < 5; i++) await from(`198.51.100.${i}`);
      const rows = await plain.ctx.orm.em
        .fork()
        .getConnection()
        .execute<{ ip: string }[]>('select distinct ip from login_failures where email = ?', [u.email]);
      expect(rows.map((r) => r.ip)).toEqual([expect.stringMatching(/127\.0\.0\.1$/)]);
      // rotating the header does not escape the delay
      expect((await from('198.51.100.99')).status).toBe(429);
    } finally {
      await plain.close();
    }
  });
});
