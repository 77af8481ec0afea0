import { Migration } from '@mikro-orm/migrations';

/**
 * Archived deals: `deals.archived_at` (null while the deal is live). An archived deal keeps its row, stage, fields,
 * attachments and timeline; reads leave it out unless asked for the archive, and the board's kept totals no longer
 * count it (the trigger counts a row only while archived_at is null). The archive is read by two small partial
 * indexes (only archived rows), newest change first, overall and per owner. The timeline gains `archived` and
 * `restored` deal events.
 */
export class Migration20261130063000_deal_archive extends Migration {
  override up(): void {
    this.addSql(`
-- rows written earlier in the same migration run (e.g. deal_events moved into record_events) leave their deferred
-- foreign key checks pending, and Postgres alters no table with pending trigger events: check them now
set constraints all immediate;

alter table deals add column archived_at timestamptz(3);

create index deals_archived_recent_idx on deals (updated_at desc, id desc) where archived_at is not null;
create index deals_owner_archived_recent_idx on deals (owner_id, updated_at desc, id desc) where archived_at is not null;

-- a row counts in deal_board_totals while it is not archived; a move touches two cells in key order (no deadlock)
create or replace function deal_board_totals_keep() returns trigger language plpgsql as $fn$
declare
  sl smallint := deal_board_slot(coalesce(new.id, old.id));
  old_in boolean := false;
  new_in boolean := false;
begin
  if tg_op in ('UPDATE', 'DELETE') then old_in := old.archived_at is null; end if;
  if tg_op in ('INSERT', 'UPDATE') then new_in := new.archived_at is null; end if;
  if old_in and new_in then
    -- an update of a counted row (old and new are both set here)
    if (old.pipeline_id, old.stage_id, old.owner_id, coalesce(old.currency, ''))
        = (new.pipeline_id, new.stage_id, new.owner_id, coalesce(new.currency, '')) then
      if old.amount is distinct from new.amount then
        perform deal_board_totals_add(new.pipeline_id, new.stage_id, new.owner_id, new.currency, 0,
          coalesce(new.amount, 0) - coalesce(old.amount, 0), sl);
      end if;
    elsif (old.pipeline_id, old.stage_id, old.owner_id, coalesce(old.currency, ''))
        < (new.pipeline_id, new.stage_id, new.owner_id, coalesce(new.currency, '')) then
      perform deal_board_totals_add(old.pipeline_id, old.stage_id, old.owner_id, old.currency, -1, -old.amount, sl);
      perform deal_board_totals_add(new.pipeline_id, new.stage_id, new.owner_id, new.currency, 1, new.amount, sl);
    else
      perform deal_board_totals_add(new.pipeline_id, new.stage_id, new.owner_id, new.currency, 1, new.amount, sl);
      perform deal_board_totals_add(old.pipeline_id, old.stage_id, old.owner_id, old.currency, -1, -old.amount, sl);
    end if;
  else
    -- insert, delete, archive or restore: one cell, or none for a row that is and stays archived
    if old_in then
      perform deal_board_totals_add(old.pipeline_id, old.stage_id, old.owner_id, old.currency, -1, -old.amount, sl);
    end if;
    if new_in then
      perform deal_board_totals_add(new.pipeline_id, new.stage_id, new.owner_id, new.currency, 1, new.amount, sl);
    end if;
  end if;
  return null;
end $fn$;
drop trigger deal_board_totals_keep on deals;
create trigger deal_board_totals_keep
  after insert or delete or update of pipeline_id, stage_id, owner_id, currency, amount, archived_at
  on deals for each row execute function deal_board_totals_keep();

do $do$
declare c text;
begin
  for c in select conname from pg_constraint
    where conrelid = 'record_events'::regclass and contype = 'c' and pg_get_constraintdef(oid) like '%stage_changed%'
  loop
    execute format('alter table record_events drop constraint %I', c);
  end loop;
end $do$;
alter table record_events add constraint record_events_kind_check check (
  (record_type = 'deal' and kind in ('created','updated','stage_changed','attached','detached','archived','restored'))
  or (record_type in ('client','contact') and kind in ('created','updated'))
);

-- every deferrable constraint here is initially deferred: back to that for the migrations after this one
set constraints all deferred;
`);
  }
}
