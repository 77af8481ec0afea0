/**
 * The bell in the app's top bar with the user's unread count, live from the stream, and the notification centre it
 * opens: the notifications newest first, each linking to its event in the calendar, marked read one by one or all at
 * once; and desktop notifications for live reminders once the browser allows them.
 */
import { ActionIcon, Drawer, Group, Indicator, Stack, Text } from '@mantine/core';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { AppNotification } from '../../api.js';
import { useI18n, type T } from '../../i18n/index.js';
import { Link, navigate } from '../../router.js';
import { Button, Empty, ErrorBox, Icon, Spinner, errorText, useToast } from '../../ui.js';
import { onLiveNotification, onNotificationSync } from './notifications-live.js';
import {
  markAllRead,
  markRead,
  notificationHref,
  notificationListQuery,
  notificationText,
  refreshNotifications,
  unreadCountQuery,
} from './notifications-query.js';

type Permission = NotificationPermission | 'unsupported';
const permissionNow = (): Permission =>
  typeof window !== 'undefined' && 'Notification' in window ? Notification.permission : 'unsupported';

function BellIcon() {
  return (
    <svg
      width={18}
      height={18}
      viewBox="0 0 20 20"
      fill="none"
      stroke="currentColor"
      strokeWidth={1.7}
      aria-hidden="true"
    >
      <path
        d="M5 8a5 5 0 0 1 10 0c0 4 1.5 5.5 2 6H3c.5-.5 2-2 2-6zM8 17a2 2 0 0 0 4 0"
        strokeLinecap="round"
        strokeLinejoin="round"
      />
    </svg>
  );
}

/** A live reminder as a desktop notification, when the user allowed them; a click opens it in this tab. */
function showDesktop(n: AppNotification, t: T, dateTime: (iso: string) => string, onOpen: () => void) {
  if (n.kind !== 'reminder' || permissionNow() !== 'granted') return;
  try {
    const d = new Notification(notificationText(n, t), {
      body: n.data.occurrence ? dateTime(n.data.occurrence) : undefined,
      tag: `dealflow-notification-${n.id}`,
    });
    d.onclick = () => {
      window.focus();
      d.close();
      onOpen();
    };
  } catch {
    /* a browser that only shows them from a service worker (Chrome on Android) */
  }
}

export function NotificationBell() {
  const { t, dateTime } = useI18n();
  const qc = useQueryClient();
  const toast = useToast();
  const [open, setOpen] = useState(false);
  const count = useQuery(unreadCountQuery).data?.count ?? 0;

  const read = useMutation({
    mutationFn: markRead,
    onSuccess: () => refreshNotifications(qc),
    onError: (e) => toast('error', errorText(e, t)),
  });
  const readOne = read.mutate;
  const follow = (n: AppNotification) => {
    if (!n.readAt) readOne(n.id);
    setOpen(false);
  };

  useEffect(
    () =>
      onLiveNotification(({ notification, leader }) => {
        void refreshNotifications(qc);
        if (leader)
          showDesktop(notification, t, dateTime, () => {
            readOne(notification.id);
            const href = notificationHref(notification);
            if (href) navigate(href);
          });
      }),
    [qc, t, dateTime, readOne],
  );
  useEffect(() => onNotificationSync(() => void refreshNotifications(qc)), [qc]);

  return (
    <>
      <Indicator
        color="red"
        size={18}
        offset={6}
        disabled={count === 0}
        label={count > 0 ? <span data-testid="notification-count">{count > 99 ? '99+' : count}</span> : null}
      >
        <ActionIcon
          variant="subtle"
          color="gray"
          size="lg"
          onClick={() => setOpen(true)}
          aria-label={t('notifications.bell', { count })}
          title={t('notifications.title')}
          data-testid="notification-bell"
        >
          <BellIcon />
        </ActionIcon>
      </Indicator>
      <Drawer opened={open} onClose={() => setOpen(false)} position="right" size="md" title={t('notifications.title')}>
        {open ? <NotificationCentre count={count} onFollow={follow} onRead={readOne} /> : null}
      </Drawer>
    </>
  );
}

function NotificationCentre({
  count,
  onFollow,
  onRead,
}: {
  count: number;
  onFollow: (n: AppNotification) => void;
  onRead: (id: string) => void;
}) {
  const { t, dateTime } = useI18n();
  const qc = useQueryClient();
  const toast = useToast();
  const q = useInfiniteQuery(notificationListQuery);
  const items = q.data?.pages.flatMap((p) => p.items) ?? [];
  const [permission, setPermission] = useState<Permission>(permissionNow);
  const all = useMutation({
    // up to the newest shown: one arriving meanwhile stays unread
    mutationFn: () => markAllRead(items[0]?.id),
    onSuccess: () => refreshNotifications(qc),
    onError: (e) => toast('error', errorText(e, t)),
  });
  const askPermission = () => {
    void Notification.requestPermission().then(setPermission, () => setPermission(permissionNow()));
  };

  return (
    <Stack gap="sm" data-testid="notification-centre">
      <Group justify="space-between" gap="xs">
        <Button
          size="sm"
          icon="check"
          onClick={() => all.mutate()}
          busy={all.isPending}
          disabled={count === 0}
          data-testid="notifications-read-all"
        >
          {t('notifications.markAllRead')}
        </Button>
        {permission === 'default' ? (
          <Button size="sm" variant="ghost" onClick={askPermission} data-testid="notifications-desktop">
            {t('notifications.enableDesktop')}
          </Button>
        ) : permission === 'granted' ? (
          <Text size="xs" c="dimmed">
            {t('notifications.desktopOn')}
          </Text>
        ) : permission === 'denied' ? (
          <Text size="xs" c="dimmed">
            {t('notifications.desktopBlocked')}
          </Text>
        ) : null}
      </Group>
      {q.isPending ? (
        <Spinner />
      ) : q.isError ? (
        <ErrorBox error={q.error} onRetry={() => void q.refetch()} />
      ) : items.length === 0 ? (
        <Empty icon="check">{t('notifications.empty')}</Empty>
      ) : (
        <ul className="notification-list" style={{ listStyle: 'none', margin: 0, padding: 0 }}>
          {items.map((n) => {
            const href = notificationHref(n);
            const text = notificationText(n, t);
            return (
              <li
                key={n.id}
                data-testid="notification"
                data-id={n.id}
                data-unread={n.readAt ? undefined : 'true'}
                style={{ padding: '8px 0', borderBottom: '1px solid var(--mantine-color-gray-2)' }}
              >
                <Group justify="space-between" wrap="nowrap" align="flex-start" gap="xs">
                  <div style={{ minWidth: 0 }}>
                    <Text size="sm" fw={n.readAt ? 400 : 600}>
                      {href ? (
                        <Link to={href} onClick={() => onFollow(n)} data-testid="notification-link">
                          {text}
                        </Link>
                      ) : (
                        text
                      )}
                    </Text>
                    <Text size="xs" c="dimmed">
                      {dateTime(n.data.occurrence ?? n.createdAt)}
                    </Text>
                  </div>
                  {n.readAt ? null : (
                    <ActionIcon
                      variant="subtle"
                      color="gray"
                      onClick={() => onRead(n.id)}
                      aria-label={t('notifications.markRead')}
                      title={t('notifications.markRead')}
                      data-testid="notification-read"
                    >
                      <Icon name="check" size={16} />
                    </ActionIcon>
                  )}
                </Group>
              </li>
            );
          })}
        </ul>
      )}
      {q.hasNextPage ? (
        <Button size="sm" onClick={() => void q.fetchNextPage()} busy={q.isFetchingNextPage}>
          {t('common.loadMore')}
        </Button>
      ) : null}
    </Stack>
  );
}
