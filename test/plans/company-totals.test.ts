/**
 * Company plan totals go to administrators and the roles the plan settings grant them to, over HTTP on the real
 * Postgres and Temporal server: a lead not granted is refused the company level as before; granted, the lead reads
 * every group's totals (and drills down) while the list of plans stays their subtree's; the grant is audited and a
 * settings change that leaves it out keeps it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtures, login, startHarness, type Harness, type Session } from '../support/harness.ts';

let h: Harness;
let admin: Session;
let lead: Session;
let max: Session;
let olga: Session;
const id: Record<string, string> = {};
let version = 1;

const putSettings = async (over: Record<string, unknown> = {}) => {
  const r = await admin.put('/plan-settings', {
    confirmation: false,
    submitDueDays: 0,
    reviewDueDays: 2,
    timeZone: 'UTC',
    version,
    ...over,
  });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  version = r.body.version;
  return r.body;
};

beforeAll(async () => {
  h = await startHarness();
  const f = fixtures(h);
  const a = await f.user('admin', { name: 'Ada Admin' });
  const l = await f.user('lead', { name: 'Lena Lead' });
  const east = await f.department('Sales East', l.id);
  const wl = await f.user('lead', { name: 'Wes West' });
  const west = await f.department('Sales West', wl.id);
  const m = await f.user('manager', { name: 'Max Manager', departmentId: east.id });
  const o = await f.user('manager', { name: 'Olga Other', departmentId: west.id });
  Object.assign(id, { east: east.id, west: west.id, max: m.id, olga: o.id });
  admin = await login(h, a.email);
  lead = await login(h, l.email);
  max = await login(h, m.email);
  olga = await login(h, o.email);
  expect(
    (await admin.put('/currency-rates', { currency: 'RUB', rates: [{ currency: 'USD', rate: '90' }], version: 0 }))
      .status,
  ).toBe(200);
  for (const [s, owner, amount] of [
    [max, m.id, '100'],
    [olga, o.id, '250'],
  ] as const) {
    const client = await f.client(owner, `Client of ${owner.slice(0, 4)}`);
    const r = await s.put(`/plans/${owner}/2026-12`, {
      lines: [{ clientId: client.id, amount, currency: 'RUB', expectedOn: '2026-12-10' }],
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  }
});
afterAll(() => h?.close());

describe('company plan totals granted to roles', () => {
  it('refuses a lead not granted, lets a granted lead read the company level, audits the grant', async () => {
    expect((await admin.get('/plan-settings')).body.companyTotalsRoles).toEqual([]);
    await putSettings();
    expect((await lead.get('/plan-totals?period=2026-12&by=group')).status).toBe(403);
    expect((await lead.get(`/plan-totals?period=2026-12&by=manager&departmentId=${id.west}`)).body.items).toEqual([]);

    expect((await putSettings({ companyTotalsRoles: ['lead'] })).companyTotalsRoles).toEqual(['lead']);
    const company = await lead.get('/plan-totals?period=2026-12&by=group');
    expect(company.status).toBe(200);
    expect(company.body.total).toMatchObject({ submitted: '350.00', approved: '350.00' });
    expect(company.body.items.map((i: { name: string; approved: string }) => [i.name, i.approved])).toEqual([
      ['Sales East', '100.00'],
      ['Sales West', '250.00'],
    ]);
    const west = await lead.get(`/plan-totals?period=2026-12&by=manager&departmentId=${id.west}`);
    expect(west.body.items).toEqual([expect.objectContaining({ key: id.olga, approved: '250.00' })]);
    // the grant is for totals: the plans listed and a manager's role are as before
    const listed = (await lead.get('/plans?period=2026-12')).body.items.map((p: { managerId: string }) => p.managerId);
    expect(listed).toEqual([id.max]);
    expect((await max.get('/plan-totals?period=2026-12&by=group')).status).toBe(403);

    // a change that leaves the roles out keeps them; the grant is audited with what was before
    expect((await putSettings({ reviewDueDays: 3 })).companyTotalsRoles).toEqual(['lead']);
    const audit = (await admin.get('/audit?kind=plans.settings_changed')).body.items;
    const granted = audit.find((e: { details: { changed: string[] } }) =>
      e.details.changed.includes('companyTotalsRoles'),
    );
    expect(granted.details).toMatchObject({
      before: { companyTotalsRoles: [] },
      after: { companyTotalsRoles: ['lead'] },
      changed: ['companyTotalsRoles'],
    });
    expect(
      (
        await admin.put('/plan-settings', {
          companyTotalsRoles: ['admin'],
          confirmation: false,
          submitDueDays: 0,
          reviewDueDays: 2,
          timeZone: 'UTC',
          version,
        })
      ).status,
    ).toBe(400);

    await putSettings({ companyTotalsRoles: [] });
    expect((await lead.get('/plan-totals?period=2026-12&by=group')).status).toBe(403);
  });
});
