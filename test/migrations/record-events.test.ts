import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { initORM, type Orm } from '../../server/orm.ts';
import { withDb } from '../support/services.ts';

const adminUrl = inject('pgAdminUrl');
const dbName = `dealflow_mig_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
let orm: Orm;

beforeAll(async () => {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  await admin.end();
  orm = await initORM(withDb(adminUrl, dbName));
});
afterAll(async () => {
  await orm?.close();
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${dbName} with (force)`);
  await admin.end();
});

it('moves deal_events into record_events in the order the history showed them, keeping op ids', async () => {
  await orm.migrator.up({ to: 'Migration20261128000000_deal_ops' });
  const sql = (q: string, p: unknown[] = []) => orm.em.getConnection().execute(q, p);
  const [user, client, pipeline, stage, next, deal] = Array.from({ length: 6 }, () => randomUUID());
  await sql("insert into users (id, email, name, password_hash, role) values (?, 'm@x.test', 'M', 'h', 'manager')", [
    user,
  ]);
  await sql('insert into clients (id, name, owner_id) values (?, ?, ?)', [client, 'C', user]);
  await sql("insert into pipelines (id, name) values (?, 'P')", [pipeline]);
  await sql(
    "insert into stages (id, pipeline_id, name, position, kind) values (?, ?, 'A', 0, 'open'), (?, ?, 'B', 1, 'open')",
    [stage, pipeline, next, pipeline],
  );
  await sql("insert into deals (id, title, client_id, owner_id, pipeline_id, stage_id) values (?, 'D', ?, ?, ?, ?)", [
    deal,
    client,
    user,
    pipeline,
    stage,
  ]);
  const ops = [randomUUID(), randomUUID(), 'legacy-op', randomUUID()];
  // ids in the history's order: by time, then by id (two events share a millisecond)
  const events: [string, string, string, string | null, string | null][] = [
    ['ffffffff-0000-4000-8000-000000000000', '2026-11-01T10:00:00.000Z', 'created', null, stage],
    ['00000000-0000-4000-8000-000000000001', '2026-11-01T10:00:01.000Z', 'updated', null, null],
    ['00000000-0000-4000-8000-000000000002', '2026-11-01T10:00:01.000Z', 'updated', null, null],
    ['00000000-0000-4000-8000-000000000000', '2026-11-01T10:00:02.000Z', 'stage_changed', stage, next],
  ];
  for (const [i, [id, at, kind, from, to]] of events.entries()) {
    await sql(
      `insert into deal_events (id, deal_id, op_id, kind, actor_id, at, from_stage_id, to_stage_id, data)
      values (?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb)`,
      [id, deal, ops[i], kind, user, at, from, to, JSON.stringify({ n: i })],
    );
  }
  await orm.migrator.up();
  const rows = (await sql(
    'select id::text as id, record_type, record_id, kind, actor_id, op_id, from_stage_id, to_stage_id, data, created_at from record_events order by id',
  )) as {
    id: string;
    record_type: string;
    record_id: string;
    kind: string;
    actor_id: string;
    op_id: string | null;
    from_stage_id: string | null;
    to_stage_id: string | null;
    data: { n: number };
    created_at: Date;
  }[];
  expect(rows.map((r) => r.data.n)).toEqual([0, 1, 2, 3]);
  expect(rows.map((r) => [r.record_type, r.record_id, r.kind, r.actor_id])).toEqual(
    events.map(([, , kind]) => ['deal', deal, kind, user]),
  );
  expect(rows.map((r) => r.op_id)).toEqual([ops[0], ops[1], null, ops[3]]);
  expect(rows.map((r) => new Date(r.created_at).toISOString())).toEqual(events.map(([, at]) => at));
  expect([rows[3].from_stage_id, rows[3].to_stage_id]).toEqual([stage, next]);
  expect(await sql("select to_regclass('deal_events') as t")).toEqual([{ t: null }]);
});
