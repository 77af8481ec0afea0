import { Migration } from '@mikro-orm/migrations';

/**
 * The administrators' board rollup leaves archived deals out, as the per-owner totals do: a row counts while
 * archived_at is null, so archiving takes it out of its column and restoring puts it back.
 */
export class Migration20261130064000_board_rollup_archive extends Migration {
  override up(): void {
    this.addSql(`
create or replace function deal_board_rollup_keep() returns trigger language plpgsql as $fn$
declare
  sl smallint := (hashtext(coalesce(new.id, old.id)::text) & 15)::smallint;
  old_in boolean := false;
  new_in boolean := false;
begin
  if tg_op in ('UPDATE', 'DELETE') then old_in := old.archived_at is null; end if;
  if tg_op in ('INSERT', 'UPDATE') then new_in := new.archived_at is null; end if;
  if old_in and new_in then
    if (old.pipeline_id, old.stage_id, coalesce(old.currency, '')) = (new.pipeline_id, new.stage_id, coalesce(new.currency, '')) then
      if old.amount is distinct from new.amount then
        perform deal_board_rollup_add(new.pipeline_id, new.stage_id, new.currency, sl, 0,
          coalesce(new.amount, 0) - coalesce(old.amount, 0));
      end if;
    elsif (old.pipeline_id, old.stage_id, coalesce(old.currency, '')) < (new.pipeline_id, new.stage_id, coalesce(new.currency, '')) then
      perform deal_board_rollup_add(old.pipeline_id, old.stage_id, old.currency, sl, -1, -old.amount);
      perform deal_board_rollup_add(new.pipeline_id, new.stage_id, new.currency, sl, 1, new.amount);
    else
      perform deal_board_rollup_add(new.pipeline_id, new.stage_id, new.currency, sl, 1, new.amount);
      perform deal_board_rollup_add(old.pipeline_id, old.stage_id, old.currency, sl, -1, -old.amount);
    end if;
  else
    -- insert, delete, archive or restore: one cell, or none for a row that is and stays archived
    if old_in then
      perform deal_board_rollup_add(old.pipeline_id, old.stage_id, old.currency, sl, -1, -old.amount);
    end if;
    if new_in then
      perform deal_board_rollup_add(new.pipeline_id, new.stage_id, new.currency, sl, 1, new.amount);
    end if;
  end if;
  return null;
end $fn$;
drop trigger deal_board_rollup_keep on deals;
create trigger deal_board_rollup_keep
  after insert or delete or update of pipeline_id, stage_id, currency, amount, archived_at
  on deals for each row execute function deal_board_rollup_keep();
`);
  }
}
