import { Migration } from '@mikro-orm/migrations';

/**
 * Revenue plans: one plan per manager and period (a day, an ISO week or a month), run by a `plan-<manager>-<period>`
 * workflow; its lines (client, optional deal, amount and currency with the amount in the company currency at the
 * rate of the line's date, expected date, comment) and the lead's decision on each; the submissions a manager froze
 * (snapshots with a note, the latest is current); the company's plan settings (confirmation on or off, deadlines,
 * time zone); payments received per client (and optionally deal); and the rates by day, kept by a trigger on
 * currency_rates, so that an amount converts at the rate of its date. Timeline: `plan` records.
 */
export class Migration20261130081000_plans extends Migration {
  override up(): void {
    this.addSql(`
set constraints all immediate;

-- one row: whether a lead confirms plans, the deadlines (days from the period's first day, in the company time zone)
create table plan_settings (
  id boolean primary key default true check (id),
  confirmation boolean not null default false,
  submit_due_days integer not null default 0 check (submit_due_days between -366 and 366),
  review_due_days integer not null default 2 check (review_due_days between -366 and 366),
  time_zone text not null default 'UTC',
  version integer not null default 1
);
insert into plan_settings default values;

create table plans (
  id uuid primary key,
  manager_id uuid not null references users(id),
  -- 2026-12, 2026-W49 or 2026-12-01
  period text not null,
  period_kind text not null check (period_kind in ('day','week','month')),
  -- the period's first day and the day after its last (dates in the company time zone)
  period_start date not null,
  period_end date not null,
  -- draft: being written; submitted: waiting for or under the lead's review; final: locked
  status text not null default 'draft' check (status in ('draft','submitted','final')),
  revision integer not null default 1,
  -- the revision whose submit / review reminder was delivered
  submit_reminded integer not null default 0,
  review_reminded integer not null default 0,
  -- the lines' totals in the company currency, kept exact by a trigger on plan_lines (whoever writes), so that
  -- roll-ups by company, group and manager read plans alone
  line_count integer not null default 0,
  total_base numeric(18,2) not null default 0,
  approved_base numeric(18,2) not null default 0,
  doubtful_base numeric(18,2) not null default 0,
  open_base numeric(18,2) not null default 0,
  finalised_at timestamptz(3),
  finalised_by uuid references users(id),
  version integer not null default 1,
  created_at timestamptz(3) not null default now(),
  updated_at timestamptz(3) not null default now(),
  unique (manager_id, period),
  check (period_end > period_start)
);
create index plans_period_idx on plans (period_kind, period_start, manager_id);

create table plan_lines (
  id uuid primary key,
  plan_id uuid not null references plans(id) on delete cascade,
  position integer not null default 0,
  client_id uuid not null references clients(id),
  deal_id uuid references deals(id),
  amount numeric(18,2) not null check (amount > 0),
  currency char(3) not null,
  -- in the company currency at the rate of expected_on
  amount_base numeric(18,2) not null,
  expected_on date not null,
  comment text not null default '',
  -- open: awaiting the lead; approved: in the final plan; doubtful: left out of it
  status text not null default 'open' check (status in ('open','approved','doubtful')),
  -- changed by the manager since the lead doubted it (goes back to open at the next submission)
  revised boolean not null default false,
  decision_comment text not null default '',
  decided_by uuid references users(id),
  decided_at timestamptz(3)
);
create index plan_lines_plan_idx on plan_lines (plan_id) include (status, amount_base, client_id);
create index plan_lines_client_idx on plan_lines (client_id);

create function plan_lines_totals() returns trigger language plpgsql as $f$
begin
  if tg_op = 'INSERT' then
    update plans p set line_count = p.line_count + d.n, total_base = p.total_base + d.t,
        approved_base = p.approved_base + d.a, doubtful_base = p.doubtful_base + d.d, open_base = p.open_base + d.o
      from (select plan_id, count(*) as n, sum(amount_base) as t,
                   coalesce(sum(amount_base) filter (where status = 'approved'), 0) as a,
                   coalesce(sum(amount_base) filter (where status = 'doubtful'), 0) as d,
                   coalesce(sum(amount_base) filter (where status = 'open'), 0) as o
              from new_rows group by plan_id order by plan_id) d
     where p.id = d.plan_id;
  elsif tg_op = 'DELETE' then
    update plans p set line_count = p.line_count - d.n, total_base = p.total_base - d.t,
        approved_base = p.approved_base - d.a, doubtful_base = p.doubtful_base - d.d, open_base = p.open_base - d.o
      from (select plan_id, count(*) as n, sum(amount_base) as t,
                   coalesce(sum(amount_base) filter (where status = 'approved'), 0) as a,
                   coalesce(sum(amount_base) filter (where status = 'doubtful'), 0) as d,
                   coalesce(sum(amount_base) filter (where status = 'open'), 0) as o
              from old_rows group by plan_id order by plan_id) d
     where p.id = d.plan_id;
  else
    update plans p set line_count = p.line_count + d.n, total_base = p.total_base + d.t,
        approved_base = p.approved_base + d.a, doubtful_base = p.doubtful_base + d.d, open_base = p.open_base + d.o
      from (select plan_id, sum(sign) as n, sum(sign * amount_base) as t,
                   coalesce(sum(sign * amount_base) filter (where status = 'approved'), 0) as a,
                   coalesce(sum(sign * amount_base) filter (where status = 'doubtful'), 0) as d,
                   coalesce(sum(sign * amount_base) filter (where status = 'open'), 0) as o
              from (select plan_id, 1 as sign, amount_base, status from new_rows
                    union all select plan_id, -1, amount_base, status from old_rows) x
             group by plan_id order by plan_id) d
     where p.id = d.plan_id and (d.n <> 0 or d.t <> 0 or d.a <> 0 or d.d <> 0 or d.o <> 0);
  end if;
  return null;
end $f$;
create trigger plan_lines_totals_ins after insert on plan_lines
  referencing new table as new_rows for each statement execute function plan_lines_totals();
create trigger plan_lines_totals_upd after update on plan_lines
  referencing old table as old_rows new table as new_rows for each statement execute function plan_lines_totals();
create trigger plan_lines_totals_del after delete on plan_lines
  referencing old table as old_rows for each statement execute function plan_lines_totals();

create table plan_submissions (
  id uuid primary key,
  plan_id uuid not null references plans(id) on delete cascade,
  revision integer not null,
  number integer not null,
  note text not null default '',
  -- the lines as submitted
  lines jsonb not null,
  total_base numeric(18,2) not null,
  submitted_by uuid references users(id),
  submitted_at timestamptz(3) not null default now(),
  unique (plan_id, number)
);

create table payments (
  id uuid primary key,
  client_id uuid not null references clients(id),
  deal_id uuid references deals(id),
  -- the manager the payment counts for (the client's owner when entered)
  manager_id uuid not null references users(id),
  paid_on date not null,
  amount numeric(18,2) not null check (amount > 0),
  currency char(3) not null,
  amount_base numeric(18,2) not null,
  comment text not null default '',
  created_by uuid references users(id),
  created_at timestamptz(3) not null default now()
);
create index payments_paid_idx on payments (paid_on, manager_id);
create index payments_client_idx on payments (client_id, paid_on);

-- each currency's rate on each day it was set: an amount converts at the rate in force on its date
create table currency_rate_days (
  currency char(3) not null,
  day date not null,
  rate numeric(23,8) not null,
  primary key (currency, day)
);
insert into currency_rate_days (currency, day, rate) select currency, current_date, rate from currency_rates;
create function currency_rate_day() returns trigger language plpgsql as $f$
begin
  insert into currency_rate_days (currency, day, rate) values (new.currency, current_date, new.rate)
  on conflict (currency, day) do update set rate = excluded.rate;
  return new;
end $f$;
create trigger currency_rates_by_day after insert or update on currency_rates
  for each row execute function currency_rate_day();

alter table record_events drop constraint record_events_record_type_check;
alter table record_events drop constraint record_events_kind_check;
alter table record_events add constraint record_events_record_type_check
  check (record_type in ('deal','client','contact','event','plan'));
alter table record_events add constraint record_events_kind_check check (
  (record_type = 'deal' and kind in ('created','updated','stage_changed','attached','detached','archived','restored','reported'))
  or (record_type in ('client','contact') and kind in ('created','updated','reported'))
  or (record_type = 'event' and kind in ('created','updated','cancelled','reported'))
  or (record_type = 'plan' and kind in ('created','updated','submitted','reviewed','finalised','reopened'))
);

set constraints all deferred;
`);
  }
}
