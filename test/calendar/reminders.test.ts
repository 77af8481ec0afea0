/**
 * Reminders on the real Temporal server and Postgres: an event hands its reminders over to the dispatcher when it is
 * planned, and an edit or a cancellation replaces what it handed over, so a moved event reminds once at its new time
 * and a cancelled one not at all; a dispatcher whose connection dies in the middle of a batch (its worker then stopped)
 * delivers nothing of it, and after the restart every reminder of the batch arrives exactly once.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtures, login, startHarness, type Harness, type Session } from '../support/harness.ts';
import { until } from '../support/until.ts';

let h: Harness;
let manager: Session;
let managerId: string;
let helperIds: string[];

const sql = async <T = Record<string, unknown>>(q: string, params: unknown[] = []) =>
  h.ctx.orm.em.fork().getConnection().execute<T[]>(q, params);
const at = (ms: number) => new Date(Date.now() + ms).toISOString();
const remindersOf = (eventIds: string[]) =>
  sql<{ key: string; user_id: string; data: { title: string; occurrence: string } }>(
    `select key, user_id, data from notifications where kind = 'reminder' and record_id = any(?::uuid[]) order by id`,
    [`{${eventIds.join(',')}}`],
  );
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

const call = (over: Record<string, unknown> = {}) => ({
  kind: 'call',
  title: 'Call the buyer',
  startsAt: at(60 * 60_000),
  endsAt: at(2 * 60 * 60_000),
  timeZone: 'UTC',
  reminders: [0],
  ...over,
});

beforeAll(async () => {
  h = await startHarness();
  const f = fixtures(h);
  const m = await f.user('manager', { name: 'Mia Manager' });
  managerId = m.id;
  helperIds = [];
  for (const name of ['Hugo Helper', 'Hana Helper', 'Hal Helper'])
    helperIds.push((await f.user('manager', { name })).id);
  manager = await login(h, m.email);
});
afterAll(() => h?.close());

describe('reminders', () => {
  it('an event moved before its reminder reminds once at its new time, and a cancelled one not at all', async () => {
    // due in half a minute: time enough to change them first, even on a busy machine
    const moved = await manager.post('/calendar/events', call({ title: 'Moved call', startsAt: at(30_000) }));
    const cancelled = await manager.post('/calendar/events', call({ title: 'Cancelled call', startsAt: at(30_000) }));
    const series = await manager.post(
      '/calendar/events',
      call({ title: 'Daily call', startsAt: at(30_000), rrule: 'FREQ=DAILY;COUNT=3' }),
    );
    expect([moved.status, cancelled.status, series.status]).toEqual([201, 201, 201]);
    const firstStart = series.body.startsAt as string;

    const newStart = new Date(Date.parse(moved.body.startsAt) + 10_000).toISOString();
    const edit = await manager.patch(`/calendar/events/${moved.body.id}`, {
      changes: { title: 'Moved call, later', startsAt: newStart, endsAt: at(3_600_000) },
    });
    expect(edit.status).toBe(200);
    expect((await manager.post(`/calendar/events/${cancelled.body.id}/cancel`, {})).status).toBe(200);
    const skip = await manager.post(`/calendar/events/${series.body.id}/cancel`, { occurrence: firstStart });
    expect(skip.status).toBe(200);

    // past the old times (and the dispatcher's look at them): nothing was delivered for the old plans
    await pause(Math.max(0, Date.parse(firstStart) - Date.now()) + 3000);
    expect(await remindersOf([cancelled.body.id, series.body.id])).toEqual([]);
    const delivered = await until(
      () => remindersOf([moved.body.id]),
      (n) => n.length > 0,
    );
    expect(delivered.map((n) => [n.user_id, n.data.title, n.data.occurrence])).toEqual([
      [managerId, 'Moved call, later', newStart],
    ]);
    await pause(1500);
    expect(await remindersOf([moved.body.id])).toHaveLength(1);
    expect(await remindersOf([cancelled.body.id, series.body.id])).toEqual([]);
  });

  it('a dispatcher stopped in the middle of a batch delivers each of its reminders exactly once after the restart', async () => {
    let startsAt = at(20_000); // time enough to plan all three first, even on a busy machine
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await manager.post(
        '/calendar/events',
        call({ title: `Team call ${i + 1}`, startsAt, participantUserIds: helperIds }),
      );
      expect(r.status).toBe(201);
      ids.push(r.body.id);
      startsAt = r.body.startsAt;
    }
    const expected = ids.flatMap((id) => [managerId, ...helperIds].map((u) => `reminder:${id}:${startsAt}:0:${u}`));

    // the batch is held inside its transaction: adding the manager's notifications waits for this lock on the manager
    const db = new pg.Client({ connectionString: h.databaseUrl });
    // watched from a connection of its own: inside a transaction, pg_stat_activity is read once and then kept
    const watch = new pg.Client({ connectionString: h.databaseUrl });
    for (const c of [db, watch]) {
      c.on('error', () => {}); // the database is dropped with the harness
      await c.connect();
    }
    const held = () =>
      watch
        .query<{ pid: number }>(
          `select pid from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'
              and query like '%delete from scheduled_notifications%insert into notifications%'
              and pid <> pg_backend_pid()`,
        )
        .then((r) => r.rows.map((x) => x.pid));
    const kill = (pids: number[]) =>
      watch.query('select pg_terminate_backend(pid) from unnest($1::int[]) as pid', [pids]);
    try {
      await db.query('begin');
      await db.query('select id from users where id = $1 for update', [managerId]);
      const mid = await until(held, (pids) => pids.length > 0, 60_000);
      expect(mid.length).toBeGreaterThan(0);
      // the dispatcher dies mid-batch: its connection is gone with the transaction open, and its worker is stopped
      // (a batch taken meanwhile by the other dispatcher dies the same way)
      let stopped = false;
      const stopping = h.worker.stop().finally(() => (stopped = true));
      await kill(mid);
      while (!stopped) {
        await kill(await held());
        await pause(100);
      }
      await stopping;
    } finally {
      await db.query('commit');
      await Promise.all([db.end(), watch.end()]);
    }
    // none of the batch was delivered
    expect(await remindersOf(ids)).toEqual([]);

    await h.startAnotherWorker();
    const delivered = await until(
      () => remindersOf(ids),
      (n) => n.length >= expected.length,
    );
    expect(delivered.map((n) => n.key).sort()).toEqual([...expected].sort());
    await pause(1500);
    expect(await remindersOf(ids)).toHaveLength(expected.length);
    // a bound on liveness, not a speed goal: a reminder 20 s ahead, a worker stopped and started again, on 2 busy cores
  }, 180_000);
});
