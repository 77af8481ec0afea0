/**
 * What the board asks for first: its filter as kept on this device, the query string of GET /deals/board, and — at
 * boot — which pipeline's board that is. No imports but the query string: the early boot script (web/src/boot/early.ts)
 * is built from this file too, so that it asks for the very same address the board's query will.
 */
import { qs } from '../../qs.js';

export const PER_STAGE = 50;
export const LAST_PIPELINE = 'dealflow.pipeline';
const LAST_FILTER = 'dealflow.boardFilter';

export interface BoardFilter {
  /** '' everyone I may see; 'me'; 'group' (my sales group); or a user's id */
  owner: string;
  closeFrom: string;
  closeTo: string;
  overdue: boolean;
  /** open deals past their stage's "stuck after" days */
  stuck: boolean;
  q: string;
}
export const EMPTY_FILTER: BoardFilter = { owner: '', closeFrom: '', closeTo: '', overdue: false, stuck: false, q: '' };

/** The query string of GET /deals/board and GET /deals for a filter: only what is set is sent. */
export function filterParams(f: BoardFilter): Record<string, string | undefined> {
  return {
    owner: f.owner || undefined,
    closeFrom: f.closeFrom || undefined,
    closeTo: f.closeTo || undefined,
    overdue: f.overdue ? 'true' : undefined,
    stuck: f.stuck ? 'true' : undefined,
    q: f.q.trim() || undefined,
  };
}

/** The path (under /api/v1) of a pipeline's board with a filter. */
export const boardPath = (pipelineId: string, filter: BoardFilter) =>
  `/deals/board${qs({ pipelineId, perStage: PER_STAGE, ...filterParams(filter) })}`;

/** The filter the board opened with last time on this device. */
export function lastFilter(): BoardFilter {
  try {
    const v = localStorage.getItem(LAST_FILTER);
    return v ? ({ ...EMPTY_FILTER, ...JSON.parse(v) } as BoardFilter) : EMPTY_FILTER;
  } catch {
    return EMPTY_FILTER;
  }
}
export function storeFilter(f: BoardFilter) {
  try {
    localStorage.setItem(LAST_FILTER, JSON.stringify(f));
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
