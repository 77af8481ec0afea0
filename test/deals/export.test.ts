/**
 * GET /deals/export.csv as a user downloads it: the list's filters and visibility, the chosen columns, UTF-8 with a
 * BOM, `,` in English and `;` with a decimal comma in Russian, quoting by the CSV writer, cells that would run as a
 * formula neutralised, every page of a long list, and one audit entry per export (who, which filter, how many rows).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtures, login, startHarness, type Harness, type Session } from '../support/harness.ts';
import { EXPORT_PAGE } from '../../modules/deals/export.ts';

let h: Harness;
let s: Record<'admin' | 'lead' | 'm1' | 'm2' | 'other', Session>;
let ids: Record<'admin' | 'lead' | 'm1' | 'm2' | 'other', string>;
let pipeline: { id: string; stages: { id: string; name: string }[] };
let clientId: string;
let clientOf: Record<string, string>;

const BOM = '\uFEFF';
const sql = <T = Record<string, unknown>>(q: string, params: unknown[] = []) =>
  h.ctx.orm.em.fork().getConnection().execute<T[]>(q, params);

async function csv(who: Session, query: string) {
  const res = await fetch(`${h.baseUrl}/api/v1/deals/export.csv?pipelineId=${pipeline.id}&${query}`, {
    headers: { cookie: who.cookie },
  });
  const bytes = new Uint8Array(await res.arrayBuffer());
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
  return { status: res.status, headers: res.headers, text, lines: text.replace(BOM, '').split('\r\n').filter(Boolean) };
}

async function newDeal(who: Session, title: string, body: Record<string, unknown> = {}) {
  const client = who === s.m1 ? clientId : clientOf[who === s.m2 ? ids.m2 : ids.other];
  const r = await who.post('/deals', { title, clientId: client, pipelineId: pipeline.id, ...body });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.id as string;
}

const exportsBy = (actorId: string) =>
  sql<{ actor_id: string; actor_email: string; subject_type: string; details: Record<string, unknown> }>(
    `select actor_id, actor_email, subject_type, details from audit_log where kind = 'export.downloaded' and actor_id = ?
     order by id`,
    [actorId],
  );

beforeAll(async () => {
  h = await startHarness();
  const f = fixtures(h);
  const admin = await f.user('admin');
  const lead = await f.user('lead');
  const dept = (await f.department('Group', lead.id)).id;
  const m1 = await f.user('manager', { departmentId: dept, name: 'Mila Export' });
  const m2 = await f.user('manager', { departmentId: dept });
  const other = await f.user('manager');
  ids = { admin: admin.id, lead: lead.id, m1: m1.id, m2: m2.id, other: other.id };
  const sessions = await Promise.all([admin, lead, m1, m2, other].map((u) => login(h, u.email)));
  s = { admin: sessions[0], lead: sessions[1], m1: sessions[2], m2: sessions[3], other: sessions[4] };
  await f.dealField('po', 'text');
  pipeline = await f.pipeline([
    ['New', 'open', [], []],
    ['Won', 'won', [], []],
  ]);
  clientId = (await s.m1.post('/clients', { name: 'Nordwind; Logistics' })).body.id;
  clientOf = { [m2.id]: (await f.client(m2.id, 'Second client')).id, [other.id]: (await f.client(other.id)).id };
});
afterAll(() => h?.close());

describe('the CSV export', () => {
  it('writes the chosen columns of the deals the user sees, UTF-8 with a BOM, formulas neutralised', async () => {
    await newDeal(s.m1, "=cmd|' /C calc'!A0", { amount: '1500.50', currency: 'EUR', custom: { po: '+PO-17' } });
    await newDeal(s.m1, 'Racks, "heavy"', { amount: '20.00', currency: 'USD', expectedCloseDate: '2027-03-31' });
    await newDeal(s.m1, '@SUM(1+1)');
    await newDeal(s.m1, 'Плита -5');
    await newDeal(s.other, 'Invisible deal'); // another manager's: never in m1's file

    const r = await csv(s.m1, 'columns=title,client,stage,owner,amount,currency,expectedCloseDate,custom.po&locale=en');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(r.headers.get('content-disposition')).toMatch(/^attachment; filename="?deals-\d{4}-\d{2}-\d{2}\.csv"?$/);
    expect(r.text.startsWith(BOM)).toBe(true);
    expect(r.lines[0]).toBe('Deal,Client,Stage,Owner,Amount,Currency,Expected close,po');
    // newest change first, as the list
    expect(r.lines.slice(1)).toEqual([
      'Плита -5,Nordwind; Logistics,New,Mila Export,,,,',
      "'@SUM(1+1),Nordwind; Logistics,New,Mila Export,,,,",
      '"Racks, ""heavy""",Nordwind; Logistics,New,Mila Export,20.00,USD,2027-03-31,',
      "'=cmd|' /C calc'!A0,Nordwind; Logistics,New,Mila Export,1500.50,EUR,,'+PO-17",
    ]);
    expect(r.text).not.toContain('Invisible deal');
  });

  it('in Russian: `;` between cells, a decimal comma, Russian headers', async () => {
    const r = await csv(s.m1, 'columns=title,client,amount&locale=ru&q=racks');
    expect(r.status).toBe(200);
    expect(r.lines).toEqual(['Сделка;Клиент;Сумма', '"Racks, ""heavy""";"Nordwind; Logistics";20,00']);
  });

  it("takes the list's filters: owner, search, the archive; a lead gets the group's deals", async () => {
    const archived = await newDeal(s.m1, 'Archived crane');
    expect((await s.m1.post(`/deals/${archived}/archive`, {})).status).toBe(200);
    await newDeal(s.m2, 'Crane of a colleague');
    const titles = async (who: Session, q: string) => (await csv(who, `columns=title&locale=en&${q}`)).lines.slice(1);
    expect(await titles(s.m1, 'q=crane')).toEqual([]);
    expect(await titles(s.m1, 'q=crane&archived=true')).toEqual(['Archived crane']);
    expect(await titles(s.lead, 'q=crane')).toEqual(['Crane of a colleague']);
    expect(await titles(s.lead, `q=crane&owner=${ids.m2}`)).toEqual(['Crane of a colleague']);
    expect(await titles(s.m2, 'q=racks')).toEqual([]);
    expect((await csv(s.m1, 'columns=nothing')).status).toBe(400);
    expect((await csv(s.m1, 'columns=title&owner=nobody')).status).toBe(400);
  });

  it('records every export in the audit log: who, which filter and columns, how many rows', async () => {
    const before = (await exportsBy(ids.lead)).length;
    const r = await csv(s.lead, 'columns=title,amount&q=crane&locale=en');
    expect(r.lines).toHaveLength(2);
    const entries = await exportsBy(ids.lead);
    expect(entries).toHaveLength(before + 1);
    const last = entries[entries.length - 1];
    expect(last.subject_type).toBe('deal');
    expect(last.details).toMatchObject({
      format: 'csv',
      filters: { pipelineId: pipeline.id, q: 'crane' },
      columns: ['title', 'amount'],
      rows: 1,
      complete: true,
    });
    // an administrator reads it through the audit API
    const audit = await s.admin.get('/audit?kind=export.downloaded');
    expect(audit.status).toBe(200);
    expect(audit.body.items.some((e: { actorId: string }) => e.actorId === ids.lead)).toBe(true);
  });

  it('streams every page of a long list, in order, each deal once', async () => {
    const n = EXPORT_PAGE * 2 + 7;
    const bulk = (await s.admin.post('/clients', { name: 'Bulk client' })).body.id;
    await sql(
      `insert into deals (id, title, client_id, owner_id, pipeline_id, stage_id, custom, created_at, updated_at, version)
       select gen_random_uuid(), 'Bulk ' || lpad(i::text, 5, '0'), ?, ?, ?, ?, '{}'::jsonb,
         now() - interval '1 day', now() - interval '1 day' + i * interval '1 second', 1
       from generate_series(1, ?) i`,
      [bulk, ids.other, pipeline.id, pipeline.stages[0].id, n],
    );
    const r = await csv(s.other, 'columns=title&locale=en&q=bulk');
    expect(r.lines).toHaveLength(n + 1);
    const expected = Array.from({ length: n }, (_, i) => `Bulk ${String(n - i).padStart(5, '0')}`);
    expect(r.lines.slice(1)).toEqual(expected);
    const oldestFirst = await csv(s.other, 'columns=title&locale=en&q=bulk&sort=updatedAt');
    expect(oldestFirst.lines.slice(1)).toEqual([...expected].reverse());
    const entries = await exportsBy(ids.other);
    expect(entries[entries.length - 1].details).toMatchObject({ rows: n, complete: true, sort: 'updatedAt' });
    // the JSON list pages the same order
    const page = await s.other.get(`/deals?pipelineId=${pipeline.id}&q=bulk&sort=updatedAt&limit=3`);
    expect(page.body.items.map((d: { title: string }) => d.title)).toEqual(['Bulk 00001', 'Bulk 00002', 'Bulk 00003']);
    const next = await s.other.get(
      `/deals?pipelineId=${pipeline.id}&q=bulk&sort=updatedAt&limit=3&cursor=${page.body.nextCursor}`,
    );
    expect(next.body.items.map((d: { title: string }) => d.title)).toEqual(['Bulk 00004', 'Bulk 00005', 'Bulk 00006']);
  });
});
