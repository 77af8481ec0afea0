/**
 * A regulation instance's history stays bounded: a long instance (a task done again and again) continues as new
 * after its budget of Updates and keeps its values, tokens and completed steps. Its histories — every run of the
 * chain, and a run with a service and a timer — replay with the current workflow code, as do the regulation
 * histories committed in test/fixtures/histories (recorded by earlier code; `RECORD_HISTORIES=1` writes this run's).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Worker } from '@temporalio/worker';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { fixtures, login, startHarness, type Harness, type Session } from '../support/harness.ts';
import { workflowBundle } from '../../runtime/worker.ts';
import { regulationWorkflowId, type RegulationWorkflowInput } from '../../workflows/regulation-contract.ts';
import type { RegulationState } from '../../modules/regulations/instance.ts';
import { until } from '../support/until.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const HISTORIES = path.join(ROOT, 'test', 'fixtures', 'histories');
type HistoryJson = { events: { eventType: string }[] };

let h: Harness;
let owner: Session;
let worker: Session;
const recorded: Record<string, string> = {};

const NS = `xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:dealflow="https://dealflow.dev/schema/bpmn/1.0"`;
const defs = (body: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions ${NS} id="d" targetNamespace="x">${body}</bpmn:definitions>`;

const openTask = (instanceId: string) =>
  until(
    async () =>
      ((await worker.get('/tasks')).body.items as { id: string; instanceId: string }[]).find(
        (t) => t.instanceId === instanceId,
      ),
    (t) => Boolean(t),
  );

beforeAll(async () => {
  h = await startHarness();
  const f = fixtures(h);
  const team = await f.department('Support');
  owner = await login(h, (await f.user('process_owner')).email);
  worker = await login(h, (await f.user('member', { departmentId: team.id })).email);
  // the rounds run inside a sub-process with an hour's deadline: a timer is always pending, so the workflow stays
  // running between tasks (without one, a run ends when it waits for a person and the next command starts a new one)
  const loop = defs(`
  <bpmn:process id="rounds" name="Rounds" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="work" />
    <bpmn:subProcess id="work">
      <bpmn:startEvent id="s_start" />
      <bpmn:sequenceFlow id="f1" sourceRef="s_start" targetRef="round" />
      <bpmn:userTask id="round" name="One more round" dealflow:candidateGroups="Support" dealflow:formKey="round" />
      <bpmn:sequenceFlow id="f2" sourceRef="round" targetRef="enough" />
      <bpmn:exclusiveGateway id="enough" default="again" />
      <bpmn:sequenceFlow id="again" sourceRef="enough" targetRef="round" />
      <bpmn:sequenceFlow id="stop" sourceRef="enough" targetRef="s_end"><bpmn:conditionExpression>=rounds &gt;= 6</bpmn:conditionExpression></bpmn:sequenceFlow>
      <bpmn:endEvent id="s_end" />
    </bpmn:subProcess>
    <bpmn:boundaryEvent id="deadline" attachedToRef="work"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="fd" sourceRef="deadline" targetRef="late" />
    <bpmn:endEvent id="late" />
    <bpmn:sequenceFlow id="f9" sourceRef="work" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>`);
  const timed = defs(`
  <bpmn:process id="timed" name="Timed" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="tell" />
    <bpmn:sendTask id="tell" name="Tell the starter" />
    <bpmn:sequenceFlow id="f2" sourceRef="tell" targetRef="pause" />
    <bpmn:intermediateCatchEvent id="pause"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1S</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="pause" targetRef="check" />
    <bpmn:userTask id="check" name="Check" dealflow:candidateGroups="Support" dealflow:formKey="check" />
    <bpmn:boundaryEvent id="nudge" attachedToRef="check" cancelActivity="false"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1S</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f4" sourceRef="nudge" targetRef="nudged" />
    <bpmn:endEvent id="nudged" />
    <bpmn:sequenceFlow id="f5" sourceRef="check" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>`);
  expect((await owner.post('/regulations', { xml: loop })).status).toBe(201);
  expect((await owner.post('/regulations', { xml: timed })).status).toBe(201);
});
afterAll(() => h?.close());

describe('a long regulation instance', () => {
  it('continues as new after its budget of Updates and keeps its state', async () => {
    const id = (await owner.post('/regulations/rounds/instances', { variables: { topic: 'kept' } })).body.id as string;
    recorded['continued'] = id;
    // its workflow again, from the row, with a budget of two Updates a run (500 in production)
    const handle = h.ctx.temporal.workflow.getHandle(regulationWorkflowId(id));
    await handle.terminate('a small budget for the test');
    const [row] = await h.ctx.orm.em
      .fork()
      .getConnection()
      .execute<{ state: RegulationState; version: number }[]>(
        `select state, version from regulation_instances where id = ?`,
        [id],
      );
    const input: RegulationWorkflowInput = {
      instance: { ...row.state, version: row.version },
      created: true,
      updatesPerRun: 2,
    };
    await h.ctx.temporal.workflow.start('regulationWorkflow', {
      workflowId: regulationWorkflowId(id),
      taskQueue: h.taskQueue,
      args: [input],
    });
    for (let round = 1; round <= 6; round++) {
      const task = await openTask(id);
      expect((await worker.post(`/tasks/${task!.id}/complete`, { variables: { rounds: round } })).status).toBe(200);
    }
    const done = await until(
      async () => (await owner.get(`/regulation-instances/${id}`)).body,
      (b) => b.status === 'completed',
    );
    expect(done).toMatchObject({ status: 'completed', variables: { topic: 'kept', rounds: 6 } });
    expect(done.completedNodes).toEqual(expect.arrayContaining(['start', 'round', 'enough', 's_end', 'work', 'end']));
    expect(done.completedNodes).not.toContain('late');
    const runs = await runsOf(id);
    // six completions at two a run: the chain continued as new at least twice
    expect(runs.length).toBeGreaterThanOrEqual(3);
    const types = runs.flatMap((r) => r.events.map((e) => e.eventType));
    expect(types.filter((t) => t === 'EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW').length).toBeGreaterThanOrEqual(
      2,
    );
  });

  it('runs a service and timers, and replays every history with the current code', async () => {
    const id = (await owner.post('/regulations/timed/instances', { variables: {} })).body.id as string;
    recorded['service-timers'] = id;
    const task = await openTask(id);
    // the non-interrupting nudge fires while the task waits
    await until(
      async () => (await owner.get(`/regulation-instances/${id}`)).body,
      (b) => b.completedNodes.includes('nudged'),
    );
    expect((await worker.post(`/tasks/${task!.id}/complete`, { variables: {} })).status).toBe(200);
    await until(
      async () => (await owner.get(`/regulation-instances/${id}`)).body,
      (b) => b.status === 'completed',
    );

    const bundle = await workflowBundle(path.join(ROOT, '.data', 'cache'));
    const stamp = new Date().toISOString().slice(0, 10);
    const failed: string[] = [];
    for (const [name, instanceId] of Object.entries(recorded)) {
      const runs = await runsOf(instanceId);
      for (const [i, json] of runs.entries()) {
        await Worker.runReplayHistory(
          { workflowBundle: bundle },
          historyFromJSON(json),
          `regulation-${name}-${i}`,
        ).catch((e: Error) => failed.push(`${name} run ${i}: ${e.message}`));
        if (process.env.RECORD_HISTORIES === '1') {
          fs.writeFileSync(
            path.join(HISTORIES, `regulation-${name}-${i}-${stamp}.json`),
            JSON.stringify(json, null, 1),
          );
        }
      }
    }
    const committed = fs.readdirSync(HISTORIES).filter((f) => f.startsWith('regulation-') && f.endsWith('.json'));
    expect(committed.length).toBeGreaterThan(0);
    for (const f of committed) {
      const json = JSON.parse(fs.readFileSync(path.join(HISTORIES, f), 'utf8')) as HistoryJson;
      await Worker.runReplayHistory({ workflowBundle: bundle }, historyFromJSON(json), `committed-${f}`).catch(
        (e: Error) => failed.push(`${f}: ${e.message}`),
      );
    }
    expect(failed).toEqual([]);
    // replaying a score of histories on a shared machine takes a while
  }, 300_000);
});

/** Every run of an ended instance's workflow, oldest first (a chain continued as new; runs started again from the row). */
async function runsOf(instanceId: string): Promise<HistoryJson[]> {
  // the chain's end first: a run just continued as new has no workflow task yet, and its replay would wait for one
  await h.ctx.temporal.workflow.getHandle(regulationWorkflowId(instanceId)).result();
  const runs: { runId: string; start: number }[] = [];
  for await (const w of h.ctx.temporal.workflow.list({ query: `WorkflowId = '${regulationWorkflowId(instanceId)}'` })) {
    runs.push({ runId: w.runId, start: w.startTime.getTime() });
  }
  runs.sort((a, b) => a.start - b.start);
  return Promise.all(
    runs.map(async ({ runId }) => {
      const history = await h.ctx.temporal.workflow.getHandle(regulationWorkflowId(instanceId), runId).fetchHistory();
      return JSON.parse(historyToJSON(history)) as HistoryJson;
    }),
  );
}
