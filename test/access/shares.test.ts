import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtures, login, startHarness, type Harness, type Session } from '../support/harness.ts';

/** Sharing a client or a deal with a user who would not see it otherwise. */
let h: Harness;
let owner: Session;
let other: Session;
let third: Session;
let lead: Session;
let admin: Session;
let ids: { owner: string; other: string; third: string; disabled: string };
let pipelineId: string;

beforeAll(async () => {
  h = await startHarness();
  const f = fixtures(h);
  const l = await f.user('lead');
  const dept = await f.department('Team', l.id);
  const o = await f.user('manager', { departmentId: dept.id, name: 'Olga Owner' });
  const x = await f.user('manager', { name: 'Xavier Other' });
  const t = await f.user('manager', { name: 'Tanya Third' });
  const a = await f.user('admin');
  const d = await f.user('manager');
  const em = h.ctx.orm.em.fork();
  await em.getConnection().execute('update users set disabled_at = now() where id = ?', [d.id]);
  ids = { owner: o.id, other: x.id, third: t.id, disabled: d.id };
  [owner, other, third, lead, admin] = await Promise.all([o, x, t, l, a].map((u) => login(h, u.email)));
  pipelineId = (
    await f.pipeline([
      ['New', 'open', [], []],
      ['Won', 'won', [], []],
    ])
  ).id;
});
afterAll(() => h?.close());

async function newClient(name: string) {
  const r = await owner.post('/clients', { name });
  expect(r.status).toBe(201);
  return r.body.id as string;
}

describe.each([
  { type: 'clients', create: newClient },
  {
    type: 'deals',
    create: async (name: string) => {
      const clientId = await newClient(`${name} client`);
      const r = await owner.post('/deals', { title: name, clientId, pipelineId });
      expect(r.status).toBe(201);
      return r.body.id as string;
    },
  },
])('sharing $type', ({ type, create }) => {
  it('lets the owner share with another user, who then sees and edits it, and unshare it again', async () => {
    const id = await create(`Shared ${type}`);
    expect((await other.get(`/${type}/${id}`)).status).toBe(404);
    const share = await owner.post(`/${type}/${id}/shares`, { userId: ids.other });
    expect(share.status).toBe(201);
    expect(share.body).toMatchObject({ userId: ids.other, name: 'Xavier Other' });
    expect((await other.get(`/${type}/${id}`)).status).toBe(200);
    const edit =
      type === 'clients'
        ? await other.patch(`/clients/${id}`, { version: 1, notes: 'edited by a colleague' })
        : await other.patch(`/deals/${id}`, { changes: { title: 'edited by a colleague' } });
    expect(edit.status).toBe(200);
    const list = await other.get(`/${type}?limit=100`);
    expect(list.body.items.map((x: { id: string }) => x.id)).toContain(id);
    const shares = await owner.get(`/${type}/${id}/shares`);
    expect(shares.body.items.map((x: { userId: string }) => x.userId)).toEqual([ids.other]);
    // sharing twice is harmless
    expect((await owner.post(`/${type}/${id}/shares`, { userId: ids.other })).status).toBe(201);
    expect((await owner.get(`/${type}/${id}/shares`)).body.items).toHaveLength(1);

    const removed = await owner.delete(`/${type}/${id}/shares/${ids.other}`);
    expect(removed.status).toBe(204);
    expect((await other.get(`/${type}/${id}`)).status).toBe(404);
    expect((await other.get(`/${type}/${id}/shares`)).status).toBe(404);
    const again = await owner.delete(`/${type}/${id}/shares/${ids.other}`);
    expect(again.status).toBe(404);
  });

  it('forbids someone who sees it only through a share to share it on or unshare it (403)', async () => {
    const id = await create(`Passed on ${type}`);
    await owner.post(`/${type}/${id}/shares`, { userId: ids.other });
    const onward = await other.post(`/${type}/${id}/shares`, { userId: ids.third });
    expect(onward.status).toBe(403);
    expect(onward.body.code).toBe('FORBIDDEN');
    const unshare = await other.delete(`/${type}/${id}/shares/${ids.other}`);
    expect(unshare.status).toBe(403);
    expect((await third.get(`/${type}/${id}`)).status).toBe(404);
    // they may still see who else it is shared with
    expect((await other.get(`/${type}/${id}/shares`)).body.items.map((x: { userId: string }) => x.userId)).toEqual([
      ids.other,
    ]);
  });

  it("lets the owner's lead and an admin share it", async () => {
    const id = await create(`Managed ${type}`);
    expect((await lead.post(`/${type}/${id}/shares`, { userId: ids.third })).status).toBe(201);
    expect((await admin.post(`/${type}/${id}/shares`, { userId: ids.other })).status).toBe(201);
    const shares = await owner.get(`/${type}/${id}/shares`);
    expect(shares.body.items.map((x: { name: string }) => x.name)).toEqual(['Tanya Third', 'Xavier Other']);
    expect((await admin.delete(`/${type}/${id}/shares/${ids.third}`)).status).toBe(204);
    expect((await third.get(`/${type}/${id}`)).status).toBe(404);
  });

  it('refuses to share with an unknown or disabled user or the owner (422)', async () => {
    const id = await create(`Refused ${type}`);
    const unknown = await owner.post(`/${type}/${id}/shares`, { userId: '00000000-0000-4000-8000-000000000001' });
    expect(unknown.status).toBe(422);
    expect(unknown.body.code).toBe('INVALID_REFERENCE');
    const disabled = await owner.post(`/${type}/${id}/shares`, { userId: ids.disabled });
    expect(disabled.status).toBe(422);
    const self = await owner.post(`/${type}/${id}/shares`, { userId: ids.owner });
    expect(self.status).toBe(422);
    expect(self.body.code).toBe('SHARE_WITH_OWNER');
    const bad = await owner.post(`/${type}/${id}/shares`, { userId: 'not-a-uuid' });
    expect(bad.status).toBe(400);
    const extra = await owner.post(`/${type}/${id}/shares`, { userId: ids.other, role: 'editor' });
    expect(extra.status).toBe(400);
    expect(extra.body.code).toBe('VALIDATION_FAILED');
    expect((await owner.get(`/${type}/${id}/shares`)).body.items).toEqual([]);
  });
});

describe('sharing one record type', () => {
  it('does not open the other: sharing a client does not share its deals', async () => {
    const clientId = await newClient('Only the client');
    const deal = await owner.post('/deals', { title: 'Not shared deal', clientId, pipelineId });
    await owner.post(`/clients/${clientId}/shares`, { userId: ids.third });
    expect((await third.get(`/clients/${clientId}`)).status).toBe(200);
    expect((await third.get(`/deals/${deal.body.id}`)).status).toBe(404);
  });
});
