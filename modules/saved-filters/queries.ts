import type { EntityManager } from '@mikro-orm/postgresql';
import type { SavedFilterValue } from './entities.ts';

export interface SavedFilterView {
  id: string;
  name: string;
  filter: SavedFilterValue;
  /** shared with the owner's sales group */
  shared: boolean;
  ownerId: string;
  ownerName: string;
  /** the viewer's own (only those can be changed or removed) */
  mine: boolean;
  version: number;
}

interface Row {
  id: string;
  name: string;
  filter: SavedFilterValue | string;
  department_id: string | null;
  owner_id: string;
  owner_name: string;
  version: number;
}

const SELECT = `select f.id, f.name, f.filter, f.department_id, f.owner_id, u.name as owner_name, f.version
  from saved_filters f join users u on u.id = f.owner_id`;

const toView =
  (viewerId: string) =>
  (r: Row): SavedFilterView => ({
    id: r.id,
    name: r.name,
    filter: typeof r.filter === 'string' ? (JSON.parse(r.filter) as SavedFilterValue) : r.filter,
    shared: r.department_id !== null,
    ownerId: r.owner_id,
    ownerName: r.owner_name,
    mine: r.owner_id === viewerId,
    version: Number(r.version),
  });

/**
 * The viewer's saved filters, then those shared with their sales group (the department they are in, or one they
 * lead), each by name.
 */
export async function listSavedFilters(em: EntityManager, viewer: { id: string }): Promise<SavedFilterView[]> {
  const rows = await em.getConnection().execute<Row[]>(
    `${SELECT} where f.owner_id = ?
     or f.department_id in (select department_id from users where id = ? and department_id is not null
                            union select id from departments where lead_id = ?)
     order by (f.owner_id = ?) desc, f.name, f.id`,
    [viewer.id, viewer.id, viewer.id, viewer.id],
  );
  return rows.map(toView(viewer.id));
}

/** One saved filter of the viewer's own, or null. */
export async function ownSavedFilter(em: EntityManager, viewerId: string, id: string) {
  const [row] = await em
    .getConnection()
    .execute<Row[]>(`${SELECT} where f.id = ? and f.owner_id = ?`, [id, viewerId], 'all', em.getTransactionContext());
  return row ? toView(viewerId)(row) : null;
}
