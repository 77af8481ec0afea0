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
import { until } from '../support/until.ts';

let h: Harness;
let owner: Session;
let admin: Session;
let producer: Session;
let seller: Session;
let colleague: Session;
const FIXTURES = path.resolve(import.meta.dirname, '..', '..', 'bpmn', '__tests__', 'fixtures');

beforeAll(async () => {
  h = await startHarness();
  const f = fixtures(h);
  const production = await f.department('Production');
  owner = await login(h, (await f.user('process_owner')).email);
  admin = await login(h, (await f.user('admin')).email);
  producer = await login(h, (await f.user('member', { departmentId: production.id })).email);
  seller = await login(h, (await f.user('manager')).email);
  colleague = await login(h, (await f.user('member', { departmentId: production.id })).email);
  // a regulation whose first step is a service this version does not run: it is parked as an incident
  const parked = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:dealflow="https://dealflow.dev/schema/bpmn/1.0" id="d" targetNamespace="x">
  <bpmn:process id="mail_then_check" name="Mail, then check" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="mail" />
    <bpmn:serviceTask id="mail" name="Mail the customer" dealflow:type="sendEmail" />
    <bpmn:sequenceFlow id="f2" sourceRef="mail" targetRef="check" />
    <bpmn:userTask id="check" name="Check the reply" dealflow:candidateGroups="department:${production.id}" dealflow:formKey="check" />
    <bpmn:sequenceFlow id="f3" sourceRef="check" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`;
  expect((await owner.post('/regulations', { xml: parked })).status).toBe(201);
  // the sub-process waits two seconds instead of an hour; the task names its group by the department's id
  const xml = fs
    .readFileSync(path.join(FIXTURES, 'feasibility.bpmn'), 'utf8')
    .replace('PT1H', 'PT2S')
    .replace('department:production', `department:${production.id}`);
  expect((await owner.post('/regulations', { xml })).status).toBe(201);
});
afterAll(() => h?.close());

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

  it('parks a failing service as an incident the process owner skips, and lets one person hold a group task', async () => {
    const started = await seller.post('/regulations/mail_then_check/instances', { variables: {} });
    expect(started.status).toBe(201);
    const id = started.body.id as string;
    const parked = await until(
      async () => (await owner.get(`/regulation-instances/${id}`)).body,
      (b) => b.incidents.length > 0,
    );
    expect(parked.incidents).toMatchObject([{ node: 'mail', message: expect.stringContaining('sendEmail') }]);
    expect(parked.status).toBe('running');
    // only process owners and administrators resolve incidents
    const tokenId = parked.incidents[0].tokenId as string;
    expect(
      (await seller.post(`/regulation-instances/${id}/incidents/resolve`, { tokenId, action: 'skip' })).status,
    ).toBe(404);
    const skipped = await owner.post(`/regulation-instances/${id}/incidents/resolve`, { tokenId, action: 'skip' });
    expect(skipped.status).toBe(200);
    expect(skipped.body).toMatchObject({ incidents: [], activeNodes: ['check'] });

    const task = (await producer.get('/tasks')).body.items.find((t: { instanceId: string }) => t.instanceId === id);
    expect((await producer.post(`/tasks/${task.id}/claim`)).body.claimedBy).toBeTruthy();
    // while held, a colleague can neither claim nor complete it
    expect((await colleague.post(`/tasks/${task.id}/claim`)).status).toBe(409);
    const refused = await colleague.post(`/tasks/${task.id}/complete`, { variables: {} });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('TASK_CLAIMED');
    expect((await producer.post(`/tasks/${task.id}/unclaim`)).body.claimedBy).toBeNull();
    expect((await colleague.post(`/tasks/${task.id}/complete`, { variables: { ok: true } })).status).toBe(200);
    expect((await owner.get(`/regulation-instances/${id}`)).body.status).toBe('completed');
  });

  it("shows a department its tasks however many of other departments' are open", async () => {
    const first = await seller.post('/regulations/feasibility/instances', { variables: { product: 'A', quantity: 1 } });
    // thousands of older tasks waiting for another department
    const conn = h.ctx.orm.em.fork().getConnection();
    await conn.execute(
      `insert into regulation_tasks (id, instance_id, token_id, node_id, name, candidate_groups, created_at)
       select gen_random_uuid(), ?, 'other-' || g, 'other', 'Another department''s', '{Elsewhere}', now() - interval '1 day'
       from generate_series(1, 2500) g`,
      [first.body.id],
    );
    const started = await seller.post('/regulations/feasibility/instances', {
      variables: { product: 'B', quantity: 2 },
    });
    expect(started.status).toBe(201);
    const mine = (await producer.get('/tasks')).body.items as { instanceId: string; nodeId: string }[];
    expect(mine.map((t) => t.instanceId)).toEqual(expect.arrayContaining([first.body.id, started.body.id]));
    expect(mine.every((t) => t.nodeId === 'assess')).toBe(true);
    await conn.execute(`delete from regulation_tasks where node_id = 'other'`);
  });
});
