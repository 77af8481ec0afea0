import { randomUUID } from 'node:crypto';
import { raw } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { User } from '../accounts/entities.ts';
import { DomainError, invalidReference, notFound, versionConflict } from '../shared/errors.ts';
import { Department } from './entities.ts';
import { wouldCycle } from './tree.ts';

export interface DepartmentFields {
  name: string;
  parentId?: string | null;
  isSalesGroup?: boolean;
  leadId?: string | null;
}

/** Checks parent and lead; run inside the transaction that holds the organisation lock. */
async function checkReferences(
  em: EntityManager,
  id: string,
  body: { parentId?: string | null; leadId?: string | null },
) {
  if (body.leadId && !(await em.findOne(User, { id: body.leadId, disabledAt: null }, { fields: ['id'] }))) {
    throw invalidReference('leadId', 'active user');
  }
  if (body.parentId) {
    const all = await em.find(Department, {}, { fields: ['id', 'parentId'] });
    if (!all.some((d) => d.id === body.parentId)) throw invalidReference('parentId', 'department');
    const parentOf = new Map(all.map((d) => [d.id, d.parentId ?? null]));
    if (wouldCycle(parentOf, id, body.parentId)) {
      throw new DomainError(
        'DEPARTMENT_CYCLE',
        'parentId: a department cannot be placed below itself or one of its sub-departments',
        { field: 'parentId' },
      );
    }
  }
}

/** Serialises changes to the department tree, so two concurrent moves cannot close a loop together. */
const lockTree = (em: EntityManager) =>
  em
    .getConnection()
    .execute("select pg_advisory_xact_lock(hashtext('dealflow:departments'))", [], 'all', em.getTransactionContext());

/** A new department, optionally below another and with a lead (whose role is not changed). Returns its id. */
export async function createDepartment(em: EntityManager, input: DepartmentFields): Promise<string> {
  const id = randomUUID();
  await em.transactional(async (tem) => {
    await lockTree(tem);
    await checkReferences(tem, id, input);
    tem.create(Department, {
      id,
      name: input.name,
      parentId: input.parentId ?? null,
      isSalesGroup: input.isSalesGroup ?? false,
      leadId: input.leadId ?? null,
    });
  });
  return id;
}

/** Renames, moves, marks or sets the lead of a department that is still at `version`. */
export async function updateDepartment(
  em: EntityManager,
  id: string,
  version: number,
  changes: Partial<DepartmentFields>,
) {
  await em.transactional(async (tem) => {
    await lockTree(tem);
    const current = await tem.findOne(Department, { id }, { fields: ['id', 'version'] });
    if (!current) throw notFound('Department');
    if (version !== current.version) throw versionConflict('The department', current.version);
    await checkReferences(tem, id, changes);
    const set: Record<string, unknown> = {};
    for (const k of ['name', 'parentId', 'isSalesGroup', 'leadId'] as const)
      if (changes[k] !== undefined) set[k] = changes[k];
    await tem.nativeUpdate(Department, { id }, { ...set, version: raw('version + 1') });
  });
}
