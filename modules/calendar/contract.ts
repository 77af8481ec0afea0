/**
 * What the event workflow, its activities and its commands agree on besides the Temporal definitions
 * (workflows/event-contract.ts): the failure codes. Plain data: bundled into the workflow code.
 */
import { KitFailure, recordCodes } from '../kit/contract.ts';

/** EVENT_BUSY, EVENT_NOT_FOUND, EVENT_STATE_STALE */
export const EVENT_CODES = recordCodes('EVENT');

/** Failure types of event commands; `api/errors.ts` STATUS_BY_CODE gives each its HTTP status. */
export const EventFailure = {
  ...KitFailure,
  busy: EVENT_CODES.busy,
  notFound: EVENT_CODES.notFound,
  stale: EVENT_CODES.stale,
  /** the event's fields break a rule (end before start, an invalid RRULE…); details.errors names the fields */
  invalid: 'EVENT_INVALID',
  /** a change to a cancelled event */
  cancelled: 'EVENT_CANCELLED',
  /** no such occurrence in the series (or it was taken out) */
  noOccurrence: 'EVENT_OCCURRENCE_NOT_FOUND',
  /** a result for an occurrence not yet begun, or already answered */
  resultNotDue: 'RESULT_NOT_DUE',
  /** a result with an empty or unknown outcome, or without the next step its outcome requires */
  resultInvalid: 'RESULT_INVALID',
} as const;
