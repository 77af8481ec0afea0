import { defineEntity, p } from '@mikro-orm/core';
import { recordId, timestamps, versioned } from '../shared/entity.ts';

/** What a saved board filter holds: the board's filter bar, each part optional. */
export interface SavedFilterValue {
  owner?: string;
  closeFrom?: string;
  closeTo?: string;
  overdue?: boolean;
  stuck?: boolean;
  q?: string;
}

/** A board filter a user saved under a name; shared with a sales group when departmentId is set. */
export const SavedFilter = defineEntity({
  name: 'SavedFilter',
  tableName: 'saved_filters',
  properties: {
    ...recordId(),
    ownerId: p.uuid(),
    name: p.text(),
    filter: p.json<SavedFilterValue>(),
    /** the owner's sales group it is shared with; null: only the owner sees it */
    departmentId: p.uuid().nullable(),
    ...timestamps(),
    ...versioned(),
  },
});
export type SavedFilterRow = InstanceType<typeof SavedFilter.class>;
