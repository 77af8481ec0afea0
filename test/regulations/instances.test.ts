/**
 * Running a regulation on the real Temporal server: started with its inputs, its first task lands in the inbox of the
 * department it names, completing tasks moves the tokens (gateway, parallel split, a sub-process whose timer fires,
 * the join), and the instance completes with its values. Refusals: missing inputs, a task completed twice, a task of
 * another department.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtures, login, startHarness, type Harness, type Session } from '../support/harness.ts';

let h: Harness;
let owner: Session;
let admin: Session;
let producer: Session;
let seller: Session;
const FIXTURES = path.resolve(import.meta.dirname, '..', '..', 'bpmn', '__tests__', 'fixtures');

beforeAll(async () => {
  h = await startHarness();
  const f = fixtures(h);
  const production = await f.department('Production');
  owner = await login(h, (await f.user('process_owner')).email);
  admin = await login(h, (await f.user('admin')).email);
  producer = await login(h, (await f.user('member', { departmentId: production.id })).email);
  seller = await login(h, (await f.user('manager')).email);
  // the sub-process waits two seconds instead of an hour; the task names its group by the department's id
  const xml = fs
    .readFileSync(path.join(FIXTURES, 'feasibility.bpmn'), 'utf8')
    .replace('PT1H', 'PT2S')
    .replace('department:production', `department:${production.id}`);
  expect((await owner.post('/regulations', { xml })).status).toBe(201);
});
afterAll(() => h?.close());

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('running a regulation', () => {
  it('refuses a start without its required inputs', async () => {
    const r = await seller.post('/regulations/feasibility/instances', { variables: { product: 'Widget' } });
    expect(r.status).toBe(422);
    expect(r.body.code).toBe('REGULATION_INPUT_MISSING');
  });

  it('hands the tasks to the right people and completes', async () => {
    const started = await seller.post('/regulations/feasibility/instances', {
      variables: { product: 'Widget', quantity: 10 },
    });
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({ status: 'running', activeNodes: ['assess'] });
    const id = started.body.id as string;

    // the production department's inbox has it; the seller's does not
    const inbox = (await producer.get('/tasks')).body.items.filter((t: { instanceId: string }) => t.instanceId === id);
    expect(inbox).toMatchObject([{ nodeId: 'assess', name: 'Assess feasibility' }]);
    expect((await seller.get('/tasks')).body.items).toEqual([]);
    expect((await seller.post(`/tasks/${inbox[0].id}/complete`, { variables: { feasible: true } })).status).toBe(404);

    const done = await producer.post(`/tasks/${inbox[0].id}/complete`, { variables: { feasible: true } });
    expect(done.status).toBe(200);
    expect(done.body.status).toBe('completed');
    const again = await producer.post(`/tasks/${inbox[0].id}/complete`, { variables: { feasible: true } });
    expect(again.status).toBe(409);

    const after = (await seller.get(`/regulation-instances/${id}`)).body;
    expect(after.activeNodes.sort()).toEqual(['cost', 's_wait', 'schedule']);
    const cost = (await admin.get('/tasks')).body.items.find((t: { nodeId: string }) => t.nodeId === 'cost');
    expect(
      (
        await admin.post(`/tasks/${cost.id}/complete`, {
          variables: { estimateAmount: 1200, estimateDocument: 'doc-1' },
        })
      ).status,
    ).toBe(200);
    // the join waits for the sub-process's timer (2 s), then the instance completes
    const finished = await until(
      async () => (await seller.get(`/regulation-instances/${id}`)).body,
      (b) => b.status === 'completed',
    );
    expect(finished).toMatchObject({
      status: 'completed',
      activeNodes: [],
      variables: { product: 'Widget', feasible: true, estimateAmount: 1200 },
    });
    expect(finished.completedNodes).toEqual(expect.arrayContaining(['assess', 'cost', 's_wait', 'join', 'done']));
  });
});
