import { defineEntity, p } from '@mikro-orm/core';
import { RECORD_TYPES } from './events.ts';

/**
 * One event of a record's timeline. Ids come from an identity column, so they increase in the order events were
 * written (not necessarily the order they committed: see live.ts). tx_id and tx_xmin are filled by Postgres.
 */
export const RecordEvent = defineEntity({
  name: 'RecordEvent',
  tableName: 'record_events',
  properties: {
    id: p.bigint('string').primary().autoincrement(),
    recordType: p.enum(RECORD_TYPES),
    recordId: p.uuid(),
    kind: p.text(),
    actorId: p.uuid().nullable(),
    opId: p.uuid().nullable(),
    fromStageId: p.uuid().nullable(),
    toStageId: p.uuid().nullable(),
    data: p.json<Record<string, unknown>>(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type RecordEventRow = InstanceType<typeof RecordEvent.class>;
