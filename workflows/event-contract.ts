/**
 * The calendar event workflow's public contract (`event-<id>`): its Updates, Query and their payloads. Imported by
 * the workflow and by the command layer (modules/calendar/commands.ts).
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { KitCommand, RecordKind } from '../modules/kit/contract.ts';
import type { EventFields, EventState } from '../modules/calendar/model.ts';
import type { OutcomeChoice } from '../modules/calendar/rules.ts';
import { EVENT_CODES } from '../modules/calendar/contract.ts';

export const eventWorkflowId = (eventId: string): string => `event-${eventId}`;
export const eventKind: RecordKind = { workflowId: eventWorkflowId, codes: EVENT_CODES };

export interface EventWorkflowInput {
  event: EventState;
  created: boolean;
  handledTotal?: number;
  updatesPerRun?: number;
  createWindow?: string;
}

export interface CreateEventCommand extends Omit<KitCommand, 'expectedVersion' | 'storedVersion'> {
  event: EventState;
}

/** A change to the event (all its occurrences); `at` is when the command was made (reminders already due are not sent late). */
export interface EditEventCommand extends KitCommand {
  changes: Partial<EventFields> & { exdates?: string[] };
  at: string;
}

/** Cancels the event, or one occurrence of a series. */
export interface CancelEventCommand extends KitCommand {
  occurrence?: string;
  at: string;
}

/** What a result says, as written to the interaction report. */
export interface ReportInput {
  id: string;
  disposition: 'answered' | 'no_answer' | 'busy' | 'voicemail' | null;
  summary: string;
  nextStep: string;
  nextEventId: string | null;
  clientId: string | null;
  contactId: string | null;
  dealId: string | null;
}

export interface RecordResultCommand extends Omit<KitCommand, 'expectedVersion'> {
  /** the start of the occurrence this result answers */
  occurrence: string;
  outcome: OutcomeChoice;
  /** the outcomes the admin offers for this event's kind, as loaded with the command */
  outcomes: OutcomeChoice[];
  report: ReportInput;
  at: string;
}

export interface EventResult {
  version: number;
  event: EventState;
}

export const createEvent = defineUpdate<EventResult, [CreateEventCommand]>('createEvent');
export const editEvent = defineUpdate<EventResult, [EditEventCommand]>('editEvent');
export const cancelEvent = defineUpdate<EventResult, [CancelEventCommand]>('cancelEvent');
export const recordResult = defineUpdate<EventResult, [RecordResultCommand]>('recordResult');
export const resyncEvent = defineUpdate<EventResult, []>('resyncEvent');
export const eventState = defineQuery<{ event: EventState; created: boolean; handledTotal: number }>('eventState');
