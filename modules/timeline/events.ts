/**
 * The timeline of every record type: what can happen to each, with its payload. One table (`record_events`) holds
 * them all; `recordEvent` (write.ts) is the only way in, inside the transaction of the change it records.
 */

export const RECORD_TYPES = ['deal', 'client', 'contact', 'event', 'plan'] as const;
export type RecordType = (typeof RECORD_TYPES)[number];

/** One field's value before and after an edit. */
export interface FieldChange {
  from: unknown;
  to: unknown;
}

/**
 * The deal's events: created and stage_changed carry the stages (columns, so a stage in a deal's history cannot be
 * deleted); data is the workflow's summary of the change (values set, the attachment, the lost reason).
 */
export interface DealEvent {
  recordType: 'deal';
  kind:
    | 'created'
    | 'updated'
    | 'stage_changed'
    | 'attached'
    | 'detached'
    | 'archived'
    | 'restored'
    | 'reported'
    /**
     * a regulation run for the deal: data.step is started, task_opened, task_completed, task_overdue (a task past its
     * due time), incident or finished
     */
    | 'regulation';
  fromStageId?: string | null;
  toStageId?: string | null;
  data?: Record<string, unknown>;
}

/** An interaction report on the timeline of each deal, client and contact it is about (and of its event). */
export interface ReportedData {
  reportId: string;
  kind: string;
  outcome: string;
  summary: string;
  eventId: string | null;
  nextEventId: string | null;
}

export type ClientEvent =
  | { recordType: 'client'; kind: 'created'; data: { name: string } }
  | { recordType: 'client'; kind: 'updated'; data: { changes: Record<string, FieldChange> } }
  | { recordType: 'client'; kind: 'reported'; data: ReportedData };

export type ContactEvent =
  | { recordType: 'contact'; kind: 'created'; data: { clientId: string; name: string } }
  | { recordType: 'contact'; kind: 'updated'; data: { clientId: string; changes: Record<string, FieldChange> } }
  | { recordType: 'contact'; kind: 'reported'; data: ReportedData & { clientId: string } };

/**
 * A calendar event's own timeline: planned, changed, cancelled (whole or one occurrence), a result recorded, a result
 * overdue (asked for as often as the company's settings say, still not given).
 */
export interface CalendarEventEvent {
  recordType: 'event';
  kind: 'created' | 'updated' | 'cancelled' | 'reported' | 'result_overdue';
  data?: Record<string, unknown>;
}

/** A revenue plan's timeline: saves, submissions, the lead's decisions, finalisation, a new revision opened. */
export interface PlanEvent {
  recordType: 'plan';
  kind: 'created' | 'updated' | 'submitted' | 'reviewed' | 'finalised' | 'reopened';
  data?: Record<string, unknown>;
}

/** What a change adds to a record's timeline: its type and kind pick the payload. */
export type TimelineEvent = DealEvent | ClientEvent | ContactEvent | CalendarEventEvent | PlanEvent;
export type EventKind = TimelineEvent['kind'];

/** Who did it, to which record, under which idempotency key (a retried write finds its event by it). */
export interface EventMeta {
  recordId: string;
  actorId: string | null;
  /** unique when given: the same opId cannot be recorded twice */
  opId?: string | null;
}

export type NewEvent = TimelineEvent & EventMeta;

/** The kinds each record type may have; the table's check constraint says the same. */
export const KINDS_BY_TYPE: { [T in RecordType]: readonly Extract<TimelineEvent, { recordType: T }>['kind'][] } = {
  deal: [
    'created',
    'updated',
    'stage_changed',
    'attached',
    'detached',
    'archived',
    'restored',
    'reported',
    'regulation',
  ],
  client: ['created', 'updated', 'reported'],
  contact: ['created', 'updated', 'reported'],
  event: ['created', 'updated', 'cancelled', 'reported', 'result_overdue'],
  plan: ['created', 'updated', 'submitted', 'reviewed', 'finalised', 'reopened'],
};

/**
 * The fields an edit really changed, with their values before and after: unchanged and omitted fields are left out.
 * Pure; an empty result means the edit changed nothing.
 */
export function fieldChanges<T extends Record<string, unknown>>(
  before: T,
  changes: Partial<T>,
  keys: readonly (keyof T & string)[],
): Record<string, FieldChange> {
  const out: Record<string, FieldChange> = {};
  for (const key of keys) {
    const to = changes[key];
    if (to === undefined) continue;
    const from = before[key] ?? null;
    if (from !== to) out[key] = { from, to };
  }
  return out;
}
