/**
 * Notifications, the way in: one row per user and thing to tell, keyed so that the same notification is never
 * delivered twice (a reminder re-sent after a worker restart finds its key taken). Each new row is announced on
 * the `notifications` channel when its transaction commits; the live stream sends it to its user.
 */
import type { EntityManager } from '@mikro-orm/postgresql';

export const NOTIFICATIONS_CHANNEL = 'notifications';

export interface NewNotification {
  userId: string;
  /** e.g. reminder, result_due, result_escalated */
  kind: string;
  recordType: string | null;
  recordId: string | null;
  data: Record<string, unknown>;
  /** unique: the same key is delivered once */
  key: string;
}

/** Adds the notifications whose keys are new, in em's transaction; returns the ids of those added. */
export async function notify(em: EntityManager, items: NewNotification[]): Promise<string[]> {
  if (!items.length) return [];
  const rows = await em.getConnection().execute<{ id: string }[]>(
    `with n as (
       insert into notifications (user_id, kind, record_type, record_id, data, key)
       select * from jsonb_to_recordset(?::jsonb)
         as x(user_id uuid, kind text, record_type text, record_id uuid, data jsonb, key text)
       on conflict (key) do nothing
       returning id, user_id)
     select id::text as id, pg_notify('${NOTIFICATIONS_CHANNEL}', id::text || ':' || user_id::text) from n`,
    [
      JSON.stringify(
        items.map((i) => ({
          user_id: i.userId,
          kind: i.kind,
          record_type: i.recordType,
          record_id: i.recordId,
          data: i.data,
          key: i.key,
        })),
      ),
    ],
    'all',
    em.getTransactionContext(),
  );
  return rows.map((r) => r.id);
}
