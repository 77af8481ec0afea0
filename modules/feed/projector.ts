/**
 * System posts from the timeline: a projection that reads `record_events` by cursor and posts what the feed tells
 * (rules.ts systemPostOf: a deal won or lost, a gated stage passed, a plan finalised, a result overdue, a
 * regulation's task overdue), each about
 * its record, so whoever sees the record reads the post. A post carries its event's time, so the feed tells a batch's
 * posts in the order they happened (one insert would otherwise give them all one `now()`).
 *
 * Durable and idempotent: the cursor (the last event id read and the oldest transaction still running then, as
 * modules/timeline/live.ts resumes) is moved in the transaction that writes the posts, so a process dying midway
 * leaves the cursor where the posts are; an event read twice (a transaction committing late below the cursor is read
 * again) finds its source key `event:<id>` taken. Several API processes may run it: the cursor row is taken with
 * SKIP LOCKED, one at a time.
 */
import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { FEED_CHANNEL } from './live.ts';
import { systemPostOf, type TimelineFact } from './rules.ts';

/** how far below the cursor an event of a transaction still running may lie, at most */
const LATE_WINDOW = 10_000;

interface Row {
  id: string;
  record_type: string;
  record_id: string;
  kind: string;
  data: Record<string, unknown>;
  stage_name: string | null;
  stage_kind: string | null;
  gated: boolean | null;
  at: string;
}

/** One step of the projection: up to `limit` events. Returns how many were read (0: nothing new, or busy elsewhere). */
export async function projectTimeline(orm: MikroORM, limit = 500): Promise<number> {
  return orm.em.fork().transactional(async (em) => {
    const conn = em.getConnection();
    const ctx = em.getTransactionContext<object>();
    // before this transaction takes an xid: any transaction not committed yet has an xid at least this
    const [{ xmin }] = await conn.execute<{ xmin: string }[]>(
      'select pg_snapshot_xmin(pg_current_snapshot())::text as xmin',
      [],
      'all',
      ctx,
    );
    const [cursor] = await conn.execute<{ last_id: string; tx_xmin: string }[]>(
      `select last_id::text, tx_xmin::text from feed_projection where name = 'system' for update skip locked`,
      [],
      'all',
      ctx,
    );
    if (!cursor) return 0;
    const rows = await conn.execute<Row[]>(
      `select e.id::text as id, e.created_at as at, e.record_type, e.record_id, e.kind, e.data, s.name as stage_name, s.kind as stage_kind,
         (jsonb_array_length(s.required_fields) + jsonb_array_length(s.required_document_kinds)) > 0 as gated
       from record_events e left join stages s on s.id = e.to_stage_id
       where e.id > ?::bigint - ${LATE_WINDOW} and (e.id > ?::bigint or e.tx_id >= ?::xid8)
         and ((e.record_type = 'deal' and e.kind = 'stage_changed') or (e.record_type = 'plan' and e.kind = 'finalised')
           or (e.record_type = 'event' and e.kind = 'result_overdue')
           or (e.record_type = 'deal' and e.kind = 'regulation' and e.data->>'step' = 'task_overdue'))
       order by e.id limit ?`,
      [cursor.last_id, cursor.last_id, cursor.tx_xmin, limit],
      'all',
      ctx,
    );
    const posts = rows
      .map((r) => {
        const fact: TimelineFact = {
          id: r.id,
          recordType: r.record_type,
          recordId: r.record_id,
          kind: r.kind,
          data: r.data,
          toStage: r.stage_kind ? { name: r.stage_name ?? '', kind: r.stage_kind, gated: !!r.gated } : null,
        };
        const post = systemPostOf(fact);
        return post && { ...post, id: randomUUID(), recordId: r.record_id, sourceKey: `event:${r.id}`, at: r.at };
      })
      .filter((p) => p !== null);
    if (posts.length) {
      await conn.execute(
        `with p as (
           insert into feed_posts (id, audience, record_type, record_id, system_kind, data, source_key, created_at, bumped_at)
           select id, 'record', record_type, record_id, system_kind, data, source_key, at, at
           from jsonb_to_recordset(?::jsonb)
             as x(id uuid, record_type text, record_id uuid, system_kind text, data jsonb, source_key text, at timestamptz)
           on conflict (source_key) do nothing
           returning id)
         select pg_notify('${FEED_CHANNEL}', id::text || ':post') from p`,
        [
          JSON.stringify(
            posts.map((p) => ({
              id: p.id,
              record_type: p.recordType,
              record_id: p.recordId,
              system_kind: p.kind,
              data: p.data,
              source_key: p.sourceKey,
              at: p.at,
            })),
          ),
        ],
        'all',
        ctx,
      );
    }
    // a full page: go on from its last event; else everything committed is read, up to the newest event
    const last =
      rows.length >= limit
        ? rows[rows.length - 1].id
        : (
            await conn.execute<{ max: string }[]>(
              'select greatest(coalesce(max(id), 0), ?::bigint)::text as max from record_events',
              [cursor.last_id],
              'all',
              ctx,
            )
          )[0].max;
    await conn.execute(
      `update feed_projection set last_id = greatest(last_id, ?::bigint), tx_xmin = ?::xid8 where name = 'system'`,
      [last, xmin],
      'run',
      ctx,
    );
    return rows.length;
  });
}

/** Runs the projection now and then (and at once when kicked), until stopped. */
export class FeedProjector {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  /** failures in a row: a passing one (Postgres busy at start) is not worth a log line */
  private failures = 0;

  constructor(
    private readonly orm: MikroORM,
    private readonly intervalMs = 1000,
  ) {}

  start() {
    this.schedule(0);
    return this;
  }

  private schedule(ms: number) {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.runOnce().finally(() => {
        this.running = null;
        this.schedule(this.intervalMs);
      });
    }, ms);
    this.timer.unref();
  }

  private async runOnce() {
    try {
      while (!this.stopped && (await projectTimeline(this.orm)) >= 500);
      this.failures = 0;
    } catch (e) {
      if (!this.stopped && ++this.failures === 3) console.error('feed: projecting the timeline fails; trying on', e);
    }
  }

  async stop() {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
