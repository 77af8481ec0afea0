/**
 * The worker keeps at most DEALFLOW_WORKFLOW_CACHE deal workflows in memory; a deal whose workflow was evicted is
 * changed as usual (its workflow is rebuilt from its history).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fixtures, login, startHarness, type Harness, type Session } from '../support/harness.ts';

let h: Harness;
let s: Session;
let client: string;
let pipeline: { id: string; stages: { id: string }[] };

beforeAll(async () => {
  h = await startHarness({ config: { DEALFLOW_WORKFLOW_CACHE: '3' } });
  const f = fixtures(h);
  const user = await f.user('manager');
  client = (await f.client(user.id)).id;
  pipeline = await f.pipeline([
    ['New', 'open', [], []],
    ['Next', 'open', [], []],
  ]);
  s = await login(h, user.email);
});
afterAll(() => h?.close());

it('keeps at most the configured number of workflows cached, and changes an evicted deal as usual', async () => {
  const ids: string[] = [];
  for (let i = 0; i < 8; i++) {
    const r = await s.post('/deals', { title: `Cached ${i}`, clientId: client, pipelineId: pipeline.id });
    expect(r.status).toBe(201);
    ids.push((r.body as { id: string }).id);
    expect(h.worker.worker.getStatus().numCachedWorkflows).toBeLessThanOrEqual(3);
  }
  // the first deals' workflows were evicted long ago
  for (const id of ids.slice(0, 3)) {
    const moved = await s.post(`/deals/${id}/stage`, { stageId: pipeline.stages[1].id });
    expect(moved.status).toBe(200);
    expect((moved.body as { deal: unknown }).deal).toMatchObject({ id, stageId: pipeline.stages[1].id, version: 2 });
    const edited = await s.patch(`/deals/${id}`, { version: 2, changes: { title: 'Rebuilt' } });
    expect(edited.status).toBe(200);
    expect((edited.body as { deal: unknown }).deal).toMatchObject({ title: 'Rebuilt', version: 3 });
  }
  expect(h.worker.worker.getStatus().numCachedWorkflows).toBeLessThanOrEqual(3);
});
