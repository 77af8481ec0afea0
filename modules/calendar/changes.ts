/**
 * How each command changes an event, and why one is refused: pure functions over the workflow's state, run by the
 * event workflow's validators (refusals) and handlers (the state after the change).
 */
import type { EventFields, EventState } from './model.ts';
import { occurrencesBetween } from './recurrence.ts';
import { eventProblems, resultProblem, type OutcomeChoice } from './rules.ts';
import { EventFailure } from './contract.ts';

export interface Refusal {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

const later = (a: string, b: string) => (Date.parse(a) >= Date.parse(b) ? a : b);

/** Whether `start` is an occurrence of the event (taken-out ones are not). */
export function isOccurrence(s: EventState, start: string): boolean {
  const t = Date.parse(start);
  return !Number.isNaN(t) && occurrencesBetween(s, t - 1, t, 1).length === 1;
}

export function editRefusal(s: EventState, changes: Partial<EventFields>): Refusal | null {
  if (s.status === 'cancelled') return { code: EventFailure.cancelled, message: 'The event is cancelled' };
  const errors = eventProblems({ ...s, ...changes });
  if (errors.length) return { code: EventFailure.invalid, message: errors[0].message, details: { errors } };
  return null;
}

/** Reminders already due when the change is made are not sent late; the feed sees a new SEQUENCE. */
export function applyEdit(
  s: EventState,
  changes: Partial<EventFields> & { exdates?: string[] },
  at: string,
): EventState {
  return { ...s, ...changes, sequence: s.sequence + 1, remindedThrough: later(s.remindedThrough, at) };
}

export function cancelRefusal(s: EventState, occurrence?: string): Refusal | null {
  if (s.status === 'cancelled') return { code: EventFailure.cancelled, message: 'The event is cancelled already' };
  if (occurrence !== undefined) {
    if (!s.rrule)
      return { code: EventFailure.noOccurrence, message: 'Only an occurrence of a series is cancelled alone' };
    if (!isOccurrence(s, occurrence)) return { code: EventFailure.noOccurrence, message: 'No such occurrence' };
  }
  return null;
}

export function applyCancel(s: EventState, occurrence?: string): EventState {
  if (occurrence === undefined) return { ...s, status: 'cancelled', sequence: s.sequence + 1, resultsDue: [] };
  const t = Date.parse(occurrence);
  return {
    ...s,
    sequence: s.sequence + 1,
    cancelledOccurrences: [...s.cancelledOccurrences, new Date(t).toISOString()],
    resultsDue: s.resultsDue.filter((r) => Date.parse(r.occurrence) !== t),
  };
}

export interface ResultCommand {
  occurrence: string;
  outcome: OutcomeChoice;
  outcomes: OutcomeChoice[];
  hasNextStep: boolean;
  at: string;
}

/**
 * A result answers an occurrence that has begun and is not answered yet, with one of the outcomes offered and the
 * next step its outcome requires.
 */
export function resultRefusal(s: EventState, cmd: ResultCommand): Refusal | null {
  const t = Date.parse(cmd.occurrence);
  const iso = Number.isNaN(t) ? '' : new Date(t).toISOString();
  const due = s.resultsDue.some((r) => Date.parse(r.occurrence) === t);
  if (!due) {
    if (!isOccurrence(s, cmd.occurrence) || s.cancelledOccurrences.includes(iso)) {
      return { code: EventFailure.noOccurrence, message: 'No such occurrence' };
    }
    const end = t + (Date.parse(s.endsAt) - Date.parse(s.startsAt));
    if (t > Date.parse(cmd.at)) return { code: EventFailure.resultNotDue, message: 'The event has not begun yet' };
    if (s.answered.includes(iso) || end <= Date.parse(s.resultsThrough)) {
      return { code: EventFailure.resultNotDue, message: 'This result is recorded already' };
    }
  }
  const problem = resultProblem({ outcomeId: cmd.outcome.id, summary: '', hasNextStep: cmd.hasNextStep }, cmd.outcomes);
  if (problem) return { code: EventFailure.resultInvalid, message: problem.message, details: { errors: [problem] } };
  return null;
}

export function applyResult(s: EventState, occurrence: string): EventState {
  const t = Date.parse(occurrence);
  const iso = new Date(t).toISOString();
  const due = s.resultsDue.some((r) => Date.parse(r.occurrence) === t);
  return due
    ? { ...s, resultsDue: s.resultsDue.filter((r) => Date.parse(r.occurrence) !== t) }
    : { ...s, answered: [...s.answered, iso] };
}
