import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fixtures, startHarness, type Harness } from '../support/harness.ts';
import { createActivities } from '../../activities/index.ts';
import { Deal } from '../../modules/deals/entities.ts';
import { RecordEvent } from '../../modules/timeline/entities.ts';
import { gateFingerprint, type DealState } from '../../modules/deals/gate.ts';

let h: Harness;
let acts: ReturnType<typeof createActivities>;
let state: DealState;
let stages: { id: string }[];

beforeAll(async () => {
  h = await startHarness();
  acts = createActivities({ orm: h.ctx.orm, storage: h.ctx.storage });
  const f = fixtures(h);
  const user = await f.user('manager');
  const client = await f.client(user.id);
  const p = await f.pipeline([
    ['New', 'open', [], []],
    ['Won', 'won', [], []],
  ]);
  stages = p.stages;
  state = {
    id: randomUUID(),
    title: 'Direct',
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
  };
});
afterAll(() => h?.close());

const count = ({ dealId, ...where }: { dealId?: string; opId?: string; kind?: string }) =>
  h.ctx.orm.em.fork().count(RecordEvent, { recordType: 'deal', ...(dealId ? { recordId: dealId } : {}), ...where });
const claims = async (opId: string) =>
  (await h.ctx.orm.em.fork().getConnection().execute('select 1 from command_ops where op_id = ?', [opId])).length;
const fp = (kind: string) => gateFingerprint({ kind, requiredFields: [], requiredDocumentKinds: [] });

it('writes a retried create and a retried change once each', async () => {
  const createOp = randomUUID();
  const created = { opId: createOp, actorId: null, deal: state, gateFingerprint: fp('open') };
  await acts.persistDealCreated(created);
  await acts.persistDealCreated(created);
  expect(await count({ dealId: state.id })).toBe(1);

  const move = {
    opId: randomUUID(),
    actorId: null,
    dealId: state.id,
    fromVersion: 1,
    kind: 'stage_changed' as const,
    stage: { from: stages[0].id, to: stages[1].id, kind: 'won' as const, lostReason: null, gateFingerprint: fp('won') },
    data: {},
  };
  // the write answers with the deal as it left it, so the API need not read it back
  const written = await acts.persistDealChange(move);
  expect(written).toMatchObject({
    version: 2,
    deal: { id: state.id, stageId: stages[1].id, version: 2, title: 'Direct' },
  });
  expect(written.deal?.closedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  expect(await acts.persistDealChange(move)).toEqual({ version: 2 }); // the retry finds its own write
  const row = await h.ctx.orm.em.fork().findOneOrFail(Deal, { id: state.id });
  expect(row).toMatchObject({ version: 2, stageId: stages[1].id });
  expect(row.closedAt).toBeInstanceOf(Date);
  expect(await count({ dealId: state.id, kind: 'stage_changed' })).toBe(1);
});

it('refuses a change written against a version the row has left, and writes nothing', async () => {
  const stale = {
    opId: randomUUID(),
    actorId: null,
    dealId: state.id,
    fromVersion: 1,
    kind: 'updated' as const,
    changes: { title: 'Lost update' },
    data: {},
  };
  await expect(acts.persistDealChange(stale)).rejects.toMatchObject({ type: 'VERSION_CONFLICT', nonRetryable: true });
  const row = await h.ctx.orm.em.fork().findOneOrFail(Deal, { id: state.id });
  expect(row.title).toBe('Direct');
  expect(await count({ opId: stale.opId })).toBe(0);
  // not even the opId's claim stays: a later attempt of the command could not pass for written
  expect(await claims(stale.opId)).toBe(0);
});

it('refuses a move when the stage demands something else than the gate that was checked, and writes nothing', async () => {
  const row = await h.ctx.orm.em.fork().findOneOrFail(Deal, { id: state.id });
  const move = {
    opId: randomUUID(),
    actorId: null,
    dealId: state.id,
    fromVersion: row.version,
    kind: 'stage_changed' as const,
    stage: {
      from: stages[1].id,
      to: stages[0].id,
      kind: 'open' as const,
      lostReason: null,
      gateFingerprint: gateFingerprint({ kind: 'open', requiredFields: ['amount'], requiredDocumentKinds: [] }),
    },
    data: {},
  };
  await expect(acts.persistDealChange(move)).rejects.toMatchObject({
    type: 'STAGE_REQUIREMENTS_CHANGED',
    nonRetryable: true,
  });
  expect((await h.ctx.orm.em.fork().findOneOrFail(Deal, { id: state.id })).version).toBe(row.version);
  expect(await claims(move.opId)).toBe(0);
});

it('reports values Postgres refuses and attachments already gone as final failures', async () => {
  const row = await h.ctx.orm.em.fork().findOneOrFail(Deal, { id: state.id });
  const base = { actorId: null, dealId: state.id, fromVersion: row.version, data: {} };
  await expect(
    acts.persistDealChange({
      ...base,
      opId: randomUUID(),
      kind: 'updated',
      changes: { expectedCloseDate: '0000-01-01' },
    }),
  ).rejects.toMatchObject({ type: 'INVALID_DATA', nonRetryable: true });
  await expect(
    acts.persistDealChange({ ...base, opId: randomUUID(), kind: 'detached', detachId: randomUUID() }),
  ).rejects.toMatchObject({ type: 'ATTACHMENT_NOT_FOUND', nonRetryable: true });
  expect((await acts.loadDealState({ dealId: state.id }))?.version).toBe(row.version);
});

it('fences a given-up command: once abandoned its write never commits, and abandoning a written one reports it applied', async () => {
  const row = await h.ctx.orm.em.fork().findOneOrFail(Deal, { id: state.id });
  const edit = (opId: string) => ({
    opId,
    actorId: null,
    dealId: state.id,
    fromVersion: row.version,
    kind: 'updated' as const,
    changes: { title: `Fenced ${opId}` },
    data: {},
  });
  const given = randomUUID();
  expect(await acts.abandonOp({ opId: given })).toBe('abandoned');
  await expect(acts.persistDealChange(edit(given))).rejects.toMatchObject({
    type: 'COMMAND_ABANDONED',
    nonRetryable: true,
  });
  expect((await h.ctx.orm.em.fork().findOneOrFail(Deal, { id: state.id })).version).toBe(row.version);
  expect(await count({ opId: given })).toBe(0);

  const written = randomUUID();
  expect(await acts.persistDealChange(edit(written))).toMatchObject({ version: row.version + 1 });
  expect(await acts.abandonOp({ opId: written })).toBe('applied');
  expect(await acts.abandonOp({ opId: given })).toBe('abandoned');
});

it('merges custom values into the stored ones: a value set replaces, a null removes, the others stay', async () => {
  const edit = async (custom: Record<string, unknown>) => {
    const row = await h.ctx.orm.em.fork().findOneOrFail(Deal, { id: state.id });
    return acts.persistDealChange({
      opId: randomUUID(),
      actorId: null,
      dealId: state.id,
      fromVersion: row.version,
      kind: 'updated',
      changes: { custom: custom as never },
      data: {},
    });
  };
  await edit({ budget: { amount: '10.00', currency: 'EUR' }, note: 'first', score: 3 });
  const written = await edit({ note: null, score: 4 });
  expect(written.deal?.custom).toEqual({ budget: { amount: '10.00', currency: 'EUR' }, score: 4 });
  expect((await h.ctx.orm.em.fork().findOneOrFail(Deal, { id: state.id })).custom).toEqual(written.deal?.custom);
});
