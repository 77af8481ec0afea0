import { defineEntity, p } from '@mikro-orm/core';

/** A department; a sales group is a department with a lead. */
export const Department = defineEntity({
  name: 'Department',
  tableName: 'departments',
  properties: {
    id: p.uuid().primary(),
    name: p.text(),
    parentId: p.uuid().nullable(),
    isSalesGroup: p.boolean().default(false),
    leadId: p.uuid().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    version: p.integer().version(),
  },
});
export type DepartmentRow = InstanceType<typeof Department.class>;
