import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtures, login, startHarness, type Harness, type Session } from '../support/harness.ts';

let h: Harness;
let manager: Session;
let pipeline: Awaited<ReturnType<ReturnType<typeof fixtures>['pipeline']>>;
let proposalKind: { id: string };
let clientId: string;
const stage = (name: string) => pipeline.stages.find((s) => s.name === name)!.id;

beforeAll(async () => {
  h = await startHarness();
  const f = fixtures(h);
  proposalKind = await f.documentKind('commercial_proposal', 'Commercial proposal');
  await f.dealField('budgetApproved', 'select', ['yes', 'no']);
  pipeline = await f.pipeline([
    ['New', 'open', [], []],
    ['Proposal sent', 'open', ['amount', 'budgetApproved'], [proposalKind.id]],
    ['Won', 'won', ['amount'], []],
    ['Lost', 'lost', [], []],
  ]);
  const m = await f.user('manager');
  clientId = (await f.client(m.id)).id;
  manager = await login(h, m.email);
});
afterAll(() => h?.close());

async function newDeal(title = 'Deal') {
  const r = await manager.post('/deals', { title, clientId, pipelineId: pipeline.id });
  expect(r.status).toBe(201);
  return r.body as { id: string; version: number; stageId: string };
}

function attachProposal(dealId: string) {
  const form = new FormData();
  form.set('documentKindId', proposalKind.id);
  form.set('file', new Blob(['%PDF-1.4 proposal'], { type: 'application/pdf' }), 'proposal.pdf');
  return manager.request('POST', `/deals/${dealId}/attachments`, form);
}

describe('stage gate', () => {
  it('creates a deal in the first stage, version 1, with a created event', async () => {
    const deal = await newDeal();
    expect(deal.stageId).toBe(stage('New'));
    expect(deal.version).toBe(1);
    const detail = await manager.get(`/deals/${deal.id}`);
    expect(detail.body.history.map((e: { kind: string }) => e.kind)).toEqual(['created']);
  });

  it('creates one deal for a retried create with the same Idempotency-Key', async () => {
    const body = { title: 'Retried', clientId, pipelineId: pipeline.id };
    const key = { 'idempotency-key': `retry-${Date.now()}` };
    const [a, b] = await Promise.all([
      manager.request('POST', '/deals', body, key),
      manager.request('POST', '/deals', body, key),
    ]);
    const c = await manager.request('POST', '/deals', body, key);
    expect([a.status, b.status, c.status].filter((s) => s === 201).length).toBeGreaterThanOrEqual(2);
    for (const r of [a, b, c]) if (r.status !== 201) expect(r.status).toBe(409); // the twin still being written
    expect(new Set([a, b, c].filter((r) => r.status === 201).map((r) => r.body.id)).size).toBe(1);
    const list = await manager.get(`/deals?pipelineId=${pipeline.id}&q=Retried`);
    expect(list.body.items).toHaveLength(1);
  });

  it('refuses a move to a gated stage with 422 listing every missing field and document kind', async () => {
    const deal = await newDeal();
    const r = await manager.post(`/deals/${deal.id}/stage`, { stageId: stage('Proposal sent') });
    expect(r.status).toBe(422);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(r.body.code).toBe('STAGE_REQUIREMENTS_UNMET');
    expect(r.body.missing.fields.map((f: { key: string }) => f.key)).toEqual(['amount', 'budgetApproved']);
    expect(r.body.missing.documentKinds).toEqual([{ id: proposalKind.id, name: 'Commercial proposal' }]);
    const after = await manager.get(`/deals/${deal.id}`);
    expect(after.body.stageId).toBe(stage('New'));
    expect(after.body.version).toBe(1);
  });

  it('moves once the requirements are met, filling fields in the same step, and records the history', async () => {
    const deal = await newDeal();
    expect((await attachProposal(deal.id)).status).toBe(201);
    const r = await manager.post(`/deals/${deal.id}/stage`, {
      stageId: stage('Proposal sent'),
      version: 2,
      changes: { amount: '1500.50', currency: 'EUR', custom: { budgetApproved: 'yes' } },
    });
    expect(r.status).toBe(200);
    expect(r.body.deal).toMatchObject({
      stageId: stage('Proposal sent'),
      amount: '1500.50',
      currency: 'EUR',
      version: 3,
    });
    const detail = await manager.get(`/deals/${deal.id}`);
    const moves = detail.body.history.filter((e: { kind: string }) => e.kind === 'stage_changed');
    expect(moves).toHaveLength(1);
    expect(moves[0]).toMatchObject({ fromStageId: stage('New'), toStageId: stage('Proposal sent') });
  });

  it('does not let an edit or a detachment take away what the current stage requires', async () => {
    const deal = await newDeal();
    const att = await attachProposal(deal.id);
    await manager.post(`/deals/${deal.id}/stage`, {
      stageId: stage('Proposal sent'),
      changes: { amount: 10, currency: 'USD', custom: { budgetApproved: 'no' } },
    });
    const clear = await manager.patch(`/deals/${deal.id}`, { changes: { amount: null, currency: null } });
    expect(clear.status).toBe(422);
    expect(clear.body.missing.fields.map((f: { key: string }) => f.key)).toEqual(['amount']);
    const detach = await manager.delete(`/deals/${deal.id}/attachments/${att.body.attachmentId}`);
    expect(detach.status).toBe(422);
    const rename = await manager.patch(`/deals/${deal.id}`, { changes: { title: 'Renamed' } });
    expect(rename.status).toBe(200);
  });

  it('needs a reason to lose a deal', async () => {
    const deal = await newDeal();
    const r = await manager.post(`/deals/${deal.id}/stage`, { stageId: stage('Lost') });
    expect(r.status).toBe(422);
    expect(r.body.code).toBe('LOST_REASON_REQUIRED');
    const ok = await manager.post(`/deals/${deal.id}/stage`, {
      stageId: stage('Lost'),
      lostReason: 'Chose a competitor',
    });
    expect(ok.status).toBe(200);
    expect(ok.body.deal.lostReason).toBe('Chose a competitor');
    expect(ok.body.deal.closedAt).not.toBeNull();
  });

  it('answers 409 to a stale version and to the loser of two concurrent moves', async () => {
    const deal = await newDeal();
    const stale = await manager.patch(`/deals/${deal.id}`, { version: 7, changes: { title: 'x' } });
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe('VERSION_CONFLICT');
    const [a, b] = await Promise.all([
      manager.post(`/deals/${deal.id}/stage`, { stageId: stage('Lost'), lostReason: 'a', version: 1 }),
      manager.post(`/deals/${deal.id}/stage`, {
        stageId: stage('Won'),
        changes: { amount: '5', currency: 'EUR' },
        version: 1,
      }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const detail = await manager.get(`/deals/${deal.id}`);
    const winner = a.status === 200 ? stage('Lost') : stage('Won');
    expect(detail.body.stageId).toBe(winner);
    expect(detail.body.version).toBe(2);
    expect(detail.body.history.filter((e: { kind: string }) => e.kind === 'stage_changed')).toHaveLength(1);
  });
});

describe('board', () => {
  it('gives per-stage counts and totals per currency, the first deals of each stage, and a cursor for the rest', async () => {
    const f = fixtures(h);
    const owner = await f.user('manager');
    const s = await login(h, owner.email);
    const client = await f.client(owner.id);
    const p = await f.pipeline(
      [
        ['A', 'open', [], []],
        ['B', 'open', [], []],
      ],
      'Board',
    );
    for (const [i, amount] of ['10.50', '20', '30'].entries()) {
      const r = await s.post('/deals', {
        title: `Deal ${i}`,
        clientId: client.id,
        pipelineId: p.id,
        amount,
        currency: i === 2 ? 'USD' : 'EUR',
      });
      expect(r.status).toBe(201);
    }
    await s.post('/deals', { title: 'No amount', clientId: client.id, pipelineId: p.id });
    const board = await s.get(`/deals/board?pipelineId=${p.id}&perStage=2`);
    expect(board.status).toBe(200);
    const [a, b] = board.body.stages;
    expect(a.count).toBe(4);
    expect(
      a.totals.sort((x: { currency: string }, y: { currency: string }) => x.currency.localeCompare(y.currency)),
    ).toEqual([
      { currency: 'EUR', amount: '30.50' },
      { currency: 'USD', amount: '30.00' },
    ]);
    expect(a.deals).toHaveLength(2);
    expect(a.nextCursor).toBeTruthy();
    const rest = await s.get(`/deals?stageId=${a.stageId}&limit=10&cursor=${a.nextCursor}`);
    expect(rest.body.items).toHaveLength(2);
    const seen = new Set([...a.deals, ...rest.body.items].map((d: { id: string }) => d.id));
    expect(seen.size).toBe(4);
    expect(b).toMatchObject({ count: 0, totals: [], deals: [], nextCursor: null });
    // another manager sees an empty board
    const other = await login(h, (await f.user('manager')).email);
    expect((await other.get(`/deals/board?pipelineId=${p.id}`)).body.stages[0].count).toBe(0);
  });
});

describe('deal list pagination', () => {
  it('returns every deal exactly once across pages, also when deals were changed within the same millisecond', async () => {
    const f = fixtures(h);
    const owner = await f.user('manager');
    const s = await login(h, owner.email);
    const client = await f.client(owner.id);
    const p = await f.pipeline([['Only', 'open', [], []]], 'Paging');
    await h.ctx.orm.em.getConnection().execute(
      `
      insert into deals (id, title, client_id, owner_id, pipeline_id, stage_id, custom, updated_at)
      select gen_random_uuid(), 'Paged ' || g, ?, ?, ?, ?, '{}'::jsonb, timestamptz '2026-01-01 10:00:00.123' + g * interval '1 microsecond'
      from generate_series(1, 25) g`,
      [client.id, owner.id, p.id, p.stages[0].id],
    );
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: { id: string }[]; nextCursor: string | null } } = await s.get(
        `/deals?pipelineId=${p.id}&limit=4${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...page.body.items.map((d) => d.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(25);
    expect(new Set(seen).size).toBe(25);
    const tampered = await s.get(`/deals?pipelineId=${p.id}&cursor=${Buffer.from('[1]').toString('base64url')}`);
    expect(tampered.status).toBe(400);
    expect(tampered.body.code).toBe('BAD_CURSOR');
  });
});

describe('deal history', () => {
  it('shows the latest 50 events on the deal and pages through the older ones', async () => {
    const deal = await newDeal('Busy deal');
    for (let i = 0; i < 54; i++) {
      expect((await manager.patch(`/deals/${deal.id}`, { changes: { title: `Edit ${i}` } })).status).toBe(200);
    }
    const detail = (await manager.get(`/deals/${deal.id}`)).body;
    expect(detail.history).toHaveLength(50);
    expect(detail.history[0].data.changes).toEqual({ title: 'Edit 53' });
    const older = await manager.get(`/deals/${deal.id}/history?limit=50&cursor=${detail.historyNextCursor}`);
    expect(older.status).toBe(200);
    expect(older.body.items.map((e: { kind: string }) => e.kind)).toEqual([
      'updated',
      'updated',
      'updated',
      'updated',
      'created',
    ]);
    expect(older.body.nextCursor).toBeNull();
    const other = await login(h, (await fixtures(h).user('manager')).email);
    expect((await other.get(`/deals/${deal.id}/history`)).status).toBe(404);
  });
});
