import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fixtures, startHarness, type Harness } from '../support/harness.ts';
import { createActivities } from '../../activities/index.ts';
import { Deal, DealEvent } from '../../modules/deals/entities.ts';
import type { DealState } from '../../modules/deals/gate.ts';

let h: Harness;
let acts: ReturnType<typeof createActivities>;
let state: DealState;
let stages: { id: string }[];

beforeAll(async () => {
  h = await startHarness();
  acts = createActivities({ orm: h.ctx.orm });
  const f = fixtures(h);
  const user = await f.user('manager');
  const client = await f.client(user.id);
  const p = await f.pipeline([['New', 'open', [], []], ['Won', 'won', [], []]]);
  stages = p.stages;
  state = {
    id: randomUUID(), title: 'Direct', clientId: client.id, contactId: null, ownerId: user.id, pipelineId: p.id,
    stageId: p.stages[0].id, amount: null, currency: null, expectedCloseDate: null, custom: {}, lostReason: null,
    documentKinds: {}, version: 1,
  };
});
afterAll(() => h?.close());

const count = (where: object) => h.ctx.orm.em.fork().count(DealEvent, where);

it('writes a retried create and a retried change once each', async () => {
  const createOp = randomUUID();
  await acts.persistDealCreated({ opId: createOp, actorId: null, deal: state });
  await acts.persistDealCreated({ opId: createOp, actorId: null, deal: state });
  expect(await count({ dealId: state.id })).toBe(1);

  const move = {
    opId: randomUUID(), actorId: null, dealId: state.id, fromVersion: 1, kind: 'stage_changed' as const,
    stage: { from: stages[0].id, to: stages[1].id, kind: 'won' as const, lostReason: null }, data: {},
  };
  expect(await acts.persistDealChange(move)).toEqual({ version: 2 });
  expect(await acts.persistDealChange(move)).toEqual({ version: 2 }); // the retry finds its own write
  const row = await h.ctx.orm.em.fork().findOneOrFail(Deal, { id: state.id });
  expect(row).toMatchObject({ version: 2, stageId: stages[1].id });
  expect(row.closedAt).toBeInstanceOf(Date);
  expect(await count({ dealId: state.id, kind: 'stage_changed' })).toBe(1);
});

it('refuses a change written against a version the row has left, and writes nothing', async () => {
  const stale = { opId: randomUUID(), actorId: null, dealId: state.id, fromVersion: 1, kind: 'updated' as const, changes: { title: 'Lost update' }, data: {} };
  await expect(acts.persistDealChange(stale)).rejects.toMatchObject({ type: 'VERSION_CONFLICT', nonRetryable: true });
  const row = await h.ctx.orm.em.fork().findOneOrFail(Deal, { id: state.id });
  expect(row.title).toBe('Direct');
  expect(await count({ opId: stale.opId })).toBe(0);
});
