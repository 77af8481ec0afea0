/**
 * A deal's write runs as a local activity, inside the workflow task that accepted the command. When that task is
 * lost after the write committed (here: the worker loses Temporal until the task times out), the task's retry runs
 * the write again: it finds its opId claimed, writes nothing twice, and the workflow goes on from the version written.
 */
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fixtures, login, startHarness, type Harness, type Session } from '../support/harness.ts';
import { throughProxy, type TcpProxy } from '../support/tcp-proxy.ts';
import { dealState, dealWorkflowId } from '../../workflows/deal-contract.ts';

let h: Harness;
let workerTemporal: TcpProxy;
let s: Session;
let stages: { id: string }[];
let dealId: string;

beforeAll(async () => {
  h = await startHarness({
    workerTemporalAddress: throughProxy((proxy) => (workerTemporal = proxy)),
  });
  const f = fixtures(h);
  const user = await f.user('manager');
  const client = await f.client(user.id);
  const p = await f.pipeline([
    ['New', 'open', [], []],
    ['Next', 'open', [], []],
    ['Won', 'won', [], []],
  ]);
  stages = p.stages;
  s = await login(h, user.email);
  dealId = (
    (await s.post('/deals', { title: 'Lost task', clientId: client.id, pipelineId: p.id })).body as { id: string }
  ).id;
});
afterAll(async () => {
  workerTemporal?.restore();
  await h?.close();
  await workerTemporal?.close();
});

const until = async <T>(what: () => Promise<T>, ok: (v: T) => boolean, ms: number): Promise<T> => {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await what();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
};

it('writes a move once when the workflow task that wrote it is lost, and goes on from the version written', async () => {
  const db = new pg.Client({ connectionString: h.databaseUrl });
  db.on('error', () => {}); // the database is dropped with the harness
  await db.connect();
  let sent: Promise<{ status: number; body: unknown }>;
  try {
    // the write waits at its claim; meanwhile the worker loses Temporal, so it cannot complete the task
    await db.query('begin');
    await db.query('lock table command_ops in exclusive mode');
    sent = s.post(`/deals/${dealId}/stage`, { stageId: stages[1].id });
    await until(
      async () => {
        // inside a transaction pg_stat_activity is read once and then kept: read it anew each time
        await db.query('select pg_stat_clear_snapshot()');
        const { rows } = await db.query<{ n: number }>(
          "select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and pid <> pg_backend_pid()",
        );
        return rows[0].n;
      },
      (n) => n > 0,
      10_000,
    );
    workerTemporal.cut();
    await db.query('commit');
    const written = await until(
      async () =>
        (await db.query<{ version: number }>('select version from deals where id = $1', [dealId])).rows[0].version,
      (v) => v === 2,
      5_000,
    );
    expect(written).toBe(2);
    // the task times out at Temporal (10 s) while the worker is cut off; Temporal then hands it out again
    await new Promise((r) => setTimeout(r, 12_000));
  } finally {
    workerTemporal.restore();
  }
  const r = await sent;
  // answered within the command deadline either as written, or as unknown: never "nothing was changed"
  if (r.status !== 200) expect((r.body as { code: string }).code).toBe('OUTCOME_UNKNOWN');

  const handle = h.ctx.temporal.workflow.getHandle(dealWorkflowId(dealId));
  const state = await until(
    () => handle.query(dealState).catch(() => null),
    (q) => q?.deal.version === 2,
    30_000,
  );
  expect(state?.deal).toMatchObject({ version: 2, stageId: stages[1].id });
  const { rows } = await db.query<{ events: number; claim: string; row: string }>(
    `select count(*)::int as events, min(o.xmin::text) as claim, min(d.xmin::text) as row
     from record_events e join command_ops o on o.op_id = e.op_id::text join deals d on d.id = e.record_id
     where e.record_id = $1 and e.kind = 'stage_changed'`,
    [dealId],
  );
  // one write; its claim was met again by the write's re-run (a later transaction than the write's own)
  expect(rows[0].events).toBe(1);
  expect(rows[0].claim).not.toBe(rows[0].row);

  await db.end();
  const next = await s.post(`/deals/${dealId}/stage`, { stageId: stages[2].id });
  expect(next.status).toBe(200);
  expect((next.body as { deal: unknown }).deal).toMatchObject({ stageId: stages[2].id, version: 3 });
});
