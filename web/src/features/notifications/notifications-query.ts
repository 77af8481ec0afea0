/** The notification centre's server state: the unread count, the pages of GET /notifications, marking read. */
import type { QueryClient } from '@tanstack/react-query';
import { api, qs, type AppNotification, type Page } from '../../api.js';
import type { MessageKey, T } from '../../i18n/index.js';

export const PAGE_SIZE = 20;

export const notificationKeys = {
  all: ['notifications'] as const,
  count: ['notifications', 'unread-count'] as const,
  list: ['notifications', 'list'] as const,
};

export const unreadCountQuery = {
  queryKey: notificationKeys.count,
  queryFn: () => api.get<{ count: number }>('/notifications/unread-count', { quiet401: true }),
  staleTime: 60_000,
};

export const notificationListQuery = {
  queryKey: notificationKeys.list,
  queryFn: ({ pageParam }: { pageParam: string | null }) =>
    api.get<Page<AppNotification>>(`/notifications${qs({ limit: PAGE_SIZE, cursor: pageParam ?? undefined })}`),
  initialPageParam: null as string | null,
  getNextPageParam: (last: Page<AppNotification>) => last.nextCursor,
};

export const markRead = (id: string) => api.post<AppNotification>(`/notifications/${id}/read`);
export const markAllRead = (throughId?: string) =>
  api.post<{ marked: number }>('/notifications/read-all', throughId ? { throughId } : {});

export const refreshNotifications = (qc: QueryClient) => qc.invalidateQueries({ queryKey: notificationKeys.all });

/** Where a notification opens: the calendar on its event and occurrence (the result form for a result due). */
export function notificationHref(n: AppNotification): string | null {
  if (n.recordType === 'feed_post') return n.kind === 'feed_mention' ? '/feed?show=mentions' : '/feed?show=following';
  if (n.recordType !== 'event' || !n.recordId) return null;
  const q = new URLSearchParams({ event: n.recordId });
  if (n.data.occurrence) q.set('occurrence', n.data.occurrence);
  if (n.kind === 'result_due') q.set('result', '1');
  return `/calendar?${q.toString()}`;
}

const TEXT: Record<string, MessageKey> = {
  reminder: 'notifications.text.reminder',
  result_due: 'notifications.text.resultDue',
  result_escalated: 'notifications.text.resultEscalated',
  feed_mention: 'notifications.text.feedMention',
  feed_comment: 'notifications.text.feedComment',
};

/** The line a notification reads as, in the user's language. */
export function notificationText(n: AppNotification, t: T): string {
  const title = n.data.title ?? '';
  const key = TEXT[n.kind] ?? 'notifications.text.other';
  return t(key, {
    title,
    minutes: n.data.minutesBefore ?? 0,
    owner: n.ownerName ?? t('common.unknownUser'),
  });
}
