/**
 * The deal list's server state and the user's choices: the columns shown (remembered per user in this browser's
 * localStorage, not on the server: another device starts from the default), the order, the archive switch, the pages
 * of GET /deals and the address of the CSV export with the same filters.
 */
import { api, qs, type Deal, type Locale, type Page } from '../../api.js';
import { qk } from '../../query.js';
import { filterParams, type BoardFilter } from '../board/board-query.js';

export const LIST_PAGE = 50;

export const BUILT_IN_COLUMNS = [
  'title',
  'client',
  'contact',
  'stage',
  'owner',
  'amount',
  'currency',
  'expectedCloseDate',
  'createdAt',
  'updatedAt',
] as const;
export type BuiltInColumn = (typeof BUILT_IN_COLUMNS)[number];
/** a built-in column or `custom.<key>` of a custom deal field */
export type ListColumn = BuiltInColumn | `custom.${string}`;
export const DEFAULT_COLUMNS: ListColumn[] = ['title', 'client', 'stage', 'owner', 'amount', 'expectedCloseDate'];

/** Orders the server offers: only the last change has a keyset index for every filter (see GET /deals `sort`). */
export type ListSort = '-updatedAt' | 'updatedAt';

const columnsKey = (userId: string) => `dealflow.listColumns.${userId}`;

export function storedColumns(userId: string): ListColumn[] {
  try {
    const v: unknown = JSON.parse(localStorage.getItem(columnsKey(userId)) ?? 'null');
    if (Array.isArray(v) && v.length && v.every((c) => typeof c === 'string')) return v as ListColumn[];
  } catch {
    /* private mode or a broken value: the default */
  }
  return DEFAULT_COLUMNS;
}

export function storeColumns(userId: string, columns: ListColumn[]) {
  try {
    localStorage.setItem(columnsKey(userId), JSON.stringify(columns));
  } catch {
    /* private mode */
  }
}

export interface ListParams {
  pipelineId: string | null;
  filter: BoardFilter;
  archived: boolean;
  sort: ListSort;
}

function paramsOf(p: ListParams) {
  return {
    pipelineId: p.pipelineId ?? undefined,
    ...filterParams(p.filter),
    archived: p.archived ? 'true' : undefined,
    sort: p.sort,
  };
}

export function listQuery(p: ListParams) {
  return {
    queryKey: qk.list(paramsOf(p)),
    queryFn: ({ pageParam }: { pageParam: string | null }) =>
      api.get<Page<Deal>>(`/deals${qs({ ...paramsOf(p), limit: LIST_PAGE, cursor: pageParam })}`),
    initialPageParam: null as string | null,
    getNextPageParam: (last: Page<Deal>) => last.nextCursor,
  };
}

/** GET /api/v1/deals/export.csv with the list's filters, order and columns (a plain download: the session cookie). */
export function exportUrl(p: ListParams, columns: ListColumn[], locale: Locale): string {
  return `/api/v1/deals/export.csv${qs({ ...paramsOf(p), columns: columns.join(','), locale })}`;
}
