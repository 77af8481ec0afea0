/** The audit log's server state: the filter (kind, time range) and the pages of GET /audit, newest first. */
import { api, qs, type AuditEntry, type AuditKind, type Page } from '../../api.js';

/** Every kind the server writes, in the order the filter offers them. */
export { AUDIT_KINDS } from '../../../../modules/audit/kinds.js';

export const PAGE_SIZE = 50;

export interface AuditFilter {
  /** '' every kind */
  kind: AuditKind | '';
  /** datetime-local values ('' open), read in the browser's time zone */
  from: string;
  to: string;
}
export const EMPTY_AUDIT_FILTER: AuditFilter = { kind: '', from: '', to: '' };

const isoOf = (local: string) => {
  if (!local) return undefined;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
};

export function auditQuery(filter: AuditFilter) {
  return {
    queryKey: ['audit', filter] as const,
    queryFn: ({ pageParam }: { pageParam: string | null }) =>
      api.get<Page<AuditEntry>>(
        `/audit${qs({
          kind: filter.kind || undefined,
          from: isoOf(filter.from),
          to: isoOf(filter.to),
          limit: PAGE_SIZE,
          cursor: pageParam ?? undefined,
        })}`,
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (last: Page<AuditEntry>) => last.nextCursor,
  };
}
