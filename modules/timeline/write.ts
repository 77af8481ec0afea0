import type { EntityManager } from '@mikro-orm/postgresql';
import type { NewEvent } from './events.ts';

/** The channel committed event ids are announced on (one id per notification, far under the 8 kB payload limit). */
export const EVENTS_CHANNEL = 'record_events';

/**
 * Adds an event to a record's timeline, in the transaction of `em` (call it inside the change's transaction), and
 * announces its id with NOTIFY, which Postgres delivers to listeners only when that transaction commits (and never
 * when it rolls back). One statement. Returns the event's id.
 */
export async function recordEvent(em: EntityManager, event: NewEvent): Promise<string> {
  const e = event as NewEvent & { fromStageId?: string | null; toStageId?: string | null };
  const [row] = await em.getConnection().execute<{ id: string }[]>(
    `with e as (
       insert into record_events (record_type, record_id, kind, actor_id, op_id, from_stage_id, to_stage_id, data)
       values (?, ?, ?, ?, ?, ?, ?, ?::jsonb) returning id)
     select id::text as id, pg_notify('${EVENTS_CHANNEL}', id::text) from e`,
    [
      e.recordType,
      e.recordId,
      e.kind,
      e.actorId,
      e.opId ?? null,
      e.fromStageId ?? null,
      e.toStageId ?? null,
      JSON.stringify(e.data ?? {}),
    ],
    'all',
    em.getTransactionContext(),
  );
  return row.id;
}
