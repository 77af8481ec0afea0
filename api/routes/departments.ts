import { z } from 'zod';
import { createDepartment, updateDepartment } from '../../modules/org/commands.ts';
import { getDepartment, listDepartments } from '../../modules/org/queries.ts';
import { route, type RouteSpec } from '../http.ts';

const departmentSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    parentId: z.uuid().nullable(),
    isSalesGroup: z.boolean(),
    leadId: z.uuid().nullable().describe('who sees the records of this department and the ones below it'),
    memberCount: z.number().int().describe('active users in this department'),
    version: z.number().int(),
  })
  .meta({ id: 'Department' });

const fields = {
  name: z.string().trim().min(1).max(200),
  parentId: z.uuid().nullable().optional(),
  isSalesGroup: z.boolean().optional(),
  leadId: z.uuid().nullable().optional().describe("the department's lead; their role is not changed"),
};

export const departmentRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/departments',
    operationId: 'listDepartments',
    summary: 'Every department, by name',
    tag: 'Organisation',
    access: 'user',
    response: z.object({ items: z.array(departmentSchema) }),
    handler: async ({ em }) => ({ items: await listDepartments(em) }),
  }),
  route({
    method: 'post',
    path: '/departments',
    operationId: 'createDepartment',
    summary: "Create a department, optionally below another and with a lead (the lead's role is not changed)",
    tag: 'Organisation',
    access: 'admin',
    status: 201,
    errors: [422],
    body: z.strictObject(fields),
    response: departmentSchema,
    handler: async ({ em, body }) => getDepartment(em, await createDepartment(em, body)),
  }),
  route({
    method: 'patch',
    path: '/departments/:id',
    operationId: 'updateDepartment',
    summary:
      "Rename a department, move it below another, mark it a sales group or set its lead (the lead's role is not changed)",
    tag: 'Organisation',
    access: 'admin',
    errors: [404, 409, 422],
    params: z.strictObject({ id: z.uuid() }),
    body: z.strictObject({
      ...fields,
      name: fields.name.optional(),
      version: z
        .number()
        .int()
        .positive()
        .describe('the version you saw; if the department changed since, the answer is 409'),
    }),
    response: departmentSchema,
    handler: async ({ em, params, body: { version, ...changes } }) => {
      await updateDepartment(em, params.id, version, changes);
      return getDepartment(em, params.id);
    },
  }),
];
