/**
 * Notifications planned for a moment (a calendar event's reminders): keyed rows in `scheduled_notifications` that the
 * dispatcher (activities/dispatch.ts, run by workflows/dispatch.ts) turns into notifications when they fall due, many
 * per transaction. The record that plans them owns them: it replaces its rows not yet due whenever it changes, in the
 * same transaction as the change, so an edited or cancelled event leaves no stale reminder behind.
 *
 * Never twice: a row's key is the notification's key; delivering a batch inserts the notifications (`on conflict do
 * nothing`) and deletes its rows in one statement, so a dispatcher that dies mid-batch delivers none of it, and the
 * batch is delivered whole by the next one. Never lost: rows stay until delivered.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { NOTIFICATIONS_CHANNEL, type NewNotification } from './write.ts';

export interface ScheduledNotification extends NewNotification {
  /** epoch ms */
  dueAt: number;
}

/** Rows planned by one record, as recordType/recordId. */
export interface PlannedBy {
  recordType: string;
  recordId: string;
}

const ctxOf = (em: EntityManager) => em.getTransactionContext<object>();

/** Adds (or updates, by key) scheduled notifications, in em's transaction. */
export async function schedule(em: EntityManager, items: ScheduledNotification[]): Promise<void> {
  if (!items.length) return;
  await em.getConnection().execute(
    `insert into scheduled_notifications (key, due_at, user_id, kind, record_type, record_id, data)
     select x.key, to_timestamp(x.due_ms / 1000.0), x.user_id, x.kind, x.record_type, x.record_id, x.data
       from jsonb_to_recordset(?::jsonb)
         as x(key text, due_ms bigint, user_id uuid, kind text, record_type text, record_id uuid, data jsonb)
     on conflict (key) do update set due_at = excluded.due_at, user_id = excluded.user_id, kind = excluded.kind,
       record_type = excluded.record_type, record_id = excluded.record_id, data = excluded.data`,
    [
      JSON.stringify(
        items.map((i) => ({
          key: i.key,
          due_ms: i.dueAt,
          user_id: i.userId,
          kind: i.kind,
          record_type: i.recordType,
          record_id: i.recordId,
          data: i.data,
        })),
      ),
    ],
    'all',
    ctxOf(em),
  );
}

/**
 * Replaces what a record planned for after `after` (epoch ms) with `items`, in em's transaction. Rows already due stay
 * (the dispatcher is delivering them); `items` should hold only what falls due after `after`.
 */
export async function replaceScheduled(
  em: EntityManager,
  by: PlannedBy,
  after: number,
  items: ScheduledNotification[],
): Promise<void> {
  await em
    .getConnection()
    .execute(
      `delete from scheduled_notifications where record_type = ? and record_id = ? and due_at > to_timestamp(? / 1000.0)`,
      [by.recordType, by.recordId, after],
      'all',
      ctxOf(em),
    );
  await schedule(em, items);
}

/**
 * Delivers up to `limit` rows due at `now` (epoch ms) in one statement, its own transaction: the rows are taken (rows
 * another dispatcher holds are skipped), deleted and turned into notifications together, or not at all. Answers the
 * ids of the notifications added (a key delivered already adds none) and how many rows it took.
 */
export async function deliverDue(
  em: EntityManager,
  now: number,
  limit: number,
): Promise<{ taken: number; ids: string[] }> {
  const rows = await em.getConnection().execute<{ id: string | null }[]>(
    `with due as (
       select key from scheduled_notifications where due_at <= to_timestamp(? / 1000.0)
        order by due_at limit ? for update skip locked),
     taken as (
       delete from scheduled_notifications s using due where s.key = due.key
       returning s.key, s.user_id, s.kind, s.record_type, s.record_id, s.data, s.due_at),
     added as (
       insert into notifications (user_id, kind, record_type, record_id, data, key)
       select user_id, kind, record_type, record_id, data, key from taken order by due_at
       on conflict (key) do nothing
       returning id, user_id),
     told as (
       select id::text as id, pg_notify('${NOTIFICATIONS_CHANNEL}', id::text || ':' || user_id::text) from added)
     select id from told
     union all
     select null from taken`,
    [now, limit],
  );
  const ids = rows.filter((r) => r.id !== null).map((r) => r.id!);
  return { taken: rows.length - ids.length, ids };
}

/** When the next row falls due (epoch ms), or null when none is planned. */
export async function nextScheduledAt(em: EntityManager): Promise<number | null> {
  const [row] = await em
    .getConnection()
    .execute<{ at: string | null }[]>(
      `select (extract(epoch from min(due_at)) * 1000)::bigint::text as at from scheduled_notifications`,
    );
  return row?.at ? Number(row.at) : null;
}
