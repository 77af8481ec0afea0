/**
 * Live updates: committed events reach the browser through Server-Sent Events on GET /api/v1/stream
 * (`event: record`, data `{ id, recordType, recordId, kind, actorId, at }`). A deal event invalidates that deal and
 * patches the cached boards with it: the card moves and the column figures change by exactly that deal, and the cards
 * a user loaded with "Load more" stay.
 *
 * One stream per browser, not per tab: a stream holds one of the browser's six HTTP/1.1 connections to the origin for
 * good, so the tabs of one user elect a leader with the Web Locks API (`navigator.locks`). The leader holds the
 * EventSource and relays every event to the other tabs over a BroadcastChannel; when the leader tab closes, its lock
 * is released, the next tab waiting for it opens the stream and resumes after the last event it saw (`lastEventId`,
 * so nothing in between is lost). Events are at-least-once: each tab drops ids it has already handled.
 * A browser without Web Locks or BroadcastChannel keeps one stream per tab.
 *
 * The user's own new notifications arrive on the same stream (`event: notification`, no id); every tab hands them to
 * the notification centre (features/notifications) as a window event, `leader` true in the tab that holds the stream
 * (the one that shows the desktop notification). When the stream (re)opens, the centre rereads its count. New posts
 * and comments of the feed (`event: feed`, `feed-sync`) go to the feed the same way (features/feed/feed-live.ts).
 */
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { ApiError, api, type BoardData, type Deal, type DealDetail } from './api.js';
import { findDeal, shift } from './features/board/board-cache.js';
import { isEmptyFilter, type BoardFilter } from './features/board/board-query.js';
import { qk } from './query.js';
import { announceNotification, announceNotificationSync } from './features/notifications/notifications-live.js';
import { announceFeed } from './features/feed/feed-live.js';

export interface RecordEvent {
  id: string;
  recordType: string;
  recordId: string;
  kind: string;
  actorId: string | null;
  at: string;
}

/** What the leader tab relays to the others: an event as the stream sent it, or the stream's request to reload. */
type Relay =
  | { type: 'record'; id: string; data: string }
  | { type: 'reset' }
  | { type: 'notification'; data: string }
  | { type: 'notification-sync' }
  | { type: 'tasks' }
  | { type: 'feed'; data: string | null };

/** ids handled lately, so that an event replayed on a takeover (at-least-once) is applied once */
const RECENT = 1000;

export function useLiveUpdates(userId: string | undefined) {
  const qc = useQueryClient();
  useEffect(() => {
    if (!userId || typeof EventSource === 'undefined') return;
    const shared = typeof BroadcastChannel !== 'undefined' && typeof navigator.locks?.request === 'function';
    const channel = shared ? new BroadcastChannel(`dealflow.live.${userId}`) : null;
    const seen = new Set<string>();
    /** the last event this tab received, where a stream it opens resumes */
    let lastId = '';
    let source: EventSource | null = null;
    let release: (() => void) | null = null;
    let started = false;
    let stopped = false;
    const stop = new AbortController();

    const apply = (id: string, data: string) => {
      if (id) {
        if (seen.has(id)) return;
        seen.add(id);
        if (seen.size > RECENT) seen.delete(seen.values().next().value!);
        lastId = id;
      }
      let ev: RecordEvent;
      try {
        ev = JSON.parse(data) as RecordEvent;
      } catch {
        return;
      }
      if (ev.recordType === 'deal') {
        void qc.invalidateQueries({ queryKey: qk.deal(ev.recordId) });
        void qc.invalidateQueries({ queryKey: qk.lists });
        void patchBoards(qc, ev.recordId);
      } else if (ev.recordType === 'client' || ev.recordType === 'contact') {
        void qc.invalidateQueries({ queryKey: qk.clients });
      } else if (ev.recordType === 'plan') {
        // a plan saved, submitted, decided on or finalised: the open plan, review and roll-up are read again
        void qc.invalidateQueries({ queryKey: ['plans'] });
      } else if (ev.recordType === 'pipeline') {
        void qc.invalidateQueries({ queryKey: qk.pipelines });
      }
    };
    // the task inbox changed somewhere: the navigation's count and the inbox are read again
    const tasksChanged = () => void qc.invalidateQueries({ queryKey: ['tasks'] });
    // the stream could not bring everything missed: what the page shows is read again
    const reset = () => void qc.invalidateQueries({ predicate: (q) => q.queryKey[0] !== 'me' });

    if (channel)
      channel.onmessage = (e: MessageEvent<Relay>) => {
        if (e.data.type === 'record') apply(e.data.id, e.data.data);
        else if (e.data.type === 'reset') reset();
        else if (e.data.type === 'notification') announceNotification(e.data.data, false);
        else if (e.data.type === 'notification-sync') announceNotificationSync();
        else if (e.data.type === 'tasks') tasksChanged();
        else if (e.data.type === 'feed') announceFeed(e.data.data);
      };

    /** This tab holds the stream (the leader, or alone): every event is applied here and relayed to the others. */
    const connect = () => {
      const url = lastId ? `/api/v1/stream?lastEventId=${encodeURIComponent(lastId)}` : '/api/v1/stream';
      source = new EventSource(url, { withCredentials: true });
      source.addEventListener('record', (e: MessageEvent<string>) => {
        channel?.postMessage({ type: 'record', id: e.lastEventId, data: e.data } satisfies Relay);
        apply(e.lastEventId, e.data);
      });
      source.addEventListener('reset', () => {
        channel?.postMessage({ type: 'reset' } satisfies Relay);
        reset();
      });
      source.addEventListener('notification', (e: MessageEvent<string>) => {
        channel?.postMessage({ type: 'notification', data: e.data } satisfies Relay);
        announceNotification(e.data, true);
      });
      // notifications made while no stream was open (or the server's LISTEN was lost) are not replayed: the
      // count is read again instead
      const sync = () => {
        channel?.postMessage({ type: 'notification-sync' } satisfies Relay);
        announceNotificationSync();
      };
      source.addEventListener('tasks', () => {
        channel?.postMessage({ type: 'tasks' } satisfies Relay);
        tasksChanged();
      });
      source.addEventListener('open', sync);
      source.addEventListener('notification-sync', sync);
      // a new post or comment the user may read; feed-sync (null): some may have been missed, read the feed again
      const feed = (data: string | null) => {
        channel?.postMessage({ type: 'feed', data } satisfies Relay);
        announceFeed(data);
      };
      source.addEventListener('feed', (e: MessageEvent<string>) => feed(e.data));
      source.addEventListener('feed-sync', () => feed(null));
    };

    // the stream holds a connection for good: it opens once the page's first reads are answered (or after 3 s), so
    // it never queues them
    const open = () => {
      if (stopped || started) return;
      started = true;
      unsubscribe();
      clearTimeout(fallback);
      if (!shared) return connect();
      // held while this tab is the leader: released when the tab closes or the user logs out
      navigator.locks
        .request(`dealflow.live.${userId}`, { signal: stop.signal }, () => {
          if (stopped) return;
          connect();
          return new Promise<void>((resolve) => {
            release = resolve;
          });
        })
        .catch(() => {
          /* stopped while waiting for the lead */
        });
    };
    const unsubscribe = qc.getQueryCache().subscribe(() => {
      if (qc.isFetching() === 0) open();
    });
    const fallback = setTimeout(open, 3000);
    if (qc.isFetching() === 0) queueMicrotask(open);
    return () => {
      stopped = true;
      unsubscribe();
      clearTimeout(fallback);
      stop.abort();
      source?.close();
      release?.();
      channel?.close();
    };
  }, [userId, qc]);
}

/**
 * The deal as it is now on every cached board: moved to its column, or taken off when the user can no longer see it.
 * A filtered board cannot tell whether the deal still matches its filter: it is read again instead.
 */
async function patchBoards(qc: QueryClient, dealId: string) {
  const boards = qc.getQueriesData<BoardData>({ queryKey: qk.boards });
  if (!boards.length) return;
  let deal: Deal | null;
  try {
    // the card's fields only: the page's attachments and history stay out of the board cache
    const {
      attachments: _a,
      history: _h,
      historyNextCursor: _n,
      ...card
    } = await api.get<DealDetail>(`/deals/${dealId}`, { quiet401: true });
    deal = card;
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 404)) {
      void qc.invalidateQueries({ queryKey: qk.boards });
      return;
    }
    deal = null;
  }
  for (const [key, board] of boards) {
    const [, , pipelineId, filter] = key as readonly [string, string, string, BoardFilter | undefined];
    if (!board) continue;
    if (filter && !isEmptyFilter(filter)) {
      void qc.invalidateQueries({ queryKey: key, exact: true });
      continue;
    }
    const before = findDeal(board, dealId);
    // an archived deal leaves every board (it is still readable on its own page)
    const after = deal && deal.pipelineId === pipelineId && !deal.archivedAt ? deal : null;
    if (before || after) qc.setQueryData<BoardData>(key, shift(board, before, after));
  }
}
