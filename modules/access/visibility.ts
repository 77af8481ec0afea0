import type { EntityManager } from '@mikro-orm/postgresql';
import { RecordShare } from '../clients/entities.ts';

export interface Viewer { id: string; role: string }
export type RecordType = 'client' | 'deal';

/**
 * Whose records a user sees: an admin everyone's; a lead their own and those of every member of the
 * departments they lead (and the departments below them); anyone else their own. Shared records come on top.
 */
export async function visibleOwnerIds(em: EntityManager, viewer: Viewer): Promise<string[] | 'all'> {
  if (viewer.role === 'admin') return 'all';
  const rows = await em.getConnection().execute<{ id: string }[]>(`
    with recursive led as (
      select id from departments where lead_id = ?
      union select d.id from departments d join led on d.parent_id = led.id
    )
    select u.id from users u where u.department_id in (select id from led)
    union select ?::uuid`, [viewer.id, viewer.id]);
  return rows.map((r) => r.id);
}

export async function sharedIds(em: EntityManager, viewer: Viewer, type: RecordType): Promise<string[]> {
  const shares = await em.find(RecordShare, { userId: viewer.id, recordType: type }, { fields: ['recordId'] });
  return shares.map((s) => s.recordId);
}

/** A filter on (id, ownerId) that keeps exactly the records the viewer may see. */
export async function visibilityFilter(em: EntityManager, viewer: Viewer, type: RecordType): Promise<Record<string, unknown>> {
  const owners = await visibleOwnerIds(em, viewer);
  if (owners === 'all') return {};
  const shared = await sharedIds(em, viewer, type);
  return { $or: [{ ownerId: { $in: owners } }, ...(shared.length ? [{ id: { $in: shared } }] : [])] };
}

export async function canSee(em: EntityManager, viewer: Viewer, type: RecordType, record: { id: string; ownerId: string }): Promise<boolean> {
  const owners = await visibleOwnerIds(em, viewer);
  if (owners === 'all' || owners.includes(record.ownerId)) return true;
  return (await em.count(RecordShare, { userId: viewer.id, recordType: type, recordId: record.id })) > 0;
}

/** The same rule as visibilityFilter, as an SQL condition on a table alias, for aggregate queries. */
export async function visibilitySql(em: EntityManager, viewer: Viewer, type: RecordType, alias: string): Promise<{ sql: string; params: unknown[] }> {
  const owners = await visibleOwnerIds(em, viewer);
  if (owners === 'all') return { sql: 'true', params: [] };
  return {
    sql: `(${alias}.owner_id = any(?::uuid[]) or ${alias}.id in (select record_id from record_shares where user_id = ? and record_type = ?))`,
    params: [`{${owners.join(',')}}`, viewer.id, type], // a Postgres array literal: the driver would expand a JS array
  };
}
