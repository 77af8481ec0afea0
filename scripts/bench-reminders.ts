/**
 * `npm run bench -- --reminders [N]` (default 10,000): N calendar events whose reminders all fall due within one
 * minute, each an `event-<id>` workflow, on real Postgres and a real Temporal dev server. The events are planted as
 * their create writes them — the row and its reminder handed over to the dispatcher (`scheduled_notifications`), as
 * happens hours before a burst — and their workflows are started (they sleep until the result is asked for); the
 * dispatchers deliver the reminders when due. Lateness = when the notification was committed (its created_at,
 * Postgres's clock) minus when it was due. The baseline, measured in the same run before the load, is the lateness
 * of a few reminders on an idle system.
 */
import { randomUUID } from 'node:crypto';
import { benchServices, flagCount } from './bench-services.ts';
import { fixtures, type Harness } from '../test/support/harness.ts';
import { DEFAULT_ASK_SETTINGS, blankFields, plannedState, type EventState } from '../modules/calendar/model.ts';
import { eventWorkflow } from '../workflows/event.ts';
import { HAND_OVER_AHEAD_MS, remindersThrough } from '../modules/calendar/schedule.ts';
import { schedule } from '../modules/notifications/scheduled.ts';
import { plannedReminders } from '../activities/events.ts';
import { eventWorkflowId } from '../workflows/event-contract.ts';

const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((xs.length - 1) * p))];

/**
 * Events due at the given instants (reminder 0 minutes before the start), written as rows with their reminders handed
 * over (as the create's transaction does), then started as workflows.
 */
async function plant(h: Harness, ownerId: string, dues: number[], concurrency = 64): Promise<string[]> {
  const now = new Date().toISOString();
  const states: EventState[] = dues.map((due) =>
    plannedState(
      {
        ...blankFields({
          title: 'Bench call',
          startsAt: new Date(due).toISOString(),
          endsAt: new Date(due + 3_600_000).toISOString(),
          reminders: [0],
        }),
        id: randomUUID(),
        ownerId,
      },
      DEFAULT_ASK_SETTINGS,
      now,
    ),
  );
  const handed = states.map((s) => {
    const { due, through } = remindersThrough(s, Date.parse(s.remindedThrough), Date.now() + HAND_OVER_AHEAD_MS);
    return { state: { ...s, remindedThrough: new Date(through).toISOString() }, due };
  });
  states.splice(0, states.length, ...handed.map((x) => x.state));
  await h.ctx.orm.em.getConnection().execute(
    `insert into calendar_events (id, owner_id, kind, title, starts_at, ends_at, time_zone, reminders, reminded_through,
       results_through)
     select x.id, x.owner_id, 'call', 'Bench call', x.starts_at, x.ends_at, 'UTC', '{0}', x.reminded_through, now()
       from jsonb_to_recordset(?::jsonb)
         as x(id uuid, owner_id uuid, starts_at timestamptz, ends_at timestamptz, reminded_through timestamptz)`,
    [
      JSON.stringify(
        states.map((s) => ({
          id: s.id,
          owner_id: ownerId,
          starts_at: s.startsAt,
          ends_at: s.endsAt,
          reminded_through: s.remindedThrough,
        })),
      ),
    ],
  );
  for (let i = 0; i < handed.length; i += 1000) {
    const part = handed.slice(i, i + 1000).flatMap((x) => plannedReminders(x.state, x.due));
    await h.ctx.orm.em.fork().transactional((em) => schedule(em, part));
  }
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < states.length) {
        const s = states[next++];
        await h.ctx.temporal.workflow.start(eventWorkflow, {
          workflowId: eventWorkflowId(s.id),
          taskQueue: h.taskQueue,
          args: [{ event: s, created: true }],
        });
      }
    }),
  );
  return states.map((s) => s.id);
}

/** Waits until every event has handed its reminder over (or delivered it), or the deadline passes; answers when. */
async function handedOver(h: Harness, ids: string[], deadline: number): Promise<{ n: number; at: number }> {
  const list = `{${ids.join(',')}}`;
  for (;;) {
    const [{ n }] = await h.ctx.orm.em.getConnection().execute<{ n: string }[]>(
      `select (select count(*) from scheduled_notifications where record_id = any(?::uuid[]))
            + (select count(*) from notifications where record_id = any(?::uuid[])) as n`,
      [list, list],
    );
    if (Number(n) >= ids.length || Date.now() > deadline) return { n: Number(n), at: Date.now() };
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Waits until every event has its reminder (or the deadline passes); returns the latenesses in ms, sorted. */
async function lateness(h: Harness, ids: string[], deadline: number): Promise<{ ms: number[]; missing: number }> {
  for (;;) {
    const [{ n }] = await h.ctx.orm.em
      .getConnection()
      .execute<{ n: string }[]>(`select count(*) as n from notifications where record_id = any(?::uuid[])`, [
        `{${ids.join(',')}}`,
      ]);
    if (Number(n) >= ids.length || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  const rows = await h.ctx.orm.em.getConnection().execute<{ late: number }[]>(
    `select extract(epoch from (n.created_at - e.starts_at)) * 1000 as late
       from notifications n join calendar_events e on e.id = n.record_id
      where n.record_id = any(?::uuid[]) and n.kind = 'reminder'`,
    [`{${ids.join(',')}}`],
  );
  return { ms: rows.map((r) => Number(r.late)).sort((a, b) => a - b), missing: ids.length - rows.length };
}

export async function benchReminders(argv: string[]) {
  const n = flagCount(argv, '--reminders', 10_000);
  // the worker's cache of workflows (default 500): with more events than that, most steps rebuild their workflow
  const { h, close } = await benchServices(
    process.env.DEALFLOW_WORKFLOW_CACHE ? { DEALFLOW_WORKFLOW_CACHE: process.env.DEALFLOW_WORKFLOW_CACHE } : {},
  );
  try {
    const owner = await fixtures(h).user('manager');
    // baseline: 20 reminders, one every 250 ms, on an idle system
    const t0 = Date.now() + 5000;
    const idle = await plant(
      h,
      owner.id,
      Array.from({ length: 20 }, (_, k) => t0 + k * 250),
    );
    const base = await lateness(h, idle, Date.now() + 60_000);
    // the load: N reminders due within one minute, planted before the first is due
    const started = performance.now();
    const startedAt = Date.now();
    const first = Date.now() + Math.max(30_000, n * 30); // the workflows are started before the burst
    const ids = await plant(
      h,
      owner.id,
      Array.from({ length: n }, (_, k) => first + Math.floor((k * 60_000) / n)),
    );
    const plantSecs = (performance.now() - started) / 1000;
    const handed = await handedOver(h, ids, first);
    const handedSecs = (handed.at - startedAt) / 1000;
    const load = await lateness(h, ids, first + 60_000 + 300_000);
    const row = (name: string, xs: number[], missing: number) =>
      `| ${name.padEnd(44)} | ${String(xs.length).padStart(6)} | ${pct(xs, 0.5).toFixed(0).padStart(7)} | ${pct(
        xs,
        0.95,
      )
        .toFixed(0)
        .padStart(
          7,
        )} | ${pct(xs, 0.99).toFixed(0).padStart(7)} | ${xs[xs.length - 1].toFixed(0).padStart(7)} | ${String(missing).padStart(7)} |`;
    console.log(`\nReminders: lateness (ms) from due time to the committed notification`);
    console.log(
      `| ${'run'.padEnd(44)} | ${'n'.padStart(6)} | ${'p50'.padStart(7)} | ${'p95'.padStart(7)} | ${'p99'.padStart(7)} | ${'max'.padStart(7)} | missing |`,
    );
    console.log(`|${'-'.repeat(46)}|--------|---------|---------|---------|---------|---------|`);
    console.log(row('baseline: 20 reminders on an idle system', base.ms, base.missing));
    console.log(row(`${n} reminders due within one minute`, load.ms, load.missing));
    console.log(
      `\n${handed.n} of ${n} reminders handed over to the dispatcher ${handedSecs.toFixed(0)} s after planting began, ${((first - handed.at) / 1000).toFixed(0)} s before the first was due`,
    );
    console.log(
      `${n} workflows planted in ${plantSecs.toFixed(0)} s (${(n / plantSecs).toFixed(0)}/s); p99 ratio to the baseline's p99: ${(
        pct(load.ms, 0.99) / Math.max(1, pct(base.ms, 0.99))
      ).toFixed(1)}×`,
    );
  } finally {
    await close();
  }
}
