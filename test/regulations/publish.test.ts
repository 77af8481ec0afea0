/**
 * Publishing regulations over HTTP: a BPMN file becomes an immutable, numbered version; a file that cannot run is
 * refused with each problem named by its element; hostile XML is refused, never a crash or a hang; only process
 * owners and administrators publish; the XML comes back as published.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtures, login, startHarness, type Harness, type Session } from '../support/harness.ts';

let h: Harness;
let owner: Session;
let manager: Session;
const FIXTURES = path.resolve(import.meta.dirname, '..', '..', 'bpmn', '__tests__', 'fixtures');
const fixture = (name: string) => fs.readFileSync(path.join(FIXTURES, name), 'utf8');

beforeAll(async () => {
  h = await startHarness();
  const f = fixtures(h);
  owner = await login(h, (await f.user('process_owner')).email);
  manager = await login(h, (await f.user('manager')).email);
});
afterAll(() => h?.close());

describe('publishing regulations', () => {
  it('publishes versions 1 and 2 of a regulation, and the same file again as the version it is', async () => {
    const xml = fixture('feasibility.bpmn');
    const v1 = await owner.post('/regulations', { xml });
    expect(v1.status).toBe(201);
    expect(v1.body).toMatchObject({
      key: 'feasibility',
      version: 1,
      name: 'Sales → Production: feasibility and cost estimate',
    });
    expect(v1.body.inputs.map((f: { name: string }) => f.name)).toEqual(['product', 'quantity']);
    expect((await owner.post('/regulations', { xml })).body.id).toBe(v1.body.id);
    const v2 = await owner.post('/regulations', { xml: xml.replace('dealflow:due="P2D"', 'dealflow:due="P3D"') });
    expect(v2.body.version).toBe(2);
    const versions = await manager.get('/regulations/feasibility/versions');
    expect(versions.body.items.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    const exported = await manager.request('GET', '/regulations/feasibility/versions/1/bpmn');
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-type')).toMatch(/application\/xml/);
    expect(exported.body).toBe(xml);
    // published versions cannot be changed, even by SQL
    await expect(
      h.ctx.orm.em.getConnection().execute(`update regulations set name = 'x' where id = ?`, [v1.body.id]),
    ).rejects.toThrow(/immutable/);
  });

  it('refuses a file it cannot run with every problem named by its element', async () => {
    const r = await owner.post('/regulations', { xml: fixture('unsupported.bpmn') });
    expect(r.status).toBe(422);
    expect(r.body.code).toBe('REGULATION_INVALID');
    const ids = r.body.problems.map((p: { elementId: string }) => p.elementId);
    expect(ids).toEqual(expect.arrayContaining(['inclusive', 'review', 'f4', 'f5', 'shell', 'orphan', 'many']));
    expect((await owner.get('/regulations')).body.items.map((v: { key: string }) => v.key)).not.toContain('p');
  });

  it('refuses hostile XML with a clear answer', async () => {
    const laughs = `<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><x>&b;</x>`;
    const r = await owner.post('/regulations', { xml: laughs });
    expect(r.status).toBe(422);
    expect(r.body.problems[0].code).toBe('BPMN_DOCTYPE');
    const deep = await owner.post('/regulations', { xml: `<a>${'<b>'.repeat(1000)}${'</b>'.repeat(1000)}</a>` });
    expect(deep.body.problems[0].code).toBe('BPMN_TOO_DEEP');
    const huge = await owner.post('/regulations', { xml: `<a>${'x'.repeat(1_100_000)}</a>` });
    expect(huge.status).toBe(413);
  });

  it('lets only process owners and administrators publish', async () => {
    const r = await manager.post('/regulations', { xml: fixture('camunda8-contract.bpmn') });
    expect(r.status).toBe(403);
    expect((await manager.get('/regulations/contract-approval/versions')).status).toBe(404);
  });
});
