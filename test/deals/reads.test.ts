/**
 * Deal reads as the web app uses them: the filters of the list and the board (owner, expected close dates, overdue,
 * stuck, search across the deal, its client and its contact), board counts and totals that follow every write, shared
 * deals on both, and visibility that follows a change to the organisation at once.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtures, login, startHarness, type Harness, type Session } from '../support/harness.ts';

let h: Harness;
let f: ReturnType<typeof fixtures>;
let s: Record<'admin' | 'lead' | 'm1' | 'm2' | 'other', Session>;
let ids: Record<'admin' | 'lead' | 'm1' | 'm2' | 'other', string>;
let dept: string;
let pipeline: { id: string; stages: { id: string }[] };
let deals: Record<'a' | 'b' | 'c' | 'd', string>;

const sql = (q: string, params: unknown[] = []) => h.ctx.orm.em.fork().getConnection().execute(q, params);
const titles = (r: { body: { items: { title: string }[] } }) => r.body.items.map((d) => d.title).sort();
const today = () => new Date().toISOString().slice(0, 10);
const daysFromNow = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  h = await startHarness();
  f = fixtures(h);
  const admin = await f.user('admin');
  const lead = await f.user('lead');
  dept = (await f.department('Group', lead.id)).id;
  const m1 = await f.user('manager', { departmentId: dept });
  const m2 = await f.user('manager', { departmentId: dept });
  const other = await f.user('manager');
  ids = { admin: admin.id, lead: lead.id, m1: m1.id, m2: m2.id, other: other.id };
  const sessions = await Promise.all([admin, lead, m1, m2, other].map((u) => login(h, u.email)));
  s = { admin: sessions[0], lead: sessions[1], m1: sessions[2], m2: sessions[3], other: sessions[4] };
  pipeline = await f.pipeline([
    ['New', 'open', [], []],
    ['Offer', 'open', [], []],
    ['Won', 'won', [], []],
  ]);
  const c1 = (
    await s.m1.post('/clients', { name: 'Nordwind Logistics', taxId: '7701234567', phone: '+7 (495) 111-22-33' })
  ).body.id;
  const contact = (await s.m1.post(`/clients/${c1}/contacts`, { name: 'Olga Petrova', email: 'olga@nordwind.example' }))
    .body.id;
  const c2 = (await s.m2.post('/clients', { name: 'Blue Harbour', email: 'hello@blueharbour.example' })).body.id;
  const c3 = (await s.other.post('/clients', { name: 'Elsewhere Inc' })).body.id;
  const create = async (who: Session, body: Record<string, unknown>) => {
    const r = await who.post('/deals', { pipelineId: pipeline.id, ...body });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.id as string;
  };
  deals = {
    a: await create(s.m1, {
      title: 'Forklifts',
      clientId: c1,
      contactId: contact,
      amount: '100.00',
      currency: 'EUR',
      expectedCloseDate: daysFromNow(-3),
    }),
    b: await create(s.m1, {
      title: 'Racks',
      clientId: c1,
      amount: '50.50',
      currency: 'USD',
      expectedCloseDate: daysFromNow(20),
    }),
    c: await create(s.m2, {
      title: 'Cranes',
      clientId: c2,
      amount: '7.00',
      currency: 'EUR',
      expectedCloseDate: daysFromNow(-1),
    }),
    d: await create(s.other, { title: 'Conveyor', clientId: c3 }),
  };
});
afterAll(() => h?.close());

describe('filters of the deal list', () => {
  it('narrow by owner: me, a user, my group', async () => {
    expect(titles(await s.m1.get('/deals?owner=me'))).toEqual(['Forklifts', 'Racks']);
    expect(titles(await s.lead.get(`/deals?owner=${ids.m2}`))).toEqual(['Cranes']);
    expect(titles(await s.lead.get('/deals?owner=group'))).toEqual(['Cranes', 'Forklifts', 'Racks']);
    expect(titles(await s.admin.get('/deals?owner=group'))).toEqual([]); // the admin leads no group
    expect(titles(await s.admin.get(`/deals?owner=${ids.other}`))).toEqual(['Conveyor']);
    // another user's deals the viewer cannot see stay invisible when asked for by owner
    expect(titles(await s.m1.get(`/deals?owner=${ids.m2}`))).toEqual([]);
    expect((await s.m1.get('/deals?owner=someone')).status).toBe(400);
  });

  it('narrow by expected close date, overdue and stuck deals', async () => {
    expect(titles(await s.lead.get(`/deals?closeFrom=${today()}`))).toEqual(['Racks']);
    expect(titles(await s.lead.get(`/deals?closeTo=${today()}`))).toEqual(['Cranes', 'Forklifts']);
    expect(titles(await s.lead.get(`/deals?closeFrom=${daysFromNow(-2)}&closeTo=${daysFromNow(30)}`))).toEqual([
      'Cranes',
      'Racks',
    ]);
    expect(titles(await s.lead.get('/deals?overdue=true'))).toEqual(['Cranes', 'Forklifts']);
    expect(titles(await s.lead.get('/deals?overdue=false'))).toEqual(['Cranes', 'Forklifts', 'Racks']);
    expect(titles(await s.lead.get('/deals?stuckDays=5'))).toEqual([]);
    await sql("update deals set updated_at = now() - interval '10 days' where id = ?", [deals.b]);
    expect(titles(await s.lead.get('/deals?stuckDays=5'))).toEqual(['Racks']);
    expect((await s.lead.get('/deals?closeFrom=2026-02-30')).status).toBe(400);
  });

  it('search the title, the client (name, tax id, email, phone) and the contact', async () => {
    expect(titles(await s.lead.get('/deals?q=forkl'))).toEqual(['Forklifts']);
    expect(titles(await s.lead.get('/deals?q=nordwind'))).toEqual(['Forklifts', 'Racks']);
    expect(titles(await s.lead.get('/deals?q=770123'))).toEqual(['Forklifts', 'Racks']);
    expect(titles(await s.lead.get('/deals?q=4951112233'))).toEqual(['Forklifts', 'Racks']);
    expect(titles(await s.lead.get('/deals?q=blueharbour.example'))).toEqual(['Cranes']);
    expect(titles(await s.lead.get('/deals?q=petrova'))).toEqual(['Forklifts']);
    expect(titles(await s.m2.get('/deals?q=nordwind'))).toEqual([]);
  });

  it('follow a client or contact renamed since', async () => {
    const client = (await s.m2.get(`/deals/${deals.c}`)).body.clientId;
    const version = (await s.m2.get(`/clients/${client}`)).body.version;
    expect((await s.m2.patch(`/clients/${client}`, { version, name: 'Red Harbour' })).status).toBe(200);
    expect(titles(await s.m2.get('/deals?q=red harb'))).toEqual(['Cranes']);
    expect(titles(await s.m2.get('/deals?q=blue harb'))).toEqual([]);
  });

  it('apply to the board too', async () => {
    const board = await s.lead.get(`/deals/board?pipelineId=${pipeline.id}&owner=${ids.m1}&overdue=true`);
    expect(board.status).toBe(200);
    expect(board.body.stages[0].count).toBe(1);
    expect(board.body.stages[0].deals.map((d: { title: string }) => d.title)).toEqual(['Forklifts']);
    const mine = await s.m1.get(`/deals/board?pipelineId=${pipeline.id}&owner=me`);
    expect(mine.body.stages[0].count).toBe(2);
  });
});

describe('board counts and totals', () => {
  const column = async (who: Session, i: number) =>
    (await who.get(`/deals/board?pipelineId=${pipeline.id}`)).body.stages[i];

  it('follow creates, moves and edits', async () => {
    expect((await column(s.admin, 0)).count).toBe(4);
    expect((await column(s.lead, 0)).totals).toEqual([
      { currency: 'EUR', amount: '107.00' },
      { currency: 'USD', amount: '50.50' },
    ]);
    const moved = await s.m1.post(`/deals/${deals.a}/stage`, { stageId: pipeline.stages[1].id });
    expect(moved.status).toBe(200);
    expect((await column(s.lead, 0)).totals).toEqual([
      { currency: 'EUR', amount: '7.00' },
      { currency: 'USD', amount: '50.50' },
    ]);
    expect((await column(s.lead, 1)).count).toBe(1);
    expect((await column(s.lead, 1)).totals).toEqual([{ currency: 'EUR', amount: '100.00' }]);
    const edited = await s.m1.patch(`/deals/${deals.a}`, { changes: { amount: '120', currency: 'USD' } });
    expect(edited.status).toBe(200);
    expect((await column(s.lead, 1)).totals).toEqual([{ currency: 'USD', amount: '120.00' }]);
    expect((await column(s.m2, 1)).count).toBe(0);
    // exact in every slot (a deal's slot is chosen by its id), so the board's sum of the slots is exact too
    const check = await sql(`select count(*)::int as n from (
        select pipeline_id, stage_id, owner_id, coalesce(currency, '') as currency, deal_board_slot(id) as slot,
          count(*) as deals, coalesce(sum(amount), 0) as amount
        from deals group by 1, 2, 3, 4, 5) x
      full join (select * from deal_board_totals where deals <> 0) t using (pipeline_id, stage_id, owner_id, currency, slot)
      where x.deals is distinct from t.deals or x.amount is distinct from t.amount`);
    expect(check[0].n).toBe(0);
    // the administrators' rollup (per pipeline, stage and currency, summed over its slots) follows the same writes
    const rollup = await sql(`select count(*)::int as n from (
        select pipeline_id, stage_id, coalesce(currency, '') as currency, count(*) as deals, coalesce(sum(amount), 0) as amount
        from deals group by 1, 2, 3) x
      full join (select pipeline_id, stage_id, currency, sum(deals) as deals, sum(amount) as amount
        from deal_board_rollup group by 1, 2, 3 having sum(deals) <> 0) t using (pipeline_id, stage_id, currency)
      where x.deals is distinct from t.deals or x.amount is distinct from t.amount`);
    expect(rollup[0].n).toBe(0);
    expect((await column(s.admin, 1)).totals).toEqual([{ currency: 'USD', amount: '120.00' }]);
  });

  it('count deals shared with the viewer once, on the list and the board', async () => {
    expect((await s.m1.post(`/deals/${deals.b}/shares`, { userId: ids.other })).status).toBe(201);
    expect(titles(await s.other.get('/deals'))).toEqual(['Conveyor', 'Racks']);
    expect(titles(await s.other.get(`/deals?owner=${ids.m1}`))).toEqual(['Racks']);
    expect(titles(await s.other.get('/deals?owner=me'))).toEqual(['Conveyor']);
    const first = await column(s.other, 0);
    expect(first.count).toBe(2);
    expect(first.totals).toEqual([{ currency: 'USD', amount: '50.50' }]);
    // shared with a lead who sees it anyway: still counted once
    expect((await s.m1.post(`/deals/${deals.b}/shares`, { userId: ids.lead })).status).toBe(201);
    expect((await column(s.lead, 0)).count).toBe(2);
  });
  it('sum the slots a busy cell is spread over, exactly, as deals come and go', async () => {
    // one cell (pipeline, stage, owner, currency) written by many deals at once is kept in up to eight rows
    type Column = { count: number; totals: { currency: string; amount: string }[] };
    const won = pipeline.stages[2].id;
    const before = (await column(s.lead, 2)) as Column;
    const [{ client_id }] = (await sql('select client_id from deals where id = ?', [deals.a])) as {
      client_id: string;
    }[];
    const added = await sql(
      `insert into deals (id, title, client_id, owner_id, pipeline_id, stage_id, amount, currency, custom)
      select gen_random_uuid(), 'Bulk ' || g, ?, ?, ?, ?, 1.25, 'EUR', '{}'::jsonb from generate_series(1, 40) g
      returning id`,
      [client_id, ids.m1, pipeline.id, won],
    );
    const [{ slots }] = (await sql(
      `select count(*)::int as slots from deal_board_totals where stage_id = ? and owner_id = ? and deals <> 0`,
      [won, ids.m1],
    )) as { slots: number }[];
    expect(slots).toBeGreaterThan(1);
    const after = (await column(s.lead, 2)) as Column;
    expect(after.count).toBe(before.count + 40);
    expect(after.totals).toEqual([{ currency: 'EUR', amount: '50.00' }]);
    await sql('delete from deals where id = any(?::uuid[])', [`{${added.map((r) => String(r.id)).join(',')}}`]);
    expect(await column(s.lead, 2)).toEqual(before);
  });
});

describe('visibility after a change to the organisation', () => {
  it('follows at once, even when the change is written straight to the database', async () => {
    expect(titles(await s.lead.get(`/deals?owner=${ids.m2}`))).toEqual(['Cranes']);
    await sql('update users set department_id = null where id = ?', [ids.m2]);
    expect(titles(await s.lead.get(`/deals?owner=${ids.m2}`))).toEqual([]);
    expect((await s.lead.get(`/deals/${deals.c}`)).status).toBe(404);
    await sql('update users set department_id = ? where id = ?', [dept, ids.m2]);
    expect((await s.lead.get(`/deals/${deals.c}`)).status).toBe(200);
    const sub = randomUUID();
    await sql('insert into departments (id, name, parent_id) values (?, ?, ?)', [sub, 'Sub', dept]);
    await sql('update users set department_id = ? where id = ?', [sub, ids.other]);
    expect(titles(await s.lead.get(`/deals?owner=${ids.other}`))).toEqual(['Conveyor']);
  });
});
