import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtures, login, startHarness, type Harness, type Session } from '../support/harness.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';

let h: Harness;
let pgProxy: TcpProxy;
let temporalProxy: TcpProxy;
let manager: Session;
let dealId: string;
let stages: { id: string; name: string }[];

beforeAll(async () => {
  h = await startHarness({
    route: async ({ databaseUrl, temporalAddress }) => {
      const db = new URL(databaseUrl);
      pgProxy = await startTcpProxy(db.hostname, Number(db.port || 5432));
      db.port = String(pgProxy.port);
      const [host, port] = temporalAddress.split(':');
      temporalProxy = await startTcpProxy(host, Number(port));
      return { databaseUrl: db.toString(), temporalAddress: `127.0.0.1:${temporalProxy.port}` };
    },
  });
  const f = fixtures(h);
  const m = await f.user('manager');
  const client = await f.client(m.id);
  const p = await f.pipeline([
    ['New', 'open', [], []],
    ['Qualified', 'open', [], []],
    ['Won', 'won', [], []],
  ]);
  stages = p.stages;
  manager = await login(h, m.email);
  const r = await manager.post('/deals', { title: 'Resilient', clientId: client.id, pipelineId: p.id });
  expect(r.status).toBe(201);
  dealId = r.body.id;
});
afterAll(async () => {
  pgProxy?.restore();
  temporalProxy?.restore();
  await h?.close();
  await pgProxy?.close();
  await temporalProxy?.close();
});

describe('when a backing service is unreachable', () => {
  it('answers 503 with Retry-After while Temporal is down, changes nothing, and works again after', async () => {
    temporalProxy.cut();
    try {
      const r = await manager.post(`/deals/${dealId}/stage`, { stageId: stages[1].id });
      expect(r.status).toBe(503);
      expect(r.headers.get('retry-after')).toBe('5');
      expect(r.body.code).toBe('SERVICE_UNAVAILABLE');
      const ready = await manager.get('/ready');
      expect(ready.status).toBe(503);
      expect(ready.body.checks).toEqual({ postgres: 'ok', temporal: 'unreachable' });
      const deal = await manager.get(`/deals/${dealId}`);
      expect(deal.body.stageId).toBe(stages[0].id);
      expect(deal.body.version).toBe(1);
    } finally {
      temporalProxy.restore();
    }
    let ok: { status: number; body?: { deal: { version: number } } } = { status: 0 };
    for (let i = 0; i < 40 && ok.status !== 200; i++) {
      ok = await manager.post(`/deals/${dealId}/stage`, { stageId: stages[1].id });
      if (ok.status !== 200) await new Promise((r) => setTimeout(r, 250));
    }
    expect(ok.status).toBe(200);
    expect(ok.body?.deal.version).toBe(2);
  });

  it('answers 503 with Retry-After while Postgres is down and reports it on /ready', async () => {
    pgProxy.cut();
    try {
      const list = await manager.get('/deals');
      expect(list.status).toBe(503);
      expect(list.headers.get('retry-after')).toBe('5');
      const move = await manager.post(`/deals/${dealId}/stage`, { stageId: stages[2].id });
      expect(move.status).toBe(503);
      const ready = await manager.get('/ready');
      expect(ready.status).toBe(503);
      expect(ready.body.checks.postgres).toBe('unreachable');
    } finally {
      pgProxy.restore();
    }
    const deal = await manager.get(`/deals/${dealId}`);
    expect(deal.status).toBe(200);
    expect(deal.body.stageId).toBe(stages[1].id);
  });
});
