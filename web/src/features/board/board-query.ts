/**
 * The board's server state: the filter (owner, close period, overdue, stuck, search), saved filters (on the server,
 * GET /saved-filters), and the query of GET /deals/board. Shared with the boot prefetch (session.tsx) so that both ask
 * for the very same key.
 */
import { ApiError, api, type BoardData, type SavedFilter } from '../../api.js';
import { qk } from '../../query.js';
import { boardPath, type BoardFilter } from './board-target.js';

export {
  EMPTY_FILTER,
  LAST_PIPELINE,
  PER_STAGE,
  bootBoardTarget,
  filterParams,
  lastFilter,
  storeFilter,
  type BoardFilter,
} from './board-target.js';
const SAVED_FILTERS = 'dealflow.savedFilters';

export const isEmptyFilter = (f: BoardFilter) =>
  !f.owner && !f.closeFrom && !f.closeTo && !f.overdue && !f.stuck && !f.q;

export function boardQuery(pipelineId: string, filter: BoardFilter) {
  return {
    queryKey: qk.board(pipelineId, filter),
    queryFn: ({ signal }: { signal?: AbortSignal }) => {
      void signal;
      return api.get<BoardData>(boardPath(pipelineId, filter));
    },
  };
}

/**
 * Saved filters: the viewer's own and those their sales group shares, from the server. Read only once the filters
 * this browser kept have been uploaded (uploadLocalSavedFilters): a list read beside the upload could be answered
 * after it, without them, and would be kept as fresh.
 */
export const savedFiltersQuery = {
  queryKey: qk.savedFilters,
  queryFn: async () => {
    await uploadLocalSavedFilters();
    return api.get<{ items: SavedFilter[] }>('/saved-filters').then((r) => r.items);
  },
  staleTime: 60_000,
};

/** A filter as saved (any part may be missing, e.g. from an older version) as the board's full filter. */
export const filterOf = (f: Partial<BoardFilter>): BoardFilter => ({
  owner: typeof f.owner === 'string' ? f.owner : '',
  closeFrom: typeof f.closeFrom === 'string' ? f.closeFrom : '',
  closeTo: typeof f.closeTo === 'string' ? f.closeTo : '',
  overdue: f.overdue === true,
  stuck: f.stuck === true,
  q: typeof f.q === 'string' ? f.q.slice(0, 200) : '',
});

let uploading: Promise<boolean> | null = null;
/**
 * Saved filters used to live in this browser's localStorage: the first time the board opens here since, they are
 * uploaded to the server (a name the user has there already is skipped) and then removed from this browser. A
 * failure keeps them here for the next read. True when something was uploaded. Never rejects.
 */
export function uploadLocalSavedFilters(): Promise<boolean> {
  uploading ??= (async () => {
    let local: { name?: unknown; filter?: unknown }[] = [];
    try {
      const v: unknown = JSON.parse(localStorage.getItem(SAVED_FILTERS) ?? '[]');
      local = Array.isArray(v) ? (v as typeof local) : [];
    } catch {
      local = [];
    }
    if (!local.length) return false;
    for (const s of local) {
      const name = typeof s.name === 'string' ? s.name.trim().slice(0, 100) : '';
      if (!name || !s.filter || typeof s.filter !== 'object') continue;
      try {
        await api.post('/saved-filters', { name, filter: filterOf(s.filter as Partial<BoardFilter>), shared: false });
      } catch (e) {
        // taken: uploaded by an earlier visit, or saved under that name on another device; refused: nothing to keep
        if (e instanceof ApiError && (e.code === 'SAVED_FILTER_NAME_TAKEN' || e.status === 400)) continue;
        uploading = null;
        return false;
      }
    }
    try {
      localStorage.removeItem(SAVED_FILTERS);
    } catch {
      /* private mode */
    }
    return true;
  })();
  return uploading;
}
