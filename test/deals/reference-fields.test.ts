/**
 * Custom deal fields of type user, client and file, over HTTP: an administrator defines them and makes a stage
 * require them; a manager sets them on create, edit and move, where each value must name an active user, a client
 * the manager sees, a file attached to this deal; the deal reads back names, not ids; a deactivated user stays and
 * is shown as such; detaching a file clears the file fields naming it, or is refused while the stage requires one.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import { fixtures, login, startHarness, type Harness, type Session } from '../support/harness.ts';
import { createActivities } from '../../activities/index.ts';

let h: Harness;
let admin: Session;
let manager: Session;
let clientId: string;
let otherClientId: string;
let colleague: { id: string; name: string };
let retired: { id: string; name: string };
let pipeline: { id: string; stages: { id: string; name: string }[] };

interface Problem {
  code: string;
  field?: string;
  detail?: string;
  missing: { fields: { key: string; type: string }[] };
}
interface Reference {
  type: string;
  id: string;
  name: string | null;
  status: string;
}
interface DealRead {
  id: string;
  version: number;
  stageId: string;
  custom: Record<string, unknown>;
  references: Record<string, Reference>;
  attachments: { id: string }[];
  history: { kind: string; data: { changes?: unknown } }[];
}
type Answer<T> = { status: number; body: T };
const as = <T>(r: { status: number; body: unknown }) => r as Answer<T>;
const read = async (id: string) => as<DealRead>(await manager.get(`/deals/${id}`)).body;

beforeAll(async () => {
  h = await startHarness();
  const f = fixtures(h);
  const a = await f.user('admin');
  const m = await f.user('manager');
  const other = await f.user('manager');
  colleague = await f.user('member', { name: 'Vera Colleague' });
  retired = await f.user('member', { name: 'Oleg Retired' });
  clientId = (await f.client(m.id, 'Acme Partner')).id;
  otherClientId = (await f.client(other.id, 'Hidden Partner')).id;
  admin = await login(h, a.email);
  manager = await login(h, m.email);

  for (const [key, label, type] of [
    ['signedBy', 'Signed by', 'user'],
    ['partner', 'Partner', 'client'],
    ['contract', 'Contract', 'file'],
  ]) {
    const r = as<{ key: string; type: string }>(await admin.post('/deal-fields', { key, label, type }));
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body).toMatchObject({ key, type });
  }
  const p = as<typeof pipeline>(
    await admin.post('/pipelines', {
      name: `References ${randomUUID().slice(0, 6)}`,
      stages: [
        { name: 'New', kind: 'open' },
        { name: 'Signed', kind: 'open', requiredFields: ['signedBy', 'partner', 'contract'] },
        { name: 'Archive', kind: 'open' },
      ],
    }),
  );
  expect(p.status, JSON.stringify(p.body)).toBe(201);
  pipeline = p.body;
  expect((await admin.patch(`/users/${retired.id}`, { version: 1, disabled: true })).status).toBe(200);
});
afterAll(() => h?.close());

const newDeal = async (custom: Record<string, unknown> = {}) =>
  as<DealRead & Problem>(
    await manager.post('/deals', { title: 'With references', clientId, pipelineId: pipeline.id, custom }),
  );

async function attach(dealId: string, name = 'contract.pdf') {
  const form = new FormData();
  form.set('file', new Blob(['%PDF-1.4 contract'], { type: 'application/pdf' }), name);
  return as<{ attachmentId: string }>(await manager.request('POST', `/deals/${dealId}/attachments`, form)).body;
}

const edit = async (id: string, changes: Record<string, unknown>) =>
  as<Problem>(await manager.patch(`/deals/${id}`, { changes }));
const move = async (id: string, stageId: string, changes?: Record<string, unknown>) =>
  as<Problem & { stageId: string }>(await manager.post(`/deals/${id}/stage`, { stageId, changes }));
const detach = async (id: string, attachmentId: string) =>
  as<Problem>(await manager.delete(`/deals/${id}/attachments/${attachmentId}`));

function expectInvalid(r: Answer<Problem>, field: string) {
  expect(r.status, JSON.stringify(r.body)).toBe(422);
  expect(r.body).toMatchObject({ code: 'INVALID_FIELD_VALUE', field });
}

describe('user, client and file fields', () => {
  it('are offered to the administrator with the other field types', async () => {
    const fields = as<{ items: { key: string; type: string }[] }>(await admin.get('/deal-fields')).body.items;
    expect(fields.map((f) => [f.key, f.type])).toEqual([
      ['signedBy', 'user'],
      ['partner', 'client'],
      ['contract', 'file'],
    ]);
  });

  it('take an active user and a visible client on create, and read back their names', async () => {
    const created = await newDeal({ signedBy: colleague.id, partner: clientId });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const deal = await read(created.body.id);
    expect(deal.custom).toEqual({ signedBy: colleague.id, partner: clientId });
    expect(deal.references).toEqual({
      signedBy: { type: 'user', id: colleague.id, name: 'Vera Colleague', status: 'active' },
      partner: { type: 'client', id: clientId, name: 'Acme Partner', status: 'active' },
    });
  });

  it('refuse a deactivated or unknown user, a client out of sight and a file on create, naming the field', async () => {
    expectInvalid(await newDeal({ signedBy: retired.id }), 'custom.signedBy');
    expectInvalid(await newDeal({ signedBy: randomUUID() }), 'custom.signedBy');
    const hidden = await newDeal({ partner: otherClientId });
    expectInvalid(hidden, 'custom.partner');
    // a client the manager cannot see is answered exactly like one that does not exist
    expect(hidden.body.detail).toBe((await newDeal({ partner: randomUUID() })).body.detail);
    expectInvalid(await newDeal({ contract: randomUUID() }), 'custom.contract');
    expectInvalid(await newDeal({ signedBy: 'me' }), 'custom.signedBy');
  });

  it('take only a file attached to this deal on edit, and show its name', async () => {
    const deal = (await newDeal()).body;
    const other = (await newDeal()).body;
    const mine = await attach(deal.id);
    const theirs = await attach(other.id, 'other.pdf');
    expectInvalid(await edit(deal.id, { custom: { contract: theirs.attachmentId } }), 'custom.contract');
    const ok = await edit(deal.id, { custom: { contract: mine.attachmentId } });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect((await read(deal.id)).references.contract).toEqual({
      type: 'file',
      id: mine.attachmentId,
      name: 'contract.pdf',
      status: 'active',
    });
  });

  it('keep a user who has been deactivated since, shown as such, while other changes are saved', async () => {
    const leaving = await fixtures(h).user('member', { name: 'Ivan Leaving' });
    const deal = (await newDeal({ signedBy: leaving.id })).body;
    expect((await admin.patch(`/users/${leaving.id}`, { version: 1, disabled: true })).status).toBe(200);
    expect((await read(deal.id)).references.signedBy).toMatchObject({ name: 'Ivan Leaving', status: 'inactive' });
    // the value is kept as it is: an edit of another field goes through, and so does sending the same value
    const renamed = await edit(deal.id, { title: 'Renamed', custom: { signedBy: leaving.id } });
    expect(renamed.status, JSON.stringify(renamed.body)).toBe(200);
    // choosing a deactivated user anew is refused
    const again = (await newDeal()).body;
    expectInvalid(await edit(again.id, { custom: { signedBy: leaving.id } }), 'custom.signedBy');
  });

  it('can be required by a stage: the gate names what is missing and lets the deal in once they are set', async () => {
    const deal = (await newDeal()).body;
    const signed = pipeline.stages[1].id;
    const refused = await move(deal.id, signed);
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('STAGE_REQUIREMENTS_UNMET');
    expect(refused.body.missing.fields.map((f) => [f.key, f.type])).toEqual([
      ['signedBy', 'user'],
      ['partner', 'client'],
      ['contract', 'file'],
    ]);
    const file = await attach(deal.id);
    // a bad reference sent with the move is refused before the gate
    expectInvalid(
      await move(deal.id, signed, { custom: { signedBy: retired.id, partner: clientId, contract: file.attachmentId } }),
      'custom.signedBy',
    );
    const moved = await move(deal.id, signed, {
      custom: { signedBy: colleague.id, partner: clientId, contract: file.attachmentId },
    });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(moved.body.stageId).toBe(signed);
  });

  it('refuse detaching the file a required file field names; elsewhere the detachment clears the field', async () => {
    const deal = (await newDeal({ signedBy: colleague.id, partner: clientId })).body;
    const file = await attach(deal.id);
    const spare = await attach(deal.id, 'spare.pdf');
    const signed = pipeline.stages[1].id;
    const moved = await move(deal.id, signed, { custom: { contract: file.attachmentId } });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);

    const refused = await detach(deal.id, file.attachmentId);
    expect(refused.status, JSON.stringify(refused.body)).toBe(422);
    expect(refused.body.code).toBe('STAGE_REQUIREMENTS_UNMET');
    expect(refused.body.missing.fields.map((f) => f.key)).toEqual(['contract']);
    // another file, named by no field, goes
    expect((await detach(deal.id, spare.attachmentId)).status).toBe(200);
    expect((await read(deal.id)).custom.contract).toBe(file.attachmentId);

    // in a stage that does not require it, the file leaves and the field is cleared with it
    expect((await move(deal.id, pipeline.stages[2].id)).status).toBe(200);
    const detached = await detach(deal.id, file.attachmentId);
    expect(detached.status, JSON.stringify(detached.body)).toBe(200);
    const after = await read(deal.id);
    expect(after.custom).toEqual({ signedBy: colleague.id, partner: clientId });
    expect(after.references.contract).toBeUndefined();
    expect(after.attachments).toEqual([]);
    expect(after.history.find((e) => e.kind === 'detached')?.data.changes).toEqual({ custom: { contract: null } });
    // the deal no longer meets the stage that requires the file
    const back = await move(deal.id, signed);
    expect(back.status).toBe(422);
    expect(back.body.missing.fields.map((f) => f.key)).toEqual(['contract']);
  });

  it('refuse, at the write, a file detached after the value was checked (by a command from another process)', async () => {
    const deal = (await newDeal()).body;
    const file = await attach(deal.id);
    // the edit was checked while the file was attached; the detachment was written before the edit
    expect((await detach(deal.id, file.attachmentId)).status).toBe(200);
    const { version } = await read(deal.id);
    const acts = createActivities({ orm: h.ctx.orm, storage: h.ctx.storage });
    const write = acts.persistDealChange({
      opId: randomUUID(),
      actorId: null,
      dealId: deal.id,
      fromVersion: version,
      kind: 'updated',
      changes: { custom: { contract: file.attachmentId } },
      data: {},
    });
    await expect(write).rejects.toBeInstanceOf(ApplicationFailure);
    await expect(write).rejects.toMatchObject({ type: 'INVALID_FIELD_VALUE', message: /contract/ });
    expect((await read(deal.id)).custom).toEqual({});
  });
});
