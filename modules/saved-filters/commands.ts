import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { DomainError, notFound, versionConflict } from '../shared/errors.ts';
import type { SavedFilterValue } from './entities.ts';
import { ownSavedFilter, type SavedFilterView } from './queries.ts';

export interface SavedFilterInput {
  name: string;
  filter: SavedFilterValue;
  /** share it with my sales group */
  shared: boolean;
}

const nameTaken = (name: string) =>
  new DomainError('SAVED_FILTER_NAME_TAKEN', `You have a saved filter named "${name}" already`, { field: 'name' });

/** The sales group a user shares with: the department they are in, else the first one they lead. */
async function groupOf(em: EntityManager, userId: string): Promise<string> {
  const [row] = await em.getConnection().execute<{ id: string | null }[]>(
    `select coalesce((select department_id from users where id = ?),
       (select id from departments where lead_id = ? order by name, id limit 1)) as id`,
    [userId, userId],
    'all',
    em.getTransactionContext(),
  );
  if (!row?.id)
    throw new DomainError('SAVED_FILTER_NO_GROUP', 'You are in no sales group to share the filter with', {
      field: 'shared',
    });
  return row.id;
}

async function unique<T>(name: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    // 23505: unique_violation, as the driver's error or as MikroORM's wrapping of it
    if (err instanceof UniqueConstraintViolationException || (err as { code?: unknown })?.code === '23505')
      throw nameTaken(name);
    throw err;
  }
}

/** Saves a filter of the user's under a name of their own (409 SAVED_FILTER_NAME_TAKEN when they have it). */
export async function createSavedFilter(
  em: EntityManager,
  userId: string,
  input: SavedFilterInput,
): Promise<SavedFilterView> {
  const id = randomUUID();
  const departmentId = input.shared ? await groupOf(em, userId) : null;
  await unique(input.name, () =>
    em
      .getConnection()
      .execute(
        `insert into saved_filters (id, owner_id, name, filter, department_id) values (?, ?, ?, ?::jsonb, ?)`,
        [id, userId, input.name, JSON.stringify(input.filter), departmentId],
        'run',
      ),
  );
  return (await ownSavedFilter(em, userId, id))!;
}

/** Renames, changes or (un)shares one of the user's saved filters, if still at `version`. */
export async function updateSavedFilter(
  em: EntityManager,
  userId: string,
  id: string,
  input: SavedFilterInput & { version: number },
): Promise<SavedFilterView> {
  const departmentId = input.shared ? await groupOf(em, userId) : null;
  const res = await unique(input.name, () =>
    em.getConnection().execute<{ id: string }[]>(
      `update saved_filters set name = ?, filter = ?::jsonb, department_id = ?, version = version + 1, updated_at = now()
       where id = ? and owner_id = ? and version = ? returning id`,
      [input.name, JSON.stringify(input.filter), departmentId, id, userId, input.version],
    ),
  );
  if (!res.length) {
    const now = await ownSavedFilter(em, userId, id);
    if (!now) throw notFound('Saved filter');
    throw versionConflict('The saved filter', now.version);
  }
  return (await ownSavedFilter(em, userId, id))!;
}

/** Removes one of the user's saved filters (others' are 404, even when shared with them). */
export async function deleteSavedFilter(em: EntityManager, userId: string, id: string): Promise<void> {
  const res = await em
    .getConnection()
    .execute<{ id: string }[]>('delete from saved_filters where id = ? and owner_id = ? returning id', [id, userId]);
  if (!res.length) throw notFound('Saved filter');
}
