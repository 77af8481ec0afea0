/**
 * Task forms on the server, over HTTP with the real Temporal server: the example regulations are installed once, a
 * task's form (embedded in the BPMN as form-js JSON) is served with it, and a completion that does not fit its form is
 * refused with 422 TASK_FORM_INVALID and each field's error — required, options, patterns, unknown fields — while a
 * field its FEEL condition hides is neither required nor kept. A file whose form is broken is refused at publish,
 * naming the user task.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installExampleRegulations } from '../../modules/regulations/examples/index.ts';
import { fixtures, login, startHarness, type Harness, type Session } from '../support/harness.ts';
import { until } from '../support/until.ts';

let h: Harness;
let owner: Session;
let seller: Session;
let lawyer: Session;
let sellerId: string;

beforeAll(async () => {
  h = await startHarness();
  const f = fixtures(h);
  const legal = await f.department('Legal');
  const sales = await f.department('Sales');
  const admin = await f.user('admin');
  const s = await f.user('manager', { departmentId: sales.id });
  sellerId = s.id;
  owner = await login(h, (await f.user('process_owner')).email);
  seller = await login(h, s.email);
  lawyer = await login(h, (await f.user('member', { departmentId: legal.id })).email);
  expect(await installExampleRegulations(h.ctx.orm.em.fork(), admin.id)).toEqual(['feasibility', 'contract_approval']);
});
afterAll(() => h?.close());

describe('example regulations', () => {
  it('are installed once: a second start finds them and publishes nothing', async () => {
    expect(await installExampleRegulations(h.ctx.orm.em.fork(), sellerId)).toEqual([]);
    const list = (await seller.get('/regulations')).body.items as { key: string; name: string; version: number }[];
    expect(list.map((r) => [r.key, r.name, r.version])).toEqual([
      ['contract_approval', 'Sales → Legal: contract approval', 1],
      ['feasibility', 'Sales → Production: feasibility and cost estimate', 1],
    ]);
  });
});

describe('completing a task with its form', () => {
  it('refuses values that do not fit the form, with field errors, and keeps what does', async () => {
    const started = await seller.post('/regulations/contract_approval/instances', {
      variables: { contractTitle: 'Supply agreement', counterparty: 'Contoso' },
    });
    expect(started.status).toBe(201);
    const id = started.body.id as string;
    const task = (
      await until(
        async () => (await lawyer.get('/tasks')).body.items as { id: string; instanceId: string }[],
        (items) => items.some((t) => t.instanceId === id),
      )
    ).find((t) => t.instanceId === id)!;

    // the task comes with its form and the instance's values
    const detail = await lawyer.get(`/tasks/${task.id}`);
    expect(detail.status).toBe(200);
    expect(detail.body.task.nodeId).toBe('review');
    expect(detail.body.variables).toMatchObject({ contractTitle: 'Supply agreement' });
    expect(detail.body.form.components.map((c: { key?: string }) => c.key).filter(Boolean)).toEqual([
      'legalDecision',
      'legalComments',
    ]);
    // the seller may not read the legal department's task
    expect((await seller.get(`/tasks/${task.id}`)).status).toBe(404);

    const complete = (variables: Record<string, unknown>) => lawyer.post(`/tasks/${task.id}/complete`, { variables });
    const empty = await complete({});
    expect(empty.status).toBe(422);
    expect(empty.body.code).toBe('TASK_FORM_INVALID');
    // with no decision the comments are shown (their condition hides them only on approval): both are required
    expect(empty.body.errors).toEqual([
      { field: 'legalDecision', message: 'required' },
      { field: 'legalComments', message: 'required' },
    ]);

    const wrong = await complete({ legalDecision: 'maybe', legalComments: 'x', salary: 1 });
    expect(wrong.status).toBe(422);
    expect(wrong.body.errors).toEqual([
      { field: 'legalDecision', message: 'option' },
      { field: 'salary', message: 'unknown' },
    ]);
    // asking for changes shows the comments field, which is then required
    const changes = await complete({ legalDecision: 'changes' });
    expect(changes.body.errors).toEqual([{ field: 'legalComments', message: 'required' }]);
    expect((await complete({ legalDecision: 'changes', legalComments: 42 })).body.errors).toEqual([
      { field: 'legalComments', message: 'type' },
    ]);

    // approving hides the comments: not required, and a value sent for them is not kept
    const done = await complete({ legalDecision: 'approve', legalComments: 'fine' });
    expect(done.status).toBe(200);
    const finished = await until(
      async () => (await seller.get(`/regulation-instances/${id}`)).body,
      (b) => b.status === 'completed',
    );
    expect(finished.variables).toMatchObject({ legalDecision: 'approve' });
    expect(finished.variables).not.toHaveProperty('legalComments');

    // the instance page's diagram and trail: who did what
    const diagram = (await seller.get(`/regulation-instances/${id}/diagram`)).body;
    expect(diagram.xml).toContain('contract_approval');
    expect(diagram.trail.map((e: { kind: string; nodeId: string | null }) => [e.kind, e.nodeId])).toEqual([
      ['started', null],
      ['taskOpened', 'review'],
      ['taskCompleted', 'review'],
      ['ended', null],
    ]);
  });

  it('checks patterns and numbers', async () => {
    const started = await seller.post('/regulations/contract_approval/instances', {
      variables: { contractTitle: 'Lease', counterparty: 'Northwind' },
    });
    const id = started.body.id as string;
    const review = (
      await until(
        async () => (await lawyer.get('/tasks')).body.items as { id: string; instanceId: string }[],
        (items) => items.some((t) => t.instanceId === id),
      )
    ).find((t) => t.instanceId === id)!;
    expect(
      (
        await lawyer.post(`/tasks/${review.id}/complete`, {
          variables: { legalDecision: 'changes', legalComments: 'Shorter term' },
        })
      ).status,
    ).toBe(200);
    // the revision goes back to sales, with a link the form's pattern checks
    const revise = (
      await until(
        async () => (await seller.get('/tasks')).body.items as { id: string; instanceId: string; nodeId: string }[],
        (items) => items.some((t) => t.instanceId === id),
      )
    ).find((t) => t.instanceId === id)!;
    expect(revise.nodeId).toBe('revise');
    const bad = await seller.post(`/tasks/${revise.id}/complete`, { variables: { revisedContract: 'a file' } });
    expect(bad.status).toBe(422);
    expect(bad.body.errors).toEqual([{ field: 'revisedContract', message: 'pattern' }]);
    const ok = await seller.post(`/tasks/${revise.id}/complete`, {
      variables: { revisedContract: 'https://files.example/lease-v2.pdf' },
    });
    expect(ok.status).toBe(200);
  });
});

describe('publishing a file with forms', () => {
  it('refuses a broken form, naming the user task that uses it', async () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:dealflow="https://dealflow.dev/schema/bpmn/1.0" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="x">
  <bpmn:process id="broken_form" name="Broken form" isExecutable="true">
    <bpmn:extensionElements>
      <zeebe:userTaskForm id="f1">{"components":[{"type":"number","key":"bad key"},{"type":"textfield","key":"x","conditional":{"hide":"=(a"}}]}</zeebe:userTaskForm>
    </bpmn:extensionElements>
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="s1" sourceRef="start" targetRef="fill" />
    <bpmn:userTask id="fill" name="Fill" dealflow:candidateGroups="Sales" dealflow:formKey="f1" />
    <bpmn:sequenceFlow id="s2" sourceRef="fill" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`;
    const r = await owner.post('/regulations', { xml });
    expect(r.status).toBe(422);
    expect(r.body.code).toBe('REGULATION_INVALID');
    expect(r.body.problems).toEqual([
      expect.objectContaining({ elementId: 'fill', code: 'BPMN_INVALID_FORM' }),
      expect.objectContaining({ elementId: 'fill', code: 'BPMN_INVALID_FORM' }),
    ]);
  });
});
