/**
 * Archiving a deal and restoring it over HTTP: an archived deal leaves the board (cards, counts and totals), the list
 * and searches, shows under the list's archive, is read-only (every other command 409 DEAL_ARCHIVED) and keeps its
 * stage, fields, documents and history; restore puts it back in its stage without the stage gate. Only the owner,
 * their lead and administrators may do either.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtures, login, startHarness, type Harness, type Session } from '../support/harness.ts';

let h: Harness;
let s: Record<'admin' | 'lead' | 'm1' | 'm2' | 'other', Session>;
let ids: Record<'admin' | 'lead' | 'm1' | 'm2' | 'other', string>;
let pipeline: { id: string; stages: { id: string }[] };
let kindId: string;
let clientId: string;

const sql = <T = Record<string, unknown>>(q: string, params: unknown[] = []) =>
  h.ctx.orm.em.fork().getConnection().execute<T[]>(q, params);

const board = async (who: Session, extra = '') => {
  const r = await who.get(`/deals/board?pipelineId=${pipeline.id}${extra}`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body as {
    stages: {
      stageId: string;
      count: number;
      totals: { currency: string; amount: string }[];
      deals: { id: string }[];
    }[];
  };
};
const column = (b: Awaited<ReturnType<typeof board>>, i: number) => b.stages[i];
const listIds = async (who: Session, query = '') => {
  const r = await who.get(`/deals?pipelineId=${pipeline.id}${query}`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return (r.body.items as { id: string }[]).map((d) => d.id);
};

/** The kept totals agree with the deals that are not archived, cell by cell. */
async function totalsAreExact() {
  const kept = await sql<{ k: string; n: string; a: string }>(
    `select stage_id::text || owner_id::text || currency as k, sum(deals)::text as n, sum(amount)::numeric(20,2)::text as a
     from deal_board_totals where pipeline_id = ? group by stage_id, owner_id, currency having sum(deals) <> 0 order by 1`,
    [pipeline.id],
  );
  const counted = await sql<{ k: string; n: string; a: string }>(
    `select stage_id::text || owner_id::text || coalesce(currency, '') as k, count(*)::text as n, coalesce(sum(amount), 0)::numeric(20,2)::text as a
     from deals where pipeline_id = ? and archived_at is null group by 1 order by 1`,
    [pipeline.id],
  );
  expect(kept).toEqual(counted);
  // the administrators' rollup (per stage and currency, summed over its slots) agrees too
  const rolled = await sql<{ k: string; n: string; a: string }>(
    `select stage_id::text || currency as k, sum(deals)::text as n, sum(amount)::numeric(20,2)::text as a
     from deal_board_rollup where pipeline_id = ? group by stage_id, currency having sum(deals) <> 0 order by 1`,
    [pipeline.id],
  );
  const all = await sql<{ k: string; n: string; a: string }>(
    `select stage_id::text || coalesce(currency, '') as k, count(*)::text as n, coalesce(sum(amount), 0)::numeric(20,2)::text as a
     from deals where pipeline_id = ? and archived_at is null group by 1 order by 1`,
    [pipeline.id],
  );
  expect(rolled).toEqual(all);
}

async function newDeal(who: Session, title: string, body: Record<string, unknown> = {}) {
  const r = await who.post('/deals', { title, clientId, pipelineId: pipeline.id, ...body });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.id as string;
}

beforeAll(async () => {
  h = await startHarness();
  const f = fixtures(h);
  const admin = await f.user('admin');
  const lead = await f.user('lead');
  const dept = (await f.department('Group', lead.id)).id;
  const m1 = await f.user('manager', { departmentId: dept });
  const m2 = await f.user('manager', { departmentId: dept });
  const other = await f.user('manager');
  ids = { admin: admin.id, lead: lead.id, m1: m1.id, m2: m2.id, other: other.id };
  const sessions = await Promise.all([admin, lead, m1, m2, other].map((u) => login(h, u.email)));
  s = { admin: sessions[0], lead: sessions[1], m1: sessions[2], m2: sessions[3], other: sessions[4] };
  kindId = (await f.documentKind()).id;
  pipeline = await f.pipeline([
    ['New', 'open', [], []],
    ['Offer', 'open', ['amount'], [kindId]],
    ['Won', 'won', [], []],
  ]);
  clientId = (await s.m1.post('/clients', { name: 'Archive Works' })).body.id;
});
afterAll(() => h?.close());

describe('an archived deal', () => {
  it('leaves the board, its counts and totals, the list and searches, and shows under the archive', async () => {
    const gone = await newDeal(s.m1, 'Archived forklifts', { amount: '100.00', currency: 'EUR' });
    const stays = await newDeal(s.m1, 'Kept forklifts', { amount: '50.00', currency: 'EUR' });
    // shared with a manager outside the group: their board counts it from the shares
    expect((await s.m1.post(`/deals/${gone}/shares`, { userId: ids.other })).status).toBeLessThan(300);
    expect(column(await board(s.other), 0).count).toBe(1);
    const before = column(await board(s.lead), 0);
    expect(before.count).toBe(2);
    expect(before.totals).toEqual([{ currency: 'EUR', amount: '150.00' }]);

    const r = await s.m1.post(`/deals/${gone}/archive`, {});
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.deal.archivedAt).toEqual(expect.any(String));
    expect(r.body.stageId).toBe(pipeline.stages[0].id);

    expect(column(await board(s.other), 0)).toMatchObject({ count: 0, totals: [], deals: [] });
    const after = column(await board(s.lead), 0);
    expect(after.count).toBe(1);
    expect(after.totals).toEqual([{ currency: 'EUR', amount: '50.00' }]);
    expect(after.deals.map((d) => d.id)).toEqual([stays]);
    // a filtered board counts the deals themselves: the archived one is left out there too
    const searched = column(await board(s.lead, '&q=forklifts'), 0);
    expect(searched.count).toBe(1);
    expect(searched.deals.map((d) => d.id)).toEqual([stays]);
    await totalsAreExact();

    expect(await listIds(s.m1)).toEqual([stays]);
    expect(await listIds(s.m1, '&q=archived')).toEqual([]);
    expect(await listIds(s.lead, '&owner=group&q=forklifts')).toEqual([stays]);
    expect(await listIds(s.m1, '&archived=true')).toEqual([gone]);
    expect(await listIds(s.lead, '&archived=true&owner=group')).toEqual([gone]);
    expect(await listIds(s.other)).toEqual([]);
    expect(await listIds(s.other, '&archived=true')).toEqual([gone]); // shared with them
    expect(await listIds(s.m2, '&archived=true')).toEqual([]); // the archive shows only what one may see

    // still readable on its own page, as it was
    const page = await s.m1.get(`/deals/${gone}`);
    expect(page.status).toBe(200);
    expect(page.body.archivedAt).toEqual(expect.any(String));
    expect(page.body.amount).toBe('100.00');
    expect(page.body.history.map((e: { kind: string }) => e.kind)).toEqual(['archived', 'created']);
  });

  it('is read-only: edits, moves, attachments and a second archive are refused with DEAL_ARCHIVED', async () => {
    const id = await newDeal(s.m1, 'Frozen', { amount: '10.00', currency: 'EUR' });
    const form = new FormData();
    form.set('documentKindId', kindId);
    form.set('file', new Blob(['offer']), 'offer.pdf');
    const att = await s.m1.request('POST', `/deals/${id}/attachments`, form);
    expect(att.status, JSON.stringify(att.body)).toBe(201);
    expect((await s.m1.post(`/deals/${id}/archive`, {})).status).toBe(200);
    const version = (await s.m1.get(`/deals/${id}`)).body.version;

    const refusals = [
      await s.m1.patch(`/deals/${id}`, { changes: { title: 'Thawed' } }),
      await s.m1.post(`/deals/${id}/stage`, { stageId: pipeline.stages[2].id }),
      await s.m1.request(
        'POST',
        `/deals/${id}/attachments`,
        (() => {
          const f = new FormData();
          f.set('file', new Blob(['more']), 'more.txt');
          return f;
        })(),
      ),
      await s.m1.delete(`/deals/${id}/attachments/${att.body.attachmentId}`),
      await s.m1.post(`/deals/${id}/archive`, {}),
      await s.admin.patch(`/deals/${id}`, { changes: { amount: '99.00' } }),
    ];
    for (const r of refusals) {
      expect(r.status, JSON.stringify(r.body)).toBe(409);
      expect(r.body.code).toBe('DEAL_ARCHIVED');
    }
    const now = (await s.m1.get(`/deals/${id}`)).body;
    expect(now.version).toBe(version);
    expect(now.title).toBe('Frozen');
    expect(now.attachments).toHaveLength(1);
  });

  it("is refused by the deal's workflow too, which holds the archive in its own state", async () => {
    const id = await newDeal(s.m1, 'Held by the workflow');
    expect((await s.m1.post(`/deals/${id}/archive`, {})).status).toBe(200);
    // the row says live (changed behind the API's back): the command layer lets the edit through, the workflow refuses
    await sql('update deals set archived_at = null where id = ?', [id]);
    const r = await s.m1.patch(`/deals/${id}`, { changes: { title: 'Changed' } });
    expect(r.status, JSON.stringify(r.body)).toBe(409);
    expect(r.body.code).toBe('DEAL_ARCHIVED');
    expect((await s.m1.get(`/deals/${id}`)).body.title).toBe('Held by the workflow');
  });
});

describe('who may archive and restore', () => {
  it("a manager cannot archive another manager's deal, even one shared with them; the lead and an admin can", async () => {
    const id = await newDeal(s.m1, 'Not yours');
    // m2 cannot see it: it looks missing
    expect((await s.m2.post(`/deals/${id}/archive`, {})).status).toBe(404);
    expect((await s.other.post(`/deals/${id}/archive`, {})).status).toBe(404);
    // shared with m2: they see it, and may not archive it
    const share = await s.m1.post(`/deals/${id}/shares`, { userId: ids.m2 });
    expect(share.status, JSON.stringify(share.body)).toBeLessThan(300);
    const refused = await s.m2.post(`/deals/${id}/archive`, {});
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('FORBIDDEN');
    expect((await s.m1.get(`/deals/${id}`)).body.archivedAt).toBeNull();

    expect((await s.lead.post(`/deals/${id}/archive`, {})).status).toBe(200);
    expect((await s.m2.post(`/deals/${id}/restore`, {})).status).toBe(403);
    expect((await s.admin.post(`/deals/${id}/restore`, {})).status).toBe(200);
    expect((await s.m1.get(`/deals/${id}`)).body.archivedAt).toBeNull();
  });
});

describe('restore', () => {
  it('puts the deal back in the stage it kept, with its fields and documents, without the gate again', async () => {
    const id = await newDeal(s.m1, 'Back again', { amount: '70.00', currency: 'USD' });
    const form = new FormData();
    form.set('documentKindId', kindId);
    form.set('file', new Blob(['offer']), 'offer.pdf');
    expect((await s.m1.request('POST', `/deals/${id}/attachments`, form)).status).toBe(201);
    const offer = pipeline.stages[1].id;
    expect((await s.m1.post(`/deals/${id}/stage`, { stageId: offer })).status).toBe(200);
    expect((await s.m1.post(`/deals/${id}/archive`, {})).status).toBe(200);
    const archivedTotals = column(await board(s.m1), 1).totals;
    expect(archivedTotals.find((t) => t.currency === 'USD')).toBeUndefined();

    // meanwhile the stage asks for more than the deal has: restoring does not pass the gate again
    await sql(`update stages set required_fields = '["amount","expectedCloseDate"]'::jsonb where id = ?`, [offer]);
    const r = await s.m1.post(`/deals/${id}/restore`, {});
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.stageId).toBe(offer);
    expect(r.body.deal.archivedAt).toBeNull();
    expect(r.body.deal.amount).toBe('70.00');

    const col = column(await board(s.m1), 1);
    expect(col.deals.map((d) => d.id)).toContain(id);
    expect(col.totals.find((t) => t.currency === 'USD')).toEqual({ currency: 'USD', amount: '70.00' });
    await totalsAreExact();
    const page = (await s.m1.get(`/deals/${id}`)).body;
    expect(page.attachments).toHaveLength(1);
    expect(page.history.slice(0, 2).map((e: { kind: string }) => e.kind)).toEqual(['restored', 'archived']);
    // live again: it can be changed (and the gate holds again for what it takes away)
    expect((await s.m1.patch(`/deals/${id}`, { changes: { title: 'Back for good' } })).status).toBe(200);
    await sql(`update stages set required_fields = '["amount"]'::jsonb where id = ?`, [offer]);
  });

  it('of a deal that is not archived is refused with DEAL_NOT_ARCHIVED', async () => {
    const id = await newDeal(s.m1, 'Never archived');
    const r = await s.m1.post(`/deals/${id}/restore`, {});
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('DEAL_NOT_ARCHIVED');
  });
});
