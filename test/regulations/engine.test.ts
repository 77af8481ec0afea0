/**
 * A regulation run for a deal, on the real Temporal server: its inputs pre-filled from the deal, a task assigned by
 * FEEL to the deal's owner, every allow-listed service (an email, a deal field set through the deal's workflow, a
 * calendar event, a document asked for, a wait for the deal's stage), a receive task a department answers through
 * the task API, its outputs written back to the deal and its steps on the deal's timeline. Then call activities:
 * a called regulation (latest or pinned version) whose outputs come back, whose error the caller catches, and which
 * is cancelled when an interrupting timer ends the call. Then a long instance that continues as new and keeps its
 * values.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { fixtures, login, startHarness, type Harness, type Session } from '../support/harness.ts';
import { replayAll, type HistoryJson } from '../support/replay.ts';
import { workflowBundle } from '../../runtime/worker.ts';
import { regulationWorkflowId } from '../../workflows/regulation-contract.ts';
import { until } from '../support/until.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
/** instances whose histories are replayed at the end (and recorded as fixtures with RECORD_HISTORIES=1) */
const recorded: Record<string, string> = {};

let h: Harness;
let owner: Session;
let seller: Session;
let lawyer: Session;
let sellerId: string;
let pipeline: { id: string; stages: { id: string }[] };
let clientId: string;

const NS = `xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:dealflow="https://dealflow.dev/schema/bpmn/1.0"`;
const defs = (body: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions ${NS} id="d" targetNamespace="x">${body}</bpmn:definitions>`;
const param = (name: string, value: string) => `<dealflow:param name="${name}" value="${value}" />`;

type Task = { id: string; instanceId: string; nodeId: string; assignee: string | null };
const taskOf = async (s: Session, instanceId: string, nodeId: string) =>
  until(
    async () =>
      ((await s.get('/tasks')).body.items as Task[]).find((t) => t.instanceId === instanceId && t.nodeId === nodeId),
    (t) => Boolean(t),
  );
const instance = (s: Session, id: string) => s.get(`/regulation-instances/${id}`).then((r) => r.body);

beforeAll(async () => {
  h = await startHarness();
  const f = fixtures(h);
  const legal = await f.department('Legal');
  owner = await login(h, (await f.user('process_owner')).email);
  const sellerUser = await f.user('manager');
  sellerId = sellerUser.id;
  seller = await login(h, sellerUser.email);
  lawyer = await login(h, (await f.user('member', { departmentId: legal.id })).email);
  clientId = (await f.client(sellerUser.id)).id;
  pipeline = await f.pipeline([
    ['New', 'open', [], []],
    ['Signed', 'open', [], []],
    ['Lost', 'lost', [], []],
  ]);

  const dealFlow = defs(`
  <bpmn:process id="deal_flow" name="Price a deal" isExecutable="true">
    <bpmn:extensionElements>
      <dealflow:field name="title" type="text" direction="input" required="true" />
      <dealflow:field name="budget" type="number" direction="input" required="true" dealField="amount" />
      <dealflow:field name="price" type="number" direction="output" dealField="amount" />
    </bpmn:extensionElements>
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review" />
    <bpmn:userTask id="review" name="Price it" dealflow:assignee="=deal.ownerId" dealflow:formKey="price">
      <bpmn:extensionElements><dealflow:produces names="price" /></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="mail" />
    <bpmn:sendTask id="mail" name="Mail the price" dealflow:type="sendEmail">
      <bpmn:extensionElements>${param('to', '=deal.ownerId')}${param('subject', '=&quot;Price for &quot; + title')}${param('body', '=string(price)')}</bpmn:extensionElements>
    </bpmn:sendTask>
    <bpmn:sequenceFlow id="f3" sourceRef="mail" targetRef="close" />
    <bpmn:serviceTask id="close" name="Set the close date" dealflow:type="setDealField">
      <bpmn:extensionElements>${param('field', 'expectedCloseDate')}${param('value', '2027-03-31')}</bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f4" sourceRef="close" targetRef="meet" />
    <bpmn:serviceTask id="meet" name="Plan the kick-off" dealflow:type="createCalendarEvent">
      <bpmn:extensionElements>${param('title', '=&quot;Kick-off: &quot; + title')}${param('start', 'P1D')}</bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f5" sourceRef="meet" targetRef="ask" />
    <bpmn:serviceTask id="ask" name="Ask for the contract" dealflow:type="requestDocument">
      <bpmn:extensionElements>${param('documentKind', 'contract')}</bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f6" sourceRef="ask" targetRef="reply" />
    <bpmn:receiveTask id="reply" name="Legal's reply" dealflow:candidateGroups="Legal" />
    <bpmn:sequenceFlow id="f7" sourceRef="reply" targetRef="signed" />
    <bpmn:serviceTask id="signed" name="Wait until signed" dealflow:type="waitDealStage">
      <bpmn:extensionElements>${param('stageId', 'Signed')}${param('every', 'PT1S')}</bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f8" sourceRef="signed" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>`);
  expect((await owner.post('/regulations', { xml: dealFlow })).status).toBe(201);
});
afterAll(() => h?.close());

describe('a regulation run for a deal', () => {
  it('pre-fills its inputs, runs every service, waits for the stage and writes its outputs back', async () => {
    const deal = (
      await seller.post('/deals', {
        title: 'Turbines',
        clientId,
        pipelineId: pipeline.id,
        amount: '1000',
        currency: 'EUR',
      })
    ).body as { id: string };
    const started = await seller.post('/regulations/deal_flow/instances', { variables: {}, dealId: deal.id });
    expect(started.status).toBe(201);
    expect(started.body.variables).toMatchObject({ title: 'Turbines', budget: 1000, deal: { ownerId: sellerId } });
    const id = started.body.id as string;
    recorded['deal-services'] = id;

    // the assignee `=deal.ownerId` is evaluated when the task opens: the seller's own inbox has it
    const review = await taskOf(seller, id, 'review');
    expect(review?.assignee).toBe(sellerId);
    expect((await lawyer.get('/tasks')).body.items).toEqual([]);
    expect((await seller.post(`/tasks/${review!.id}/complete`, { variables: { price: 1500 } })).status).toBe(200);

    // the services ran; the receive task is the legal department's to answer
    const reply = await taskOf(lawyer, id, 'reply');
    expect(reply).toBeTruthy();
    expect((await seller.post(`/tasks/${reply!.id}/complete`, { variables: {} })).status).toBe(404);
    const notes = (await seller.get('/notifications')).body.items as { kind: string; data: Record<string, unknown> }[];
    expect(notes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: 'regulation_email',
          data: expect.objectContaining({ subject: 'Price for Turbines', body: '1500' }),
        }),
        expect.objectContaining({
          kind: 'regulation_document_requested',
          data: expect.objectContaining({ documentKind: 'contract', dealId: deal.id }),
        }),
      ]),
    );
    const events = await h.ctx.orm.em
      .fork()
      .getConnection()
      .execute<{ title: string }[]>(`select title from calendar_events where deal_id = ?`, [deal.id]);
    expect(events).toEqual([{ title: 'Kick-off: Turbines' }]);
    expect((await seller.get(`/deals/${deal.id}`)).body.expectedCloseDate).toBe('2027-03-31');

    expect((await lawyer.post(`/tasks/${reply!.id}/complete`, { variables: { approved: true } })).status).toBe(200);
    // waiting for the deal to be signed
    const waiting = await until(
      () => instance(seller, id),
      (b) => b.activeNodes.includes('signed'),
    );
    expect(waiting.status).toBe('running');
    expect((await seller.post(`/deals/${deal.id}/stage`, { stageId: pipeline.stages[1].id })).status).toBe(200);
    const done = await until(
      () => instance(seller, id),
      (b) => b.status === 'completed',
    );
    expect(done.variables).toMatchObject({ price: 1500, approved: true, dealStageId: pipeline.stages[1].id });

    // the output went back to the deal through its workflow; the steps are on its timeline
    const after = await until(
      async () => (await seller.get(`/deals/${deal.id}`)).body,
      (d) => d.amount === '1500' || d.amount === '1500.00',
    );
    expect(Number(after.amount)).toBe(1500);
    const steps = (after.history as { kind: string; data: { step: string; node?: string } }[])
      .filter((e) => e.kind === 'regulation')
      .map((e) => `${e.data.step}${e.data.node ? `:${e.data.node}` : ''}`);
    expect(steps).toEqual(
      expect.arrayContaining([
        'started',
        'task_opened:review',
        'task_completed:review',
        'task_opened:reply',
        'task_completed:reply',
        'finished',
      ]),
    );
  });

  it('parks a service whose parameter is missing as an incident, retried with the value set', async () => {
    const xml = defs(`
    <bpmn:process id="needs_stage" name="Needs a stage" isExecutable="true">
      <bpmn:startEvent id="start" />
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="field" />
      <bpmn:serviceTask id="field" dealflow:type="setDealField">
        <bpmn:extensionElements>${param('value', 'Renamed by the regulation')}</bpmn:extensionElements>
      </bpmn:serviceTask>
      <bpmn:sequenceFlow id="f2" sourceRef="field" targetRef="end" />
      <bpmn:endEvent id="end" />
    </bpmn:process>`);
    expect((await owner.post('/regulations', { xml })).status).toBe(201);
    const deal = (await seller.post('/deals', { title: 'Old name', clientId, pipelineId: pipeline.id })).body as {
      id: string;
    };
    const id = (await seller.post('/regulations/needs_stage/instances', { dealId: deal.id })).body.id as string;
    const parked = await until(
      () => instance(owner, id),
      (b) => b.incidents.length > 0,
    );
    expect(parked.incidents[0].message).toContain('"field"');
    const retried = await owner.post(`/regulation-instances/${id}/incidents/resolve`, {
      tokenId: parked.incidents[0].tokenId,
      action: 'retry',
      variables: { field: 'title' },
    });
    expect(retried.status).toBe(200);
    await until(
      () => instance(owner, id),
      (b) => b.status === 'completed',
    );
    expect((await seller.get(`/deals/${deal.id}`)).body.title).toBe('Renamed by the regulation');
  });

  it('parks outputs its deal refuses (an archived deal) as an incident the process owner retries', async () => {
    const xml = defs(`
    <bpmn:process id="quote" name="Quote" isExecutable="true">
      <bpmn:extensionElements>
        <dealflow:field name="price" type="number" direction="output" dealField="amount" />
      </bpmn:extensionElements>
      <bpmn:startEvent id="start" />
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="quote_it" />
      <bpmn:userTask id="quote_it" name="Quote it" dealflow:assignee="=deal.ownerId" dealflow:formKey="price">
        <bpmn:extensionElements><dealflow:produces names="price" /></bpmn:extensionElements>
      </bpmn:userTask>
      <bpmn:sequenceFlow id="f2" sourceRef="quote_it" targetRef="end" />
      <bpmn:endEvent id="end" />
    </bpmn:process>`);
    expect((await owner.post('/regulations', { xml })).status).toBe(201);
    const deal = (
      await seller.post('/deals', { title: 'Boilers', clientId, pipelineId: pipeline.id, amount: '1', currency: 'EUR' })
    ).body as {
      id: string;
      version: number;
    };
    const id = (await seller.post('/regulations/quote/instances', { dealId: deal.id })).body.id as string;
    const task = await taskOf(seller, id, 'quote_it');
    // the deal is archived while its regulation runs: read-only, it refuses the outputs when the regulation ends
    const archived = await seller.post(`/deals/${deal.id}/archive`, { version: deal.version });
    expect(archived.status).toBe(200);
    expect((await seller.post(`/tasks/${task!.id}/complete`, { variables: { price: 2500 } })).status).toBe(200);
    const parked = await until(
      () => instance(owner, id),
      (b) => b.incidents.length > 0,
    );
    expect(parked.status).toBe('completed');
    expect(parked.incidents).toEqual([
      expect.objectContaining({
        tokenId: 'write-back',
        node: 'end',
        message: expect.stringContaining('DEAL_ARCHIVED'),
      }),
    ]);
    const history = (await seller.get(`/deals/${deal.id}`)).body.history as {
      kind: string;
      data: { step: string };
    }[];
    expect(history.some((e) => e.kind === 'regulation' && e.data.step === 'incident')).toBe(true);

    // restored, the deal takes them when the process owner retries
    const current = (await seller.get(`/deals/${deal.id}`)).body as { version: number };
    expect((await seller.post(`/deals/${deal.id}/restore`, { version: current.version })).status).toBe(200);
    const retried = await owner.post(`/regulation-instances/${id}/incidents/resolve`, {
      tokenId: 'write-back',
      action: 'retry',
    });
    expect(retried.status).toBe(200);
    const after = await until(
      async () => (await seller.get(`/deals/${deal.id}`)).body,
      (d) => Number(d.amount) === 2500,
    );
    expect(Number(after.amount)).toBe(2500);
    expect((await instance(owner, id)).incidents).toEqual([]);
  });

  it('lets the process owner skip outputs the deal refuses', async () => {
    const deal = (
      await seller.post('/deals', { title: 'Pumps', clientId, pipelineId: pipeline.id, amount: '1', currency: 'EUR' })
    ).body as {
      id: string;
      version: number;
    };
    const id = (await seller.post('/regulations/quote/instances', { dealId: deal.id })).body.id as string;
    const task = await taskOf(seller, id, 'quote_it');
    expect((await seller.post(`/deals/${deal.id}/archive`, { version: deal.version })).status).toBe(200);
    expect((await seller.post(`/tasks/${task!.id}/complete`, { variables: { price: 10 } })).status).toBe(200);
    await until(
      () => instance(owner, id),
      (b) => b.incidents.length > 0,
    );
    const skipped = await owner.post(`/regulation-instances/${id}/incidents/resolve`, {
      tokenId: 'write-back',
      action: 'skip',
    });
    expect(skipped.status).toBe(200);
    expect(skipped.body.incidents).toEqual([]);
    expect(skipped.body.status).toBe('completed');
    expect(Number((await seller.get(`/deals/${deal.id}`)).body.amount)).toBe(1);
  });
});

describe('call activities', () => {
  const child = (version: string) =>
    defs(`
    <bpmn:error id="Refused" errorCode="REFUSED" />
    <bpmn:process id="legal_check" name="Legal check" isExecutable="true">
      <bpmn:extensionElements>
        <dealflow:field name="contract" type="text" direction="input" required="true" />
        <dealflow:field name="verdict" type="text" direction="output" />
      </bpmn:extensionElements>
      <bpmn:startEvent id="start" />
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="check" />
      <bpmn:userTask id="check" name="Check ${version}" dealflow:candidateGroups="Legal" dealflow:formKey="check">
        <bpmn:extensionElements><dealflow:produces names="verdict" /></bpmn:extensionElements>
      </bpmn:userTask>
      <bpmn:sequenceFlow id="f2" sourceRef="check" targetRef="ok" />
      <bpmn:exclusiveGateway id="ok" default="fyes" />
      <bpmn:sequenceFlow id="fyes" sourceRef="ok" targetRef="end" />
      <bpmn:sequenceFlow id="fno" sourceRef="ok" targetRef="refused"><bpmn:conditionExpression>=verdict = "no"</bpmn:conditionExpression></bpmn:sequenceFlow>
      <bpmn:endEvent id="end" />
      <bpmn:endEvent id="refused"><bpmn:errorEventDefinition errorRef="Refused" /></bpmn:endEvent>
    </bpmn:process>`);
  const parent = (id: string, version: string, timer = 'PT1H') =>
    defs(`
    <bpmn:process id="${id}" name="Sell with a legal check" isExecutable="true">
      <bpmn:extensionElements>
        <dealflow:field name="doc" type="text" direction="input" required="true" />
        <dealflow:field name="verdict" type="text" direction="output" />
      </bpmn:extensionElements>
      <bpmn:startEvent id="start" />
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="call" />
      <bpmn:callActivity id="call" calledElement="legal_check" dealflow:version="${version}">
        <bpmn:extensionElements>${param('contract', '=doc')}<dealflow:produces names="verdict" /></bpmn:extensionElements>
      </bpmn:callActivity>
      <bpmn:boundaryEvent id="caught" attachedToRef="call"><bpmn:errorEventDefinition /></bpmn:boundaryEvent>
      <bpmn:sequenceFlow id="fc" sourceRef="caught" targetRef="refusedEnd" />
      <bpmn:endEvent id="refusedEnd" />
      <bpmn:boundaryEvent id="late" attachedToRef="call"><bpmn:timerEventDefinition><bpmn:timeDuration>${timer}</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
      <bpmn:sequenceFlow id="fl" sourceRef="late" targetRef="lateEnd" />
      <bpmn:endEvent id="lateEnd" />
      <bpmn:sequenceFlow id="f2" sourceRef="call" targetRef="end" />
      <bpmn:endEvent id="end" />
    </bpmn:process>`);

  beforeAll(async () => {
    expect((await owner.post('/regulations', { xml: child('v1') })).status).toBe(201);
    expect((await owner.post('/regulations', { xml: child('v2') })).status).toBe(201);
    expect((await owner.post('/regulations', { xml: parent('sell_latest', 'latest') })).status).toBe(201);
    expect((await owner.post('/regulations', { xml: parent('sell_pinned', '1') })).status).toBe(201);
    expect((await owner.post('/regulations', { xml: parent('sell_hurried', 'latest', 'PT2S') })).status).toBe(201);
  });

  it('runs the latest version as its own instance and maps its outputs back', async () => {
    const p = (await seller.post('/regulations/sell_latest/instances', { variables: { doc: 'x' } })).body.id as string;
    // the called instance's inputs come from the caller's values by FEEL (doc → contract)
    recorded['call-parent'] = p;
    const parentRow = await instance(owner, p);
    expect(parentRow.status).toBe('running');
    const t = await until(
      async () =>
        ((await lawyer.get('/tasks')).body.items as (Task & { name: string })[]).find((x) => x.name === 'Check v2'),
      (x) => Boolean(x),
    );
    expect(t).toBeTruthy();
    recorded['call-child'] = t!.instanceId;
    expect((await lawyer.post(`/tasks/${t!.id}/complete`, { variables: { verdict: 'yes' } })).status).toBe(200);
    const done = await until(
      () => instance(seller, p),
      (b) => b.status === 'completed',
    );
    expect(done.variables).toMatchObject({ doc: 'x', verdict: 'yes' });
    expect(done.completedNodes).toEqual(expect.arrayContaining(['call', 'end']));
  });

  it('runs a pinned version; the error it ends with is caught by the call’s error boundary', async () => {
    const p = (await seller.post('/regulations/sell_pinned/instances', { variables: { doc: 'y' } })).body.id as string;
    const t = await until(
      async () =>
        ((await lawyer.get('/tasks')).body.items as (Task & { name: string })[]).find((x) => x.name === 'Check v1'),
      (x) => Boolean(x),
    );
    expect((await lawyer.post(`/tasks/${t!.id}/complete`, { variables: { verdict: 'no' } })).status).toBe(200);
    const done = await until(
      () => instance(seller, p),
      (b) => b.status === 'completed',
    );
    expect(done.completedNodes).toEqual(expect.arrayContaining(['caught', 'refusedEnd']));
    expect(done.completedNodes).not.toContain('end');
    expect(await instance(owner, t!.instanceId)).toMatchObject({ status: 'failed', error: 'REFUSED' });
  });

  it('cancels the called instance when an interrupting timer ends the call', async () => {
    const p = (await seller.post('/regulations/sell_hurried/instances', { variables: { doc: 'z' } })).body.id as string;
    const done = await until(
      () => instance(seller, p),
      (b) => b.status === 'completed',
    );
    expect(done.completedNodes).toEqual(expect.arrayContaining(['late', 'lateEnd']));
    const [row] = await h.ctx.orm.em
      .fork()
      .getConnection()
      .execute<{ id: string }[]>(`select id from regulation_instances where variables->>'contract' = 'z'`);
    recorded['call-cancelled-parent'] = p;
    recorded['call-cancelled-child'] = row.id;
    const called = await until(
      () => instance(owner, row.id),
      (b) => b.status !== 'running',
    );
    expect(called.status).toBe('terminated');
    // its task left the inbox
    expect(((await lawyer.get('/tasks')).body.items as Task[]).filter((x) => x.instanceId === row.id)).toEqual([]);
  });
});

describe('determinism', () => {
  it('replays the histories this run recorded (every run of each instance) with the current workflow code', async () => {
    const bundle = await workflowBundle(path.join(ROOT, '.data', 'cache'));
    const stamp = new Date().toISOString().slice(0, 10);
    const histories: [string, HistoryJson][] = [];
    for (const [name, id] of Object.entries(recorded)) {
      const runs: { runId: string; start: number }[] = [];
      for await (const w of h.ctx.temporal.workflow.list({ query: `WorkflowId = '${regulationWorkflowId(id)}'` })) {
        runs.push({ runId: w.runId, start: w.startTime.getTime() });
      }
      expect(runs.length, name).toBeGreaterThan(0);
      runs.sort((a, b) => a.start - b.start);
      for (const [i, { runId }] of runs.entries()) {
        const json = JSON.parse(
          historyToJSON(await h.ctx.temporal.workflow.getHandle(regulationWorkflowId(id), runId).fetchHistory()),
        ) as HistoryJson;
        histories.push([`${name} run ${i}`, json]);
        if (process.env.RECORD_HISTORIES === '1') {
          const file = path.join(ROOT, 'test', 'fixtures', 'histories', `regulation-${name}-${i}-${stamp}.json`);
          fs.writeFileSync(file, JSON.stringify(json, null, 1));
        }
      }
    }
    expect(Object.keys(recorded)).toHaveLength(5);
    expect(await replayAll(bundle, histories)).toEqual([]);
  }, 300_000);
});
