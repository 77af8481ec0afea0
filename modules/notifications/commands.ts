/** Reading notifications: one, or all of them at once. Only the addressee can; another's is NOT_FOUND. */
import type { EntityManager } from '@mikro-orm/postgresql';
import { notFound } from '../shared/errors.ts';
import { ownNotification, type NotificationView } from './queries.ts';

/** Marks one of the user's notifications read (again: no change) and answers it as it is now. */
export async function markNotificationRead(em: EntityManager, userId: string, id: string): Promise<NotificationView> {
  const rows = await em
    .getConnection()
    .execute<{ id: string }[]>(
      'update notifications set read_at = coalesce(read_at, now()) where id = ?::bigint and user_id = ? returning id',
      [id, userId],
    );
  const view = rows.length ? await ownNotification(em, userId, id) : null;
  if (!view) throw notFound('Notification');
  return view;
}

/**
 * Marks the user's unread notifications read, those up to `throughId` when given (the newest one the user saw, so
 * one arriving meanwhile stays unread); answers how many were marked.
 */
export async function markAllNotificationsRead(
  em: EntityManager,
  userId: string,
  throughId?: string,
): Promise<{ marked: number }> {
  const rows = await em.getConnection().execute<{ id: string }[]>(
    `update notifications set read_at = now()
        where user_id = ? and read_at is null${throughId ? ' and id <= ?::bigint' : ''} returning id`,
    throughId ? [userId, throughId] : [userId],
  );
  return { marked: rows.length };
}
