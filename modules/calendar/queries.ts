/**
 * Reading the calendar: occurrences in a window (series expanded in their time zones), one event, the reports, and
 * the counters a manager and a lead watch. A viewer sees the events of the owners they see (their own, their
 * group's as a lead, everyone's as an admin) and those they take part in.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { readScope, uuidArray, visibleOwnerIds, type Viewer } from '../access/visibility.ts';
import { notFound } from '../shared/errors.ts';
import { occurrencesBetween } from './recurrence.ts';
import { EVENT_SELECT, loadEventRow, ms, type EventRow } from './rows.ts';

export interface OccurrenceView {
  eventId: string;
  /** the occurrence's start: with eventId, names it (results, cancelling one occurrence) */
  occurrence: string;
  start: string;
  end: string;
  title: string;
  kind: EventRow['kind'];
  allDay: boolean;
  timeZone: string;
  recurring: boolean;
  /** cancelled: the event, or this occurrence of it */
  cancelled: boolean;
  ownerId: string;
  ownerName: string;
  location: string;
  dealId: string | null;
  dealTitle: string | null;
  clientId: string | null;
  clientName: string | null;
  contactId: string | null;
  /** the result is awaited (asked and not given) */
  resultDue: boolean;
  /** the result was recorded */
  reported: boolean;
  version: number;
}

export interface CalendarFilter {
  from: string;
  to: string;
  /** 'me', 'group', or a user id; default: what the viewer sees */
  owner?: string;
  dealId?: string;
  clientId?: string;
  contactId?: string;
}

type Row = EventRow & { ownerName: string; dealTitle: string | null; clientName: string | null; reported: Date[] };

/** The event rows of a window the viewer may see. */
async function rowsOf(em: EntityManager, viewer: Viewer, f: CalendarFilter): Promise<Row[]> {
  const scope = await readScope(em, viewer, f.owner === 'group' || f.owner === 'me' || !f.owner ? f.owner : f.owner);
  const owners = scope.owners;
  const where: string[] = [];
  const params: unknown[] = [];
  if (owners === 'all') {
    where.push('true');
  } else {
    where.push('(e.owner_id = any(?::uuid[]) or ? = any(e.participant_user_ids))');
    params.push(uuidArray(owners), viewer.id);
  }
  for (const [col, v] of [
    ['deal_id', f.dealId],
    ['client_id', f.clientId],
    ['contact_id', f.contactId],
  ] as const) {
    if (v) {
      where.push(`e.${col} = ?`);
      params.push(v);
    }
  }
  // a single event overlapping the window, or a series begun before its end (expanded below)
  where.push(
    `((e.rrule is null and e.starts_at <= ? and e.ends_at >= ?) or (e.rrule is not null and e.starts_at <= ?))`,
  );
  params.push(f.to, f.from, f.to);
  return em.getConnection().execute<Row[]>(
    `select ${EVENT_SELECT}, u.name as "ownerName", d.title as "dealTitle", c.name as "clientName",
            coalesce((select array_agg(r.occurrence) from interaction_reports r where r.event_id = e.id), '{}') as reported
       from calendar_events e
       join users u on u.id = e.owner_id
       left join deals d on d.id = e.deal_id
       left join clients c on c.id = e.client_id
      where ${where.join(' and ')}
      order by e.starts_at, e.id
      limit 5000`,
    params,
  );
}

const iso = (d: Date | string) => new Date(d).toISOString();

/** Occurrences in [from, to] (those overlapping it), in start order, at most `limit`. */
export async function listOccurrences(
  em: EntityManager,
  viewer: Viewer,
  f: CalendarFilter,
  limit = 2000,
): Promise<OccurrenceView[]> {
  const rows = await rowsOf(em, viewer, f);
  const from = Date.parse(f.from);
  const to = Date.parse(f.to);
  const out: OccurrenceView[] = [];
  for (const r of rows) {
    const duration = ms(r.endsAt) - ms(r.startsAt);
    const ev = {
      startsAt: iso(r.startsAt),
      endsAt: iso(r.endsAt),
      timeZone: r.timeZone,
      rrule: r.rrule,
      exdates: r.exdates.map(iso),
    };
    const cancelled = new Set(r.cancelledOccurrences.map(iso));
    const reported = new Set(r.reported.map(iso));
    const due = new Set(r.resultsDue.map((d) => iso(d.occurrence)));
    for (const o of occurrencesBetween(ev, from - duration - 1, to, limit)) {
      out.push({
        eventId: r.id,
        occurrence: o.start,
        start: o.start,
        end: o.end,
        title: r.title,
        kind: r.kind,
        allDay: r.allDay,
        timeZone: r.timeZone,
        recurring: r.rrule !== null,
        cancelled: r.status === 'cancelled' || cancelled.has(o.start),
        ownerId: r.ownerId,
        ownerName: r.ownerName,
        location: r.location,
        dealId: r.dealId,
        dealTitle: r.dealTitle,
        clientId: r.clientId,
        clientName: r.clientName,
        contactId: r.contactId,
        resultDue: due.has(o.start),
        reported: reported.has(o.start),
        version: r.version,
      });
    }
  }
  return out.sort((a, b) => a.start.localeCompare(b.start) || a.eventId.localeCompare(b.eventId)).slice(0, limit);
}

export interface EventView extends Omit<
  EventRow,
  | 'startsAt'
  | 'endsAt'
  | 'exdates'
  | 'cancelledOccurrences'
  | 'recurrenceId'
  | 'remindedThrough'
  | 'resultsThrough'
  | 'createdAt'
  | 'updatedAt'
  | 'resultsDue'
> {
  startsAt: string;
  endsAt: string;
  exdates: string[];
  cancelledOccurrences: string[];
  recurrenceId: string | null;
  resultsDue: string[];
  ownerName: string;
  dealTitle: string | null;
  clientName: string | null;
  contactName: string | null;
  createdAt: string;
  updatedAt: string;
  /** the viewer may change it */
  canEdit: boolean;
}

/** One event the viewer may see, or NOT_FOUND. */
export async function readEvent(em: EntityManager, viewer: Viewer, id: string): Promise<EventView> {
  const row = await loadEventRow(em, id);
  if (!row) throw notFound('Event');
  const owners = await visibleOwnerIds(em, viewer);
  const manages = owners === 'all' || owners.includes(row.ownerId);
  if (!manages && !row.participantUserIds.includes(viewer.id)) throw notFound('Event');
  const [names] = await em
    .getConnection()
    .execute<{ ownerName: string; dealTitle: string | null; clientName: string | null; contactName: string | null }[]>(
      `select (select name from users where id = ?) as "ownerName", (select title from deals where id = ?) as "dealTitle",
            (select name from clients where id = ?) as "clientName", (select name from contacts where id = ?) as "contactName"`,
      [row.ownerId, row.dealId, row.clientId, row.contactId],
    );
  const { remindedThrough: _r, resultsThrough: _t, ...rest } = row;
  return {
    ...rest,
    ...names,
    startsAt: iso(row.startsAt),
    endsAt: iso(row.endsAt),
    exdates: row.exdates.map(iso),
    cancelledOccurrences: row.cancelledOccurrences.map(iso),
    recurrenceId: row.recurrenceId ? iso(row.recurrenceId) : null,
    resultsDue: row.resultsDue.map((d) => iso(d.occurrence)),
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
    canEdit: manages,
  };
}

export interface CalendarCounters {
  userId: string;
  name: string;
  /** results asked for and not given */
  resultsOverdue: number;
  /** occurrences starting today (in the company's time zone) */
  dueToday: number;
  /** open deals with no planned activity ahead */
  dealsWithoutActivity: number;
}

/** Counters per manager the viewer sees (a manager: their own row), as Bitrix24 shows them. */
export async function calendarCounters(em: EntityManager, viewer: Viewer): Promise<CalendarCounters[]> {
  const owners = await visibleOwnerIds(em, viewer);
  const scope = owners === 'all' ? null : uuidArray(owners);
  return em.getConnection().execute<CalendarCounters[]>(
    `with people as (
       select id, name from users where disabled_at is null and (?::uuid[] is null or id = any(?::uuid[]))),
     tz as (select time_zone from calendar_settings),
     today as (
       select (date_trunc('day', now() at time zone tz.time_zone)) at time zone tz.time_zone as a,
              (date_trunc('day', now() at time zone tz.time_zone) + interval '1 day') at time zone tz.time_zone as b
         from tz)
     select p.id as "userId", p.name,
       (select coalesce(sum(jsonb_array_length(e.results_due)), 0)::int from calendar_events e
         where e.owner_id = p.id and e.results_due <> '[]'::jsonb) as "resultsOverdue",
       (select count(*)::int from calendar_events e, today
         where e.owner_id = p.id and e.status = 'planned' and e.next_start >= today.a and e.next_start < today.b) as "dueToday",
       (select count(*)::int from deals d join stages s on s.id = d.stage_id
         where d.owner_id = p.id and d.archived_at is null and s.kind = 'open'
           and not exists (select 1 from calendar_events e where e.deal_id = d.id and e.status = 'planned'
                            and e.next_start is not null)) as "dealsWithoutActivity"
       from people p
      order by (p.id = ?) desc, p.name`,
    [scope, scope, viewer.id],
  );
}

/** The next planned activity of each deal (the board card): its start, title and kind. */
export async function nextActivities(
  em: EntityManager,
  dealIds: string[],
): Promise<Map<string, { start: string; title: string; kind: string }>> {
  if (!dealIds.length) return new Map();
  const rows = await em.getConnection().execute<{ dealId: string; start: Date; title: string; kind: string }[]>(
    `select d.id as "dealId", n.next_start as start, n.title, n.kind
       from unnest(?::uuid[]) as d(id)
       cross join lateral (select e.next_start, e.title, e.kind from calendar_events e
                            where e.deal_id = d.id and e.status = 'planned' and e.next_start is not null
                            order by e.next_start limit 1) n`,
    [uuidArray(dealIds)],
  );
  return new Map(rows.map((r) => [r.dealId, { start: iso(r.start), title: r.title, kind: r.kind }]));
}
