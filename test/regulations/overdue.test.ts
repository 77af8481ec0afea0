/**
 * A regulation task past its due time, on the real Temporal server: the run's workflow keeps the open task's due time
 * on a durable timer, tells it overdue once on the deal's timeline (kind regulation, step task_overdue), and the feed
 * posts it as a system post about the deal, linking to the instance and the task — read by whoever sees the deal.
 * A task done in time is never told overdue. The run's history (with the regulation-task-due patch marker and the
 * overdue firing) replays with the current code; `RECORD_HISTORIES=1` writes it to test/fixtures/histories, where
 * test/workflows/replay.test.ts and test/regulations/history.test.ts replay it from then on.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Worker } from '@temporalio/worker';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { fixtures, login, startHarness, type Harness, type Session } from '../support/harness.ts';
import { workflowBundle } from '../../runtime/worker.ts';
import { regulationWorkflowId } from '../../workflows/regulation-contract.ts';
import { until } from '../support/until.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
let overdueInstance: string | null = null;

let h: Harness;
let owner: Session;
let seller: Session;
let outsider: Session;
let clientId: string;
let pipelineId: string;

const NS = `xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:dealflow="https://dealflow.dev/schema/bpmn/1.0"`;
const flow = (key: string, due: string) => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions ${NS} id="d" targetNamespace="x">
  <bpmn:process id="${key}" name="Quick approval" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="approve" />
    <bpmn:userTask id="approve" name="Approve the discount" dealflow:assignee="=deal.ownerId" dealflow:formKey="approval" dealflow:due="${due}" />
    <bpmn:sequenceFlow id="f2" sourceRef="approve" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`;

interface Post {
  id: string;
  systemKind: string | null;
  record: { type: string; id: string; title: string } | null;
  data: Record<string, unknown>;
}
const systemPosts = async (s: Session, dealId: string) =>
  (await s.get(`/feed/posts?show=system&recordType=deal&recordId=${dealId}`)).body.items as Post[];

beforeAll(async () => {
  h = await startHarness();
  const f = fixtures(h);
  owner = await login(h, (await f.user('process_owner')).email);
  const sellerUser = await f.user('manager');
  seller = await login(h, sellerUser.email);
  outsider = await login(h, (await f.user('manager')).email);
  clientId = (await f.client(sellerUser.id)).id;
  pipelineId = (
    await f.pipeline([
      ['New', 'open', [], []],
      ['Won', 'won', [], []],
    ])
  ).id;
  const pub = await owner.post('/regulations', { xml: flow('quick_approval', 'PT2S') });
  expect(pub.status, JSON.stringify(pub.body)).toBe(201);
  expect((await owner.post('/regulations', { xml: flow('slow_approval', 'P1D') })).status).toBe(201);
  expect((await owner.post('/regulations', { xml: flow('late_wake', 'PT4S') })).status).toBe(201);
});
afterAll(() => h?.close());

async function startFor(key: string, title: string) {
  const deal = (await seller.post('/deals', { title, clientId, pipelineId })).body as { id: string };
  const started = await seller.post(`/regulations/${key}/instances`, { variables: {}, dealId: deal.id });
  expect(started.status).toBe(201);
  return { dealId: deal.id, instanceId: started.body.id as string };
}

describe('a regulation task overdue', () => {
  it("is told once on the deal's timeline and posted to the feed, linking to the instance and the task", async () => {
    const { dealId, instanceId } = await startFor('quick_approval', 'Late discount');
    overdueInstance = instanceId;
    const task = await until(
      async () =>
        ((await seller.get('/tasks')).body.items as { id: string; instanceId: string }[]).find(
          (t) => t.instanceId === instanceId,
        ),
      (t) => Boolean(t),
    );
    expect(task).toBeTruthy();

    const posts = await until(
      () => systemPosts(seller, dealId),
      (p) => p.some((x) => x.systemKind === 'task_overdue'),
    );
    const post = posts.find((x) => x.systemKind === 'task_overdue')!;
    expect(post.record).toMatchObject({ type: 'deal', id: dealId, title: 'Late discount' });
    expect(post.data).toMatchObject({
      instanceId,
      taskId: task!.id,
      regulation: 'Quick approval',
      task: 'Approve the discount',
    });
    expect(typeof post.data.dueAt).toBe('string');

    const history = (await seller.get(`/deals/${dealId}`)).body.history as {
      kind: string;
      data: { step: string; node?: string };
    }[];
    const overdue = history.filter((e) => e.kind === 'regulation' && e.data.step === 'task_overdue');
    expect(overdue.map((e) => e.data.node)).toEqual(['approve']);

    // someone who does not see the deal does not read the post
    expect((await outsider.get(`/feed/posts/${post.id}`)).status).toBe(404);

    // completing the task later tells nothing more
    expect((await seller.post(`/tasks/${task!.id}/complete`, { variables: {} })).status).toBe(200);
    await until(
      async () => (await seller.get(`/regulation-instances/${instanceId}`)).body.status,
      (s) => s === 'completed',
    );
    const again = (await seller.get(`/deals/${dealId}`)).body.history as { kind: string; data: { step: string } }[];
    expect(again.filter((e) => e.kind === 'regulation' && e.data.step === 'task_overdue')).toHaveLength(1);
    expect((await systemPosts(seller, dealId)).filter((x) => x.systemKind === 'task_overdue')).toHaveLength(1);
  });

  it('is told when the run the start handed over was lost: the waker starts it again from the row', async () => {
    const { dealId, instanceId } = await startFor('late_wake', 'Lost run');
    const sql = (q: string, params: unknown[] = []) => h.ctx.orm.em.fork().getConnection().execute(q, params);
    // as if the process died between the start's commit and handing the run to Temporal: no run, the mark left
    await h.ctx.temporal.workflow.getHandle(regulationWorkflowId(instanceId)).terminate('lost with its process');
    await sql(
      `update regulation_instances set wake_pending = true, started_at = started_at - interval '10 seconds' where id = ?`,
      [instanceId],
    );
    const posts = await until(
      () => systemPosts(seller, dealId),
      (p) => p.some((x) => x.systemKind === 'task_overdue'),
    );
    expect(posts.filter((x) => x.systemKind === 'task_overdue').map((x) => x.data.instanceId)).toEqual([instanceId]);
    expect(await sql('select wake_pending from regulation_instances where id = ?', [instanceId])).toEqual([
      { wake_pending: false },
    ]);
  });

  it('keeps a task done in time off the feed', async () => {
    const { dealId, instanceId } = await startFor('slow_approval', 'Timely discount');
    const task = await until(
      async () =>
        ((await seller.get('/tasks')).body.items as { id: string; instanceId: string }[]).find(
          (t) => t.instanceId === instanceId,
        ),
      (t) => Boolean(t),
    );
    expect((await seller.post(`/tasks/${task!.id}/complete`, { variables: {} })).status).toBe(200);
    await until(
      async () => (await seller.get(`/regulation-instances/${instanceId}`)).body.status,
      (s) => s === 'completed',
    );
    const history = (await seller.get(`/deals/${dealId}`)).body.history as { kind: string; data: { step: string } }[];
    expect(history.filter((e) => e.kind === 'regulation').map((e) => e.data.step)).toEqual(
      expect.not.arrayContaining(['task_overdue']),
    );
    expect((await systemPosts(seller, dealId)).filter((x) => x.systemKind === 'task_overdue')).toEqual([]);
  });
});

describe('determinism', () => {
  it('replays the history of the run that told its task overdue with the current workflow code', async () => {
    expect(overdueInstance).not.toBeNull();
    const handle = h.ctx.temporal.workflow.getHandle(regulationWorkflowId(overdueInstance!));
    type Marker = { markerName?: string; details?: Record<string, { payloads?: { data?: string }[] }> };
    const json = JSON.parse(historyToJSON(await handle.fetchHistory())) as {
      events: { eventType: string; markerRecordedEventAttributes?: Marker }[];
    };
    // the patch marker is in it: the run keeps its tasks' due times
    const patches = json.events
      .filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch')
      .map((e) =>
        Buffer.from(
          e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads?.[0]?.data ?? '',
          'base64',
        ).toString(),
      );
    expect(patches.join(' ')).toContain('regulation-task-due');
    const bundle = await workflowBundle(path.join(ROOT, '.data', 'cache'));
    await Worker.runReplayHistory({ workflowBundle: bundle }, historyFromJSON(json), 'regulation-task-overdue');
    if (process.env.RECORD_HISTORIES === '1') {
      const stamp = new Date().toISOString().slice(0, 10);
      const file = path.join(ROOT, 'test', 'fixtures', 'histories', `regulation-task-overdue-0-${stamp}.json`);
      fs.writeFileSync(file, JSON.stringify(json, null, 1));
    }
  }, 120_000);
});
