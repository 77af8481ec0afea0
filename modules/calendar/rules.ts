/**
 * The calendar's rules, pure: what makes an event valid (checked by the route's schema for a field-by-field 400,
 * and again by the event workflow's validators), and what a result must carry.
 */
import { EVENT_KINDS, type EventFields } from './model.ts';
import { isTimeZone, parseRule } from './recurrence.ts';

export interface FieldProblem {
  field: string;
  message: string;
}

/** Reminders are at most four weeks before the start, and at most five of them. */
export const MAX_REMINDER_MINUTES = 4 * 7 * 24 * 60;
export const MAX_REMINDERS = 5;
/** An event lasts at most 31 days. */
export const MAX_DURATION_MS = 31 * 86_400_000;

/** What is wrong with an event's fields, field by field; empty when it is valid. */
export function eventProblems(e: Partial<EventFields>): FieldProblem[] {
  const out: FieldProblem[] = [];
  if (e.kind !== undefined && !EVENT_KINDS.includes(e.kind)) out.push({ field: 'kind', message: 'Unknown kind' });
  if (e.title !== undefined && !e.title.trim()) out.push({ field: 'title', message: 'A title is required' });
  const start = e.startsAt === undefined ? NaN : Date.parse(e.startsAt);
  const end = e.endsAt === undefined ? NaN : Date.parse(e.endsAt);
  if (e.startsAt !== undefined && Number.isNaN(start)) out.push({ field: 'startsAt', message: 'Not a date and time' });
  if (e.endsAt !== undefined && Number.isNaN(end)) out.push({ field: 'endsAt', message: 'Not a date and time' });
  if (!Number.isNaN(start) && !Number.isNaN(end)) {
    if (end < start) out.push({ field: 'endsAt', message: 'The end is before the start' });
    else if (end - start > MAX_DURATION_MS) out.push({ field: 'endsAt', message: 'An event lasts at most 31 days' });
  }
  if (e.timeZone !== undefined && !isTimeZone(e.timeZone)) {
    out.push({ field: 'timeZone', message: `Unknown time zone "${e.timeZone}"` });
  }
  if (e.rrule) {
    const parsed = parseRule(e.rrule);
    if ('error' in parsed) out.push({ field: 'rrule', message: `Invalid recurrence rule: ${parsed.error}` });
  }
  if (e.reminders !== undefined) {
    if (e.reminders.length > MAX_REMINDERS) out.push({ field: 'reminders', message: 'At most five reminders' });
    e.reminders.forEach((m, i) => {
      if (!Number.isInteger(m) || m < 0) {
        out.push({ field: `reminders.${i}`, message: 'A reminder comes before the event, not after it' });
      } else if (m > MAX_REMINDER_MINUTES) {
        out.push({ field: `reminders.${i}`, message: 'A reminder comes at most four weeks before the event' });
      }
    });
  }
  return out;
}

/** The outcome a result names, as the command layer loaded it from the admin's list. */
export interface OutcomeChoice {
  id: string;
  label: string;
  closes: boolean;
}

export interface ResultInput {
  outcomeId: string;
  summary: string;
  /** the follow-up, required unless the outcome closes the matter */
  hasNextStep: boolean;
}

/** Why a result cannot be recorded with this outcome, or null. */
export function resultProblem(input: ResultInput, outcomes: OutcomeChoice[]): FieldProblem | null {
  const outcome = outcomes.find((o) => o.id === input.outcomeId);
  if (!input.outcomeId || !outcome) return { field: 'outcomeId', message: 'Choose one of the outcomes offered' };
  if (!outcome.closes && !input.hasNextStep) {
    return { field: 'next', message: 'Plan the next step: this outcome does not close the matter' };
  }
  return null;
}
