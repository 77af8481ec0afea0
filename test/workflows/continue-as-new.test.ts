import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fixtures, login, startHarness, type Harness } from '../support/harness.ts';
import { Deal } from '../../modules/deals/entities.ts';
import { dealStateOf } from '../../modules/deals/state.ts';
import { dealState, dealWorkflowId } from '../../workflows/deal-contract.ts';

let h: Harness;
afterAll(() => h?.close());
beforeAll(async () => {
  h = await startHarness();
});

it('continues as new after its Update budget and keeps every change and the gate state across runs', async () => {
  const f = fixtures(h);
  const user = await f.user('manager');
  const client = await f.client(user.id);
  const kind = await f.documentKind();
  const p = await f.pipeline([
    ['New', 'open', [], []],
    ['Proposal', 'open', [], [kind.id]],
  ]);
  const session = await login(h, user.email);
  // a deal whose workflow is started with a small budget, as a long-lived deal would reach the real one
  const em = h.ctx.orm.em.fork();
  const row = em.create(Deal, {
    id: randomUUID(),
    title: 'Long-lived',
    clientId: client.id,
    ownerId: user.id,
    pipelineId: p.id,
    stageId: p.stages[0].id,
    custom: {},
  });
  await em.flush();
  const handle = await h.ctx.temporal.workflow.start('dealWorkflow', {
    workflowId: dealWorkflowId(row.id),
    taskQueue: h.taskQueue,
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
  expect(state.deal).toMatchObject({
    title: 'Edit 6',
    version: 9,
    stageId: p.stages[1].id,
    documentKinds: { [kind.id]: 1 },
  });
  const detail = await session.get(`/deals/${row.id}`);
  expect(detail.body).toMatchObject({ title: 'Edit 6', version: 9, stageId: p.stages[1].id });
  expect(detail.body.history.filter((e: { kind: string }) => e.kind === 'updated')).toHaveLength(6);
});

it('restarts a deal whose workflow is gone from its stored state, and the gate still holds', async () => {
  const f = fixtures(h);
  const user = await f.user('manager');
  const client = await f.client(user.id);
  const kind = await f.documentKind();
  const p = await f.pipeline([
    ['New', 'open', [], []],
    ['Proposal', 'open', ['amount'], [kind.id]],
  ]);
  const session = await login(h, user.email);
  const created = await session.post('/deals', {
    title: 'Orphan',
    clientId: client.id,
    pipelineId: p.id,
    amount: '5',
    currency: 'EUR',
  });
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

it('resyncs a workflow restarted from an old snapshot from Postgres before it takes the next command', async () => {
  const f = fixtures(h);
  const user = await f.user('manager');
  const client = await f.client(user.id);
  const p = await f.pipeline([
    ['New', 'open', [], []],
    ['Next', 'open', [], []],
  ]);
  const session = await login(h, user.email);
  const created = (await session.post('/deals', { title: 'Stale', clientId: client.id, pipelineId: p.id })).body;
  const stale = await dealStateOf(
    h.ctx.orm.em.fork(),
    await h.ctx.orm.em.fork().findOneOrFail(Deal, { id: created.id }),
  );
  expect((await session.post(`/deals/${created.id}/stage`, { stageId: p.stages[1].id })).status).toBe(200);
  const handle = h.ctx.temporal.workflow.getHandle(dealWorkflowId(created.id));
  await handle.terminate('simulated loss');
  await h.ctx.temporal.workflow.start('dealWorkflow', {
    workflowId: dealWorkflowId(created.id),
    taskQueue: h.taskQueue,
    args: [{ deal: stale, created: true }],
  });
  const edit = await session.patch(`/deals/${created.id}`, { changes: { title: 'After restart' } });
  expect(edit.status).toBe(200);
  expect(edit.body.deal).toMatchObject({ title: 'After restart', version: 3, stageId: p.stages[1].id });
  const state = await h.ctx.temporal.workflow.getHandle(dealWorkflowId(created.id)).query(dealState);
  expect(state.deal).toMatchObject({ title: 'After restart', version: 3, stageId: p.stages[1].id });
});

it('follows Postgres when the row went back behind the workflow (a restored backup)', async () => {
  const f = fixtures(h);
  const user = await f.user('manager');
  const client = await f.client(user.id);
  const p = await f.pipeline([
    ['New', 'open', [], []],
    ['Next', 'open', [], []],
  ]);
  const session = await login(h, user.email);
  const created = (await session.post('/deals', { title: 'Ahead', clientId: client.id, pipelineId: p.id })).body;
  expect((await session.post(`/deals/${created.id}/stage`, { stageId: p.stages[1].id })).status).toBe(200);
  // the row goes back behind the workflow (a database restored from a backup taken before the move)
  await h.ctx.orm.em
    .getConnection()
    .execute('update deals set version = 1, stage_id = ?, title = ? where id = ?', [
      p.stages[0].id,
      'Restored',
      created.id,
    ]);
  const again = await session.post(`/deals/${created.id}/stage`, { stageId: p.stages[1].id });
  expect(again.status).toBe(200);
  expect(again.body.deal).toMatchObject({ version: 2, title: 'Restored', stageId: p.stages[1].id });
  const state = await h.ctx.temporal.workflow.getHandle(dealWorkflowId(created.id)).query(dealState);
  expect(state.deal).toMatchObject({ version: 2, title: 'Restored', stageId: p.stages[1].id });
});

it('returns the stored deal to a retried create after its workflow is gone, never the retry body', async () => {
  const f = fixtures(h);
  const user = await f.user('manager');
  const client = await f.client(user.id);
  const p = await f.pipeline([['New', 'open', [], []]]);
  const session = await login(h, user.email);
  const key = { 'idempotency-key': 'create-once' };
  const first = await session.request('POST', '/deals', { title: 'Once', clientId: client.id, pipelineId: p.id }, key);
  await h.ctx.temporal.workflow.getHandle(dealWorkflowId(first.body.id)).terminate('simulated loss');
  const retry = await session.request(
    'POST',
    '/deals',
    { title: 'Once', clientId: client.id, pipelineId: p.id, amount: '999', currency: 'EUR' },
    key,
  );
  expect(retry.status).toBe(201);
  expect(retry.body).toMatchObject({ id: first.body.id, amount: null, version: 1 });
  const edit = await session.patch(`/deals/${first.body.id}`, { changes: { title: 'Edited' } });
  expect(edit.body.deal).toMatchObject({ amount: null, title: 'Edited', version: 2 });
});

it('ends a workflow whose create never came, and refuses a create that misses the first stage before starting one', async () => {
  const f = fixtures(h);
  const user = await f.user('manager');
  const client = await f.client(user.id);
  const p = await f.pipeline([['Qualified only', 'open', ['amount'], []]]);
  const session = await login(h, user.email);
  const refused = await session.post('/deals', { title: 'No amount', clientId: client.id, pipelineId: p.id });
  expect(refused.status).toBe(422);
  expect(refused.body.code).toBe('STAGE_REQUIREMENTS_UNMET');
  const running = h.ctx.temporal.workflow.list({
    query: `WorkflowType = 'dealWorkflow' AND TaskQueue = '${h.taskQueue}' AND ExecutionStatus = 'Running'`,
  });
  const ids: string[] = [];
  for await (const w of running) ids.push(w.workflowId);
  const em = h.ctx.orm.em.fork();
  for (const id of ids) expect(await em.count(Deal, { id: id.replace(/^deal-/, '') })).toBe(1);

  const orphanId = randomUUID();
  const orphan = await h.ctx.temporal.workflow.start('dealWorkflow', {
    workflowId: dealWorkflowId(orphanId),
    taskQueue: h.taskQueue,
    args: [
      {
        deal: {
          id: orphanId,
          title: 'Never',
          clientId: client.id,
          contactId: null,
          ownerId: user.id,
          pipelineId: p.id,
          stageId: p.stages[0].id,
          amount: null,
          currency: null,
          expectedCloseDate: null,
          custom: {},
          lostReason: null,
          documentKinds: {},
          version: 1,
        },
        created: false,
        createWindow: '1 second',
      },
    ],
  });
  await orphan.result();
  expect((await orphan.describe()).status.name).toBe('COMPLETED');
});
