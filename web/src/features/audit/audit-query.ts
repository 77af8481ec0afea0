/** The audit log's server state: the filter (kind, time range) and the pages of GET /audit, newest first. */
import { api, qs, type AuditEntry, type AuditKind, type Page } from '../../api.js';

/** Every kind the server writes, in the order the filter offers them. */
export const AUDIT_KINDS = [
  'auth.login_succeeded',
  'auth.login_failed',
  'auth.password_changed',
  'auth.password_reset',
  'user.role_changed',
  'user.access_changed',
  'share.granted',
  'share.revoked',
  'export.downloaded',
  'record.deleted',
  'deal.attachment_removed',
  'import.uploaded',
  'import.started',
  'import.finished',
  'currency.changed',
] as const satisfies readonly AuditKind[];
// a kind the server adds and this list lacks fails the typecheck here
type Unlisted = Exclude<AuditKind, (typeof AUDIT_KINDS)[number]>;
export const allListed: Unlisted extends never ? true : never = true;

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
