/**
 * Deal input the database cannot take, or that changes nothing, is refused before a command is sent: dates outside
 * the years 1000–9999, file names cut inside a surrogate pair, and edits without a single change.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtures, login, startHarness, type Harness, type Session } from '../support/harness.ts';

let h: Harness;
let manager: Session;
let pipeline: { id: string; stages: { id: string; name: string }[] };
let clientId: string;
const stage = (name: string) => pipeline.stages.find((s) => s.name === name)!.id;

beforeAll(async () => {
  h = await startHarness();
  const f = fixtures(h);
  await f.dealField('signedOn', 'date');
  await f.dealField('budget', 'money');
  pipeline = await f.pipeline([
    ['New', 'open', [], []],
    ['Talks', 'open', [], []],
    ['Won', 'won', [], []],
  ]);
  const m = await f.user('manager');
  clientId = (await f.client(m.id)).id;
  manager = await login(h, m.email);
});
afterAll(() => h?.close());

async function newDeal(extra: Record<string, unknown> = {}) {
  const r = await manager.post('/deals', { title: 'Input deal', clientId, pipelineId: pipeline.id, ...extra });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body as { id: string; version: number };
}

const history = async (id: string) => (await manager.get(`/deals/${id}`)).body.history as { kind: string }[];

describe('deal dates', () => {
  it('refuses a built-in expected close date outside the years 1000–9999, on create, edit and move', async () => {
    for (const date of ['0000-01-01', '0999-12-31']) {
      const created = await manager.post('/deals', {
        title: 'Old',
        clientId,
        pipelineId: pipeline.id,
        expectedCloseDate: date,
      });
      expect(created.status, date).toBe(400);
      expect(created.body.code).toBe('VALIDATION_FAILED');
      expect(created.body.detail).toContain('expectedCloseDate');
    }
    const deal = await newDeal();
    const edit = await manager.patch(`/deals/${deal.id}`, { changes: { expectedCloseDate: '0000-01-01' } });
    expect(edit.status).toBe(400);
    const move = await manager.post(`/deals/${deal.id}/stage`, {
      stageId: stage('Talks'),
      changes: { expectedCloseDate: '0000-12-31' },
    });
    expect(move.status).toBe(400);
    expect((await manager.get(`/deals/${deal.id}`)).body.version).toBe(1);
  });

  it('accepts the first and last such days', async () => {
    const deal = await newDeal({ expectedCloseDate: '1000-01-01' });
    const r = await manager.patch(`/deals/${deal.id}`, { changes: { expectedCloseDate: '9999-12-31' } });
    expect(r.status).toBe(200);
    expect(r.body.deal.expectedCloseDate).toBe('9999-12-31');
  });

  it('refuses a custom date field outside those years, and still takes a valid one', async () => {
    const deal = await newDeal();
    const bad = await manager.patch(`/deals/${deal.id}`, { changes: { custom: { signedOn: '0000-01-01' } } });
    expect(bad.status).toBe(422);
    expect(bad.body.code).toBe('INVALID_FIELD_VALUE');
    expect(bad.body.field).toBe('custom.signedOn');
    const good = await manager.patch(`/deals/${deal.id}`, {
      changes: { custom: { signedOn: '2026-11-27', budget: { amount: '10.50', currency: 'EUR' } } },
    });
    expect(good.status).toBe(200);
    expect(good.body.deal.custom).toEqual({ signedOn: '2026-11-27', budget: { amount: '10.50', currency: 'EUR' } });
    const money = await manager.patch(`/deals/${deal.id}`, {
      changes: { custom: { budget: { amount: '1.234', currency: 'EUR' } } },
    });
    expect(money.status).toBe(400);
  });
});

describe('attachment file names', () => {
  it('are cut to 255 characters without splitting a surrogate pair', async () => {
    const deal = await newDeal();
    const form = new FormData();
    form.set('file', new Blob(['hello']), `${'a'.repeat(254)}😀tail.txt`);
    const r = await manager.request('POST', `/deals/${deal.id}/attachments`, form);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const detail = await manager.get(`/deals/${deal.id}`);
    expect(detail.body.attachments[0].fileName).toBe(`${'a'.repeat(254)}😀`);
    expect(detail.body.history[0].data.fileName).toBe(`${'a'.repeat(254)}😀`);
  });
});

describe('an edit without changes', () => {
  it('is refused with 400 and leaves the deal, its version and its history alone', async () => {
    const deal = await newDeal();
    for (const changes of [{}, { custom: {} }]) {
      const r = await manager.patch(`/deals/${deal.id}`, { version: 1, changes });
      expect(r.status, JSON.stringify(changes)).toBe(400);
      expect(r.body.code).toBe('VALIDATION_FAILED');
      expect(r.body.detail).toContain('nothing to change');
    }
    const after = await manager.get(`/deals/${deal.id}`);
    expect(after.body.version).toBe(1);
    expect(after.body.history.map((e: { kind: string }) => e.kind)).toEqual(['created']);
  });

  it('is fine as soon as one field or custom value is sent', async () => {
    const deal = await newDeal();
    expect((await manager.patch(`/deals/${deal.id}`, { changes: { title: 'Renamed', custom: {} } })).status).toBe(200);
    expect((await manager.patch(`/deals/${deal.id}`, { changes: { custom: { signedOn: null } } })).status).toBe(200);
    expect((await history(deal.id)).length).toBe(3);
  });

  it('does not concern a stage move, whose changes may be empty or left out', async () => {
    const deal = await newDeal();
    const withEmpty = await manager.post(`/deals/${deal.id}/stage`, { stageId: stage('Talks'), changes: {} });
    expect(withEmpty.status).toBe(200);
    const without = await manager.post(`/deals/${deal.id}/stage`, { stageId: stage('New') });
    expect(without.status).toBe(200);
  });
});
