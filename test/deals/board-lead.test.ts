/**
 * The board a manager and a lead live in: days in stage and the "stuck" mark (per-stage thresholds set in the
 * pipeline admin), a lead's figures by manager (their groups only), totals in the company currency at the
 * administrator's rates (a currency without a rate kept apart), weighted totals, and saved filters on the server
 * shared with a sales group.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtures, login, startHarness, versionOf, type Harness, type Session } from '../support/harness.ts';

type Who = 'admin' | 'lead' | 'm1' | 'm2' | 'lead2' | 'm3' | 'loner';
let h: Harness;
let s: Record<Who, Session>;
let ids: Record<Who, string>;
let pipeline: { id: string; stages: { id: string; name: string }[] };
let deals: Record<'a' | 'b' | 'c' | 'd' | 'e', string>;

const sql = (q: string, params: unknown[] = []) => h.ctx.orm.em.fork().getConnection().execute(q, params);
const board = (who: Session, query = '') => who.get(`/deals/board?pipelineId=${pipeline.id}${query}`);
const managers = (who: Session, query = '') => who.get(`/deals/board/managers?pipelineId=${pipeline.id}${query}`);
const titlesOf = (r: { body: { stages: { deals: { title: string }[] }[] } }) =>
  r.body.stages.flatMap((c) => c.deals.map((d) => d.title)).sort();

/** The pipeline as the admin page sends it back, with these changes to its stages. */
async function setStages(changes: Record<number, Record<string, unknown>>) {
  const current = (await s.admin.get(`/pipelines/${pipeline.id}`)).body;
  return s.admin.put(`/pipelines/${pipeline.id}`, {
    name: current.name,
    version: await versionOf(h, 'pipelines', pipeline.id),
    stages: current.stages.map((st: { id: string; name: string; kind: string }, i: number) => ({
      id: st.id,
      name: st.name,
      kind: st.kind,
      ...changes[i],
    })),
  });
}

beforeAll(async () => {
  h = await startHarness();
  const f = fixtures(h);
  const admin = await f.user('admin');
  const lead = await f.user('lead', { name: 'Lena Lead' });
  const dept = (await f.department('North', lead.id)).id;
  const m1 = await f.user('manager', { departmentId: dept, name: 'Anna One' });
  const m2 = await f.user('manager', { departmentId: dept, name: 'Boris Two' });
  const lead2 = await f.user('lead');
  const dept2 = (await f.department('South', lead2.id)).id;
  const m3 = await f.user('manager', { departmentId: dept2, name: 'Cyril Three' });
  const loner = await f.user('manager');
  const all = { admin, lead, m1, m2, lead2, m3, loner };
  ids = Object.fromEntries(Object.entries(all).map(([k, u]) => [k, u.id])) as Record<Who, string>;
  const sessions = await Promise.all(Object.values(all).map((u) => login(h, u.email)));
  s = Object.fromEntries(Object.keys(all).map((k, i) => [k, sessions[i]])) as Record<Who, Session>;
  pipeline = await f.pipeline([
    ['New', 'open', [], []],
    ['Offer', 'open', [], []],
    ['Won', 'won', [], []],
  ]);
  const create = async (who: Session, title: string, amount: string, currency: string) => {
    const clientId = (await who.post('/clients', { name: `${title} client` })).body.id;
    const r = await who.post('/deals', { pipelineId: pipeline.id, title, clientId, amount, currency });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.id as string;
  };
  deals = {
    a: await create(s.m1, 'Forklifts', '100.00', 'EUR'),
    b: await create(s.m1, 'Racks', '50.00', 'USD'),
    c: await create(s.m2, 'Cranes', '7.00', 'GBP'),
    d: await create(s.m3, 'Conveyor', '1000.00', 'EUR'),
    e: await create(s.m2, 'Pallets', '20.00', 'EUR'),
  };
});
afterAll(() => h?.close());

describe('days in stage and stuck deals', () => {
  it('each deal tells when it entered its stage, and a move starts the count again', async () => {
    await sql(`update deals set stage_entered_at = now() - interval '10 days' where id = any(?::uuid[])`, [
      `{${deals.a},${deals.b}}`,
    ]);
    const before = (await s.m1.get(`/deals/${deals.a}`)).body;
    expect(Date.now() - Date.parse(before.stageEnteredAt)).toBeGreaterThan(9.9 * 86_400_000);
    const moved = await s.m1.post(`/deals/${deals.b}/stage`, { stageId: pipeline.stages[1].id });
    expect(moved.status).toBe(200);
    expect(Date.now() - Date.parse(moved.body.deal.stageEnteredAt)).toBeLessThan(60_000);
    // an edit is not a move: the deal stays as long in its stage as it was
    const edited = await s.m1.patch(`/deals/${deals.a}`, { changes: { title: 'Forklifts' } });
    expect(edited.status).toBe(200);
    expect(edited.body.deal.stageEnteredAt).toBe(before.stageEnteredAt);
  });

  it('an administrator sets "stuck after N days" per stage; the stuck filter uses each stage\'s threshold', async () => {
    expect(titlesOf(await board(s.lead, '&stuck=true'))).toEqual([]);
    expect((await setStages({ 0: { stuckAfterDays: 7 }, 1: { stuckAfterDays: 30 } })).status).toBe(200);
    const stages = (await s.m1.get(`/pipelines/${pipeline.id}`)).body.stages;
    expect(stages.map((x: { stuckAfterDays: number | null }) => x.stuckAfterDays)).toEqual([7, 30, null]);
    const stuck = await board(s.lead, '&stuck=true');
    expect(titlesOf(stuck)).toEqual(['Forklifts']);
    expect(stuck.body.stages[0].count).toBe(1);
    expect((await s.lead.get('/deals?stuck=true')).body.items.map((d: { title: string }) => d.title)).toEqual([
      'Forklifts',
    ]);
    // left out, a stage keeps its threshold; null clears it; out of range is refused
    expect((await setStages({})).status).toBe(200);
    expect((await s.m1.get(`/pipelines/${pipeline.id}`)).body.stages[0].stuckAfterDays).toBe(7);
    expect((await setStages({ 0: { stuckAfterDays: 0 } })).status).toBe(400);
    expect((await setStages({ 1: { stuckAfterDays: null } })).status).toBe(200);
    expect((await s.m1.get(`/pipelines/${pipeline.id}`)).body.stages[1].stuckAfterDays).toBeNull();
  });
});

describe('figures by manager', () => {
  const rowsOf = (r: { body: { managers: { ownerName: string; count: number }[] } }) =>
    r.body.managers.map((m) => [m.ownerName, m.count]);

  it('a lead sees the managers of their group only, per stage and overall', async () => {
    const r = await managers(s.lead);
    expect(r.status).toBe(200);
    expect(rowsOf(r)).toEqual([
      ['Anna One', 2],
      ['Boris Two', 2],
    ]);
    const anna = r.body.managers[0];
    expect(anna.stages.map((c: { count: number }) => c.count)).toEqual([1, 1, 0]);
    expect(anna.stages[0].totals).toEqual([{ currency: 'EUR', amount: '100.00' }]);
    expect(anna.totals).toEqual([
      { currency: 'EUR', amount: '100.00' },
      { currency: 'USD', amount: '50.00' },
    ]);
    expect(rowsOf(await managers(s.lead2))).toEqual([['Cyril Three', 1]]);
  });

  it("a manager gets their own figures only; an administrator everyone's", async () => {
    expect(rowsOf(await managers(s.m1))).toEqual([['Anna One', 2]]);
    expect(rowsOf(await managers(s.m1, `&owner=${ids.m2}`))).toEqual([]);
    expect(rowsOf(await managers(s.admin))).toEqual([
      ['Anna One', 2],
      ['Boris Two', 2],
      ['Cyril Three', 1],
    ]);
  });

  it('follow the board filter (counted from the deals when the kept totals cannot answer it)', async () => {
    expect(rowsOf(await managers(s.lead, '&stuck=true'))).toEqual([['Anna One', 1]]);
    expect(rowsOf(await managers(s.lead, '&q=cran'))).toEqual([['Boris Two', 1]]);
    expect(rowsOf(await managers(s.admin, '&owner=group'))).toEqual([]);
  });
});

describe('totals in the company currency', () => {
  it('are absent until an administrator sets a company currency', async () => {
    const r = await board(s.admin);
    expect(r.body.currency).toBeNull();
    expect(r.body.stages[0].companyTotal).toBeNull();
    expect((await s.m1.get('/currency-rates')).body).toEqual({ currency: null, rates: [], version: 0 });
  });

  it('only an administrator sets the currency and rates, checked, versioned and audited', async () => {
    const body = { currency: 'EUR', rates: [{ currency: 'USD', rate: '0.9' }], version: 0 };
    expect((await s.lead.put('/currency-rates', body)).status).toBe(403);
    const same = await s.admin.put('/currency-rates', { ...body, rates: [{ currency: 'EUR', rate: '1' }] });
    expect([same.status, same.body.code]).toEqual([422, 'INVALID_CURRENCY_RATES']);
    expect((await s.admin.put('/currency-rates', { ...body, rates: [{ currency: 'USD', rate: '-1' }] })).status).toBe(
      400,
    );
    const saved = await s.admin.put('/currency-rates', body);
    expect(saved.status).toBe(200);
    expect(saved.body).toEqual({ currency: 'EUR', rates: [{ currency: 'USD', rate: '0.9' }], version: 1 });
    expect((await s.admin.put('/currency-rates', body)).status).toBe(409);
    const audit = await s.admin.get('/audit?kind=currency.changed');
    expect(audit.body.items).toHaveLength(1);
    expect(audit.body.items[0]).toMatchObject({ actorId: ids.admin, subjectType: 'currency', subjectId: 'EUR' });
  });

  it('convert each column at the current rate and keep a currency without one apart', async () => {
    const r = await board(s.admin);
    expect(r.body.currency).toEqual({ currency: 'EUR', rates: { USD: '0.9' } });
    const [first, second] = r.body.stages;
    // New: Forklifts 100 EUR, Cranes 7 GBP (no rate), Conveyor 1000 EUR, Pallets 20 EUR
    expect(first.companyTotal).toEqual({
      currency: 'EUR',
      amount: '1120.00',
      weighted: null,
      unconverted: [{ currency: 'GBP', amount: '7.00' }],
    });
    // Offer: Racks 50 USD at 0.9
    expect(second.companyTotal).toMatchObject({ amount: '45.00', unconverted: [] });
    // the lead's own view converts their own scope
    expect((await board(s.lead)).body.stages[0].companyTotal.amount).toBe('120.00');
    const byManager = (await managers(s.lead)).body.managers;
    expect(byManager[0].companyTotal).toMatchObject({ amount: '145.00', unconverted: [] });
    expect(byManager[1].companyTotal).toMatchObject({
      amount: '20.00',
      unconverted: [{ currency: 'GBP', amount: '7.00' }],
    });
  });

  it('with a rate added, the currency joins the total', async () => {
    const body = {
      currency: 'EUR',
      rates: [
        { currency: 'USD', rate: '0.9' },
        { currency: 'GBP', rate: '1.15' },
      ],
      version: 1,
    };
    expect((await s.admin.put('/currency-rates', body)).status).toBe(200);
    const first = (await board(s.admin)).body.stages[0];
    expect(first.companyTotal).toMatchObject({ amount: '1128.05', unconverted: [] });
  });

  it('show the weighted total beside the plain one where the stage has a win probability', async () => {
    expect((await setStages({ 1: { winProbability: 40 } })).status).toBe(200);
    expect((await setStages({ 2: { winProbability: 101 } })).status).toBe(400);
    const [first, second] = (await board(s.admin)).body.stages;
    expect(first.companyTotal.weighted).toBeNull();
    expect(second.companyTotal).toMatchObject({ amount: '45.00', weighted: '18.00' });
    const anna = (await managers(s.lead)).body.managers[0];
    expect(anna.stages[1].companyTotal.weighted).toBe('18.00');
    expect(anna.companyTotal.weighted).toBe('18.00');
  });
});

describe('saved filters on the server', () => {
  it('are my own unless I share them with my sales group', async () => {
    const mine = await s.m1.post('/saved-filters', { name: 'My stuck', filter: { owner: 'me', stuck: true } });
    expect(mine.status).toBe(201);
    expect(mine.body).toMatchObject({ name: 'My stuck', shared: false, mine: true, filter: { stuck: true } });
    const shared = await s.m1.post('/saved-filters', { name: 'Big ones', filter: { q: 'crane' }, shared: true });
    expect(shared.status).toBe(201);
    const names = (r: { body: { items: { name: string }[] } }) => r.body.items.map((x) => x.name);
    expect(names(await s.m1.get('/saved-filters'))).toEqual(['Big ones', 'My stuck']);
    const m2 = await s.m2.get('/saved-filters');
    expect(m2.body.items).toEqual([expect.objectContaining({ name: 'Big ones', mine: false, ownerName: 'Anna One' })]);
    expect(names(await s.lead.get('/saved-filters'))).toEqual(['Big ones']);
    expect(names(await s.m3.get('/saved-filters'))).toEqual([]);
    // only the owner changes or removes it
    expect((await s.m2.delete(`/saved-filters/${shared.body.id}`)).status).toBe(404);
    const unshare = await s.m1.put(`/saved-filters/${shared.body.id}`, {
      name: 'Big ones',
      filter: { q: 'crane' },
      shared: false,
      version: shared.body.version,
    });
    expect(unshare.status).toBe(200);
    expect(names(await s.m2.get('/saved-filters'))).toEqual([]);
    expect((await s.m1.delete(`/saved-filters/${mine.body.id}`)).status).toBe(204);
    expect(names(await s.m1.get('/saved-filters'))).toEqual(['Big ones']);
  });

  it('refuse a name I have already, and sharing without a group', async () => {
    const again = await s.m1.post('/saved-filters', { name: 'Big ones', filter: {} });
    expect([again.status, again.body.code]).toEqual([409, 'SAVED_FILTER_NAME_TAKEN']);
    expect((await s.m2.post('/saved-filters', { name: 'Big ones', filter: {} })).status).toBe(201);
    const alone = await s.loner.post('/saved-filters', { name: 'Mine', filter: {}, shared: true });
    expect([alone.status, alone.body.code]).toEqual([422, 'SAVED_FILTER_NO_GROUP']);
    expect((await s.m1.post('/saved-filters', { name: 'Odd', filter: { colour: 'red' } })).status).toBe(400);
  });
});
