/**
 * Login throttling and enumeration: an unknown email costs the same argon2 verification as a wrong password, failures
 * are limited per (email, client address) with a looser cap per email, and old failures are purged.
 * The client address comes from X-Forwarded-For, which the app trusts from loopback (app.set('trust proxy', 'loopback')).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtures, PASSWORD, Session, startHarness, type Harness } from '../support/harness.ts';

let h: Harness;
let f: ReturnType<typeof fixtures>;
beforeAll(async () => { h = await startHarness(); f = fixtures(h); });
afterAll(() => h?.close());

const conn = () => h.ctx.orm.em.fork().getConnection();
const loginFrom = (ip: string | null, email: string, password: string) =>
  new Session(h.baseUrl).request('POST', '/auth/login', { email, password }, ip ? { 'x-forwarded-for': ip } : {});
const failures = async (email: string) =>
  conn().execute<{ ip: string | null }[]>('select ip from login_failures where email = ? order by at', [email]);

describe('failed logins', () => {
  it('lock out only the address that failed: the user logs in from elsewhere', async () => {
    const u = await f.user('admin');
    for (let i = 0; i < 10; i++) expect((await loginFrom('203.0.113.7', u.email, 'guess')).status).toBe(401);
    const limited = await loginFrom('203.0.113.7', u.email, PASSWORD);
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('TOO_MANY_ATTEMPTS');
    expect(limited.headers.get('retry-after')).toBe('900');
    expect((await loginFrom('198.51.100.9', u.email, PASSWORD)).status).toBe(200);
    expect((await loginFrom(null, u.email, PASSWORD)).status).toBe(200);
    expect((await failures(u.email)).every((r) => r.ip === '203.0.113.7')).toBe(true);
  });

  it('are capped per email across addresses against distributed guessing', async () => {
    const u = await f.user('manager');
    await conn().execute(
      `insert into login_failures (email, ip) select ?, '10.0.' || (n / 250) || '.' || (n % 250) from generate_series(1, 99) n`, [u.email]);
    expect((await loginFrom('192.0.2.1', u.email, 'guess')).status).toBe(401); // the 100th
    const limited = await loginFrom('192.0.2.2', u.email, PASSWORD);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('900');
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
      "insert into login_failures (email, ip, at) values ('old@example.test', '192.0.2.20', now() - interval '16 minutes'), ('old@example.test', null, now() - interval '2 days')");
    await conn().execute("insert into login_failures (email, ip, at) values ('recent@example.test', '192.0.2.20', now() - interval '5 minutes')");
    expect((await loginFrom('192.0.2.21', 'someone@example.test', 'guess')).status).toBe(401);
    expect(await failures('old@example.test')).toEqual([]);
    expect(await failures('recent@example.test')).toHaveLength(1);
    expect(await failures('someone@example.test')).toEqual([{ ip: '192.0.2.21' }]);
  });
});

describe('an unknown email', () => {
  // that it also takes as long (an argon2 verification against a dummy hash) is measured by `npm run bench`
  it('is answered exactly like a wrong password', async () => {
    const u = await f.user('manager');
    const known = await loginFrom('192.0.2.40', u.email, 'wrong password');
    const unknown = await loginFrom('192.0.2.41', 'nobody@example.test', 'wrong password');
    expect([known.status, unknown.status]).toEqual([401, 401]);
    expect(unknown.body).toEqual({ ...known.body, instance: unknown.body.instance });
  });
});
