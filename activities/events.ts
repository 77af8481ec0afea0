/**
 * The calendar event's writes and its time-driven step. Each write is one transaction claimed by its command's
 * opId (activities/kit/ops.ts); the step delivers asks as keyed notifications, so a step run again after a worker
 * died delivers nothing twice. Reminders are handed over hours ahead as scheduled notifications (keyed the same way),
 * which the dispatcher delivers when due; the create hands over the first ones, the step the following ones, and an
 * edit or a cancellation replaces those not yet due, each in its own transaction.
 */
import { createHash } from 'node:crypto';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { EventState } from '../modules/calendar/model.ts';
import type { OutcomeChoice } from '../modules/calendar/rules.ts';
import { loadAskSettings, loadEventRow, loadEventState } from '../modules/calendar/rows.ts';
import {
  HAND_OVER_AHEAD_MS,
  advanced,
  nextActivityStart,
  remindersBetween,
  remindersThrough,
  type DueWork,
  type Reminder,
} from '../modules/calendar/schedule.ts';
import { KitFailure } from '../modules/kit/contract.ts';
import { notify, type NewNotification } from '../modules/notifications/write.ts';
import { replaceScheduled, schedule, type ScheduledNotification } from '../modules/notifications/scheduled.ts';
import { recordEvent } from '../modules/timeline/write.ts';
import type { ReportInput } from '../workflows/event-contract.ts';
import { claimOp, finalFailure, refusingBadData } from './kit/ops.ts';

const arr = (xs: string[]) => `{${xs.join(',')}}`;

/** The columns a change writes, from the state. */
const changeValues = (e: EventState) => [
  e.kind,
  e.title,
  e.description,
  e.startsAt,
  e.endsAt,
  e.allDay,
  e.timeZone,
  e.rrule,
  arr(e.exdates),
  arr(e.cancelledOccurrences),
  e.location,
  e.clientId,
  e.contactId,
  e.dealId,
  arr(e.participantUserIds),
  arr(e.participantContactIds),
  arr(e.reminders.map(String)),
  e.status,
  e.sequence,
  e.remindedThrough,
  e.resultsThrough,
  JSON.stringify(e.resultsDue),
  nextActivityStart(e, Date.now()),
];

/** The lead to tell about a manager's overdue result: the nearest lead above them who is not themselves. */
async function leadOf(em: EntityManager, userId: string): Promise<string | null> {
  const [row] = await em.getConnection().execute<{ lead_id: string | null }[]>(
    `with recursive up as (
       select d.id, d.parent_id, d.lead_id, 0 as depth from users u join departments d on d.id = u.department_id
        where u.id = ?
       union all
       select d.id, d.parent_id, d.lead_id, up.depth + 1 from departments d join up on d.id = up.parent_id
        where up.depth < 20)
     select lead_id from up where lead_id is not null and lead_id <> ? order by depth limit 1`,
    [userId, userId],
    'all',
    em.getTransactionContext(),
  );
  return row?.lead_id ?? null;
}

/** A reminder's notifications: to the owner and each participating user. */
function reminderNotifications(s: EventState, r: Pick<Reminder, 'occurrence' | 'minutes'>): NewNotification[] {
  const people = [...new Set([s.ownerId, ...s.participantUserIds])];
  return people.map((userId) => ({
    recordType: 'event',
    recordId: s.id,
    userId,
    kind: 'reminder',
    data: {
      title: s.title,
      kind: s.kind,
      dealId: s.dealId,
      clientId: s.clientId,
      occurrence: r.occurrence.start,
      end: r.occurrence.end,
      minutesBefore: r.minutes,
    },
    key: `reminder:${s.id}:${r.occurrence.start}:${r.minutes}:${userId}`,
  }));
}

/** Reminders handed over to the dispatcher, each due at its time. */
export const plannedReminders = (s: EventState, reminders: Reminder[]): ScheduledNotification[] =>
  reminders.flatMap((r) => reminderNotifications(s, r).map((n) => ({ ...n, dueAt: r.at })));
/** The occurrences whose result becomes overdue in this step (asked for often enough): the lead is told, the feed too. */
export const overdueOccurrences = (s: EventState, work: DueWork): string[] => [
  ...work.asks.filter((a) => a.escalate).map((a) => a.occurrence),
  ...(s.settings.escalateAfterAsks <= 1 ? work.ended.map((o) => o.start) : []),
];

/** The op id of an overdue result's timeline event: the same for a step run again, so it is recorded once. */
const overdueOpId = (eventId: string, occurrence: string) => {
  const h = createHash('sha256').update(`result_overdue:${eventId}:${occurrence}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

/** What the step tells whom: reminders to the owner and participating users, asks to the owner, escalations to the lead. */
export function stepNotifications(s: EventState, work: DueWork, lead: string | null): NewNotification[] {
  const about = { recordType: 'event', recordId: s.id };
  const base = { title: s.title, kind: s.kind, dealId: s.dealId, clientId: s.clientId };
  const out: NewNotification[] = work.reminders.flatMap((r) => reminderNotifications(s, r));
  for (const o of work.ended) {
    out.push({
      ...about,
      userId: s.ownerId,
      kind: 'result_due',
      data: { ...base, occurrence: o.start, asks: 1 },
      key: `result:${s.id}:${o.start}:1`,
    });
  }
  for (const a of work.asks) {
    out.push({
      ...about,
      userId: s.ownerId,
      kind: 'result_due',
      data: { ...base, occurrence: a.occurrence, asks: a.asks },
      key: `result:${s.id}:${a.occurrence}:${a.asks}`,
    });
  }
  const escalations = overdueOccurrences(s, work);
  if (lead) {
    for (const occurrence of escalations) {
      out.push({
        ...about,
        userId: lead,
        kind: 'result_escalated',
        data: { ...base, occurrence, ownerId: s.ownerId },
        key: `escalate:${s.id}:${occurrence}`,
      });
    }
  }
  return out;
}

export interface PersistEventChangeInput {
  opId: string;
  actorId: string | null;
  fromVersion: number;
  next: EventState;
  kind: 'updated' | 'cancelled';
  occurrence?: string | null;
}

export interface PersistEventResultInput {
  opId: string;
  actorId: string | null;
  fromVersion: number;
  next: EventState;
  occurrence: string;
  outcome: OutcomeChoice;
  report: ReportInput;
  kind: EventState['kind'];
}

/** Called after notifications are committed (e.g. to mail them); never fails the step. */
export type AfterNotify = (ids: string[]) => Promise<void>;

/**
 * Replaces the event's reminders not yet due (after `now`) with those of its state up to where it has handed them
 * over (`remindedThrough`): an edit moves them, a cancellation takes them away.
 */
async function replanReminders(em: EntityManager, s: EventState, now: number): Promise<void> {
  const reminders = remindersBetween(s, now, Date.parse(s.remindedThrough));
  await replaceScheduled(em, { recordType: 'event', recordId: s.id }, now, plannedReminders(s, reminders));
}

export function createEventActivities({ orm, afterNotify }: { orm: MikroORM; afterNotify?: AfterNotify }) {
  /** writes the event row from the state, if still at fromVersion; answers the version written */
  async function writeRow(em: EntityManager, next: EventState, fromVersion: number): Promise<number> {
    const [row] = await em.getConnection().execute<{ version: number }[]>(
      `update calendar_events set kind = ?, title = ?, description = ?, starts_at = ?, ends_at = ?, all_day = ?,
         time_zone = ?, rrule = ?, exdates = ?::timestamptz[], cancelled_occurrences = ?::timestamptz[], location = ?,
         client_id = ?, contact_id = ?, deal_id = ?, participant_user_ids = ?::uuid[], participant_contact_ids = ?::uuid[],
         reminders = ?::integer[], status = ?, sequence = ?, reminded_through = ?, results_through = ?,
         results_due = ?::jsonb, next_start = ?, version = version + 1, updated_at = now()
       where id = ? and version = ? returning version`,
      [...changeValues(next), next.id, fromVersion],
      'all',
      em.getTransactionContext(),
    );
    if (!row) throw finalFailure(KitFailure.versionConflict, 'The event changed meanwhile');
    return row.version;
  }

  /** the version an earlier attempt of this command wrote (its opId was claimed already) */
  async function currentVersion(em: EntityManager, id: string): Promise<number> {
    return (await loadEventRow(em, id))?.version ?? 0;
  }

  return {
    async loadEventState({ eventId }: { eventId: string }): Promise<EventState | null> {
      return loadEventState(orm.em.fork(), eventId);
    },

    /** Returns the event as stored: this create's, or the one an earlier attempt of the same create wrote. */
    async persistEventCreated({
      opId,
      actorId,
      event: e,
    }: {
      opId: string;
      actorId: string | null;
      event: EventState;
    }): Promise<EventState> {
      return refusingBadData(() =>
        orm.em.fork().transactional(async (em) => {
          const conn = em.getConnection();
          const ctx = em.getTransactionContext<object>();
          await conn.execute('select pg_advisory_xact_lock(hashtextextended(?, 1))', [e.id], 'all', ctx);
          if ((await claimOp(em, opId)) && !(await loadEventRow(em, e.id))) {
            // the first reminders are handed over to the dispatcher with the event
            const from = Date.parse(e.remindedThrough);
            const { due, through } = remindersThrough(e, from, Math.max(from, Date.now() + HAND_OVER_AHEAD_MS));
            e = { ...e, remindedThrough: new Date(through).toISOString() };
            await conn.execute(
              `insert into calendar_events (kind, title, description, starts_at, ends_at, all_day, time_zone, rrule,
                 exdates, cancelled_occurrences, location, client_id, contact_id, deal_id, participant_user_ids,
                 participant_contact_ids, reminders, status, sequence, reminded_through, results_through, results_due,
                 next_start, id, owner_id, series_id, recurrence_id, version)
               values (?, ?, ?, ?, ?, ?, ?, ?, ?::timestamptz[], ?::timestamptz[], ?, ?, ?, ?, ?::uuid[], ?::uuid[],
                 ?::integer[], ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, 1)`,
              [
                ...changeValues(e),
                e.id,
                e.ownerId,
                (e as EventState & { seriesId?: string | null }).seriesId ?? null,
                (e as EventState & { recurrenceId?: string | null }).recurrenceId ?? null,
              ],
              'all',
              ctx,
            );
            await recordEvent(em, {
              recordType: 'event',
              kind: 'created',
              recordId: e.id,
              actorId,
              opId,
              data: { title: e.title, kind: e.kind, startsAt: e.startsAt, dealId: e.dealId, clientId: e.clientId },
            });
            await schedule(em, plannedReminders(e, due));
          }
          const stored = await loadEventState(em, e.id);
          if (!stored) throw finalFailure(KitFailure.invalidData, 'The event was not written');
          return stored;
        }),
      );
    },

    async persistEventChange(input: PersistEventChangeInput): Promise<{ version: number }> {
      return refusingBadData(() =>
        orm.em.fork().transactional(async (em) => {
          if (!(await claimOp(em, input.opId))) return { version: await currentVersion(em, input.next.id) };
          const version = await writeRow(em, input.next, input.fromVersion);
          await replanReminders(em, input.next, Date.now());
          await recordEvent(em, {
            recordType: 'event',
            kind: input.kind,
            recordId: input.next.id,
            actorId: input.actorId,
            opId: input.opId,
            data: input.occurrence ? { occurrence: input.occurrence } : { startsAt: input.next.startsAt },
          });
          return { version };
        }),
      );
    },

    /** The result: the interaction report, on the timeline of the event and of each deal, client and contact. */
    async persistEventResult(input: PersistEventResultInput): Promise<{ version: number }> {
      const { next, report } = input;
      return refusingBadData(() =>
        orm.em.fork().transactional(async (em) => {
          if (!(await claimOp(em, input.opId))) return { version: await currentVersion(em, next.id) };
          const conn = em.getConnection();
          const ctx = em.getTransactionContext<object>();
          await conn.execute(
            `insert into interaction_reports (id, author_id, kind, occurred_at, event_id, occurrence, client_id,
               contact_id, deal_id, participant_user_ids, participant_contact_ids, disposition, outcome_id, outcome_label,
               summary, next_step, next_event_id, op_id)
             values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::uuid[], ?::uuid[], ?, ?, ?, ?, ?, ?, ?)`,
            [
              report.id,
              input.actorId ?? next.ownerId,
              input.kind,
              input.occurrence,
              next.id,
              input.occurrence,
              report.clientId,
              report.contactId,
              report.dealId,
              arr(next.participantUserIds),
              arr(next.participantContactIds),
              report.disposition,
              input.outcome.id,
              input.outcome.label,
              report.summary,
              report.nextStep,
              report.nextEventId,
              input.opId,
            ],
            'all',
            ctx,
          );
          const version = await writeRow(em, next, input.fromVersion);
          const data = {
            reportId: report.id,
            kind: input.kind,
            outcome: input.outcome.label,
            summary: report.summary,
            eventId: next.id,
            nextEventId: report.nextEventId,
          };
          const meta = { kind: 'reported' as const, actorId: input.actorId };
          await recordEvent(em, { ...meta, recordType: 'event', recordId: next.id, opId: input.opId, data });
          if (report.dealId) await recordEvent(em, { ...meta, recordType: 'deal', recordId: report.dealId, data });
          if (report.clientId)
            await recordEvent(em, { ...meta, recordType: 'client', recordId: report.clientId, data });
          if (report.contactId && report.clientId) {
            await recordEvent(em, {
              ...meta,
              recordType: 'contact',
              recordId: report.contactId,
              data: { ...data, clientId: report.clientId },
            });
          }
          return { version };
        }),
      );
    },

    /**
     * The event's time-driven step: reminders, first asks, asks again and escalations as keyed notifications, and
     * how far it got, in one transaction; returns the state after it (the asking cadence as the admin set it now).
     */
    async runEventStep({ state, now, work }: { state: EventState; now: string; work: DueWork }): Promise<EventState> {
      let ids: string[] = [];
      const next = await orm.em.fork().transactional(async (em) => {
        const settings = await loadAskSettings(em);
        const after = advanced(state, Date.parse(now), work, settings);
        const needsLead = work.asks.some((a) => a.escalate) || (settings.escalateAfterAsks <= 1 && work.ended.length);
        const lead = needsLead ? await leadOf(em, state.ownerId) : null;
        ids = await notify(em, stepNotifications(after, work, lead));
        if (work.planned?.length) await schedule(em, plannedReminders(after, work.planned));
        // an overdue result goes on the event's timeline (the feed posts it), once even when the step runs again
        for (const occurrence of overdueOccurrences(after, work)) {
          const opId = overdueOpId(state.id, occurrence);
          const [seen] = await em
            .getConnection()
            .execute('select 1 from record_events where op_id = ?', [opId], 'all', em.getTransactionContext());
          if (seen) continue;
          await recordEvent(em, {
            recordType: 'event',
            kind: 'result_overdue',
            recordId: state.id,
            actorId: null,
            opId,
            data: { occurrence, ownerId: state.ownerId, title: state.title },
          });
        }
        await em.getConnection().execute(
          `update calendar_events set reminded_through = ?, results_through = ?, results_due = ?::jsonb, next_start = ?
              where id = ?`,
          [
            after.remindedThrough,
            after.resultsThrough,
            JSON.stringify(after.resultsDue),
            nextActivityStart(after, Date.parse(now)),
            state.id,
          ],
          'all',
          em.getTransactionContext(),
        );
        return after;
      });
      if (ids.length && afterNotify) await afterNotify(ids).catch(() => undefined);
      return next;
    },
  };
}
