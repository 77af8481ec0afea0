import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fixtures, login, startHarness, type Harness } from '../support/harness.ts';
import { Deal } from '../../modules/deals/entities.ts';
import { dealStateOf } from '../../modules/deals/commands.ts';
import { dealState, dealWorkflowId } from '../../workflows/deal-contract.ts';

let h: Harness;
afterAll(() => h?.close());
beforeAll(async () => { h = await startHarness(); });

it('continues as new after its Update budget and keeps every change and the gate state across runs', async () => {
  const f = fixtures(h);
  const user = await f.user('manager');
  const client = await f.client(user.id);
  const kind = await f.documentKind();
  const p = await f.pipeline([['New', 'open', [], []], ['Proposal', 'open', [], [kind.id]]]);
  const session = await login(h, user.email);
  // a deal whose workflow is started with a small budget, as a long-lived deal would reach the real one
  const em = h.ctx.orm.em.fork();
  const row = em.create(Deal, {
    id: randomUUID(), title: 'Long-lived', clientId: client.id, ownerId: user.id, pipelineId: p.id, stageId: p.stages[0].id,
    custom: {},
  });
  await em.flush();
  const handle = await h.ctx.temporal.workflow.start('dealWorkflow', {
    workflowId: dealWorkflowId(row.id), taskQueue: h.taskQueue,
    args: [{ deal: await dealStateOf(em, row), created: true, updatesPerRun: 3 }],
  });
  const firstRun = handle.firstExecutionRunId;

  const form = new FormData();
  form.set('documentKindId', kind.id);
  form.set('file', new Blob(['proposal']), 'p.pdf');
  expect((await session.request('POST', `/deals/${row.id}/attachments`, form)).status).toBe(201);
  for (let i = 1; i <= 6; i++) {
    const r = await session.patch(`/deals/${row.id}`, { version: i + 1, changes: { title: `Edit ${i}` } });
    expect(r.status).toBe(200);
  }
  const move = await session.post(`/deals/${row.id}/stage`, { stageId: p.stages[1].id, version: 8 });
  expect(move.status).toBe(200);

  const latest = h.ctx.temporal.workflow.getHandle(dealWorkflowId(row.id));
  const description = await latest.describe();
  expect(description.runId).not.toBe(firstRun);
  expect(description.status.name).toBe('RUNNING');
  const state = await latest.query(dealState);
  expect(state.handledTotal).toBe(8);
  expect(state.deal).toMatchObject({ title: 'Edit 6', version: 9, stageId: p.stages[1].id, documentKinds: { [kind.id]: 1 } });
  const detail = await session.get(`/deals/${row.id}`);
  expect(detail.body).toMatchObject({ title: 'Edit 6', version: 9, stageId: p.stages[1].id });
  expect(detail.body.history.filter((e: { kind: string }) => e.kind === 'updated')).toHaveLength(6);
});

it('restarts a deal whose workflow is gone from its stored state, and the gate still holds', async () => {
  const f = fixtures(h);
  const user = await f.user('manager');
  const client = await f.client(user.id);
  const kind = await f.documentKind();
  const p = await f.pipeline([['New', 'open', [], []], ['Proposal', 'open', ['amount'], [kind.id]]]);
  const session = await login(h, user.email);
  const created = await session.post('/deals', { title: 'Orphan', clientId: client.id, pipelineId: p.id, amount: '5', currency: 'EUR' });
  await h.ctx.temporal.workflow.getHandle(dealWorkflowId(created.body.id)).terminate('lost Temporal state');
  const refused = await session.post(`/deals/${created.body.id}/stage`, { stageId: p.stages[1].id });
  expect(refused.status).toBe(422);
  expect(refused.body.missing.documentKinds.map((k: { id: string }) => k.id)).toEqual([kind.id]);
  expect(refused.body.missing.fields).toEqual([]);
  const form = new FormData();
  form.set('documentKindId', kind.id);
  form.set('file', new Blob(['proposal']), 'p.pdf');
  expect((await session.request('POST', `/deals/${created.body.id}/attachments`, form)).status).toBe(201);
  const moved = await session.post(`/deals/${created.body.id}/stage`, { stageId: p.stages[1].id });
  expect(moved.status).toBe(200);
  expect(moved.body.deal.version).toBe(3);
});
