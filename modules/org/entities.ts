import { defineEntity, p } from '@mikro-orm/core';
import { createdAt, recordId, versioned } from '../shared/entity.ts';

/** A department; a sales group is a department with a lead. */
export const Department = defineEntity({
  name: 'Department',
  tableName: 'departments',
  properties: {
    ...recordId(),
    name: p.text(),
    parentId: p.uuid().nullable(),
    isSalesGroup: p.boolean().default(false),
    leadId: p.uuid().nullable(),
    ...createdAt(),
    ...versioned(),
  },
});
export type DepartmentRow = InstanceType<typeof Department.class>;
