/**
 * The calendar's records as the workflow and the rules see them. Plain data and types only: bundled into the
 * workflow code. Instants are ISO strings (UTC); wall-clock recurrence is expanded in the event's time zone.
 */

export const EVENT_KINDS = ['call', 'meeting', 'email', 'task'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];
/** Reports may also be written for a negotiation, which has no event kind of its own. */
export const REPORT_KINDS = [...EVENT_KINDS, 'negotiation'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];
export const DISPOSITIONS = ['answered', 'no_answer', 'busy', 'voicemail'] as const;
export type Disposition = (typeof DISPOSITIONS)[number];

/** What a user sets on an event. */
export interface EventFields {
  kind: EventKind;
  title: string;
  description: string;
  startsAt: string;
  endsAt: string;
  allDay: boolean;
  timeZone: string;
  /** RRULE without DTSTART, e.g. FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10; null: a single event */
  rrule: string | null;
  location: string;
  clientId: string | null;
  contactId: string | null;
  dealId: string | null;
  participantUserIds: string[];
  participantContactIds: string[];
  /** minutes before the start, e.g. [1440, 15] */
  reminders: number[];
}

/** The company's cadence for asking a result again, within working hours. */
export interface AskSettings {
  askEveryMinutes: number;
  escalateAfterAsks: number;
  /** 'HH:MM' in the settings' time zone */
  workStart: string;
  workEnd: string;
  /** ISO weekdays, 1 = Monday */
  workDays: number[];
  timeZone: string;
}

export const DEFAULT_ASK_SETTINGS: AskSettings = {
  askEveryMinutes: 60,
  escalateAfterAsks: 3,
  workStart: '09:00',
  workEnd: '18:00',
  workDays: [1, 2, 3, 4, 5],
  timeZone: 'UTC',
};

/** A result awaited for one occurrence (its start), how often it was asked and when it is asked next. */
export interface ResultDue {
  occurrence: string;
  asks: number;
  nextAskAt: string;
  escalated: boolean;
}

/** What the `event-<id>` workflow holds. */
export interface EventState extends EventFields {
  id: string;
  ownerId: string;
  status: 'planned' | 'cancelled';
  exdates: string[];
  cancelledOccurrences: string[];
  sequence: number;
  version: number;
  /** every reminder due at or before this instant has been delivered (or was due before the event was planned) */
  remindedThrough: string;
  /** every occurrence that ended at or before this instant has had its result asked for */
  resultsThrough: string;
  resultsDue: ResultDue[];
  /** occurrences answered before their result was asked for (not asked then) */
  answered: string[];
  settings: AskSettings;
}

/** The fields of an event with nothing set but what it is: a single call, no links, no reminders. */
export const blankFields = (over: Partial<EventFields> = {}): EventFields => ({
  kind: 'call',
  title: '',
  description: '',
  startsAt: '',
  endsAt: '',
  allDay: false,
  timeZone: 'UTC',
  rrule: null,
  location: '',
  clientId: null,
  contactId: null,
  dealId: null,
  participantUserIds: [],
  participantContactIds: [],
  reminders: [],
  ...over,
});

/**
 * What the workflow of a newly planned event starts from: nothing reminded or asked before `now` (a reminder whose
 * time has passed when the event is planned is not sent late).
 */
export function plannedState(
  fields: EventFields & { id: string; ownerId: string },
  settings: AskSettings,
  now: string,
): EventState {
  return {
    ...fields,
    status: 'planned',
    exdates: [],
    cancelledOccurrences: [],
    sequence: 0,
    version: 1,
    remindedThrough: now,
    resultsThrough: now,
    resultsDue: [],
    answered: [],
    settings,
  };
}
