/** Server state: one TanStack Query client, the query keys, and how failed reads are retried. */
import { QueryClient } from '@tanstack/react-query';
import { ApiError, retryAfterMs } from './api.js';

/** Keys of the cached server state; invalidating a prefix (e.g. ['deals']) refreshes everything under it. */
export const qk = {
  me: ['me'] as const,
  pipelines: ['pipelines'] as const,
  documentKinds: ['document-kinds'] as const,
  dealFields: ['deal-fields'] as const,
  board: (pipelineId: string, filter: object) => ['deals', 'board', pipelineId, filter] as const,
  boards: ['deals', 'board'] as const,
  managers: (pipelineId: string, filter: object) => ['deals', 'managers', pipelineId, filter] as const,
  managersAll: ['deals', 'managers'] as const,
  savedFilters: ['saved-filters'] as const,
  currency: ['currency-rates'] as const,
  deal: (id: string) => ['deals', 'one', id] as const,
  list: (params: object) => ['deals', 'list', params] as const,
  lists: ['deals', 'list'] as const,
  deals: ['deals'] as const,
  client: (id: string) => ['clients', 'one', id] as const,
  clients: ['clients'] as const,
};

/** Reads are retried on a network failure and on 503 after the server's Retry-After; never on other answers. */
function retry(failures: number, e: unknown) {
  if (!(e instanceof ApiError)) return false;
  if (e.status === 0) return failures < 2;
  if (e.status === 503) return failures < 3;
  return false;
}
const retryDelay = (failures: number, e: unknown) => retryAfterMs(e) ?? Math.min(8000, 500 * 2 ** failures);

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: { retry, retryDelay, staleTime: 15_000, refetchOnWindowFocus: false },
    // writes are not repeated blindly (the deal commands are idempotent only with their key): only a 503 with Retry-After
    mutations: {
      retry: (n, e) => n < 2 && retryAfterMs(e) !== null && !(e instanceof ApiError && e.code === 'OUTCOME_UNKNOWN'),
      retryDelay,
    },
  },
});
