/**
 * Events as Postgres holds them, read into the state their workflow holds (the kit starts and resyncs the workflow
 * from the row), and the company's asking settings. Plain SQL, no entity hydration.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { DEFAULT_ASK_SETTINGS, type AskSettings, type EventState, type ResultDue } from './model.ts';

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());
/** timestamps come back from raw queries as strings or Dates, depending on the driver's settings */
export const ms = (d: Date | string) => new Date(d).getTime();

/** The event columns, named as EventState names them. */
export const EVENT_SELECT = `
  e.id, e.owner_id as "ownerId", e.kind, e.title, e.description, e.starts_at as "startsAt", e.ends_at as "endsAt",
  e.all_day as "allDay", e.time_zone as "timeZone", e.rrule, e.exdates, e.cancelled_occurrences as "cancelledOccurrences",
  e.location, e.client_id as "clientId", e.contact_id as "contactId", e.deal_id as "dealId",
  e.participant_user_ids as "participantUserIds", e.participant_contact_ids as "participantContactIds",
  e.reminders, e.status, e.series_id as "seriesId", e.recurrence_id as "recurrenceId", e.sequence,
  e.reminded_through as "remindedThrough", e.results_through as "resultsThrough", e.results_due as "resultsDue",
  e.version, e.created_at as "createdAt", e.updated_at as "updatedAt"`;

export interface EventRow {
  id: string;
  ownerId: string;
  kind: EventState['kind'];
  title: string;
  description: string;
  startsAt: Date;
  endsAt: Date;
  allDay: boolean;
  timeZone: string;
  rrule: string | null;
  exdates: Date[];
  cancelledOccurrences: Date[];
  location: string;
  clientId: string | null;
  contactId: string | null;
  dealId: string | null;
  participantUserIds: string[];
  participantContactIds: string[];
  reminders: number[];
  status: EventState['status'];
  seriesId: string | null;
  recurrenceId: Date | null;
  sequence: number;
  remindedThrough: Date | null;
  resultsThrough: Date | null;
  resultsDue: ResultDue[];
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/** The workflow's state from the row (answered: occurrences reported before their result was asked for). */
export function stateOfRow(r: EventRow, settings: AskSettings, answered: string[] = []): EventState {
  return {
    id: r.id,
    ownerId: r.ownerId,
    kind: r.kind,
    title: r.title,
    description: r.description,
    startsAt: iso(r.startsAt)!,
    endsAt: iso(r.endsAt)!,
    allDay: r.allDay,
    timeZone: r.timeZone,
    rrule: r.rrule,
    exdates: r.exdates.map((d) => iso(d)!),
    cancelledOccurrences: r.cancelledOccurrences.map((d) => iso(d)!),
    location: r.location,
    clientId: r.clientId,
    contactId: r.contactId,
    dealId: r.dealId,
    participantUserIds: r.participantUserIds,
    participantContactIds: r.participantContactIds,
    reminders: r.reminders,
    status: r.status,
    sequence: r.sequence,
    version: r.version,
    remindedThrough: iso(r.remindedThrough ?? r.createdAt)!,
    resultsThrough: iso(r.resultsThrough ?? r.createdAt)!,
    resultsDue: r.resultsDue,
    answered,
    settings,
  };
}

/** The company's cadence for asking results. */
export async function loadAskSettings(em: EntityManager): Promise<AskSettings> {
  const [row] = await em.getConnection().execute<(AskSettings & { workStart: string; workEnd: string })[]>(
    `select ask_every_minutes as "askEveryMinutes", escalate_after_asks as "escalateAfterAsks",
            to_char(work_start, 'HH24:MI') as "workStart", to_char(work_end, 'HH24:MI') as "workEnd",
            work_days as "workDays", time_zone as "timeZone"
       from calendar_settings`,
    [],
    'all',
    em.getTransactionContext(),
  );
  return row ?? DEFAULT_ASK_SETTINGS;
}

/** One event's row, or null. */
export async function loadEventRow(em: EntityManager, id: string): Promise<EventRow | null> {
  const [row] = await em
    .getConnection()
    .execute<EventRow[]>(
      `select ${EVENT_SELECT} from calendar_events e where e.id = ?`,
      [id],
      'all',
      em.getTransactionContext(),
    );
  return row ?? null;
}

/** The event as its workflow should hold it now, or null. */
export async function loadEventState(em: EntityManager, id: string): Promise<EventState | null> {
  const row = await loadEventRow(em, id);
  if (!row) return null;
  const settings = await loadAskSettings(em);
  const answered = await em.getConnection().execute<{ occurrence: Date }[]>(
    `select occurrence from interaction_reports
      where event_id = ? and occurrence is not null and occurrence + (? * interval '1 millisecond') > ?`,
    [id, ms(row.endsAt) - ms(row.startsAt), row.resultsThrough ?? row.createdAt],
    'all',
    em.getTransactionContext(),
  );
  return stateOfRow(
    row,
    settings,
    answered.map((a) => iso(a.occurrence)!),
  );
}
