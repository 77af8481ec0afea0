import { afterAll, beforeAll, expect, it } from 'vitest';
import { fixtures, login, startHarness, type Harness, type Session } from '../support/harness.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';
import { RecordEvent } from '../../modules/timeline/entities.ts';

let h: Harness;
let workerDb: TcpProxy;
let s: Session;
let stages: { id: string }[];
let dealId: string;

beforeAll(async () => {
  h = await startHarness({
    workerDatabaseUrl: async (url) => {
      const u = new URL(url);
      workerDb = await startTcpProxy(u.hostname, Number(u.port || 5432));
      u.port = String(workerDb.port);
      return u.toString();
    },
  });
  const f = fixtures(h);
  const user = await f.user('manager');
  const client = await f.client(user.id);
  const p = await f.pipeline([
    ['New', 'open', [], []],
    ['Next', 'open', [], []],
    ['Last', 'open', [], []],
  ]);
  stages = p.stages;
  s = await login(h, user.email);
  dealId = (await s.post('/deals', { title: 'Worker outage', clientId: client.id, pipelineId: p.id })).body.id;
});
afterAll(async () => {
  workerDb?.restore();
  await h?.close();
  await workerDb?.close();
});

const events = () => h.ctx.orm.em.fork().count(RecordEvent, { recordType: 'deal', recordId: dealId });

it('rides out a short loss of the database by retrying the write', async () => {
  workerDb.cut();
  setTimeout(() => workerDb.restore(), 1500);
  const r = await s.post(`/deals/${dealId}/stage`, { stageId: stages[1].id });
  expect(r.status).toBe(200);
  expect(r.body.deal.version).toBe(2);
  expect(await events()).toBe(2);
});

it('says the outcome is unknown when the write cannot be confirmed, and the deal is consistent once the database is back', async () => {
  workerDb.cut();
  let r;
  try {
    r = await s.post(`/deals/${dealId}/stage`, { stageId: stages[2].id });
  } finally {
    workerDb.restore();
  }
  expect(r.status).toBe(503);
  expect(r.headers.get('retry-after')).toBe('5');
  expect(r.body.code).toBe('OUTCOME_UNKNOWN');
  // once the database is back the deal is consistent: either the write never reached Postgres and the move is made
  // again, or an attempt of it committed before the command was given up (the change stands, STAGE_UNCHANGED)
  let next: { status: number; body?: { code?: string } } = { status: 0 };
  for (let i = 0; i < 60 && next.status !== 200 && next.body?.code !== 'STAGE_UNCHANGED'; i++) {
    next = await s.post(`/deals/${dealId}/stage`, { stageId: stages[2].id });
    if (next.status !== 200) await new Promise((res) => setTimeout(res, 500));
  }
  expect([200, 422]).toContain(next.status);
  const deal = (await s.get(`/deals/${dealId}`)).body;
  expect(deal).toMatchObject({ stageId: stages[2].id, version: 3 });
  expect(await events()).toBe(3);
  // and the workflow holds what Postgres holds: the next change goes through at once
  const back = await s.post(`/deals/${dealId}/stage`, { stageId: stages[0].id, version: 3 });
  expect(back.status).toBe(200);
  expect(await events()).toBe(4);
});

it('lets a create retried with the same Idempotency-Key succeed after its first attempt failed', async () => {
  const f = fixtures(h);
  const user = await f.user('manager');
  const client = await f.client(user.id);
  const p = await f.pipeline([['New', 'open', [], []]]);
  const m = await login(h, user.email);
  const body = { title: 'Retried after outage', clientId: client.id, pipelineId: p.id };
  const key = { 'idempotency-key': 'outage-create' };
  workerDb.cut();
  let first;
  try {
    first = await m.request('POST', '/deals', body, key);
  } finally {
    workerDb.restore();
  }
  expect(first.status).toBe(503);
  let retry: { status: number; body?: { id: string } } = { status: 0 };
  for (let i = 0; i < 60 && retry.status !== 201; i++) {
    retry = await m.request('POST', '/deals', { ...body, title: 'Retried after outage, corrected' }, key);
    if (retry.status !== 201) await new Promise((res) => setTimeout(res, 500));
  }
  expect(retry.status).toBe(201);
  const again = await m.request('POST', '/deals', body, key);
  expect(again.body.id).toBe(retry.body?.id);
  const list = await m.get(`/deals?pipelineId=${p.id}`);
  expect(list.body.items).toHaveLength(1);
  expect(
    await h.ctx.orm.em.fork().count(RecordEvent, { recordType: 'deal', recordId: retry.body?.id, kind: 'created' }),
  ).toBe(1);
});
