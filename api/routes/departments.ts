import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { raw } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { User } from '../../modules/accounts/entities.ts';
import { Department, type DepartmentRow } from '../../modules/org/entities.ts';
import { wouldCycle } from '../../modules/org/tree.ts';
import { AppError, notFound } from '../errors.ts';
import { route, type RouteSpec } from '../http.ts';

const departmentSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  parentId: z.uuid().nullable(),
  isSalesGroup: z.boolean(),
  leadId: z.uuid().nullable().describe('who sees the records of this department and the ones below it'),
  memberCount: z.number().int().describe('active users in this department'),
  version: z.number().int(),
}).meta({ id: 'Department' });

const fields = {
  name: z.string().trim().min(1).max(200),
  parentId: z.uuid().nullable().optional(),
  isSalesGroup: z.boolean().optional(),
  leadId: z.uuid().nullable().optional().describe("the department's lead; their role is not changed"),
};

async function memberCounts(em: EntityManager, ids: string[]): Promise<Map<string, number>> {
  if (!ids.length) return new Map();
  const rows = await em.execute<{ department_id: string; n: string }[]>(
    `select department_id, count(*) as n from users where disabled_at is null and department_id in (${ids.map(() => '?').join(',')}) group by 1`, ids);
  return new Map(rows.map((r) => [r.department_id, Number(r.n)]));
}

async function toDepartments(em: EntityManager, rows: DepartmentRow[]) {
  const counts = await memberCounts(em, rows.map((r) => r.id));
  return rows.map((d) => ({
    id: d.id, name: d.name, parentId: d.parentId ?? null, isSalesGroup: d.isSalesGroup, leadId: d.leadId ?? null,
    memberCount: counts.get(d.id) ?? 0, version: d.version,
  }));
}

/** Checks parent and lead; run inside the transaction that holds the organisation lock. */
async function checkReferences(em: EntityManager, id: string, body: { parentId?: string | null; leadId?: string | null }) {
  if (body.leadId && !(await em.findOne(User, { id: body.leadId, disabledAt: null }, { fields: ['id'] }))) {
    throw new AppError(422, 'INVALID_REFERENCE', 'leadId: no such active user', { field: 'leadId' });
  }
  if (body.parentId) {
    const all = await em.find(Department, {}, { fields: ['id', 'parentId'] });
    if (!all.some((d) => d.id === body.parentId)) {
      throw new AppError(422, 'INVALID_REFERENCE', 'parentId: no such department', { field: 'parentId' });
    }
    const parentOf = new Map(all.map((d) => [d.id, d.parentId ?? null]));
    if (wouldCycle(parentOf, id, body.parentId)) {
      throw new AppError(422, 'DEPARTMENT_CYCLE', 'parentId: a department cannot be placed below itself or one of its sub-departments', { field: 'parentId' });
    }
  }
}

/** Serialises changes to the department tree, so two concurrent moves cannot close a loop together. */
const lockTree = (em: EntityManager) => em.execute("select pg_advisory_xact_lock(hashtext('dealflow:departments'))");

export const departmentRoutes: RouteSpec[] = [
  route({
    method: 'get', path: '/departments', operationId: 'listDepartments', summary: 'Every department, by name',
    tag: 'Organisation', access: 'user',
    response: z.object({ items: z.array(departmentSchema) }),
    handler: async ({ em }) => {
      const rows = await em.find(Department, {}, { orderBy: [{ name: 'asc' }, { id: 'asc' }] });
      return { items: await toDepartments(em, rows) };
    },
  }),
  route({
    method: 'post', path: '/departments', operationId: 'createDepartment',
    summary: "Create a department, optionally below another and with a lead (the lead's role is not changed)",
    tag: 'Organisation', access: 'admin', status: 201, errors: [422],
    body: z.strictObject(fields),
    response: departmentSchema,
    handler: async ({ em, body }) => {
      const id = randomUUID();
      await em.transactional(async (tem) => {
        await lockTree(tem);
        await checkReferences(tem, id, body);
        tem.create(Department, {
          id, name: body.name, parentId: body.parentId ?? null, isSalesGroup: body.isSalesGroup ?? false, leadId: body.leadId ?? null,
        });
      });
      const [dept] = await toDepartments(em, [await em.fork().findOneOrFail(Department, { id })]);
      return dept;
    },
  }),
  route({
    method: 'patch', path: '/departments/:id', operationId: 'updateDepartment',
    summary: "Rename a department, move it below another, mark it a sales group or set its lead (the lead's role is not changed)",
    tag: 'Organisation', access: 'admin', errors: [404, 409, 422],
    params: z.strictObject({ id: z.uuid() }),
    body: z.strictObject({
      ...fields, name: fields.name.optional(),
      version: z.number().int().positive().optional().describe('the version you saw; if the department changed since, the answer is 409'),
    }),
    response: departmentSchema,
    handler: async ({ em, params, body }) => {
      await em.transactional(async (tem) => {
        await lockTree(tem);
        const current = await tem.findOne(Department, { id: params.id }, { fields: ['id', 'version'] });
        if (!current) throw notFound('Department');
        if (body.version !== undefined && body.version !== current.version) {
          throw new AppError(409, 'VERSION_CONFLICT', 'The department changed meanwhile; reload it and try again');
        }
        await checkReferences(tem, params.id, body);
        const changes: Record<string, unknown> = {};
        for (const k of ['name', 'parentId', 'isSalesGroup', 'leadId'] as const) if (body[k] !== undefined) changes[k] = body[k];
        await tem.nativeUpdate(Department, { id: params.id }, { ...changes, version: raw('version + 1') });
      });
      const [dept] = await toDepartments(em, [await em.fork().findOneOrFail(Department, { id: params.id })]);
      return dept;
    },
  }),
];
