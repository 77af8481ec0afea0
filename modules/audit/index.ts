/**
 * The audit log: who did what security-relevant thing, when, from where. Append-only (Postgres refuses UPDATE,
 * DELETE and TRUNCATE on audit_log); read by administrators through GET /api/v1/audit.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { AUDIT_KINDS, type AuditKind } from './kinds.ts';

export { AUDIT_KINDS, type AuditKind };

export interface AuditEntry {
  kind: AuditKind;
  /** who acted (null: nobody logged in, e.g. a failed login) */
  actorId?: string | null;
  actorEmail?: string | null;
  ip?: string | null;
  /** what it was done to, e.g. ('user', id), ('deal', id) */
  subjectType?: string | null;
  subjectId?: string | null;
  /** never secrets: no passwords, tokens or cookies */
  details?: Record<string, unknown>;
}

/**
 * Appends one entry, in the caller's transaction when there is one (em inside em.transactional), so an entry exists
 * exactly when the change it records committed.
 */
export async function recordAudit(em: EntityManager, entry: AuditEntry): Promise<void> {
  await em
    .getConnection()
    .execute(
      `insert into audit_log (kind, actor_id, actor_email, ip, subject_type, subject_id, details) values (?, ?, ?, ?, ?, ?, ?::jsonb)`,
      [
        entry.kind,
        entry.actorId || null,
        entry.actorEmail ?? null,
        entry.ip ?? null,
        entry.subjectType ?? null,
        entry.subjectId ?? null,
        JSON.stringify(entry.details ?? {}),
      ],
      'run',
      em.getTransactionContext(),
    );
}

export interface AuditRow {
  id: string;
  at: Date;
  kind: AuditKind;
  actor_id: string | null;
  actor_email: string | null;
  ip: string | null;
  subject_type: string | null;
  subject_id: string | null;
  details: Record<string, unknown>;
}

/** Newest first (by id, the order of appending), keyset-paginated on id; filters by kinds, actor and a time range. */
export async function listAudit(
  em: EntityManager,
  q: {
    kinds?: string[];
    actorId?: string;
    from?: string;
    to?: string;
    afterId?: string | null;
    limit: number;
  },
): Promise<AuditRow[]> {
  const where: string[] = [];
  const args: unknown[] = [];
  if (q.kinds?.length) {
    where.push(`kind = any(string_to_array(?, ','))`);
    args.push(q.kinds.join(','));
  }
  if (q.actorId) {
    where.push('actor_id = ?');
    args.push(q.actorId);
  }
  if (q.from) {
    where.push('at >= ?');
    args.push(q.from);
  }
  if (q.to) {
    where.push('at < ?');
    args.push(q.to);
  }
  if (q.afterId) {
    where.push('id < ?::bigint');
    args.push(q.afterId);
  }
  return em.getConnection().execute<AuditRow[]>(
    // ordered by the column, not the text it is answered as ('9' sorts after '10')
    `select a.id::text as id, at, kind, actor_id, actor_email, ip, subject_type, subject_id, details from audit_log a
     ${where.length ? `where ${where.join(' and ')}` : ''} order by a.id desc limit ?`,
    [...args, q.limit],
  );
}
