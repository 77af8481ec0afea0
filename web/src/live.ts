/**
 * Live updates: committed events reach the browser through Server-Sent Events on GET /api/v1/stream
 * (`event: record`, data `{ id, recordType, recordId, kind, actorId, at }`); EventSource resumes after a drop with
 * Last-Event-ID by itself. A deal event invalidates that deal and patches the cached boards with it: the card moves
 * and the column figures change by exactly that deal, and the cards a user loaded with "Load more" stay.
 */
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { ApiError, api, type BoardData, type Deal, type DealDetail } from './api.js';
import { findDeal, shift } from './features/board/board-cache.js';
import { isEmptyFilter, type BoardFilter } from './features/board/board-query.js';
import { qk } from './query.js';

export interface RecordEvent {
  id: string;
  recordType: string;
  recordId: string;
  kind: string;
  actorId: string | null;
  at: string;
}

export function useLiveUpdates(userId: string | undefined) {
  const qc = useQueryClient();
  useEffect(() => {
    if (!userId || typeof EventSource === 'undefined') return;
    // the stream holds one of the browser's few HTTP/1.1 connections to the origin for good: it opens once the
    // page's first reads are answered (or after 3 s), so it never queues them
    let source: EventSource | null = null;
    let stopped = false;
    const open = () => {
      if (stopped || source) return;
      unsubscribe();
      clearTimeout(fallback);
      source = new EventSource('/api/v1/stream', { withCredentials: true });
      source.addEventListener('record', onRecord as EventListener);
    };
    const unsubscribe = qc.getQueryCache().subscribe(() => {
      if (qc.isFetching() === 0) open();
    });
    const fallback = setTimeout(open, 3000);
    const onRecord = (e: MessageEvent<string>) => {
      let ev: RecordEvent;
      try {
        ev = JSON.parse(e.data) as RecordEvent;
      } catch {
        return;
      }
      if (ev.recordType === 'deal') {
        void qc.invalidateQueries({ queryKey: qk.deal(ev.recordId) });
        void qc.invalidateQueries({ queryKey: qk.lists });
        void patchBoards(qc, ev.recordId);
      } else if (ev.recordType === 'client' || ev.recordType === 'contact') {
        void qc.invalidateQueries({ queryKey: qk.clients });
      } else if (ev.recordType === 'pipeline') {
        void qc.invalidateQueries({ queryKey: qk.pipelines });
      }
    };
    if (qc.isFetching() === 0) queueMicrotask(open);
    return () => {
      stopped = true;
      unsubscribe();
      clearTimeout(fallback);
      source?.removeEventListener('record', onRecord as EventListener);
      source?.close();
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
