/**
 * The board's server state: the filter (owner, close period, overdue, search), saved filters, and the query of
 * GET /deals/board. Shared with the boot prefetch (session.tsx) so that both ask for the very same key.
 */
import { api, qs, type BoardData } from '../../api.js';
import { qk } from '../../query.js';

export const PER_STAGE = 50;
export const LAST_PIPELINE = 'dealflow.pipeline';
const LAST_FILTER = 'dealflow.boardFilter';
const SAVED_FILTERS = 'dealflow.savedFilters';

export interface BoardFilter {
  /** '' everyone I may see; 'me'; 'group' (my sales group); or a user's id */
  owner: string;
  closeFrom: string;
  closeTo: string;
  overdue: boolean;
  q: string;
}
export const EMPTY_FILTER: BoardFilter = { owner: '', closeFrom: '', closeTo: '', overdue: false, q: '' };
export const isEmptyFilter = (f: BoardFilter) => !f.owner && !f.closeFrom && !f.closeTo && !f.overdue && !f.q;

/** The query string of GET /deals/board and GET /deals for a filter: only what is set is sent. */
export function filterParams(f: BoardFilter): Record<string, string | undefined> {
  return {
    owner: f.owner || undefined,
    closeFrom: f.closeFrom || undefined,
    closeTo: f.closeTo || undefined,
    overdue: f.overdue ? 'true' : undefined,
    q: f.q.trim() || undefined,
  };
}

export function boardQuery(pipelineId: string, filter: BoardFilter) {
  return {
    queryKey: qk.board(pipelineId, filter),
    queryFn: ({ signal }: { signal?: AbortSignal }) => {
      void signal;
      return api.get<BoardData>(`/deals/board${qs({ pipelineId, perStage: PER_STAGE, ...filterParams(filter) })}`);
    },
  };
}

const read = <T>(key: string, fallback: T): T => {
  try {
    const v = localStorage.getItem(key);
    return v ? ({ ...fallback, ...JSON.parse(v) } as T) : fallback;
  } catch {
    return fallback;
  }
};

/** The filter the board opened with last time on this device. */
export const lastFilter = (): BoardFilter => read(LAST_FILTER, EMPTY_FILTER);
export const storeFilter = (f: BoardFilter) => {
  try {
    localStorage.setItem(LAST_FILTER, JSON.stringify(f));
  } catch {
    /* private mode */
  }
};

/** Saved filters live in this browser's localStorage for now (not yet on the server, so not shared across devices). */
export interface SavedFilter {
  name: string;
  filter: BoardFilter;
}
export function savedFilters(): SavedFilter[] {
  try {
    const v: unknown = JSON.parse(localStorage.getItem(SAVED_FILTERS) ?? '[]');
    return Array.isArray(v) ? (v as SavedFilter[]) : [];
  } catch {
    return [];
  }
}
export function storeSavedFilters(list: SavedFilter[]) {
  try {
    localStorage.setItem(SAVED_FILTERS, JSON.stringify(list));
  } catch {
    /* private mode */
  }
}

/** On /deals with a known pipeline (the address, or the last one used): what the board will ask for first. */
export function bootBoardTarget(): { pipelineId: string; filter: BoardFilter } | null {
  if (location.pathname !== '/deals' && location.pathname !== '/') return null;
  let pipelineId: string | null = new URLSearchParams(location.search).get('pipeline');
  try {
    pipelineId ??= localStorage.getItem(LAST_PIPELINE);
  } catch {
    /* private mode */
  }
  return pipelineId ? { pipelineId, filter: lastFilter() } : null;
}
