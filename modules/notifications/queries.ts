/**
 * Notifications, the way out: a user's own notifications, newest first, as the list, the live stream and the unread
 * count show them. Every read is by the addressee: another user's notification does not exist for you.
 */
import { z } from 'zod';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Keyset } from '../shared/keyset.ts';

/** One notification as GET /notifications and the stream's `notification` event carry it. */
export interface NotificationView {
  id: string;
  /** reminder, result_due, result_escalated */
  kind: string;
  /** what it is about, for the link (e.g. event + the event's id) */
  recordType: string | null;
  recordId: string | null;
  /** the facts the text is made of (title, occurrence, minutesBefore, …), as the notification was made */
  data: Record<string, unknown>;
  /** the name of the user data.ownerId names (whose result is overdue), when there is one */
  ownerName: string | null;
  createdAt: string;
  readAt: string | null;
}

interface Row {
  id: string;
  kind: string;
  record_type: string | null;
  record_id: string | null;
  data: Record<string, unknown> | string;
  owner_name: string | null;
  created_at: Date | string;
  read_at: Date | string | null;
}

const SELECT = `select n.id::text as id, n.kind, n.record_type, n.record_id, n.data, o.name as owner_name,
    n.created_at, n.read_at
  from notifications n
  left join users o on o.id = (case when n.data->>'ownerId' ~* '^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$'
                                    then (n.data->>'ownerId')::uuid end)`;

const iso = (d: Date | string) => new Date(d).toISOString();

export const toNotificationView = (r: Row): NotificationView => ({
  id: r.id,
  kind: r.kind,
  recordType: r.record_type,
  recordId: r.record_id,
  data: typeof r.data === 'string' ? (JSON.parse(r.data) as Record<string, unknown>) : r.data,
  ownerName: r.owner_name,
  createdAt: iso(r.created_at),
  readAt: r.read_at === null ? null : iso(r.read_at),
});

/** Newest first by id: the index (user_id, id desc) answers a page directly. */
export const notificationKeyset = new Keyset({
  cursor: z.tuple([z.string().regex(/^\d{1,18}$/)]),
  columns: ['n.id'],
  values: ['?::bigint'],
  dir: 'desc',
  keyOf: (n: NotificationView) => [n.id] as [string],
});

export interface NotificationListOptions {
  /** only those not read yet */
  unread?: boolean;
  cursor?: string;
  limit: number;
}

/** A page of the user's notifications, newest first. A cursor this API did not issue is BAD_CURSOR. */
export async function listNotifications(
  em: EntityManager,
  userId: string,
  opts: NotificationListOptions,
): Promise<{ items: NotificationView[]; nextCursor: string | null }> {
  const after = notificationKeyset.after(notificationKeyset.decode(opts.cursor));
  const rows = await em.getConnection().execute<Row[]>(
    `${SELECT} where n.user_id = ?${opts.unread ? ' and n.read_at is null' : ''} and ${after.sql}
     order by ${notificationKeyset.orderBy()} limit ?`,
    [userId, ...after.params, opts.limit + 1],
  );
  return notificationKeyset.page(rows.map(toNotificationView), opts.limit);
}

/** How many of the user's notifications are not read yet (the partial index on unread rows answers it). */
export async function unreadCount(em: EntityManager, userId: string): Promise<number> {
  const [row] = await em
    .getConnection()
    .execute<{ n: string }[]>('select count(*)::text as n from notifications where user_id = ? and read_at is null', [
      userId,
    ]);
  return Number(row?.n ?? 0);
}

/** One of the user's notifications, or null (also when it is another user's). */
export async function ownNotification(em: EntityManager, userId: string, id: string): Promise<NotificationView | null> {
  const [row] = await em
    .getConnection()
    .execute<Row[]>(
      `${SELECT} where n.id = ?::bigint and n.user_id = ?`,
      [id, userId],
      'all',
      em.getTransactionContext(),
    );
  return row ? toNotificationView(row) : null;
}

/** The notifications of these ids with their addressee, for the live stream (one query per batch announced). */
export async function notificationsByIds(
  em: EntityManager,
  ids: string[],
): Promise<(NotificationView & { userId: string })[]> {
  if (!ids.length) return [];
  const rows = await em
    .getConnection()
    .execute<(Row & { user_id: string })[]>(
      `${SELECT.replace('select ', 'select n.user_id, ')} where n.id = any(?::bigint[]) order by n.id`,
      [`{${ids.join(',')}}`],
    );
  return rows.map((r) => ({ ...toNotificationView(r), userId: r.user_id }));
}
