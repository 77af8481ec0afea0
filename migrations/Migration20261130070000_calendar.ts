import { Migration } from '@mikro-orm/migrations';

/**
 * The calendar: events (calls, meetings, emails to send, tasks), one row per event or recurring series, each run by
 * an `event-<id>` workflow that reminds and then asks its owner for the result; the interaction reports those results
 * become (and reports written without an event); the outcomes an admin offers per kind; the company's cadence for
 * asking; notifications (in-app, mailed when SMTP is configured); and the users' Internet calendar feed links.
 * Timeline: `event` records (created, updated, cancelled) and a `reported` event on each deal, client and contact a
 * report is about.
 */
export class Migration20261130070000_calendar extends Migration {
  override up(): void {
    this.addSql(`
set constraints all immediate;

alter table users add column time_zone text;

create table calendar_events (
  id uuid primary key,
  owner_id uuid not null references users(id),
  kind text not null check (kind in ('call','meeting','email','task')),
  title text not null check (length(title) between 1 and 300),
  description text not null default '',
  starts_at timestamptz(3) not null,
  ends_at timestamptz(3) not null,
  all_day boolean not null default false,
  time_zone text not null,
  -- the recurrence rule without DTSTART (e.g. FREQ=WEEKLY;BYDAY=MO;COUNT=10); null for a single event
  rrule text,
  -- occurrence starts taken out of the series (moved away as events of their own, or cut by "this and following")
  exdates timestamptz(3)[] not null default '{}',
  -- occurrence starts cancelled one by one (the feed shows them as STATUS:CANCELLED)
  cancelled_occurrences timestamptz(3)[] not null default '{}',
  location text not null default '',
  client_id uuid references clients(id),
  contact_id uuid references contacts(id),
  deal_id uuid references deals(id),
  participant_user_ids uuid[] not null default '{}',
  participant_contact_ids uuid[] not null default '{}',
  -- minutes before the start
  reminders integer[] not null default '{}',
  status text not null default 'planned' check (status in ('planned','cancelled')),
  -- an occurrence moved out of a series, or the later part of a series split by "this and following"
  series_id uuid references calendar_events(id),
  recurrence_id timestamptz(3),
  -- grows with every change the feed must show (iCalendar SEQUENCE)
  sequence integer not null default 0,
  -- what the workflow has done: reminders sent up to, results asked up to, results awaited (per occurrence start: asks so far, next ask, escalated)
  reminded_through timestamptz(3),
  results_through timestamptz(3),
  results_due jsonb not null default '[]',
  -- the start of the first occurrence not yet over (null when none is left): the deal card's next activity
  next_start timestamptz(3),
  version integer not null default 1,
  created_at timestamptz(3) not null default now(),
  updated_at timestamptz(3) not null default now(),
  check (ends_at >= starts_at)
);
create index calendar_events_owner_time_idx on calendar_events (owner_id, starts_at);
create index calendar_events_owner_recurring_idx on calendar_events (owner_id) where rrule is not null;
create index calendar_events_deal_idx on calendar_events (deal_id, starts_at) where deal_id is not null;
create index calendar_events_deal_next_idx on calendar_events (deal_id, next_start) where status = 'planned' and next_start is not null;
create index calendar_events_client_idx on calendar_events (client_id, starts_at) where client_id is not null;
create index calendar_events_contact_idx on calendar_events (contact_id, starts_at) where contact_id is not null;
create index calendar_events_results_due_idx on calendar_events (owner_id) where results_due <> '[]'::jsonb;

create table event_outcomes (
  id uuid primary key,
  kind text not null check (kind in ('call','meeting','email','task')),
  label text not null check (length(label) between 1 and 100),
  -- the outcome closes the matter: no next step is required
  closes boolean not null default false,
  position integer not null default 0,
  archived_at timestamptz(3),
  created_at timestamptz(3) not null default now(),
  unique (kind, label)
);

-- the outcomes offered until an admin changes them
insert into event_outcomes (id, kind, label, closes, position)
select gen_random_uuid(), k, o.label, o.closes, o.position
  from unnest(array['call','meeting','email','task']) as k,
       (values ('Next step agreed', false, 1), ('Done, nothing further', true, 2), ('Not interested', true, 3))
         as o(label, closes, position);

create table interaction_reports (
  id uuid primary key,
  author_id uuid not null references users(id),
  kind text not null check (kind in ('call','meeting','email','task','negotiation')),
  occurred_at timestamptz(3) not null,
  -- the event (and, in a series, the occurrence) this report answers; null for a report written on its own
  event_id uuid references calendar_events(id),
  occurrence timestamptz(3),
  client_id uuid references clients(id),
  contact_id uuid references contacts(id),
  deal_id uuid references deals(id),
  participant_user_ids uuid[] not null default '{}',
  participant_contact_ids uuid[] not null default '{}',
  -- calls: answered, no_answer, busy, voicemail
  disposition text check (disposition in ('answered','no_answer','busy','voicemail')),
  outcome_id uuid references event_outcomes(id),
  outcome_label text not null,
  summary text not null default '',
  next_step text not null default '',
  next_event_id uuid references calendar_events(id) deferrable initially deferred,
  op_id text unique,
  created_at timestamptz(3) not null default now(),
  unique (event_id, occurrence)
);
create index interaction_reports_author_idx on interaction_reports (author_id, occurred_at desc, id desc);
create index interaction_reports_deal_idx on interaction_reports (deal_id, occurred_at desc) where deal_id is not null;
create index interaction_reports_client_idx on interaction_reports (client_id, occurred_at desc) where client_id is not null;
create index interaction_reports_contact_idx on interaction_reports (contact_id, occurred_at desc) where contact_id is not null;

-- one row: how often and when an unanswered result is asked again, and after how many asks the lead is told
create table calendar_settings (
  id boolean primary key default true check (id),
  ask_every_minutes integer not null default 60 check (ask_every_minutes between 1 and 10080),
  escalate_after_asks integer not null default 3 check (escalate_after_asks between 1 and 100),
  work_start time not null default '09:00',
  work_end time not null default '18:00',
  -- ISO weekdays (1 = Monday)
  work_days integer[] not null default '{1,2,3,4,5}',
  time_zone text not null default 'UTC',
  version integer not null default 1,
  check (work_end > work_start)
);
insert into calendar_settings default values;

create table notifications (
  id bigint generated always as identity primary key,
  user_id uuid not null references users(id),
  kind text not null check (kind ~ '^[a-z][a-z_]{0,62}$'),
  -- what it is about, for the link (e.g. event + id)
  record_type text,
  record_id uuid,
  data jsonb not null default '{}',
  -- the same notification is never delivered twice: e.g. reminder:<event>:<occurrence>:<minutes>
  key text not null unique,
  created_at timestamptz(3) not null default now(),
  read_at timestamptz(3),
  emailed_at timestamptz(3)
);
create index notifications_user_idx on notifications (user_id, id desc);
create index notifications_unread_idx on notifications (user_id) where read_at is null;

create table calendar_feeds (
  id uuid primary key,
  user_id uuid not null references users(id),
  name text not null check (length(name) between 1 and 100),
  -- mine: the user's own events; group: the events of the departments the user leads
  scope text not null default 'mine' check (scope in ('mine','group')),
  token_hash bytea not null unique,
  created_at timestamptz(3) not null default now(),
  revoked_at timestamptz(3)
);
create index calendar_feeds_user_idx on calendar_feeds (user_id, created_at);

do $do$
declare c text;
begin
  for c in select conname from pg_constraint
    where conrelid = 'record_events'::regclass and contype = 'c' and pg_get_constraintdef(oid) like '%stage_changed%'
  loop
    execute format('alter table record_events drop constraint %I', c);
  end loop;
  for c in select conname from pg_constraint
    where conrelid = 'record_events'::regclass and contype = 'c' and pg_get_constraintdef(oid) like '%''contact''%'
      and pg_get_constraintdef(oid) not like '%kind%'
  loop
    execute format('alter table record_events drop constraint %I', c);
  end loop;
end $do$;
alter table record_events add constraint record_events_record_type_check
  check (record_type in ('deal','client','contact','event'));
alter table record_events add constraint record_events_kind_check check (
  (record_type = 'deal' and kind in ('created','updated','stage_changed','attached','detached','archived','restored','reported'))
  or (record_type in ('client','contact') and kind in ('created','updated','reported'))
  or (record_type = 'event' and kind in ('created','updated','cancelled','reported'))
);

set constraints all deferred;
`);
  }
}
