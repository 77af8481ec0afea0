/**
 * Postgres lost by the API right after a change was written: the answer must never say that nothing changed.
 * The API's database connection runs through a proxy the test cuts; the worker keeps its own direct connection.
 */
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fixtures, login, startHarness, type Harness, type Session } from '../support/harness.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';

let h: Harness;
let apiDb: TcpProxy;
let directUrl: string;
let s: Session;
let stages: { id: string }[];
let dealId: string;

beforeAll(async () => {
  h = await startHarness({
    route: async ({ databaseUrl, temporalAddress }) => {
      directUrl = databaseUrl;
      const u = new URL(databaseUrl);
      apiDb = await startTcpProxy(u.hostname, Number(u.port || 5432));
      u.port = String(apiDb.port);
      return { databaseUrl: u.toString(), temporalAddress };
    },
    workerDatabaseUrl: () => Promise.resolve(directUrl),
  });
  const f = fixtures(h);
  const user = await f.user('manager');
  const client = await f.client(user.id);
  const p = await f.pipeline([
    ['New', 'open', [], []],
    ['Next', 'open', [], []],
  ]);
  stages = p.stages;
  s = await login(h, user.email);
  dealId = (await s.post('/deals', { title: 'Saved, then lost', clientId: client.id, pipelineId: p.id })).body.id;
});
afterAll(async () => {
  apiDb?.restore();
  await h?.close();
  await apiDb?.close();
});

it('never answers "nothing was changed" to a move that was written before the API lost the database', async () => {
  const db = new pg.Client({ connectionString: directUrl });
  await db.connect();
  let r;
  try {
    // the write waits at its first statement while the API loses its database, then commits
    await db.query('begin');
    await db.query('lock table command_ops in exclusive mode');
    const sent = s.post(`/deals/${dealId}/stage`, { stageId: stages[1].id });
    for (let i = 0; i < 100; i++) {
      // inside a transaction pg_stat_activity is read once and then kept: read it anew each time
      await db.query('select pg_stat_clear_snapshot()');
      const { rows } = await db.query(
        "select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and pid <> pg_backend_pid()",
      );
      if (rows[0].n > 0) break;
      await new Promise((res) => setTimeout(res, 50));
    }
    apiDb.cut();
    await db.query('commit');
    r = await sent;
  } finally {
    apiDb.restore();
  }
  const { rows } = await db.query('select stage_id, version from deals where id = $1', [dealId]);
  await db.end();
  expect(rows[0]).toMatchObject({ stage_id: stages[1].id, version: 2 });
  expect(r.body.detail ?? '').not.toMatch(/nothing was changed/i);
  if (r.status === 200) {
    expect(r.body.deal).toMatchObject({ stageId: stages[1].id, version: 2 });
  } else {
    expect(r.body.code).toBe('SAVED_NOT_SHOWN');
    expect(r.body).toMatchObject({ version: 2, stageId: stages[1].id });
  }
});
