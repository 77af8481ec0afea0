import type { EntityManager } from '@mikro-orm/postgresql';
import { RecordShare } from '../clients/entities.ts';

/**
 * Who sees what, in one place: an admin everyone's records; a lead their own and those of every member of the
 * departments they lead (and the departments below them); anyone else their own. Shared records come on top.
 *
 * Caching: what a user sees by ownership, and the org subtree under a lead, are cached in this process per
 * "access epoch", a counter in Postgres (table access_epoch) that triggers bump in the same transaction as any
 * change to departments, roles, users' departments or disabled users. A request reads the epoch together with its
 * session (api/auth.ts), so a cached answer is used only while nothing it depends on has changed, in this process
 * or any other: no time window, no stale visibility with several API processes. Shares are not cached: every query
 * reads them from record_shares through its index.
 */
export interface Viewer {
  id: string;
  role: string;
  /** the access epoch read with the session; without it, it is read here */
  accessEpoch?: number;
}
/** what may be shared or seen: an event (calendar) or a plan is seen by whoever sees its owner's records */
export type RecordType = 'client' | 'deal' | 'event' | 'plan';

/** What a viewer sees by ownership: every record, or the records of these owners (the viewer included). */
export type OwnerScope = { all: true } | { all: false; owners: string[] };

/** The org subtree under a lead: the departments they lead and those below, and the users in them. */
export interface OrgSubtree {
  departmentIds: string[];
  userIds: string[];
}

const CACHE_MAX = 10_000;
const scopes = new Map<string, { epoch: number; value: OwnerScope }>();
const subtrees = new Map<string, { epoch: number; value: OrgSubtree }>();

function remember<V>(cache: Map<string, { epoch: number; value: V }>, key: string, epoch: number, value: V) {
  if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
  cache.set(key, { epoch, value });
}

/** The current access epoch (one indexed row). */
export async function readAccessEpoch(em: EntityManager): Promise<number> {
  const [row] = await em.getConnection().execute<{ epoch: string }[]>('select epoch from access_epoch');
  return Number(row?.epoch ?? 0);
}

async function epochOf(em: EntityManager, viewer: Viewer) {
  return viewer.accessEpoch ?? readAccessEpoch(em);
}

/** The departments a user leads and every department below them, and the users (disabled ones too) in them. */
export async function orgSubtree(em: EntityManager, leadId: string, epoch?: number): Promise<OrgSubtree> {
  const at = epoch ?? (await readAccessEpoch(em));
  const hit = subtrees.get(leadId);
  if (hit && hit.epoch === at) return hit.value;
  const rows = await em.getConnection().execute<{ departments: string[] | null; users: string[] | null }[]>(
    `
    with recursive led as (
      select id from departments where lead_id = ?
      union select d.id from departments d join led on d.parent_id = led.id
    )
    select (select array_agg(id order by id) from led) as departments,
           (select array_agg(u.id order by u.id) from users u where u.department_id in (select id from led)) as users`,
    [leadId],
  );
  const value = { departmentIds: rows[0]?.departments ?? [], userIds: rows[0]?.users ?? [] };
  remember(subtrees, leadId, at, value);
  return value;
}

/** Whose records the viewer sees by ownership (cached per access epoch). */
export async function ownerScope(em: EntityManager, viewer: Viewer): Promise<OwnerScope> {
  if (viewer.role === 'admin') return { all: true };
  const at = await epochOf(em, viewer);
  const key = `${viewer.id}:${viewer.role}`;
  const hit = scopes.get(key);
  if (hit && hit.epoch === at) return hit.value;
  const subtree = await orgSubtree(em, viewer.id, at);
  const value: OwnerScope = { all: false, owners: [...new Set([viewer.id, ...subtree.userIds])] };
  remember(scopes, key, at, value);
  return value;
}

/**
 * Whose records the viewer sees by ownership. An admin sees everyone's ('all'); a lead their own and those of every
 * member of the departments they lead (and the departments below them); anyone else their own.
 */
export async function visibleOwnerIds(em: EntityManager, viewer: Viewer): Promise<string[] | 'all'> {
  const scope = await ownerScope(em, viewer);
  return scope.all ? 'all' : scope.owners;
}

export async function sharedIds(em: EntityManager, viewer: Viewer, type: RecordType): Promise<string[]> {
  const shares = await em.find(RecordShare, { userId: viewer.id, recordType: type }, { fields: ['recordId'] });
  return shares.map((s) => s.recordId);
}

/** A filter on (id, ownerId) that keeps exactly the records the viewer may see. */
export async function visibilityFilter(
  em: EntityManager,
  viewer: Viewer,
  type: RecordType,
): Promise<Record<string, unknown>> {
  const owners = await visibleOwnerIds(em, viewer);
  if (owners === 'all') return {};
  const shared = await sharedIds(em, viewer, type);
  return { $or: [{ ownerId: { $in: owners } }, ...(shared.length ? [{ id: { $in: shared } }] : [])] };
}

export async function canSee(
  em: EntityManager,
  viewer: Viewer,
  type: RecordType,
  record: { id: string; ownerId: string },
): Promise<boolean> {
  const owners = await visibleOwnerIds(em, viewer);
  if (owners === 'all' || owners.includes(record.ownerId)) return true;
  return (await em.count(RecordShare, { userId: viewer.id, recordType: type, recordId: record.id })) > 0;
}

/** A Postgres array literal of uuids (the driver would expand a JS array into a list). */
export const uuidArray = (ids: readonly string[]) => `{${ids.join(',')}}`;

/**
 * The same rule as visibilityFilter, as an SQL condition on a table alias. Lists should rather read owned UNION
 * shared (see modules/deals/queries.ts), so that each side uses its own index.
 */
export async function visibilitySql(
  em: EntityManager,
  viewer: Viewer,
  type: RecordType,
  alias: string,
): Promise<{ sql: string; params: unknown[] }> {
  const owners = await visibleOwnerIds(em, viewer);
  if (owners === 'all') return { sql: 'true', params: [] };
  return {
    sql: `(${alias}.owner_id = any(?::uuid[]) or exists (select 1 from record_shares s
      where s.user_id = ? and s.record_type = ? and s.record_id = ${alias}.id))`,
    params: [uuidArray(owners), viewer.id, type],
  };
}

/**
 * Narrowing by owner for lists and boards: `me` (my own records), a user id, or `group` (my led subtree and me).
 * Returns which owners' records are read by ownership, and which owners' shared records may be added on top
 * ('any' for no restriction, null when shares add nothing).
 */
/** 'me', 'group' or a user id */
export type OwnerFilter = string | undefined;
export interface ReadScope {
  owners: 'all' | string[];
  /** shares with the viewer add records of these owners ('any': of any owner); null: shares add nothing */
  sharedOwners: 'any' | string[] | null;
}

export async function readScope(em: EntityManager, viewer: Viewer, owner: OwnerFilter): Promise<ReadScope> {
  const scope = await ownerScope(em, viewer);
  const sees = (id: string) => scope.all || scope.owners.includes(id);
  if (owner === undefined) return { owners: scope.all ? 'all' : scope.owners, sharedOwners: scope.all ? null : 'any' };
  if (owner === 'me') return { owners: [viewer.id], sharedOwners: null };
  if (owner === 'group') {
    const subtree = await orgSubtree(em, viewer.id, await epochOf(em, viewer));
    const group = [...new Set([viewer.id, ...subtree.userIds])];
    const owners = group.filter(sees);
    const rest = group.filter((id) => !sees(id));
    return { owners, sharedOwners: rest.length ? rest : null };
  }
  return sees(owner) ? { owners: [owner], sharedOwners: null } : { owners: [], sharedOwners: [owner] };
}
