/**
 * Readers of the feed as the rules need them (rules.ts `Reader`): which departments' posts a user reads and whose
 * records they see, from the org tree and modules/access (cached there per access epoch).
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { orgSubtree, visibleOwnerIds, type Viewer } from '../access/visibility.ts';
import type { PostAudience, Reader } from './rules.ts';

/** The departments whose posts a user reads: theirs and those above it, and those they lead and below. */
async function readableDepartments(em: EntityManager, userId: string, epoch?: number): Promise<string[]> {
  const [row] = await em.getConnection().execute<{ ids: string[] | null }[]>(
    `with recursive up as (
       select d.id, d.parent_id from departments d join users u on u.department_id = d.id where u.id = ?
       union select d.id, d.parent_id from departments d join up on d.id = up.parent_id
     )
     select array_agg(id) as ids from up`,
    [userId],
  );
  const led = await orgSubtree(em, userId, epoch);
  return [...new Set([...(row?.ids ?? []), ...led.departmentIds])];
}

/** A reader for the viewer, with the shares of the records given (shares are read per record, never cached). */
export async function readerOf(
  em: EntityManager,
  viewer: Viewer,
  records: { recordType: string | null; recordId: string | null }[] = [],
): Promise<Reader> {
  if (viewer.role === 'admin')
    return { id: viewer.id, admin: true, departmentIds: [], owners: 'all', shared: new Set() };
  const [departmentIds, owners] = await Promise.all([
    readableDepartments(em, viewer.id, viewer.accessEpoch),
    visibleOwnerIds(em, viewer),
  ]);
  const wanted = records.filter((r) => r.recordType && r.recordId);
  const shared = new Set<string>();
  if (wanted.length && owners !== 'all') {
    const rows = await em.getConnection().execute<{ k: string }[]>(
      `select record_type || ':' || record_id as k from record_shares
         where user_id = ? and record_id = any(?::uuid[])`,
      [viewer.id, `{${wanted.map((r) => r.recordId).join(',')}}`],
    );
    for (const r of rows) shared.add(r.k);
  }
  return { id: viewer.id, admin: false, departmentIds, owners, shared };
}

/** The active users of these ids as readers of posts about these records; unknown or disabled users are left out. */
export async function readersOf(
  em: EntityManager,
  userIds: readonly string[],
  records: { recordType: string | null; recordId: string | null }[],
): Promise<Map<string, Reader>> {
  if (!userIds.length) return new Map();
  const users = await em
    .getConnection()
    .execute<{ id: string; role: string }[]>(
      'select id, role from users where id = any(?::uuid[]) and disabled_at is null',
      [`{${userIds.join(',')}}`],
    );
  const out = new Map<string, Reader>();
  for (const u of users) out.set(u.id, await readerOf(em, u, records));
  return out;
}

/** The owner of the record a post is about, as it is now (a plan's manager), or null when there is no such record. */
export const RECORD_OWNER_SQL = (alias: string) => `(case ${alias}.record_type
    when 'deal' then (select owner_id from deals where id = ${alias}.record_id)
    when 'client' then (select owner_id from clients where id = ${alias}.record_id)
    when 'plan' then (select manager_id from plans where id = ${alias}.record_id)
    when 'event' then (select owner_id from calendar_events where id = ${alias}.record_id) end)`;

/** The title of the record a post is about, for its link. */
export const RECORD_TITLE_SQL = (alias: string) => `(case ${alias}.record_type
    when 'deal' then (select title from deals where id = ${alias}.record_id)
    when 'client' then (select name from clients where id = ${alias}.record_id)
    when 'plan' then (select u.name || ' · ' || pl.period from plans pl join users u on u.id = pl.manager_id
                      where pl.id = ${alias}.record_id)
    when 'event' then (select title from calendar_events where id = ${alias}.record_id) end)`;

/** The audience of a post about a record given by the client, with its owner now (null: no such record). */
export async function audienceOf(
  em: EntityManager,
  a: {
    audience: PostAudience['audience'];
    departmentId?: string | null;
    recordType?: string | null;
    recordId?: string | null;
  },
): Promise<PostAudience> {
  const base: PostAudience = {
    audience: a.audience,
    departmentId: a.audience === 'department' ? (a.departmentId ?? null) : null,
    recordType: a.audience === 'record' ? ((a.recordType as PostAudience['recordType']) ?? null) : null,
    recordId: a.audience === 'record' ? (a.recordId ?? null) : null,
    recordOwnerId: null,
  };
  if (base.audience !== 'record' || !base.recordType || !base.recordId) return base;
  const [row] = await em
    .getConnection()
    .execute<{ owner: string | null }[]>(
      `select ${RECORD_OWNER_SQL('x')} as owner from (select ?::text as record_type, ?::uuid as record_id) x`,
      [base.recordType, base.recordId],
    );
  return { ...base, recordOwnerId: row?.owner ?? null };
}
