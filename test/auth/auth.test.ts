import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtures, login, PASSWORD, Session, startHarness, type Harness } from '../support/harness.ts';
import { ensureFirstAdmin } from '../../modules/setup/first-run.ts';
import { User } from '../../modules/accounts/entities.ts';

let h: Harness;
let f: ReturnType<typeof fixtures>;
beforeAll(async () => {
  h = await startHarness();
  f = fixtures(h);
});
afterAll(() => h?.close());

describe('sessions', () => {
  it('sets an HttpOnly SameSite cookie, stores only the password hash, and logs out', async () => {
    const u = await f.user('manager');
    const s = new Session(h.baseUrl);
    const r = await s.post('/auth/login', { email: u.email.toUpperCase(), password: PASSWORD });
    expect(r.status).toBe(200);
    const cookie = r.headers.get('set-cookie')!;
    expect(cookie).toMatch(/df_session=dfs_/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    const row = await h.ctx.orm.em.fork().findOneOrFail(User, { id: u.id });
    expect(row.passwordHash).toMatch(/^\$argon2id\$/);
    s.csrf = r.body.csrfToken;
    expect((await s.get('/auth/me')).body.user.email).toBe(u.email);
    expect((await s.post('/auth/logout')).status).toBe(204);
    expect((await s.get('/auth/me')).status).toBe(401);
  });

  it('refuses a wrong password with 401 and rate-limits repeated failures with 429', async () => {
    const u = await f.user('manager');
    const s = new Session(h.baseUrl);
    const wrong = await s.post('/auth/login', { email: u.email, password: 'nope' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('INVALID_CREDENTIALS');
    for (let i = 0; i < 9; i++) await s.post('/auth/login', { email: u.email, password: 'nope' });
    const limited = await s.post('/auth/login', { email: u.email, password: PASSWORD });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // another account is not affected
    const other = await f.user('manager');
    expect((await s.post('/auth/login', { email: other.email, password: PASSWORD })).status).toBe(200);
  });

  it('needs the CSRF header for writes made with a session cookie', async () => {
    const u = await f.user('manager');
    const s = await login(h, u.email);
    const token = s.csrf;
    s.csrf = '';
    const r = await s.post('/auth/tokens', { name: 'x' });
    expect(r.status).toBe(403);
    expect(r.body.code).toBe('CSRF_TOKEN_INVALID');
    s.csrf = token;
    expect((await s.post('/auth/tokens', { name: 'x' })).status).toBe(201);
  });
});

describe('personal API tokens', () => {
  it('work as Bearer tokens without CSRF, are listed without their secret, and stop working once revoked', async () => {
    const u = await f.user('manager');
    const s = await login(h, u.email);
    const created = await s.post('/auth/tokens', { name: 'CRM import' });
    expect(created.status).toBe(201);
    expect(created.body.token).toMatch(/^dft_/);
    const script = new Session(h.baseUrl, created.body.token);
    expect((await script.get('/auth/me')).body.user.id).toBe(u.id);
    expect((await script.patch('/auth/me', { locale: 'ru' })).body.locale).toBe('ru');
    const list = await s.get('/auth/tokens');
    expect(list.body.items).toHaveLength(1);
    expect(JSON.stringify(list.body)).not.toContain(created.body.token);
    expect((await s.delete(`/auth/tokens/${created.body.id}`)).status).toBe(204);
    expect((await script.get('/auth/me')).status).toBe(401);
    const other = await login(h, (await f.user('manager')).email);
    expect((await other.delete(`/auth/tokens/${created.body.id}`)).status).toBe(404);
  });

  it('rejects an unknown token', async () => {
    expect((await new Session(h.baseUrl, 'dft_forged').get('/auth/me')).status).toBe(401);
  });
});

describe('first start', () => {
  it('creates the first admin once, with a generated password that works', async () => {
    const em = h.ctx.orm.em.fork();
    await em.getConnection().execute('delete from users');
    const admin = await ensureFirstAdmin(em, {});
    expect(admin?.generated).toBe(true);
    expect(admin!.password.length).toBeGreaterThanOrEqual(12);
    expect(await ensureFirstAdmin(h.ctx.orm.em.fork(), {})).toBeNull();
    const s = await login(h, admin!.email, admin!.password);
    expect((await s.get('/auth/me')).body.user.role).toBe('admin');
  });
});

describe('API documents', () => {
  it('serves an OpenAPI 3.1 document covering every route, health and readiness', async () => {
    const anon = new Session(h.baseUrl);
    const doc = (await anon.get('/openapi.json')).body;
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/deals/{id}/stage', '/api/v1/auth/login']));
    const move = doc.paths['/api/v1/deals/{id}/stage'].post;
    expect(move.requestBody.content['application/json'].schema.properties.stageId).toBeTruthy();
    expect(move.responses['422']).toBeTruthy();
    expect((await anon.get('/health')).body).toEqual({ status: 'alive' });
    expect((await anon.get('/ready')).body.status).toBe('ready');
    const docs = await fetch(`${h.baseUrl}/api/v1/docs`);
    expect(await docs.text()).toContain('openapi.json');
    const missing = await anon.get('/nope');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toContain('application/problem+json');
  });
});
