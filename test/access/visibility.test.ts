import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtures, login, startHarness, type Harness, type Session } from '../support/harness.ts';

/**
 * Who sees which client: an admin all; a lead their own and those of the members of the departments they lead,
 * including sub-departments; everyone else their own (plus what is shared with them, see shares.test.ts).
 */
let h: Harness;
let s: Record<'admin' | 'leadA' | 'leadB' | 'a1' | 'a2' | 'b1' | 'po' | 'member', Session>;
let ids: { a1: string; a2: string; b1: string; leadA: string; po: string };
let c: Record<'a1' | 'a2' | 'b1' | 'leadA' | 'po', string>;
let a1Contact: string;
let a1Deal: string;

const names = (r: { body: { items: { name: string }[] } }) => r.body.items.map((x) => x.name);

beforeAll(async () => {
  h = await startHarness();
  const f = fixtures(h);
  const admin = await f.user('admin');
  const leadA = await f.user('lead');
  const leadB = await f.user('lead');
  const deptA = await f.department('Sales A', leadA.id);
  const subA = await f.department('Sales A / North', null, deptA.id);
  const deptB = await f.department('Sales B', leadB.id);
  const a1 = await f.user('manager', { departmentId: deptA.id });
  const a2 = await f.user('manager', { departmentId: subA.id });
  const b1 = await f.user('manager', { departmentId: deptB.id });
  const po = await f.user('process_owner', { departmentId: deptA.id });
  const member = await f.user('member', { departmentId: deptB.id });
  ids = { a1: a1.id, a2: a2.id, b1: b1.id, leadA: leadA.id, po: po.id };
  c = {
    a1: (await f.client(a1.id, 'A1 Client')).id,
    a2: (await f.client(a2.id, 'A2 Client')).id,
    b1: (await f.client(b1.id, 'B1 Client')).id,
    leadA: (await f.client(leadA.id, 'LeadA Client')).id,
    po: (await f.client(po.id, 'PO Client')).id,
  };
  const [sa, sla, slb, s1, s2, sb, spo, sm] = await Promise.all(
    [admin, leadA, leadB, a1, a2, b1, po, member].map((u) => login(h, u.email)),
  );
  s = { admin: sa, leadA: sla, leadB: slb, a1: s1, a2: s2, b1: sb, po: spo, member: sm };
  a1Contact = (await s.a1.post(`/clients/${c.a1}/contacts`, { name: 'Anna' })).body.id;
  const pipeline = await f.pipeline([
    ['New', 'open', [], []],
    ['Won', 'won', [], []],
  ]);
  const deal = await s.a1.post('/deals', { title: 'A1 deal', clientId: c.a1, pipelineId: pipeline.id });
  expect(deal.status).toBe(201);
  a1Deal = deal.body.id;
});
afterAll(() => h?.close());

describe('client visibility', () => {
  it('shows an admin every client', async () => {
    expect(names(await s.admin.get('/clients'))).toEqual([
      'A1 Client',
      'A2 Client',
      'B1 Client',
      'LeadA Client',
      'PO Client',
    ]);
    for (const id of Object.values(c)) expect((await s.admin.get(`/clients/${id}`)).status).toBe(200);
  });

  it('shows a lead the clients of the members of their department and its sub-departments, not of another department', async () => {
    expect(names(await s.leadA.get('/clients'))).toEqual(['A1 Client', 'A2 Client', 'LeadA Client', 'PO Client']);
    expect((await s.leadA.get(`/clients/${c.a2}`)).status).toBe(200);
    const other = await s.leadA.get(`/clients/${c.b1}`);
    expect(other.status).toBe(404);
    expect(names(await s.leadB.get('/clients'))).toEqual(['B1 Client']);
    expect((await s.leadB.get(`/clients/${c.a1}`)).status).toBe(404);
  });

  it('shows managers, process owners and members only their own clients', async () => {
    expect(names(await s.a1.get('/clients'))).toEqual(['A1 Client']);
    expect(names(await s.a2.get('/clients'))).toEqual(['A2 Client']);
    expect(names(await s.po.get('/clients'))).toEqual(['PO Client']);
    expect(names(await s.member.get('/clients'))).toEqual([]);
    expect((await s.po.get(`/clients/${c.a1}`)).status).toBe(404);
    expect((await s.member.get(`/clients/${c.b1}`)).status).toBe(404);
  });

  it("answers 404 to a manager on every verb for another manager's client, and changes nothing", async () => {
    const b1 = s.b1;
    const attempts = [
      await b1.get(`/clients/${c.a1}`),
      await b1.patch(`/clients/${c.a1}`, { version: 1, name: 'Hijacked' }),
      await b1.patch(`/clients/${c.a1}`, { version: 1, notes: 'x' }),
      await b1.post(`/clients/${c.a1}/contacts`, { name: 'Intruder' }),
      await b1.patch(`/clients/${c.a1}/contacts/${a1Contact}`, { version: 1, name: 'Renamed' }),
      await b1.get(`/clients/${c.a1}/shares`),
      await b1.post(`/clients/${c.a1}/shares`, { userId: ids.b1 }),
      await b1.delete(`/clients/${c.a1}/shares/${ids.b1}`),
      await b1.get(`/deals/${a1Deal}/shares`),
      await b1.post(`/deals/${a1Deal}/shares`, { userId: ids.b1 }),
      await b1.delete(`/deals/${a1Deal}/shares/${ids.b1}`),
    ];
    expect(attempts.map((r) => [r.status, r.body.code])).toEqual(attempts.map(() => [404, 'NOT_FOUND']));
    for (const r of attempts) expect(JSON.stringify(r.body)).not.toContain('A1 Client');
    const after = await s.admin.get(`/clients/${c.a1}`);
    expect(after.body).toMatchObject({ name: 'A1 Client', notes: null, version: 1 });
    expect(after.body.contacts.map((x: { name: string }) => x.name)).toEqual(['Anna']);
    expect((await s.admin.get(`/clients/${c.a1}/shares`)).body.items).toEqual([]);
    expect((await s.admin.get(`/deals/${a1Deal}/shares`)).body.items).toEqual([]);
    expect(names(await b1.get('/clients'))).toEqual(['B1 Client']);
  });

  it('answers a missing client exactly like an invisible one', async () => {
    const missing = await s.b1.get('/clients/00000000-0000-4000-8000-000000000000');
    const hidden = await s.b1.get(`/clients/${c.a1}`);
    expect(missing.status).toBe(404);
    expect({ ...hidden.body, instance: undefined }).toEqual({ ...missing.body, instance: undefined });
  });

  it('answers 404 to a contact id that belongs to another client, even one the caller sees', async () => {
    const own = (await s.b1.get('/clients')).body.items[0].id;
    const r = await s.b1.patch(`/clients/${own}/contacts/${a1Contact}`, { version: 1, name: 'Moved' });
    expect(r.status).toBe(404);
    expect((await s.admin.get(`/clients/${c.a1}`)).body.contacts[0].name).toBe('Anna');
  });

  it("lets a lead edit and add contacts to a member's client", async () => {
    const r = await s.leadA.patch(`/clients/${c.a2}`, { version: 1, phone: '+1 555 0100' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ phone: '+1 555 0100', ownerId: ids.a2, version: 2 });
    const contact = await s.leadA.post(`/clients/${c.a2}/contacts`, { name: 'Boris' });
    expect(contact.status).toBe(201);
    expect((await s.a2.get(`/clients/${c.a2}`)).body.contacts.map((x: { name: string }) => x.name)).toEqual(['Boris']);
  });
});
