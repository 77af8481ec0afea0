import type { EntityManager } from '@mikro-orm/postgresql';
import { notFound } from '../shared/errors.ts';
import { Department, type DepartmentRow } from './entities.ts';

async function memberCounts(em: EntityManager, ids: string[]): Promise<Map<string, number>> {
  if (!ids.length) return new Map();
  const rows = await em
    .getConnection()
    .execute<{ department_id: string; n: string }[]>(
      'select department_id, count(*) as n from users where disabled_at is null and department_id = any(?::uuid[]) group by 1',
      [`{${ids.join(',')}}`],
    );
  return new Map(rows.map((r) => [r.department_id, Number(r.n)]));
}

/** Departments as the API shows them, with the number of active members of each. */
export async function toDepartments(em: EntityManager, rows: DepartmentRow[]) {
  const counts = await memberCounts(
    em,
    rows.map((r) => r.id),
  );
  return rows.map((d) => ({
    id: d.id,
    name: d.name,
    parentId: d.parentId ?? null,
    isSalesGroup: d.isSalesGroup,
    leadId: d.leadId ?? null,
    memberCount: counts.get(d.id) ?? 0,
    version: d.version,
  }));
}

/** Every department, by name. */
export async function listDepartments(em: EntityManager) {
  return toDepartments(em, await em.find(Department, {}, { orderBy: [{ name: 'asc' }, { id: 'asc' }] }));
}

export async function getDepartment(em: EntityManager, id: string) {
  const row = await em.fork().findOne(Department, { id });
  if (!row) throw notFound('Department');
  return (await toDepartments(em, [row]))[0];
}
