import { defineEntity, p } from '@mikro-orm/core';
import { createdAt } from '../shared/entity.ts';

/**
 * A record shared with a user, who then sees and edits it as its owner's team does. One table for every record
 * type (deal, client today; events, plans, documents next), keyed by (record type, record id, user).
 */
export const RecordShare = defineEntity({
  name: 'RecordShare',
  tableName: 'record_shares',
  properties: {
    recordType: p.text().primary(),
    recordId: p.uuid().primary(),
    userId: p.uuid().primary(),
    ...createdAt(),
  },
});
export type RecordShareRow = InstanceType<typeof RecordShare.class>;
