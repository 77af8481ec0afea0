/**
 * The feed's unread count for the navigation (part of the shell: kept small, without the feed page). Read at start,
 * again whenever the stream brings a post or comment (feed-live.ts), and set to 0 when the feed is read.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useAfterFirstPaint } from '../../after-paint.js';
import { call, client } from '../../api.js';
import { onLiveFeed } from './feed-live.js';

export const FEED_UNREAD = ['feed', 'unread'] as const;

export function useFeedUnread(): number {
  const qc = useQueryClient();
  const q = useQuery({
    // a count beside the navigation's entry: not needed for the first paint
    enabled: useAfterFirstPaint(),
    queryKey: FEED_UNREAD,
    queryFn: () => call(client.GET('/api/v1/feed/unread-count')).then((r) => r.count),
    staleTime: 60_000,
  });
  useEffect(
    () =>
      onLiveFeed(() => {
        void qc.invalidateQueries({ queryKey: FEED_UNREAD });
      }),
    [qc],
  );
  return q.data ?? 0;
}
