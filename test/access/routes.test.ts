import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtures, login, Session, startHarness, type Harness } from '../support/harness.ts';
import type { RouteSpec } from '../../api/http.ts';
import { userRoutes } from '../../api/routes/users.ts';
import { departmentRoutes } from '../../api/routes/departments.ts';
import { clientRoutes } from '../../api/routes/clients.ts';
import { clientShareRoutes, dealShareRoutes } from '../../api/routes/shares.ts';
import { pipelineRoutes } from '../../api/routes/pipelines.ts';
import { streamRoutes } from '../../api/routes/stream.ts';

/** Every route these tests cover: users, organisation, clients, sharing and pipelines. */
const ROUTES: RouteSpec[] = [
  ...userRoutes,
  ...departmentRoutes,
  ...clientRoutes,
  ...clientShareRoutes,
  ...dealShareRoutes,
  ...pipelineRoutes,
  ...streamRoutes,
];
const fill = (path: string) => path.replace(/:[A-Za-z]+/g, () => randomUUID());
const label = (r: RouteSpec) => `${r.method.toUpperCase()} ${r.path}`;

let h: Harness;
let sessions: Record<'admin' | 'manager' | 'lead' | 'process_owner' | 'member', Session>;

beforeAll(async () => {
  h = await startHarness();
  const f = fixtures(h);
  const roles = ['admin', 'manager', 'lead', 'process_owner', 'member'] as const;
  const users = await Promise.all(roles.map((r) => f.user(r)));
  const logged = await Promise.all(users.map((u) => login(h, u.email)));
  sessions = Object.fromEntries(roles.map((r, i) => [r, logged[i]])) as typeof sessions;
});
afterAll(() => h?.close());

describe('route access', () => {
  it('covers the 28 operations, 8 of them for administrators only', () => {
    expect(ROUTES.map(label)).toEqual([
      'GET /users',
      'POST /users',
      'PATCH /users/:id',
      'GET /departments',
      'POST /departments',
      'PATCH /departments/:id',
      'GET /clients',
      'POST /clients',
      'GET /clients/duplicates',
      'GET /clients/:id',
      'PATCH /clients/:id',
      'POST /clients/:id/contacts',
      'PATCH /clients/:id/contacts/:contactId',
      'GET /clients/:id/shares',
      'POST /clients/:id/shares',
      'DELETE /clients/:id/shares/:userId',
      'GET /deals/:id/shares',
      'POST /deals/:id/shares',
      'DELETE /deals/:id/shares/:userId',
      'GET /pipelines',
      'GET /pipelines/:id',
      'POST /pipelines',
      'PUT /pipelines/:id',
      'GET /document-kinds',
      'POST /document-kinds',
      'GET /deal-fields',
      'POST /deal-fields',
      'GET /stream',
    ]);
    expect(ROUTES.filter((r) => r.access === 'admin').map(label)).toEqual([
      'POST /users',
      'PATCH /users/:id',
      'POST /departments',
      'PATCH /departments/:id',
      'POST /pipelines',
      'PUT /pipelines/:id',
      'POST /document-kinds',
      'POST /deal-fields',
    ]);
    expect(ROUTES.some((r) => r.access === 'public')).toBe(false);
  });

  it('answers 401 UNAUTHENTICATED to every operation without a session or token', async () => {
    const anonymous = new Session(h.baseUrl);
    const results = await Promise.all(
      ROUTES.map(async (r) => {
        const res = await anonymous.request(r.method.toUpperCase(), fill(r.path), r.method === 'get' ? undefined : {});
        return [label(r), res.status, res.body?.code];
      }),
    );
    expect(results).toEqual(ROUTES.map((r) => [label(r), 401, 'UNAUTHENTICATED']));
  });

  it('answers 401 to an unknown API token', async () => {
    const bogus = new Session(h.baseUrl, 'dft_not-a-real-token');
    const r = await bogus.get('/clients');
    expect(r.status).toBe(401);
  });

  it('answers 403 FORBIDDEN to managers, leads, process owners and members on administrator operations', async () => {
    const admin = ROUTES.filter((r) => r.access === 'admin');
    for (const role of ['manager', 'lead', 'process_owner', 'member'] as const) {
      const results = await Promise.all(
        admin.map(async (r) => {
          const res = await sessions[role].request(r.method.toUpperCase(), fill(r.path), {});
          return [role, label(r), res.status, res.body?.code];
        }),
      );
      expect(results).toEqual(admin.map((r) => [role, label(r), 403, 'FORBIDDEN']));
    }
  });

  it('refuses every write from a cookie session without the CSRF header with 403 CSRF_TOKEN_INVALID', async () => {
    const noCsrf = new Session(h.baseUrl);
    noCsrf.cookie = sessions.admin.cookie; // the admin's session cookie, but no x-csrf-token header
    const writes = ROUTES.filter((r) => r.method !== 'get');
    expect(writes).toHaveLength(16);
    const results = await Promise.all(
      writes.map(async (r) => {
        const res = await noCsrf.request(r.method.toUpperCase(), fill(r.path), {});
        return [label(r), res.status, res.body?.code];
      }),
    );
    expect(results).toEqual(writes.map((r) => [label(r), 403, 'CSRF_TOKEN_INVALID']));
    // a wrong token is refused the same way, and nothing was created
    const wrong = await noCsrf.request('POST', '/clients', { name: 'Sneaky Ltd' }, { 'x-csrf-token': 'nope' });
    expect(wrong.status).toBe(403);
    expect(wrong.body.code).toBe('CSRF_TOKEN_INVALID');
    const list = await sessions.admin.get('/clients?q=Sneaky');
    expect(list.body.items).toEqual([]);
    // reads need no CSRF header
    expect((await noCsrf.get('/clients')).status).toBe(200);
  });

  it("lets an API token write without a CSRF header, with its owner's rights", async () => {
    const created = await sessions.manager.post('/auth/tokens', { name: 'script' });
    expect(created.status).toBe(201);
    const bot = new Session(h.baseUrl, created.body.token);
    const client = await bot.post('/clients', { name: 'Token Client' });
    expect(client.status).toBe(201);
    expect(client.body.ownerId).toBe((await sessions.manager.get('/auth/me')).body.user.id);
    const contact = await bot.post(`/clients/${client.body.id}/contacts`, { name: 'Via Token' });
    expect(contact.status).toBe(201);
    const got = await bot.get(`/clients/${client.body.id}`);
    expect(got.body.contacts.map((c: { name: string }) => c.name)).toEqual(['Via Token']);
    // the token carries the manager's role: administrator operations stay closed
    const forbidden = await bot.post('/departments', { name: 'Nope' });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.code).toBe('FORBIDDEN');

    const adminToken = await sessions.admin.post('/auth/tokens', { name: 'admin script' });
    const adminBot = new Session(h.baseUrl, adminToken.body.token);
    const dept = await adminBot.post('/departments', { name: 'Made by token' });
    expect(dept.status).toBe(201);
    expect(dept.body.name).toBe('Made by token');
  });

  it('lists every operation in the OpenAPI document with its tag', async () => {
    const doc = (await new Session(h.baseUrl).get('/openapi.json')).body;
    const ops = new Map<string, string[]>();
    for (const methods of Object.values<Record<string, { operationId: string; tags: string[] }>>(doc.paths)) {
      for (const op of Object.values(methods)) ops.set(op.operationId, op.tags);
    }
    for (const r of ROUTES) expect(ops.get(r.operationId), r.operationId).toEqual([r.tag]);
    expect(
      doc.paths['/api/v1/clients/{id}/contacts/{contactId}'].patch.parameters.map((p: { name: string }) => p.name),
    ).toEqual(['id', 'contactId']);
    expect(doc.paths['/api/v1/users'].post.responses['409']).toBeDefined();
  });
});
