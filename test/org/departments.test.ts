import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtures, login, versionOf, startHarness, type Harness, type Session } from '../support/harness.ts';
import { wouldCycle } from '../../modules/org/tree.ts';

let h: Harness;
let f: ReturnType<typeof fixtures>;
let admin: Session;
let manager: Session;

beforeAll(async () => {
  h = await startHarness();
  f = fixtures(h);
  const [a, m] = [await f.user('admin'), await f.user('manager')];
  [admin, manager] = await Promise.all([login(h, a.email), login(h, m.email)]);
});
afterAll(() => h?.close());

const NOWHERE = '00000000-0000-4000-8000-000000000000';

describe('departments', () => {
  it('creates departments below one another and lists them by name with their active member counts', async () => {
    const top = await admin.post('/departments', { name: 'Sales', isSalesGroup: false });
    expect(top.status).toBe(201);
    expect(top.body).toEqual({
      id: expect.any(String),
      name: 'Sales',
      parentId: null,
      isSalesGroup: false,
      leadId: null,
      memberCount: 0,
      version: 1,
    });
    const sub = await admin.post('/departments', {
      name: '  Key Accounts ',
      parentId: top.body.id,
      isSalesGroup: true,
    });
    expect(sub.status).toBe(201);
    expect(sub.body).toMatchObject({ name: 'Key Accounts', parentId: top.body.id, isSalesGroup: true });
    await f.user('manager', { departmentId: sub.body.id });
    await f.user('member', { departmentId: sub.body.id });
    const gone = await f.user('member', { departmentId: sub.body.id });
    await admin.patch(`/users/${gone.id}`, { version: await versionOf(h, 'users', gone.id), disabled: true });

    const list = await manager.get('/departments');
    expect(list.status).toBe(200);
    const mine = list.body.items.filter((d: { id: string }) => [top.body.id, sub.body.id].includes(d.id));
    expect(mine.map((d: { name: string; memberCount: number }) => [d.name, d.memberCount])).toEqual([
      ['Key Accounts', 2],
      ['Sales', 0],
    ]);
    const names = list.body.items.map((d: { name: string }) => d.name);
    expect(names).toEqual([...names].sort((x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0)));
  });

  it("sets a lead without changing their role, and the lead then sees the members' clients", async () => {
    const m = await f.user('manager', { name: 'Future Lead' });
    const member = await f.user('manager');
    const dept = await admin.post('/departments', { name: 'Led team' });
    await admin.patch(`/users/${member.id}`, {
      version: await versionOf(h, 'users', member.id),
      departmentId: dept.body.id,
    });
    const client = await f.client(member.id, 'Member Client');
    const s = await login(h, m.email);
    expect((await s.get(`/clients/${client.id}`)).status).toBe(404);

    const r = await admin.patch(`/departments/${dept.body.id}`, {
      version: await versionOf(h, 'departments', dept.body.id),
      leadId: m.id,
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ leadId: m.id, version: 2 });
    expect((await s.get('/auth/me')).body.user.role).toBe('manager');
    expect((await s.get(`/clients/${client.id}`)).status).toBe(200);

    const cleared = await admin.patch(`/departments/${dept.body.id}`, {
      version: await versionOf(h, 'departments', dept.body.id),
      leadId: null,
    });
    expect(cleared.body.leadId).toBeNull();
    expect((await s.get(`/clients/${client.id}`)).status).toBe(404);
  });

  it('answers 422 INVALID_REFERENCE to an unknown parent or lead, or a disabled lead', async () => {
    const before = (await admin.get('/departments')).body.items.length;
    const parent = await admin.post('/departments', { name: 'Orphan', parentId: NOWHERE });
    expect(parent.status).toBe(422);
    expect(parent.body).toMatchObject({ code: 'INVALID_REFERENCE', field: 'parentId' });
    const lead = await admin.post('/departments', { name: 'Leaderless', leadId: NOWHERE });
    expect(lead.status).toBe(422);
    expect(lead.body).toMatchObject({ code: 'INVALID_REFERENCE', field: 'leadId' });
    const off = await f.user('lead');
    await admin.patch(`/users/${off.id}`, { version: await versionOf(h, 'users', off.id), disabled: true });
    expect((await admin.post('/departments', { name: 'Ghost led', leadId: off.id })).status).toBe(422);
    expect((await admin.get('/departments')).body.items.length).toBe(before);
    const d = await admin.post('/departments', { name: 'Real' });
    const patch = await admin.patch(`/departments/${d.body.id}`, {
      version: await versionOf(h, 'departments', d.body.id),
      parentId: NOWHERE,
    });
    expect(patch.status).toBe(422);
    expect(
      (await admin.patch(`/departments/${NOWHERE}`, { version: await versionOf(h, 'departments', NOWHERE), name: 'x' }))
        .status,
    ).toBe(404);
  });

  it('refuses a parent that would close a loop with 422 DEPARTMENT_CYCLE', async () => {
    const a = (await admin.post('/departments', { name: 'Loop A' })).body;
    const b = (await admin.post('/departments', { name: 'Loop B', parentId: a.id })).body;
    const c = (await admin.post('/departments', { name: 'Loop C', parentId: b.id })).body;
    // A below itself, below its grandchild C, below its child B
    for (const parentId of [a.id, c.id, b.id]) {
      const r = await admin.patch(`/departments/${a.id}`, {
        version: await versionOf(h, 'departments', a.id),
        parentId,
      });
      expect(r.status).toBe(422);
      expect(r.body.code).toBe('DEPARTMENT_CYCLE');
    }
    const selfB = await admin.patch(`/departments/${b.id}`, {
      version: await versionOf(h, 'departments', b.id),
      parentId: c.id,
    });
    expect(selfB.body.code).toBe('DEPARTMENT_CYCLE');
    const items = (await admin.get('/departments')).body.items;
    expect(items.find((d: { id: string }) => d.id === a.id).parentId).toBeNull();
    // moving a leaf up is fine, and so is detaching
    expect(
      (await admin.patch(`/departments/${c.id}`, { version: await versionOf(h, 'departments', c.id), parentId: a.id }))
        .body.parentId,
    ).toBe(a.id);
    expect(
      (await admin.patch(`/departments/${b.id}`, { version: await versionOf(h, 'departments', b.id), parentId: null }))
        .body.parentId,
    ).toBeNull();
    // now B is free: it may go below C
    expect(
      (await admin.patch(`/departments/${b.id}`, { version: await versionOf(h, 'departments', b.id), parentId: c.id }))
        .status,
    ).toBe(200);
  });

  it('refuses concurrent moves that together would close a loop', async () => {
    const x = (await admin.post('/departments', { name: 'Race X' })).body;
    const y = (await admin.post('/departments', { name: 'Race Y' })).body;
    const [r1, r2] = await Promise.all([
      admin.patch(`/departments/${x.id}`, { version: await versionOf(h, 'departments', x.id), parentId: y.id }),
      admin.patch(`/departments/${y.id}`, { version: await versionOf(h, 'departments', y.id), parentId: x.id }),
    ]);
    expect([r1.status, r2.status].sort()).toEqual([200, 422]);
  });

  it('answers 409 VERSION_CONFLICT to a stale version', async () => {
    const d = (await admin.post('/departments', { name: 'Versioned dept' })).body;
    expect((await admin.patch(`/departments/${d.id}`, { version: 1, name: 'Renamed' })).status).toBe(200);
    const stale = await admin.patch(`/departments/${d.id}`, { version: 1, name: 'Again' });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ code: 'VERSION_CONFLICT', currentVersion: 2 });
    const noVersion = await admin.patch(`/departments/${d.id}`, { name: 'Again' });
    expect(noVersion.status).toBe(400);
  });

  it('validates the body', async () => {
    const cases = [
      await admin.post('/departments', { name: '' }),
      await admin.post('/departments', { name: 'X', manager: 'me' }),
      await admin.post('/departments', { name: 'X', isSalesGroup: 'yes' }),
      await admin.post('/departments', { name: 'X', parentId: 'nope' }),
      await admin.patch(`/departments/${NOWHERE}`, {
        version: await versionOf(h, 'departments', NOWHERE),
        memberCount: 3,
      }),
    ];
    expect(cases.map((r) => [r.status, r.body.code])).toEqual(cases.map(() => [400, 'VALIDATION_FAILED']));
    const malformed = await admin.request('PATCH', `/departments/${NOWHERE}`, '{', {
      'content-type': 'application/json',
    });
    expect(malformed.body.code).toBe('MALFORMED_JSON');
  });
});

describe('wouldCycle', () => {
  it('detects loops through the parent chain and tolerates a broken tree', () => {
    const tree = new Map<string, string | null>([
      ['a', null],
      ['b', 'a'],
      ['c', 'b'],
      ['x', 'y'],
      ['y', 'x'],
    ]);
    expect(wouldCycle(tree, 'a', 'c')).toBe(true);
    expect(wouldCycle(tree, 'a', 'a')).toBe(true);
    expect(wouldCycle(tree, 'c', 'a')).toBe(false);
    expect(wouldCycle(tree, 'a', null)).toBe(false);
    expect(wouldCycle(tree, 'new', 'c')).toBe(false);
    expect(wouldCycle(tree, 'a', 'x')).toBe(true);
  });
});
