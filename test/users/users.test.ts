import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtures, login, versionOf, PASSWORD, Session, startHarness, type Harness } from '../support/harness.ts';

let h: Harness;
let f: ReturnType<typeof fixtures>;
let admin: Session;
let adminId: string;
let manager: Session;

beforeAll(async () => {
  h = await startHarness();
  f = fixtures(h);
  const a = await f.user('admin', { name: 'Ada Admin' });
  adminId = a.id;
  const m = await f.user('manager', { name: 'Mike Manager' });
  [admin, manager] = await Promise.all([login(h, a.email), login(h, m.email)]);
});
afterAll(() => h?.close());

async function everyPage(s: Session, query: string, limit: number) {
  const items: { id: string; name: string; disabled: boolean }[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const r = await s.get(`/users?limit=${limit}${query}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(r.status).toBe(200);
    items.push(...r.body.items);
    cursor = r.body.nextCursor;
    pages++;
  } while (cursor && pages < 50);
  return { items, pages };
}

describe('inviting users', () => {
  it('creates a user with a generated password shown once, which works for logging in', async () => {
    const r = await admin.post('/users', { email: '  New.Person@Example.TEST ', name: 'New Person', role: 'manager' });
    expect(r.status).toBe(201);
    expect(r.body.user).toMatchObject({
      email: 'new.person@example.test',
      name: 'New Person',
      role: 'manager',
      departmentId: null,
      disabled: false,
      locale: 'en',
    });
    expect(r.body.password).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(JSON.stringify(r.body)).not.toMatch(/argon|passwordHash/);
    const s = await login(h, 'new.person@example.test', r.body.password);
    expect((await s.get('/auth/me')).body.user.id).toBe(r.body.user.id);
  });

  it('uses the password the admin chose and does not echo it', async () => {
    const dept = await f.department('Inside Sales');
    const r = await admin.post('/users', {
      email: 'chosen@example.test',
      name: 'Chosen',
      role: 'lead',
      departmentId: dept.id,
      password: 'a chosen secret',
    });
    expect(r.status).toBe(201);
    expect(r.body.password).toBeNull();
    expect(r.body.user).toMatchObject({ role: 'lead', departmentId: dept.id });
    await login(h, 'chosen@example.test', 'a chosen secret');
  });

  it('answers 409 EMAIL_TAKEN to an email in use, whatever its case', async () => {
    await admin.post('/users', { email: 'dup@example.test', name: 'First', role: 'member' });
    const r = await admin.post('/users', { email: 'DUP@example.test', name: 'Second', role: 'member' });
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('EMAIL_TAKEN');
    const list = await admin.get('/users?q=dup%40');
    expect(list.body.items.map((u: { name: string }) => u.name)).toEqual(['First']);
  });

  it('answers 422 INVALID_REFERENCE to an unknown department', async () => {
    const r = await admin.post('/users', {
      email: 'nodept@example.test',
      name: 'No Dept',
      role: 'member',
      departmentId: '00000000-0000-4000-8000-000000000000',
    });
    expect(r.status).toBe(422);
    expect(r.body.code).toBe('INVALID_REFERENCE');
    expect(r.body.field).toBe('departmentId');
    expect((await admin.get('/users?q=nodept')).body.items).toEqual([]);
  });

  it('validates the invitation', async () => {
    const cases = [
      await admin.post('/users', { email: 'not-an-email', name: 'X', role: 'member' }),
      await admin.post('/users', { email: 'x@example.test', name: 'X', role: 'superuser' }),
      await admin.post('/users', { email: 'x@example.test', name: 'X', role: 'member', password: 'short' }),
      await admin.post('/users', { email: 'x@example.test', name: 'X', role: 'member', disabled: true }),
      await admin.post('/users', { email: 'x@example.test', role: 'member' }),
      await admin.post('/users', { email: 'x@example.test', name: ['X'], role: 'member' }),
    ];
    expect(cases.map((r) => [r.status, r.body.code])).toEqual(cases.map(() => [400, 'VALIDATION_FAILED']));
    const malformed = await admin.request('POST', '/users', '{"email":', { 'content-type': 'application/json' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.code).toBe('MALFORMED_JSON');
  });
});

describe('the user directory', () => {
  it('pages through every active user exactly once by name; only admins see disabled users', async () => {
    const extra = [];
    for (let i = 0; i < 9; i++)
      extra.push(await f.user('member', { name: `Directory ${String.fromCharCode(73 - i)}` }));
    const off = await f.user('member', { name: 'Directory Disabled' });
    expect(
      (await admin.patch(`/users/${off.id}`, { version: await versionOf(h, 'users', off.id), disabled: true })).status,
    ).toBe(200);

    const asAdmin = await everyPage(admin, '&q=directory', 4);
    expect(asAdmin.pages).toBe(3);
    expect(asAdmin.items.map((u) => u.name)).toEqual([
      'Directory A',
      'Directory B',
      'Directory C',
      'Directory D',
      'Directory Disabled',
      'Directory E',
      'Directory F',
      'Directory G',
      'Directory H',
      'Directory I',
    ]);
    expect(asAdmin.items.find((u) => u.id === off.id)!.disabled).toBe(true);

    const asManager = await everyPage(manager, '&q=directory', 3);
    expect(asManager.pages).toBe(3);
    expect(asManager.items.map((u) => u.name)).toEqual(asAdmin.items.filter((u) => u.id !== off.id).map((u) => u.name));
    expect(new Set(asManager.items.map((u) => u.id)).size).toBe(9);

    const all = await everyPage(manager, '', 2);
    expect(new Set(all.items.map((u) => u.id)).size).toBe(all.items.length);
    expect(all.items.some((u) => u.id === off.id)).toBe(false);
    expect(all.items.map((u) => u.id)).toContain(adminId);
  });

  it('searches names and emails, taking % and _ literally', async () => {
    await f.user('member', { name: 'Percent 100% Sure' });
    expect((await manager.get('/users?q=%25')).body.items.map((u: { name: string }) => u.name)).toEqual([
      'Percent 100% Sure',
    ]);
    expect((await manager.get('/users?q=mike')).body.items.map((u: { name: string }) => u.name)).toEqual([
      'Mike Manager',
    ]);
    const byEmail = await manager.get('/users?q=@example.test&limit=1');
    expect(byEmail.body.items).toHaveLength(1);
    expect(byEmail.body.nextCursor).toEqual(expect.any(String));
    expect((await manager.get('/users?cursor=WyJ4Il0')).body.code).toBe('BAD_CURSOR');
  });
});

describe('changing users', () => {
  it('changes name, role and department', async () => {
    const u = await f.user('member');
    const dept = await f.department('Field Sales');
    const r = await admin.patch(`/users/${u.id}`, {
      version: await versionOf(h, 'users', u.id),
      name: 'Promoted',
      role: 'manager',
      departmentId: dept.id,
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      id: u.id,
      name: 'Promoted',
      role: 'manager',
      departmentId: dept.id,
      disabled: false,
    });
    const cleared = await admin.patch(`/users/${u.id}`, {
      version: await versionOf(h, 'users', u.id),
      departmentId: null,
    });
    expect(cleared.body.departmentId).toBeNull();
    const bad = await admin.patch(`/users/${u.id}`, {
      version: await versionOf(h, 'users', u.id),
      departmentId: '00000000-0000-4000-8000-000000000000',
    });
    expect(bad.status).toBe(422);
    expect(bad.body.code).toBe('INVALID_REFERENCE');
    const unknown = await admin.patch('/users/00000000-0000-4000-8000-000000000000', {
      version: await versionOf(h, 'users', '00000000-0000-4000-8000-000000000000'),
      name: 'Ghost',
    });
    expect(unknown.status).toBe(404);
    const email = await admin.patch(`/users/${u.id}`, {
      version: await versionOf(h, 'users', u.id),
      email: 'new@example.test',
    });
    expect(email.status).toBe(400);
  });

  it('logs a disabled user out everywhere and lets them back in only once enabled again', async () => {
    const u = await f.user('manager');
    const s = await login(h, u.email);
    const tokenRes = await s.post('/auth/tokens', { name: 'cli' });
    const bot = new Session(h.baseUrl, tokenRes.body.token);
    expect((await s.get('/auth/me')).status).toBe(200);

    const r = await admin.patch(`/users/${u.id}`, { version: await versionOf(h, 'users', u.id), disabled: true });
    expect(r.status).toBe(200);
    expect(r.body.disabled).toBe(true);
    expect((await s.get('/auth/me')).status).toBe(401);
    expect((await bot.get('/clients')).status).toBe(401);
    const relogin = await new Session(h.baseUrl).post('/auth/login', { email: u.email, password: PASSWORD });
    expect(relogin.status).toBe(401);
    const [{ n }] = await h.ctx.orm.em
      .fork()
      .getConnection()
      .execute('select count(*)::int as n from sessions where user_id = ?', [u.id]);
    expect(n).toBe(0);

    const back = await admin.patch(`/users/${u.id}`, { version: await versionOf(h, 'users', u.id), disabled: false });
    expect(back.body.disabled).toBe(false);
    expect((await s.get('/auth/me')).status).toBe(401); // the old session stays ended
    const s2 = await login(h, u.email);
    expect((await s2.get('/auth/me')).status).toBe(200);
  });

  it('does not let an admin disable or demote themselves (422 CANNOT_CHANGE_SELF)', async () => {
    for (const body of [{ disabled: true }, { role: 'manager' }, { role: 'lead', name: 'Still me' }]) {
      const r = await admin.patch(`/users/${adminId}`, { version: await versionOf(h, 'users', adminId), ...body });
      expect(r.status).toBe(422);
      expect(r.body.code).toBe('CANNOT_CHANGE_SELF');
    }
    const me = await admin.get('/auth/me');
    expect(me.body.user).toMatchObject({ role: 'admin', disabled: false, name: 'Ada Admin' });
    const rename = await admin.patch(`/users/${adminId}`, {
      version: await versionOf(h, 'users', adminId),
      name: 'Ada A.',
      role: 'admin',
      disabled: false,
    });
    expect(rename.status).toBe(200);
    expect(rename.body.name).toBe('Ada A.');
  });

  it('lets an admin demote another admin, but of two admins removing each other at once one stays', async () => {
    const a2 = await f.user('admin');
    const demoted = await admin.patch(`/users/${a2.id}`, {
      version: await versionOf(h, 'users', a2.id),
      role: 'manager',
    });
    expect(demoted.status).toBe(200);
    expect(demoted.body.role).toBe('manager');

    // a world with exactly two active admins, who try to disable each other at the same moment
    const em = h.ctx.orm.em.fork();
    await em.getConnection().execute("update users set role = 'manager' where role = 'admin' and id <> ?", [adminId]);
    const b = await f.user('admin');
    const sb = await login(h, b.email);
    const [r1, r2] = await Promise.all([
      admin.patch(`/users/${b.id}`, { version: await versionOf(h, 'users', b.id), disabled: true }),
      sb.patch(`/users/${adminId}`, { version: await versionOf(h, 'users', adminId), disabled: true }),
    ]);
    const statuses = [r1.status, r2.status];
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    const loser = r1.status === 200 ? r2 : r1;
    expect([403, 422, 401]).toContain(loser.status);
    const [{ n }] = await em
      .getConnection()
      .execute("select count(*)::int as n from users where role = 'admin' and disabled_at is null");
    expect(n).toBe(1);
  });
});

describe('changing a user with a version', () => {
  it('answers 409 VERSION_CONFLICT with the current version to a stale edit, and 400 without a version', async () => {
    const u = await f.user('manager', { name: 'Versioned Vera' });
    const admin = await login(h, (await f.user('admin')).email);
    const first = await admin.patch(`/users/${u.id}`, { version: 1, name: 'Vera V.' });
    expect(first.status).toBe(200);
    expect(first.body.version).toBe(2);
    const stale = await admin.patch(`/users/${u.id}`, { version: 1, role: 'lead' });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ code: 'VERSION_CONFLICT', currentVersion: 2 });
    expect((await admin.patch(`/users/${u.id}`, { role: 'lead' })).status).toBe(400);
    const listed = (await admin.get(`/users?q=${encodeURIComponent(u.email)}`)).body.items[0];
    expect(listed).toMatchObject({ name: 'Vera V.', role: 'manager', version: 2 });
  });
});
