import { Migration } from '@mikro-orm/migrations';

/**
 * What a manager and a lead read on the board:
 * - deals.stage_entered_at: when the deal entered its current stage (kept by a trigger on every change of stage, so
 *   every write path keeps it); filled from the deal's last move into its stage, else its creation;
 * - per stage an optional "stuck after N days" threshold and an optional win probability (0–100 %);
 * - the company currency and exchange rates (one unit of a currency in the company currency);
 * - saved board filters per user, optionally shared with the user's sales group.
 */
export class Migration20261130061000_board_lead extends Migration {
  override up(): void {
    this.addSql(`
alter table deals add column stage_entered_at timestamptz(3) not null default now();
update deals d set stage_entered_at = coalesce(
  (select max(e.created_at) from record_events e
    where e.record_type = 'deal' and e.record_id = d.id and e.to_stage_id = d.stage_id),
  d.created_at);

create function deals_stage_entered() returns trigger language plpgsql as $fn$
begin
  new.stage_entered_at := now();
  return new;
end $fn$;
create trigger deals_stage_entered before update of stage_id on deals
  for each row when (old.stage_id is distinct from new.stage_id) execute function deals_stage_entered();

alter table stages add column stuck_after_days integer check (stuck_after_days between 1 and 3650);
alter table stages add column win_probability smallint check (win_probability between 0 and 100);

create table company_currency (
  id boolean primary key default true check (id),
  currency char(3) not null check (currency ~ '^[A-Z]{3}$'),
  version integer not null default 1,
  updated_at timestamptz not null default now()
);
create table currency_rates (
  currency char(3) primary key check (currency ~ '^[A-Z]{3}$'),
  rate numeric(24,8) not null check (rate > 0),
  updated_at timestamptz not null default now()
);

create table saved_filters (
  id uuid primary key,
  owner_id uuid not null references users(id) on delete cascade,
  name text not null check (length(name) between 1 and 100),
  filter jsonb not null check (jsonb_typeof(filter) = 'object'),
  department_id uuid references departments(id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  version integer not null default 1,
  unique (owner_id, name)
);
create index saved_filters_department_idx on saved_filters (department_id) where department_id is not null;
`);
  }
}
