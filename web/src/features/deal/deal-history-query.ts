/** The deal's history as far as it is loaded: the latest page that comes with the deal, then older pages on demand. */
import { useCallback, useMemo, useRef, useState } from 'react';
import { call, client, type DealDetail, type DealEvent } from '../../api.js';

export const HISTORY_PAGE = 50;

/**
 * The stages a deal has been in, from its history: where it was created and both ends of every move. `history` is
 * every event loaded so far; `hasOlder` says whether older ones remain unloaded (a cursor is left). `complete` is false
 * while the loaded history does not reach back to the creation, so absent stages are unknown rather than skipped.
 */
export function stagesReached(history: DealEvent[], hasOlder: boolean): { ids: Set<string>; complete: boolean } {
  const ids = new Set<string>();
  let complete = !hasOlder;
  for (const e of history) {
    if (e.kind === 'created') {
      complete = true;
      if (e.toStageId) ids.add(e.toStageId);
    } else if (e.kind === 'stage_changed') {
      if (e.fromStageId) ids.add(e.fromStageId);
      if (e.toStageId) ids.add(e.toStageId);
    }
  }
  return { ids, complete };
}

/** Older history pages loaded with "Show older": every event shown at that moment plus the page, and where to go on. */
interface OlderHistory {
  dealId: string;
  events: DealEvent[];
  cursor: string | null;
}

/**
 * The history as far as it is loaded: the latest page that comes with the deal, then the older pages, as long as the
 * latest page still reaches them. A reload brings a new latest page; after more than a page of new events it no longer
 * joins the older pages, and the history starts again from the latest page and its own cursor.
 */
export function joinHistory(
  latest: DealEvent[],
  latestCursor: string | null,
  older: Omit<OlderHistory, 'dealId'> | null,
): { events: DealEvent[]; cursor: string | null } {
  if (!older || latestCursor === null || !latest.length) return { events: latest, cursor: latestCursor };
  const at = older.events.findIndex((e) => e.id === latest[latest.length - 1].id);
  if (at < 0) return { events: latest, cursor: latestCursor };
  return { events: [...latest, ...older.events.slice(at + 1)], cursor: older.cursor };
}

export interface DealHistory {
  events: DealEvent[];
  hasOlder: boolean;
  loadOlder: () => Promise<void>;
  loading: boolean;
  error: unknown;
}

export function useDealHistory(deal: DealDetail | undefined): DealHistory {
  const [older, setOlder] = useState<OlderHistory | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const latest = deal?.history;
  const latestCursor = deal?.historyNextCursor ?? null;
  const dealId = deal?.id;
  const joined = useMemo(
    () => joinHistory(latest ?? [], latestCursor, older && older.dealId === dealId ? older : null),
    [latest, latestCursor, older, dealId],
  );
  const busy = useRef(false);
  const loadOlder = useCallback(async () => {
    if (!dealId || !joined.cursor || busy.current) return;
    busy.current = true;
    setLoading(true);
    setError(null);
    try {
      const page = await call(
        client.GET('/api/v1/deals/{id}/history', {
          params: { path: { id: dealId }, query: { limit: HISTORY_PAGE, cursor: joined.cursor } },
        }),
      );
      const known = new Set(joined.events.map((e) => e.id));
      setOlder({
        dealId,
        events: [...joined.events, ...page.items.filter((e) => !known.has(e.id))],
        cursor: page.nextCursor,
      });
    } catch (e) {
      setError(e);
    } finally {
      busy.current = false;
      setLoading(false);
    }
  }, [dealId, joined]);
  return { events: joined.events, hasOlder: joined.cursor !== null, loadOlder, loading, error };
}
