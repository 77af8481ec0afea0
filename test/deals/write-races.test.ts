/**
 * Races on one deal's write path: an administrator changing what the deal's stage requires while an edit or a
 * detachment is being written, many commands at once on one deal, and references the user can no longer see.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtures, login, startHarness, type Harness, type Session } from '../support/harness.ts';
import { Client, Contact } from '../../modules/clients/entities.ts';

let h: Harness;
let admin: Session;
let manager: Session;
let managerId: string;
let clientId: string;
beforeAll(async () => {
  h = await startHarness();
  const f = fixtures(h);
  const a = await f.user('admin');
  const m = await f.user('manager');
  managerId = m.id;
  clientId = (await f.client(m.id)).id;
  admin = await login(h, a.email);
  manager = await login(h, m.email);
});
afterAll(() => h?.close());

/**
 * Holds the table of command outcomes locked while `during` runs, so that a write sent meanwhile waits at its
 * first statement: after the command was checked against the stage's requirements, before it is written.
 */
async function withWritesHeld<T>(send: () => Promise<T>, during: () => Promise<void>): Promise<T> {
  const db = new pg.Client({ connectionString: h.databaseUrl });
  await db.connect();
  try {
    await db.query('begin');
    await db.query('lock table command_ops in exclusive mode');
    const sent = send();
    for (let i = 0; i < 100; i++) {
      // inside a transaction pg_stat_activity is read once and then kept: read it anew each time
      await db.query('select pg_stat_clear_snapshot()');
      const { rows } = await db.query(
        "select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and pid <> pg_backend_pid()",
      );
      if (rows[0].n > 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await during();
    await db.query('commit');
    return await sent;
  } finally {
    await db.end();
  }
}

async function pipelineWith(kindId: string) {
  const p = (
    await admin.post('/pipelines', {
      name: `Races ${randomUUID().slice(0, 6)}`,
      stages: [
        { name: 'New', kind: 'open' },
        { name: 'Proposal', kind: 'open' },
      ],
    })
  ).body;
  expect(p.id).toBeDefined();
  /** the administrator makes "Proposal" require the amount and a document of kindId */
  const requireMore = async () => {
    const current = (await admin.get(`/pipelines/${p.id}`)).body;
    const r = await admin.put(`/pipelines/${p.id}`, {
      name: current.name,
      version: current.version,
      stages: current.stages.map((s: { id: string; name: string; kind: string }, i: number) => ({
        id: s.id,
        name: s.name,
        kind: s.kind,
        ...(i === 1 ? { requiredFields: ['amount'], requiredDocumentKinds: [kindId] } : {}),
      })),
    });
    expect(r.status).toBe(200);
  };
  return { id: p.id as string, stages: p.stages as { id: string }[], requireMore };
}

function attach(dealId: string, kindId: string) {
  const form = new FormData();
  form.set('documentKindId', kindId);
  form.set('file', new Blob(['proposal']), 'p.pdf');
  return manager.request('POST', `/deals/${dealId}/attachments`, form);
}

describe('stage requirements changing during a write', () => {
  it('refuses an edit that empties a field the stage has come to require while it was written', async () => {
    const kind = await fixtures(h).documentKind();
    const p = await pipelineWith(kind.id);
    const deal = (
      await manager.post('/deals', { title: 'Gate race', clientId, pipelineId: p.id, amount: '10', currency: 'EUR' })
    ).body;
    expect((await manager.post(`/deals/${deal.id}/stage`, { stageId: p.stages[1].id })).status).toBe(200);
    expect((await attach(deal.id, kind.id)).status).toBe(201);

    const edit = await withWritesHeld(
      () => manager.patch(`/deals/${deal.id}`, { changes: { amount: null, currency: null } }),
      p.requireMore,
    );
    expect(edit.status).toBe(409);
    expect(edit.body.code).toBe('STAGE_REQUIREMENTS_CHANGED');
    const now = (await manager.get(`/deals/${deal.id}`)).body;
    expect(now).toMatchObject({ stageId: p.stages[1].id, amount: '10.00', currency: 'EUR' });
    // asked again, the edit meets the stage's requirements as they are now
    const again = await manager.patch(`/deals/${deal.id}`, { changes: { amount: null, currency: null } });
    expect(again.status).toBe(422);
    expect(again.body.code).toBe('STAGE_REQUIREMENTS_UNMET');
  });

  it('refuses removing the last document of a kind the stage has come to require while it was written', async () => {
    const kind = await fixtures(h).documentKind();
    const p = await pipelineWith(kind.id);
    const deal = (
      await manager.post('/deals', { title: 'Detach race', clientId, pipelineId: p.id, amount: '10', currency: 'EUR' })
    ).body;
    expect((await manager.post(`/deals/${deal.id}/stage`, { stageId: p.stages[1].id })).status).toBe(200);
    const att = (await attach(deal.id, kind.id)).body;

    const detach = await withWritesHeld(
      () => manager.delete(`/deals/${deal.id}/attachments/${att.attachmentId}`),
      p.requireMore,
    );
    expect(detach.status).toBe(409);
    expect(detach.body.code).toBe('STAGE_REQUIREMENTS_CHANGED');
    const now = (await manager.get(`/deals/${deal.id}`)).body;
    expect(now.attachments.map((a: { id: string }) => a.id)).toEqual([att.attachmentId]);
  });
});

describe('many commands on one deal at once', () => {
  it('answers 20 simultaneous moves round after round: one applied, the others refused, none timed out', async () => {
    const p = await pipelineWith((await fixtures(h).documentKind()).id);
    const deal = (await manager.post('/deals', { title: 'Crowd', clientId, pipelineId: p.id })).body;
    for (let round = 1; round <= 6; round++) {
      const to = p.stages[round % 2].id;
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => manager.post(`/deals/${deal.id}/stage`, { stageId: to })),
      );
      const codes = answers.map((a) => (a.status === 200 ? 'OK' : (a.body.code as string)));
      expect(
        codes.filter((c) => c === 'OK'),
        `round ${round}: ${codes.join(' ')}`,
      ).toHaveLength(1);
      // a command that timed out would answer 503 OUTCOME_UNKNOWN: only quick, definite answers are allowed
      for (const c of codes) expect(['OK', 'DEAL_BUSY', 'STAGE_UNCHANGED', 'VERSION_CONFLICT']).toContain(c);
      expect((await manager.get(`/deals/${deal.id}`)).body).toMatchObject({ stageId: to, version: round + 1 });
    }
  });
});

describe('references the user can no longer see', () => {
  it('refuses a contact of a client the user no longer sees, on edits and on moves', async () => {
    const f = fixtures(h);
    const other = await f.user('manager');
    const p = await pipelineWith((await f.documentKind()).id);
    const client = await f.client(managerId, 'Handed over');
    const em = h.ctx.orm.em.fork();
    const contact = em.create(Contact, { id: randomUUID(), clientId: client.id, name: 'Old contact' });
    await em.flush();
    const deal = (await manager.post('/deals', { title: 'Kept deal', clientId: client.id, pipelineId: p.id })).body;
    // the client is handed over to another manager; the deal stays with this one
    await h.ctx.orm.em.fork().nativeUpdate(Client, { id: client.id }, { ownerId: other.id });

    const edit = await manager.patch(`/deals/${deal.id}`, { changes: { contactId: contact.id } });
    expect(edit.status).toBe(422);
    expect(edit.body.field).toBe('contactId');
    const move = await manager.post(`/deals/${deal.id}/stage`, {
      stageId: p.stages[1].id,
      changes: { contactId: contact.id },
    });
    expect(move.status).toBe(422);
    expect((await manager.get(`/deals/${deal.id}`)).body).toMatchObject({ contactId: null, version: 1 });
  });
});
