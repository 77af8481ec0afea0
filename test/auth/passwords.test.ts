/**
 * Passwords and sessions: the policy (length, common passwords), changing your own password (with the current one,
 * ending your other sessions), an administrator's reset (ending all of that user's sessions), the idle timeout, and
 * the audit trail of sign-ins and password changes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtures, login, PASSWORD, Session, startHarness, versionOf, type Harness } from '../support/harness.ts';

let h: Harness;
let f: ReturnType<typeof fixtures>;
beforeAll(async () => {
  h = await startHarness({ config: { DEALFLOW_SESSION_IDLE_MINUTES: '30' } });
  f = fixtures(h);
});
afterAll(() => h?.close());

const NEW = 'a brand new passphrase';

describe('changing your password', () => {
  it('needs the current password, refuses weak ones, and ends your other sessions but not this one', async () => {
    const u = await f.user('manager');
    const here = await login(h, u.email);
    const elsewhere = await login(h, u.email);
    const wrong = await here.post('/auth/password', { currentPassword: 'not it at all', newPassword: NEW });
    expect(wrong.status).toBe(422);
    expect(wrong.body.code).toBe('CURRENT_PASSWORD_WRONG');
    for (const weak of ['password', '        ', 'password1234', 'qwertyuiop', u.email]) {
      const r = await here.post('/auth/password', { currentPassword: PASSWORD, newPassword: weak });
      expect(r.status, weak).toBe(422);
      expect(r.body.code).toBe('WEAK_PASSWORD');
    }
    expect((await elsewhere.get('/auth/me')).status).toBe(200);
    expect((await here.post('/auth/password', { currentPassword: PASSWORD, newPassword: NEW })).status).toBe(204);
    expect((await here.get('/auth/me')).status).toBe(200);
    expect((await elsewhere.get('/auth/me')).status).toBe(401);
    expect((await new Session(h.baseUrl).post('/auth/login', { email: u.email, password: PASSWORD })).status).toBe(401);
    expect((await login(h, u.email, NEW)).csrf).toBeTruthy();
  });
});

describe("an administrator's reset", () => {
  it("sets another user's password, ends all their sessions, and is for administrators only", async () => {
    const admin = await login(h, (await f.user('admin')).email);
    const u = await f.user('member');
    const theirs = await login(h, u.email);
    expect((await theirs.post(`/users/${u.id}/password`, { newPassword: NEW })).status).toBe(403);
    const weak = await admin.post(`/users/${u.id}/password`, { newPassword: 'password' });
    expect(weak.status).toBe(422);
    expect(weak.body.code).toBe('WEAK_PASSWORD');
    expect(
      (await admin.post('/users/00000000-0000-4000-8000-000000000000/password', { newPassword: NEW })).status,
    ).toBe(404);
    expect((await admin.post(`/users/${u.id}/password`, { newPassword: NEW })).status).toBe(204);
    expect((await theirs.get('/auth/me')).status).toBe(401);
    await login(h, u.email, NEW);
  });
});

describe('the password policy on every path', () => {
  it('applies to users an administrator adds with a chosen password', async () => {
    const admin = await login(h, (await f.user('admin')).email);
    const r = await admin.post('/users', {
      email: 'weak@example.test',
      name: 'Weak',
      role: 'member',
      password: 'password123',
    });
    expect(r.status).toBe(422);
    expect(r.body.code).toBe('WEAK_PASSWORD');
  });
});

describe('sessions', () => {
  it('end after the idle timeout, besides their 14-day expiry', async () => {
    const u = await f.user('manager');
    const s = await login(h, u.email);
    const conn = h.ctx.orm.em.fork().getConnection();
    await conn.execute("update sessions set last_seen_at = now() - interval '29 minutes' where user_id = ?", [u.id]);
    expect((await s.get('/auth/me')).status).toBe(200);
    // that use counted: it is idle from now on
    await conn.execute("update sessions set last_seen_at = now() - interval '31 minutes' where user_id = ?", [u.id]);
    expect((await s.get('/auth/me')).status).toBe(401);
  });
});

describe('the audit log', () => {
  it('records sign-ins (both outcomes) and password changes, readable by administrators with filters and pages', async () => {
    const adminUser = await f.user('admin');
    const admin = await login(h, adminUser.email);
    const u = await f.user('manager');
    await new Session(h.baseUrl).post('/auth/login', { email: u.email, password: 'wrong password' });
    const s = await login(h, u.email);
    await s.post('/auth/password', { currentPassword: PASSWORD, newPassword: NEW });
    expect((await s.get('/audit')).status).toBe(403);
    const mine = await admin.get(`/audit?actorId=${u.id}`);
    expect(mine.status).toBe(200);
    expect(mine.body.items.map((e: { kind: string }) => e.kind)).toEqual([
      'auth.password_changed',
      'auth.login_succeeded',
      'auth.login_failed',
    ]);
    expect(mine.body.items[2]).toMatchObject({ actorEmail: u.email, details: { reason: 'wrong_password' } });
    expect(JSON.stringify(mine.body)).not.toContain(NEW);
    expect(JSON.stringify(mine.body)).not.toContain('wrong password');
    const failed = await admin.get('/audit?kind=auth.login_failed&limit=1');
    expect(failed.body.items).toHaveLength(1);
    expect(failed.body.items[0].kind).toBe('auth.login_failed');
    const signIns = await admin.get('/audit?kind=auth.login_succeeded,auth.login_failed&limit=2');
    expect(signIns.body.items).toHaveLength(2);
    const next = await admin.get(
      `/audit?kind=auth.login_succeeded,auth.login_failed&limit=2&cursor=${signIns.body.nextCursor}`,
    );
    expect(next.status).toBe(200);
    expect(next.body.items.length).toBeGreaterThan(0);
    expect(Number(next.body.items[0].id)).toBeLessThan(Number(signIns.body.items[1].id));
    const future = await admin.get(`/audit?from=${new Date(Date.now() + 60_000).toISOString()}`);
    expect(future.body.items).toEqual([]);
    expect((await admin.get('/audit?kind=nope')).status).toBe(400);
  });

  it('records role changes and shares with who did them', async () => {
    const adminUser = await f.user('admin');
    const admin = await login(h, adminUser.email);
    const u = await f.user('member');
    expect(
      (await admin.patch(`/users/${u.id}`, { role: 'lead', version: await versionOf(h, 'users', u.id) })).status,
    ).toBe(200);
    const client = await f.client(adminUser.id);
    expect((await admin.post(`/clients/${client.id}/shares`, { userId: u.id })).status).toBe(201);
    expect((await admin.delete(`/clients/${client.id}/shares/${u.id}`)).status).toBe(204);
    const log = await admin.get(`/audit?actorId=${adminUser.id}&kind=user.role_changed,share.granted,share.revoked`);
    expect(
      log.body.items.map((e: { kind: string; subjectType: string; subjectId: string; details: unknown }) => [
        e.kind,
        e.subjectType,
        e.subjectId,
        e.details,
      ]),
    ).toEqual([
      ['share.revoked', 'client', client.id, { userId: u.id }],
      ['share.granted', 'client', client.id, { userId: u.id }],
      ['user.role_changed', 'user', u.id, { role: 'lead' }],
    ]);
  });

  it('is append-only: Postgres itself refuses to change or delete entries', async () => {
    const conn = h.ctx.orm.em.fork().getConnection();
    await expect(conn.execute("update audit_log set kind = 'auth.login_succeeded'")).rejects.toThrow(/append-only/);
    await expect(conn.execute('delete from audit_log')).rejects.toThrow(/append-only/);
    await expect(conn.execute('truncate audit_log')).rejects.toThrow(/append-only/);
  });
});
